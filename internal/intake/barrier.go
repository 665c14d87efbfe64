package intake

import (
	"slices"
	"sync"

	"github.com/tallylog/tallylog/registry"
)

// barrier keeps records whose claims conflict (registry.Claims) from being
// checked and logged at the same time: a record holds its claim from its
// check until the registry has recorded it, so a record is never checked
// against a state that a conflicting record still in flight will change,
// nor sequenced before a conflicting record it was checked after.
// Records whose claims do not conflict proceed together: a keys record
// waits only for records signed by the keys it grants or revokes (and
// other keys records), a correction only for its station's records and
// its contest's declarations.
//
// Every claim also holds the whole log shared, and a Whole claim holds it
// exclusively, so a record appended alone waits for everything in flight
// and holds up everything after it, as before.
//
// A claim waiting for an exclusive use keeps the claims that come after
// it from taking that scope (an exclusive use is not starved by a stream
// of shared ones), but never one that came before: the earliest waiting
// claim waits only for claims held, a holder never waits on the barrier,
// and a claim is taken all at once, so claims cannot deadlock.
type barrier struct {
	mu     sync.Mutex
	freed  sync.Cond
	held   map[registry.Scope]*hold
	ticket uint64 // of the last claim asked for
}

type hold struct {
	shared    int      // holders of a shared use
	exclusive bool     // an exclusive use is held
	waiting   []uint64 // the tickets of claims waiting for an exclusive use
}

// whole is the scope every claim uses: exclusively for Whole claims.
var whole = registry.Scope{}

func newBarrier() *barrier {
	b := &barrier{held: map[registry.Scope]*hold{}}
	b.freed.L = &b.mu
	return b
}

// uses returns c's scopes with the whole log's.
func uses(c registry.Claim) []registry.ScopeUse {
	if c.Whole {
		return []registry.ScopeUse{{Scope: whole, Exclusive: true}}
	}
	return append(c.Scopes, registry.ScopeUse{Scope: whole})
}

// acquire waits until claim c can be held, holds it, and returns its
// release, which must be called once.
func (b *barrier) acquire(c registry.Claim) (release func()) {
	us := uses(c)
	b.mu.Lock()
	b.ticket++
	t := b.ticket
	if !b.free(us, t) {
		for _, u := range us {
			if u.Exclusive {
				h := b.at(u.Scope)
				h.waiting = append(h.waiting, t)
			}
		}
		for !b.free(us, t) {
			b.freed.Wait()
		}
		for _, u := range us {
			if u.Exclusive {
				h := b.held[u.Scope]
				h.waiting = slices.DeleteFunc(h.waiting, func(w uint64) bool { return w == t })
			}
		}
	}
	b.take(us)
	b.mu.Unlock()
	return func() { b.release(us) }
}

// take holds uses; b.mu held.
func (b *barrier) take(us []registry.ScopeUse) {
	for _, u := range us {
		h := b.at(u.Scope)
		if u.Exclusive {
			h.exclusive = true
		} else {
			h.shared++
		}
	}
}

// at returns the hold of scope s, made if absent; b.mu held.
func (b *barrier) at(s registry.Scope) *hold {
	h := b.held[s]
	if h == nil {
		h = &hold{}
		b.held[s] = h
	}
	return h
}

// free reports whether uses can be taken now by the claim of ticket t;
// b.mu held.
func (b *barrier) free(us []registry.ScopeUse, t uint64) bool {
	for _, u := range us {
		h := b.held[u.Scope]
		if h == nil {
			continue
		}
		if h.exclusive || (u.Exclusive && h.shared > 0) {
			return false
		}
		for _, w := range h.waiting {
			if w < t {
				return false
			}
		}
	}
	return true
}

func (b *barrier) release(us []registry.ScopeUse) {
	b.mu.Lock()
	defer b.mu.Unlock()
	wake := false
	for _, u := range us {
		h := b.held[u.Scope]
		if u.Exclusive {
			h.exclusive = false
			wake = true
		} else {
			h.shared--
			wake = wake || (h.shared == 0 && len(h.waiting) > 0)
		}
		if h.shared == 0 && !h.exclusive && len(h.waiting) == 0 {
			delete(b.held, u.Scope)
		}
	}
	if wake {
		b.freed.Broadcast()
	}
}
