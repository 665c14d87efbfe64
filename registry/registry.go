// Package registry holds what a log has established so far: the election
// record, the definition, the keys and their grants, and every record by
// hash. It decides whether an entry may be appended next (Admit) and learns
// each appended entry (Record).
//
// The same code runs in the server, before an entry is appended, and in the
// verifier, which replays the log and must reach the same verdict on every
// entry. Admit is a pure function of the registry and the entry; Record is
// the only mutation, and it must be called in log index order.
package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// Registry is the established state of one election log. The zero value is
// not usable; call New.
type Registry struct {
	origin  string
	header  *record.Election
	parts   map[int64]string
	def     *election.Definition
	pool    *Pool          // the definition and the keys' identities, shared (pool.go)
	byNote  map[KeyID]*Key // by the name and 4-byte ID a signature line carries; unique (authorizeKeys)
	records refs           // every logged record's Ref, by hash (refs.go)
	auth    authority      // orders and corrections: see order.go
	size    uint64         // entries recorded
	// checked is the definition checkDefinition parsed, by the SHA-256 of
	// its bytes, so that Record does not parse it a second time.
	checkedMu  sync.Mutex
	checked    *election.Definition
	checkedSum [32]byte
	// extension rules on record types this package does not know (the
	// audit records); nil refuses them.
	extension func(env *record.Envelope, key *Key) error
}

// SetExtension lets another package rule on record types the registry does
// not know, such as the audit records (see auditlog). check is called from
// Check, after the signature and the signer's key are established.
func (r *Registry) SetExtension(check func(env *record.Envelope, key *Key) error) {
	r.extension = check
}

// KeyID names a signer's key as a signed note's signature line does: by
// name and a 4-byte key ID. It is how a signature is matched to a key,
// never a key's identity (see KeyHash); the registry refuses to register a
// second key with the KeyID of another, so that the match is unambiguous.
type KeyID struct {
	Name string
	Hash uint32
}

// Key is a registered signing key and what it may sign. Its VKey (the
// verifier key text), Hash (its full identity) and Verifier never change
// and may be shared with other registries of the log (see Pool); the
// grants and the revocation are this registry's.
type Key struct {
	*identity
	Grants    []Grant // in the order they were logged
	Revoked   bool
	RevokedAt uint64 // index of the keys record that revoked it, if Revoked
}

// Grant is a role a key holds for a scope, and the entry that granted it.
// A registry keeps every grant of the log, a million for a national
// election, so a grant is 32 bytes and its scope is the definition's own
// string (or "*"), not a copy cut from the keys record.
type Grant struct {
	Scope string // a station or contest ID, or "*" (see record.Roles)
	At    uint64 // index of the keys record that granted it (0 for the commission key the election record names)
	role  uint8  // position in roles
}

// Role returns the role granted.
func (g Grant) Role() string { return roles[g.role] }

// roles are record.Roles' names, sorted, so that a Grant holds its role in
// a byte.
var roles = slices.Sorted(maps.Keys(record.Roles))

// roleCode returns role's position in roles; ok is false for a role
// record.Roles does not have (record.Check refuses it).
func roleCode(role string) (uint8, bool) {
	i, ok := slices.BinarySearch(roles, role)
	return uint8(i), ok
}

// Ref is what later records may need to know of a logged record.
type Ref struct {
	Index    uint64
	Type     string
	Contest  string
	Station  string
	Revision int64
}

// New returns an empty registry for a log with the given origin, sharing
// nothing with other registries (see Pool for those that do).
func New(origin string) *Registry { return NewPool().New(origin) }

// Origin returns the log's origin.
func (r *Registry) Origin() string { return r.origin }

// Header returns the election record, or nil before the first entry.
func (r *Registry) Header() *record.Election { return r.header }

// Definition returns the election's definition, or nil until every part of
// it has been logged.
func (r *Registry) Definition() *election.Definition { return r.def }

// Size returns the number of entries recorded.
func (r *Registry) Size() uint64 { return r.size }

// Lookup returns a logged record by hash.
func (r *Registry) Lookup(hash [32]byte) (Ref, bool) {
	return r.get(hash)
}

// LookupHex returns a logged record by its hex hash.
func (r *Registry) LookupHex(h string) (Ref, bool) {
	var hash [32]byte
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 32 {
		return Ref{}, false
	}
	copy(hash[:], b)
	return r.Lookup(hash)
}

// Key returns the registered key a record's signature line names (by name
// and 4-byte key ID, unique among registered keys); the signature, checked
// with the key, proves it is that key.
func (r *Registry) Key(name string, hash uint32) (*Key, bool) {
	k, ok := r.byNote[KeyID{name, hash}]
	return k, ok
}

// KeyByHash returns a registered key by its full identity.
func (r *Registry) KeyByHash(h KeyHash) (*Key, bool) {
	id, ok := r.pool.lookup(h)
	if !ok {
		return nil, false
	}
	return r.registered(id)
}

// registered returns this registry's key of identity id, if it has
// recorded a grant of it.
func (r *Registry) registered(id *identity) (*Key, bool) {
	k, ok := r.byNote[KeyID{id.Verifier.Name(), id.Verifier.KeyHash()}]
	if !ok || k.identity != id {
		return nil, false
	}
	return k, true
}

// KeyOf returns the registered key with the verifier key text vkey.
func (r *Registry) KeyOf(vkey string) (*Key, bool) {
	h, ok := FullKeyHash(vkey)
	if !ok {
		return nil, false
	}
	return r.KeyByHash(h)
}

// ErrDuplicate is returned by Admit for an entry already in the log.
var ErrDuplicate = errors.New("this exact record is already in the log")

// Rejection is a rule an entry breaks. Field names the record field (or
// "signature", "election", ...) so that a submitter can fix it.
type Rejection struct {
	Field string
	Rule  string
}

func (e *Rejection) Error() string { return e.Field + ": " + e.Rule }

func reject(field, format string, args ...any) error {
	return &Rejection{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// Admit decides whether env may be appended next. It returns the signer's
// key on success. It changes nothing. It is Signer, the signature check,
// then Check.
func (r *Registry) Admit(env *record.Envelope) (*Key, error) {
	v, err := r.Authenticate(env)
	if err != nil {
		return nil, err
	}
	return r.AdmitVerified(v)
}

// Signer returns the registered key that must have signed env, or the
// reason no key may. The caller verifies the signature with the key (a
// server does so outside its locks, on all cores) and then calls Check.
func (r *Registry) Signer(env *record.Envelope) (*Key, error) {
	if r.header == nil {
		return r.headerKey(env)
	}
	if env.Record.ElectionID() != r.header.Election {
		return nil, reject("election", "the record is for election %q but this log is for %q", env.Record.ElectionID(), r.header.Election)
	}
	if lg := env.Record.LogOrigin(); lg != r.origin {
		return nil, reject("log", "the record is signed for log %q but this log is %q: a record belongs to the one log it names (a rehearsal's records are not the election's); sign it again for this log", lg, r.origin)
	}
	key, ok := r.byNote[KeyID{env.KeyName, env.KeyHash}]
	if !ok {
		return nil, reject("signature", "key %s+%08x is not registered in this log: ask the commission to register it", env.KeyName, env.KeyHash)
	}
	return key, nil
}

// Check applies every rule but the signature itself to env, signed by key
// (from Signer, with the signature verified). It changes nothing.
func (r *Registry) Check(env *record.Envelope, key *Key) error {
	if _, dup := r.records.m[env.Hash]; dup {
		return ErrDuplicate
	}
	if r.header == nil {
		_, err := r.headerKey(env)
		return err
	}
	if key.Revoked {
		return reject("signature", "key %s+%08x was revoked by the commission", env.KeyName, env.KeyHash)
	}
	if _, isPart := env.Record.(*record.DefinitionPart); !isPart && r.def == nil {
		return reject("type", "the election's definition is not complete yet (%d of %d parts logged): log its parts first", len(r.parts), r.header.DefinitionParts)
	}
	if r.def != nil {
		if err := r.checkStamps(env.Record); err != nil {
			return err
		}
	}
	return r.authorize(key, env)
}

// headerKey checks the first entry: an election record for this log's
// origin, to be signed by the commission key it names.
func (r *Registry) headerKey(env *record.Envelope) (*Key, error) {
	h, ok := env.Record.(*record.Election)
	if !ok {
		return nil, reject("type", "the first entry of a log must be the election record, not %s", env.Record.Type())
	}
	if h.Origin != r.origin {
		return nil, reject("origin", "the election record names origin %q but this log is %q", h.Origin, r.origin)
	}
	v, err := note.NewVerifier(h.Commission)
	if err != nil {
		return nil, reject("commission", "%v", err)
	}
	if v.Name() != env.KeyName || v.KeyHash() != env.KeyHash {
		return nil, reject("signature", "the election record must be signed by the commission key it names, %s", h.Commission)
	}
	kh, _ := FullKeyHash(h.Commission)
	return commissionKey(newIdentity(h.Commission, kh)), nil
}

// commissionKey is the key the election record names, with its grant.
func commissionKey(id *identity) *Key {
	c, _ := roleCode("commission")
	return &Key{identity: id, Grants: []Grant{{Scope: "*", At: 0, role: c}}}
}

// Record learns an entry appended at index. The entry must have been
// admitted against this state. A verifier records entries in index order; a
// server may record concurrently admitted records out of order when their
// claims do not conflict (Claims), never a record that claims the whole
// log while others are pending.
func (r *Registry) Record(index uint64, env *record.Envelope) {
	r.size = max(r.size, index+1)
	switch rec := env.Record.(type) {
	case *record.Election:
		r.header = rec
		k := commissionKey(r.pool.identity(rec.Commission))
		r.byNote[KeyID{k.Verifier.Name(), k.Verifier.KeyHash()}] = k
	case *record.DefinitionPart:
		r.parts[rec.Part] = rec.Data
		if int64(len(r.parts)) == r.header.DefinitionParts {
			r.def = r.assembleDefinition()
			r.parts = nil
		}
	case *record.Keys:
		for _, g := range rec.Grants {
			id := r.pool.identity(g.Key)
			k, ok := r.registered(id)
			if !ok {
				k = &Key{identity: id}
				r.byNote[KeyID{id.Verifier.Name(), id.Verifier.KeyHash()}] = k
			}
			k.Grants = append(k.Grants, r.grant(g, index))
		}
		for _, vk := range rec.Revoke {
			if k, ok := r.KeyOf(vk); ok && !k.Revoked {
				k.Revoked, k.RevokedAt = true, index
			}
		}
	}
	r.put(index, env)
	r.recordAuthority(index, env)
}

// assembleDefinition joins the parts; authorize has checked that they hash
// to the election record's value and parse, so errors here cannot happen.
// The definition parsed from the same bytes by checkDefinition or by
// another registry of the pool is used rather than parsed again (Parse
// is a function of the bytes, and the definition is never changed).
func (r *Registry) assembleDefinition() *election.Definition {
	var b strings.Builder
	for i := int64(1); i <= r.header.DefinitionParts; i++ {
		b.WriteString(r.parts[i])
	}
	data := []byte(b.String())
	sum := sha256.Sum256(data)
	r.checkedMu.Lock()
	d, checkedSum := r.checked, r.checkedSum
	r.checked = nil
	r.checkedMu.Unlock()
	if d == nil || checkedSum != sum {
		if d = r.pool.definition(sum); d == nil {
			var err error
			if d, err = election.Parse(data); err != nil {
				panic("registry: admitted definition does not parse: " + err.Error())
			}
		}
	}
	r.pool.keepDefinition(sum, d)
	return d
}

// checkDefinition is called when the last part arrives: the parts must hash
// to the header's value and form a valid definition for this election.
func (r *Registry) checkDefinition(last *record.DefinitionPart) error {
	var b strings.Builder
	for i := int64(1); i <= r.header.DefinitionParts; i++ {
		if i == last.Part {
			b.WriteString(last.Data)
		} else {
			b.WriteString(r.parts[i])
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	if hex.EncodeToString(sum[:]) != r.header.DefinitionSHA256 {
		return reject("data", "the definition's parts hash to %x, not to the election record's definition-sha256 %s", sum, r.header.DefinitionSHA256)
	}
	d := r.pool.definition(sum)
	if d == nil {
		var err error
		if d, err = election.Parse([]byte(b.String())); err != nil {
			return reject("data", "the assembled definition is invalid: %v", err)
		}
	}
	if d.ID != r.header.Election || d.Origin != r.origin {
		return reject("data", "the definition is for election %q at %q, not %q at %q", d.ID, d.Origin, r.header.Election, r.origin)
	}
	r.checkedMu.Lock()
	r.checked, r.checkedSum = d, sum
	r.checkedMu.Unlock()
	return nil
}

// Reindex corrects the index of a recorded entry. A server that records a
// batch of entries before the log assigns their indexes (see
// intake.AppendUnordered) calls it once the indexes are known.
func (r *Registry) Reindex(hash [32]byte, index uint64) {
	if ref, ok := r.records.m[hash]; ok {
		ref.index = index
		r.records.m[hash] = ref
		r.size = max(r.size, index+1)
	}
}
