package registry

import (
	"strings"
	"sync"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// Pool holds what every registry of one log in a process may share
// because it never changes once made: the parsed definition, and each
// registered key's identity (its verifier key, full hash and verifier). A
// server holds two registries of its log, its intake's, which runs ahead
// and rules on submissions, and its tally's, which follows the published
// checkpoints; made from one Pool, they hold these once instead of twice
// (a 1,000,000-station definition and a million keys). What a registry
// has granted, revoked and recorded stays its own: a key's identity is in
// the pool from the first time any of the registries records its grant,
// and it means nothing to another registry until that one records the
// grant too.
//
// A Pool is safe for concurrent use. Sharing is by content (the
// definition by the SHA-256 of its bytes, a key by its full hash), so
// registries of different logs given one Pool stay correct; they merely
// share nothing.
type Pool struct {
	mu     sync.Mutex
	def    *election.Definition
	defSum [32]byte
	ids    map[KeyHash]*identity
}

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{ids: map[KeyHash]*identity{}} }

// New returns an empty registry for a log with the given origin that
// shares the pool's definition and key identities.
func (p *Pool) New(origin string) *Registry {
	return &Registry{origin: origin, pool: p, parts: map[int64]string{}, byNote: map[KeyID]*Key{}, records: newRefs(), auth: newAuthority()}
}

// identity is a key's immutable part: Key embeds it, so a Key's VKey,
// Hash and Verifier are these fields.
type identity struct {
	VKey     string  // the verifier key text, name+hash+base64
	Hash     KeyHash // the key's full identity
	Verifier note.Verifier
}

// newIdentity makes the identity of vkey, a verifier key record.Check has
// accepted, whose full hash is h (FullKeyHash), holding copies of its
// strings (vkey may be cut from a record's text).
func newIdentity(vkey string, h KeyHash) *identity {
	vkey = strings.Clone(vkey)
	v, _ := newVerifier(vkey)
	return &identity{VKey: vkey, Hash: h, Verifier: v}
}

// identity returns the pooled identity of vkey, adding it.
func (p *Pool) identity(vkey string) *identity {
	h, ok := FullKeyHash(vkey)
	if !ok {
		return newIdentity(vkey, h) // cannot happen for an admitted grant; not pooled
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.ids[h]
	if id == nil {
		id = newIdentity(vkey, h)
		p.ids[h] = id
	}
	return id
}

// lookup returns the pooled identity with full hash h.
func (p *Pool) lookup(h KeyHash) (*identity, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, ok := p.ids[h]
	return id, ok
}

// definition returns the pooled definition if its bytes hash to sum.
func (p *Pool) definition(sum [32]byte) *election.Definition {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.def != nil && p.defSum == sum {
		return p.def
	}
	return nil
}

// keepDefinition pools d, parsed from bytes that hash to sum, unless a
// definition is pooled already.
func (p *Pool) keepDefinition(sum [32]byte, d *election.Definition) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.def == nil {
		p.def, p.defSum = d, sum
	}
}

// grant returns g, logged at index, as the registry keeps it: its scope
// as the definition spells it (a copy when the definition does not have
// it), so that the keys record's text is not kept.
func (r *Registry) grant(g record.Grant, index uint64) Grant {
	role, ok := roleCode(g.Role)
	if !ok {
		panic("registry: admitted grant of unknown role " + g.Role) // record.Check refuses it
	}
	out := Grant{Scope: g.Scope, At: index, role: role}
	switch {
	case g.Scope == "*":
		out.Scope = "*"
	case r.def != nil:
		if s, ok := r.def.Station(g.Scope); ok {
			out.Scope = s.ID
		} else if c, ok := r.def.Contest(g.Scope); ok {
			out.Scope = c.ID
		} else {
			out.Scope = strings.Clone(g.Scope)
		}
	default:
		out.Scope = strings.Clone(g.Scope)
	}
	return out
}
