package registry

import (
	"encoding/binary"
	"strings"

	"github.com/tallylog/tallylog/record"
)

// A server checks records concurrently and the log sequences them in an
// order it chooses, but the verifier judges each record against exactly
// the entries before it. For most rules that order cannot matter: what
// they ask of the log (a key is registered, a named record is logged, a
// station has a sheet) only becomes more true as entries are added. The
// rules that can turn from true to false, or depend on what the log does
// not hold yet, are few, and each concerns one thing, a Scope:
//
//   - ScopeSigner, a signing key: a keys record that revokes it refuses
//     every later record it signs; one that grants it makes records it
//     signs admissible (a client's batch sends them after it).
//   - ScopeKeys, the set of keys: a keys record is judged by the keys
//     granted and revoked so far (a revoked key is not granted again, a
//     name and key ID belong to one key, its signer is not revoked).
//   - ScopeDeclared, a contest's declarations: an unordered correction is
//     admitted only before the contest's first declaration.
//   - ScopeSlot, a station's sheets in a contest: an order carried out once
//     for a station cannot be carried out again (two corrections), and an
//     order names only stations with a sheet (a client's batch sends the
//     sheet first).
//
// Records whose admission depends on the whole log (the election record,
// the definition, the audit records judged against the whole tally, and
// any type this package does not list) claim it all (Claim.Whole).
//
// Claims(env) says which scopes a record's admission reads (shared) and
// which it can change for others (exclusive). Two records whose claims
// conflict (Conflicts) must be checked and logged one after the other;
// records whose claims do not conflict may be checked against the same
// state and sequenced in either order, and every one of them is admitted
// on replay. A server holds a record's claim from its check until it has
// recorded the record (intake); a client's batch logs a record after every
// earlier record of the batch whose claim conflicts with its own.

// ScopeKind says what a Scope names.
type ScopeKind uint8

const (
	ScopeSigner   ScopeKind = iota + 1 // a key, by Name and ID (its 4-byte key ID, unique in a log: uniqueNoteID)
	ScopeKeys                          // the log's keys as a whole; Name and ID are empty
	ScopeDeclared                      // the declarations of the contest Name
	ScopeSlot                          // the sheets of a station in a contest: Name is contest, a newline, station
)

// Scope is one thing whose state the admission of records depends on.
type Scope struct {
	Kind ScopeKind
	Name string
	ID   uint32
}

// ScopeUse is a scope a record's admission reads (Exclusive false) or can
// change for other records (Exclusive true).
type ScopeUse struct {
	Scope
	Exclusive bool
}

// Claim is what the admission of one record depends on and can change.
type Claim struct {
	// Whole: the record is judged against the whole log and may change
	// any rule; nothing else may be in flight with it.
	Whole  bool
	Scopes []ScopeUse // each scope at most once
}

// Conflicts reports whether the records of claims c and d must be checked
// and logged in a fixed order.
func (c Claim) Conflicts(d Claim) bool {
	if c.Whole || d.Whole {
		return true
	}
	for _, a := range c.Scopes {
		for _, b := range d.Scopes {
			if a.Scope == b.Scope && (a.Exclusive || b.Exclusive) {
				return true
			}
		}
	}
	return false
}

// Claims returns the claim of env's record. It reads only the record, so
// it can be asked before the record is checked.
func Claims(env *record.Envelope) Claim {
	c := Claim{Scopes: make([]ScopeUse, 1, 3)}
	c.Scopes[0] = ScopeUse{Scope: Scope{Kind: ScopeSigner, Name: env.KeyName, ID: env.KeyHash}}
	switch r := env.Record.(type) {
	case *record.Sheet:
		slot := ScopeUse{Scope: Scope{Kind: ScopeSlot, Name: r.Contest + "\n" + r.Station}}
		if r.Supersedes != "" {
			slot.Exclusive = true
			if r.Order == "" {
				c.Scopes = append(c.Scopes, ScopeUse{Scope: Scope{Kind: ScopeDeclared, Name: r.Contest}, Exclusive: true})
			}
		}
		c.Scopes = append(c.Scopes, slot)
	case *record.Declaration:
		c.Scopes = append(c.Scopes, ScopeUse{Scope: Scope{Kind: ScopeDeclared, Name: r.Contest}})
	case *record.Order:
		for _, st := range r.Stations {
			c.add(ScopeUse{Scope: Scope{Kind: ScopeSlot, Name: r.Contest + "\n" + st}, Exclusive: true})
		}
	case *record.Keys:
		c.Scopes = append(c.Scopes, ScopeUse{Scope: Scope{Kind: ScopeKeys}, Exclusive: true})
		keys := make([]string, 0, len(r.Grants)+len(r.Revoke))
		for _, g := range r.Grants {
			keys = append(keys, g.Key)
		}
		for _, vk := range append(keys, r.Revoke...) {
			name, id, ok := keyID(vk)
			if !ok {
				return Claim{Whole: true} // refused by Check; claim everything rather than guess
			}
			c.add(ScopeUse{Scope: Scope{Kind: ScopeSigner, Name: name, ID: id}, Exclusive: true})
		}
	case *record.Attestation, *record.Affiliation, *record.Gazette, *record.PostalAccount:
		// Judged by what only grows: the signer's grants, named records,
		// the definition. Only the signer's revocation can refuse them.
	default:
		// The election record, the definition, the audit records, and
		// any type not listed here until its rules are looked at.
		return Claim{Whole: true}
	}
	return c
}

// add puts u into c, an exclusive use replacing a shared one of the same
// scope.
func (c *Claim) add(u ScopeUse) {
	for i, s := range c.Scopes {
		if s.Scope == u.Scope {
			c.Scopes[i].Exclusive = s.Exclusive || u.Exclusive
			return
		}
	}
	c.Scopes = append(c.Scopes, u)
}

// keyID returns the name and 4-byte key ID a signature by the verifier
// key vkey carries: the first 4 bytes of its full key hash.
func keyID(vkey string) (string, uint32, bool) {
	h, ok := FullKeyHash(vkey) // splits and decodes vkey; ok only for name+hash+base64
	if !ok {
		return "", 0, false
	}
	name, _, _ := strings.Cut(vkey, "+")
	return name, binary.BigEndian.Uint32(h[:4]), true
}
