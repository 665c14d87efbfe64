package tally

import (
	"fmt"
	"github.com/tallylog/tallylog/auditlog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// Tally is the replay state machine of one election log. Apply feeds it the
// log's entries in index order; Read, Summary and the View give the results.
// Apply must not be called concurrently with itself; Read and Summary may be
// called concurrently with Apply and with each other.
type Tally struct {
	applyMu sync.Mutex   // one Apply at a time
	mu      sync.RWMutex // guards everything below
	reg     *registry.Registry
	size    uint64
	latest  string       // latest captured or declared time seen, record.TimeLayout
	last    [32]byte     // hash of the last entry applied
	lastTyp string       // its record type
	cur     Evidence     // the entry being applied: what resolves flags (see settle)
	pending []int32      // contests whose flags change when the log's clock passes their due time (clock.go)
	byVotes votesIndex   // every sheet logged, by its votes (naming.go)
	nextDue atomic.Int64 // see NextDue: Unix seconds, 0 for none

	def          *election.Definition // nil until the definition is logged
	deadline     time.Time
	contests     []contest
	slots        []slot
	stationStart []int32 // see establish
	stationSlots []int32
	gazettes     map[string]gazette // by assembly ID: the first notification
	resolved     []Flag             // flags whose condition no longer holds, in resolution order
	standing     map[int32][]Flag   // standing flags of the slots that have any, by slot
	rekeys       map[int32][]rekey  // keys granted for a station after it reported, by its slot (authority.go)
	audit        *auditlog.State    // risk-limiting audits, nil until the definition is logged
	// Authority (authority.go): the orders logged, the keys records by
	// index, and the key that signed the entry being learned.
	orders      []orderInfo
	orderIdx    map[[32]byte]int32
	keysRecords map[uint64][32]byte
	signer      *registry.Key
}

// gazette is an assembly's gazette notification.
type gazette struct {
	index    uint64
	hash     [32]byte
	notified string
}

// New returns an empty tally for the log with the given origin.
func New(origin string) *Tally { return NewPooled(origin, registry.NewPool()) }

// NewPooled is New with the tally's registry made from pool, so that it
// holds the definition and the keys' identities once with the other
// registries of the log in this process (a server's intake: see
// registry.Pool). The tally's rulings are those of New.
func NewPooled(origin string, pool *registry.Pool) *Tally {
	return &Tally{reg: pool.New(origin), gazettes: map[string]gazette{}, standing: map[int32][]Flag{}, rekeys: map[int32][]rekey{}}
}

// Registry returns the registry the tally admits entries with. It is
// mutated by Apply: read it only between calls to Apply.
func (t *Tally) Registry() *registry.Registry { return t.reg }

// Size returns the number of entries applied.
func (t *Tally) Size() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.size
}

// Latest returns the latest captured or declared time of any record
// applied, or the zero time. The verifier passes it as asOf when the reader
// gives no clock: the log has none of its own.
func (t *Tally) Latest() time.Time {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.latest == "" {
		return time.Time{}
	}
	return record.Time(t.latest)
}

// Apply parses the entry at index, admits it against the registry (the
// signature, the signer's rights, and every record it names), records it,
// and updates the results. Entries must come in index order starting at 0.
//
// On error nothing changes, and the error names the rule the entry breaks
// (the verifier reports it as "index N: <error>"). An admitted entry never
// fails: everything the tally relies on has been checked by Admit.
//
// The signature check inside Admit runs without the read lock held, so
// readers are blocked only for the O(candidates) update that follows.
func (t *Tally) Apply(index uint64, entry []byte) error {
	env, err := record.Open(entry)
	if err != nil {
		t.applyMu.Lock()
		defer t.applyMu.Unlock()
		if index != t.size {
			return fmt.Errorf("entries are applied in log order: got index %d, expected %d", index, t.size)
		}
		return err
	}
	return t.apply(index, env, t.reg.Admit)
}

// ApplyOpened is Apply for the entry at index already parsed: env must be
// what record.Open returned for it (the verifier parses entries on every
// core ahead of the replay). Everything else, the signature included, is
// checked as Apply checks it.
func (t *Tally) ApplyOpened(index uint64, env *record.Envelope) error {
	return t.apply(index, env, t.reg.Admit)
}

// ApplyVerified is Apply for the entry at index whose signature this
// process has verified (a server's tally applying what its own intake
// appended; the verifier applying entries whose signatures it verified on
// every core ahead of the replay): the signature is not verified again
// unless the signer's registered key has changed since. Every other rule
// is applied as in replay. v must be the entry at index of the log being
// replayed (the caller found it by the entry's hash, or read it there).
func (t *Tally) ApplyVerified(index uint64, v *registry.Verified) error {
	return t.apply(index, v.Envelope(), func(*record.Envelope) (*registry.Key, error) { return t.reg.AdmitVerified(v) })
}

func (t *Tally) apply(index uint64, env *record.Envelope, admit func(*record.Envelope) (*registry.Key, error)) error {
	t.applyMu.Lock()
	defer t.applyMu.Unlock()
	if index != t.size {
		return fmt.Errorf("entries are applied in log order: got index %d, expected %d", index, t.size)
	}
	key, err := admit(env)
	if err != nil {
		return fmt.Errorf("%s refused: %w", env.Record.Type(), err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reg.Record(index, env)
	t.signer = key
	t.cur = evidence(index, env.Hash, env.Record.Type(), "")
	t.learn(index, env)
	t.signer = nil
	t.size, t.last, t.lastTyp = index+1, env.Hash, env.Record.Type()
	return nil
}

// learn updates the results with an admitted and recorded entry.
func (t *Tally) learn(index uint64, env *record.Envelope) {
	if t.def == nil {
		if def := t.reg.Definition(); def != nil {
			t.establish(def)
		}
		return
	}
	switch rec := env.Record.(type) {
	case *record.Sheet:
		t.seen(rec.Captured)
		t.learnSheet(index, env, rec)
	case *record.Declaration:
		t.seen(rec.Declared)
		t.learnDeclaration(index, env, rec)
	case *record.Attestation:
		t.seen(rec.Captured)
		t.learnAttestation(index, env, rec)
	case *record.Affiliation:
		t.learnAffiliation(index, env, rec)
	case *record.Order:
		t.learnOrder(index, env, rec)
	case *record.Keys:
		t.learnKeys(index, env, rec)
	case *record.Gazette:
		if _, ok := t.gazettes[rec.Assembly]; !ok {
			t.gazettes[rec.Assembly] = gazette{index: index, hash: env.Hash, notified: rec.Notified}
		}
	case *record.PostalAccount:
		t.seen(rec.Accounted)
		t.learnPostal(index, env, rec)
	default:
		if auditlog.IsAuditRecord(env) {
			t.audit.Apply(index, env, auditSheets{t})
		}
	}
	t.tick(index)
}

// seen keeps the latest record time. Record times are in one fixed-width
// UTC layout, so they compare as strings. The time is copied: a string
// cut from a record holds the whole record's text in memory.
func (t *Tally) seen(ts string) {
	if ts > t.latest {
		t.latest = strings.Clone(ts)
	}
}

// signerName returns the name of the key that signed the entry being
// learned, as the registry holds it: the envelope's copy is cut from the
// entry's signature line, and a tally that kept it would keep every
// signature line in memory.
func (t *Tally) signerName(env *record.Envelope) string {
	if t.signer != nil && t.signer.Verifier != nil && t.signer.Verifier.Name() == env.KeyName {
		return t.signer.Verifier.Name()
	}
	return strings.Clone(env.KeyName)
}

// counts returns a count list's votes in ballot order; the registry has
// checked that it lists every candidate in that order.
func counts(cs []record.Count) []int64 {
	if len(cs) == 0 {
		return nil
	}
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.Votes
	}
	return out
}
