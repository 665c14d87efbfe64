// Package intake is the submission pipeline in front of the log: it
// authenticates a record (the signer is the key registered for it),
// validates it against the definition and what the log already holds, and
// only then appends it; it acknowledges with a receipt only once the
// record's index is durable and a published checkpoint covers it.
//
// Guarantees:
//   - Nothing is appended that the verifier would refuse: the same
//     registry rules run here and in replay, and a record is never checked
//     or logged concurrently with one whose admission its own could change
//     or depend on (registry.Claims: a keys record and the records signed
//     by the keys it grants or revokes, a correction and its station's
//     records and its contest's declarations; the election, definition
//     and audit records and everything else).
//   - The same bytes submitted twice, at once or a year apart, get the same
//     index; the log holds them once.
//   - A refused record changes nothing.
//   - Signature checks run outside any lock, on every core.
package intake

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// Intake accepts records into a log.
type Intake struct {
	log *ledger.Log

	// claims orders appends: a record holds its claim (registry.Claims)
	// from its check until it is recorded, so records whose admission
	// could depend on each other's order are checked and logged one
	// after the other, and the others together.
	claims *barrier

	// appended holds the records this intake authenticated and appended,
	// by hash, until the server's tally takes them (Verified).
	vmu           sync.Mutex
	appended      map[[32]byte]*registry.Verified
	appendedBytes int // the entries' sizes in appended

	// pool is what reg shares with the server's tally (Pool).
	pool *registry.Pool

	mu       sync.RWMutex // guards everything below
	reg      *registry.Registry
	inflight map[[32]byte]*pending
	images   map[string]bool // image hashes named by logged records
	postal   map[string]int  // postal-ballot accounts logged per contest
	// extension rules on audit records; see SetExtension.
	extension func(size uint64, env *record.Envelope, key *registry.Key) error

	now func() time.Time // the clock records' times are checked against; nil is time.Now (SetClock)
}

// MaxAhead is how far past the server's clock a record's time may be: a
// device's clock a few minutes fast. A record's times say when it was
// signed, and the latest of them is the log's clock (tally.Latest), on
// which declarations awaiting sheets become overdue and stale: a record
// dated later than now could move that clock for every contest.
const MaxAhead = 15 * time.Minute

// MaxSheetsPerStation bounds the sheets a station may have logged in one
// contest: its first, its corrections and recounts, and any conflicting
// versions; an honest station has a handful. Every sheet of a station
// costs the tally time in proportion to the station's versions, and their
// conflicts more, so one presiding key sending distinct sheets at its rate
// limit could otherwise slow the whole tally down. Sheets of one station
// in flight at once can pass it by what its key's rate limit lets through.
const MaxSheetsPerStation = 32

// MaxPostalAccounts bounds the postal-ballot accounts a contest may have
// logged. One is honest (the first counts; a second is flagged), and each
// makes every later entry of the contest cost the tally time in all of
// them and their flags.
const MaxPostalAccounts = 8

// checkQuotas refuses a sheet that would take its station past
// MaxSheetsPerStation in its contest, and a postal-ballot account that
// would take its contest past MaxPostalAccounts.
func (in *Intake) checkQuotas(env *record.Envelope) error {
	in.mu.RLock()
	defer in.mu.RUnlock()
	switch r := env.Record.(type) {
	case *record.Sheet:
		if n := in.reg.SheetsLogged(r.Contest, r.Station); n >= MaxSheetsPerStation {
			return &Error{Kind: ErrQuota, Field: "quota", Rule: fmt.Sprintf("station %s has %d sheets logged in contest %s, the most the server takes for one station (its first sheet, corrections, recounts and conflicting versions): no further sheet of it is accepted; the election commission can say what went wrong at this station",
				r.Station, n, r.Contest)}
		}
	case *record.PostalAccount:
		if n := in.postal[r.Contest]; n >= MaxPostalAccounts {
			return &Error{Kind: ErrQuota, Field: "quota", Rule: fmt.Sprintf("contest %s has %d postal-ballot accounts logged, the most the server takes (the first is the one counted; the others are flagged): no further account of it is accepted",
				r.Contest, n)}
		}
	}
	return nil
}

// SetClock sets the clock records' times are checked against (time.Now
// unless set), for tests whose records are dated at a fixed time. It must
// be called before the intake takes a record.
func (in *Intake) SetClock(now func() time.Time) { in.now = now }

// checkAhead refuses a record dated more than MaxAhead past the server's
// clock. It is the intake's rule, not the log's: the verifier has no
// clock to replay it against, and nothing it refuses is logged.
func (in *Intake) checkAhead(env *record.Envelope) error {
	now := time.Now()
	if in.now != nil {
		now = in.now()
	}
	for _, st := range record.Stamps(env.Record) {
		if st.Date {
			continue
		}
		if at := record.Time(st.Value); at.Sub(now) > MaxAhead {
			return &Error{Kind: ErrRefused, Field: st.Field, Rule: fmt.Sprintf("%s is %s ahead of the server's clock (%s): a record's time is when it was signed, so it cannot be later than now; check the device's clock and time zone, and sign the record again",
				st.Value, at.Sub(now).Round(time.Second), record.FormatTime(now))}
		}
	}
	return nil
}

type pending struct {
	done  chan struct{}
	index uint64
	err   error
}

// The kinds of refusal. Every error of the intake is an *Error wrapping
// one of them, so callers branch with errors.Is(err, intake.ErrForbidden);
// the server maps each kind to its HTTP status in one place (web).
var (
	// ErrMalformed: the entry is not a canonical signed record.
	ErrMalformed = errors.New("malformed record")
	// ErrForbidden: the signature does not verify, or its key is not
	// registered, revoked, or may not sign this record.
	ErrForbidden = errors.New("signature not accepted")
	// ErrRefused: the record breaks a rule of the log (it names an unknown
	// station, supersedes nothing, ...).
	ErrRefused = errors.New("record refused")
	// ErrConflict: the record collides with one being logged.
	ErrConflict = errors.New("record conflicts")
	// ErrUnavailable: the log could not take or publish the record now;
	// submitting the same bytes again is safe.
	ErrUnavailable = errors.New("log unavailable")
	// ErrInternal: a proof could not be built (the log's files are damaged).
	ErrInternal = errors.New("internal error")
	// ErrQuota: the record would take its station or contest past a quota
	// of the server (MaxSheetsPerStation, MaxPostalAccounts); sending it
	// again will not help.
	ErrQuota = errors.New("quota reached")
)

// Error is a refused or failed submission: its kind, the field concerned
// and the rule, in words that tell the submitter what to do next.
type Error struct {
	Kind  error // one of the Err values above
	Field string
	Rule  string
}

func (e *Error) Error() string { return e.Field + ": " + e.Rule }

// Unwrap returns the kind, for errors.Is.
func (e *Error) Unwrap() error { return e.Kind }

// New opens an intake over log, replaying what the log already holds so
// that duplicates and references resolve. Entries already in the log were
// checked before they were appended, so replay trusts them; the verifier is
// what re-checks them.
func New(ctx context.Context, log *ledger.Log) (*Intake, error) {
	return newIntake(ctx, log, registry.NewPool())
}

// newIntake is New with the registry made from pool.
func newIntake(ctx context.Context, log *ledger.Log, pool *registry.Pool) (*Intake, error) {
	in := &Intake{log: log, claims: newBarrier(), pool: pool, reg: pool.New(log.Origin()), inflight: map[[32]byte]*pending{}, images: map[string]bool{}, postal: map[string]int{}, appended: map[[32]byte]*registry.Verified{}}
	size, err := log.IntegratedSize(ctx)
	if err != nil {
		return nil, err
	}
	err = log.ReadEntries(ctx, 0, size, size, func(i uint64, e []byte) error {
		env, err := record.Open(e)
		if err != nil {
			return fmt.Errorf("log entry %d does not parse (run tallylog verify on this log): %w", i, err)
		}
		in.learn(i, env)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// Pool returns the pool the intake's registry is made from. A server's
// tally following the same log makes its registry from it too
// (tally.NewPooled), so that the two hold the definition and the keys'
// identities once.
func (in *Intake) Pool() *registry.Pool { return in.pool }

// Registry calls f with the registry under the intake's read lock: f must
// only read it.
func (in *Intake) Registry(f func(r *registry.Registry)) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	f(in.reg)
}

// learn records an appended entry; in.mu must be held (or replay running).
func (in *Intake) learn(index uint64, env *record.Envelope) {
	in.reg.Record(index, env)
	switch r := env.Record.(type) {
	case *record.Sheet:
		if r.Image != "" {
			in.images[r.Image] = true
		}
	case *record.Attestation:
		if r.Image != "" {
			in.images[r.Image] = true
		}
	case *record.PostalAccount:
		in.postal[r.Contest]++
	}
}

// ImageNamed reports whether a logged record names the image hash (hex).
func (in *Intake) ImageNamed(hash string) bool {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return in.images[hash]
}

// Submit appends entry if it is admissible and returns its receipt. A
// record already in the log gets its existing index and a fresh receipt.
func (in *Intake) Submit(ctx context.Context, entry []byte) (*receipt.Receipt, error) {
	index, err := in.Append(ctx, entry)
	if err != nil {
		return nil, err
	}
	return in.Receipt(ctx, entry, index)
}

// Append is Submit without the receipt: it returns once the entry's index
// is durable.
func (in *Intake) Append(ctx context.Context, entry []byte) (uint64, error) {
	env, err := record.Open(entry)
	if err != nil {
		return 0, refusal(err)
	}
	return in.append(ctx, env, nil)
}

// Authenticate opens entry and verifies its signature with the key the log
// has registered for its signer, without appending it or applying any
// other rule: a rate limiter that charges records to their signer calls
// it, then AppendVerified, so the signature is verified once.
func (in *Intake) Authenticate(entry []byte) (*registry.Verified, error) {
	env, err := record.Open(entry)
	if err != nil {
		return nil, refusal(err)
	}
	in.mu.RLock()
	key, err := in.reg.Signer(env)
	in.mu.RUnlock()
	if err != nil {
		return nil, refusal(err)
	}
	v, err := registry.Authenticate(env, key)
	if err != nil {
		return nil, refusal(err)
	}
	return v, nil
}

// AppendVerified is Append for a record Authenticate returned. Its
// signature is verified again only if the key registered for its signer
// has changed since.
func (in *Intake) AppendVerified(ctx context.Context, v *registry.Verified) (uint64, error) {
	return in.append(ctx, v.Envelope(), v)
}

// append logs env; v, if not nil, is its verified signature.
func (in *Intake) append(ctx context.Context, env *record.Envelope, v *registry.Verified) (uint64, error) {
	in.mu.Lock()
	if ref, ok := in.reg.Lookup(env.Hash); ok {
		in.mu.Unlock()
		return ref.Index, nil
	}
	if p := in.inflight[env.Hash]; p != nil {
		in.mu.Unlock()
		return p.wait(ctx)
	}
	key, err := in.reg.Signer(env)
	in.mu.Unlock()
	if err != nil {
		return 0, refusal(err)
	}
	if err := in.checkAhead(env); err != nil {
		return 0, err
	}
	if err := in.checkQuotas(env); err != nil {
		return 0, err
	}
	if v == nil || !v.By(key) {
		if v, err = registry.Authenticate(env, key); err != nil {
			return 0, refusal(err)
		}
	}

	defer in.claims.acquire(registry.Claims(env))()

	in.mu.Lock()
	if ref, ok := in.reg.Lookup(env.Hash); ok {
		in.mu.Unlock()
		return ref.Index, nil
	}
	if p := in.inflight[env.Hash]; p != nil {
		in.mu.Unlock()
		return p.wait(ctx)
	}
	// The key may have changed (revoked) since Signer: look it up again.
	if key, err = in.reg.Signer(env); err == nil {
		err = in.reg.Check(env, key)
	}
	if err != nil {
		in.mu.Unlock()
		return 0, refusal(err)
	}
	p := &pending{done: make(chan struct{})}
	in.inflight[env.Hash] = p
	in.mu.Unlock()

	// Once handed to the log the entry may become durable whatever the
	// caller does, so wait for it without the caller's context: the
	// registry must learn every index the log assigns.
	p.index, p.err = in.log.Append(context.Background(), env.Entry)
	if p.err == nil && v.By(key) {
		in.vmu.Lock()
		if in.appendedBytes+len(env.Entry) <= maxVerifiedBytes { // else the tally verifies it again
			in.appended[env.Hash] = v
			in.appendedBytes += len(env.Entry)
		}
		in.vmu.Unlock()
	}

	in.mu.Lock()
	if p.err == nil {
		in.learn(p.index, env)
	}
	delete(in.inflight, env.Hash)
	in.mu.Unlock()
	close(p.done)
	if p.err != nil {
		return 0, &Error{Kind: ErrUnavailable, Field: "log", Rule: p.err.Error() + "; retry with the same record"}
	}
	return p.index, nil
}

// maxVerifiedBytes bounds the records kept for the tally (their entries'
// sizes), in case it stops following.
const maxVerifiedBytes = 64 << 20

// Verified returns, once, the authenticated record with this hash that
// this intake appended. A server's tally, following the same log in the
// same process, applies it with tally.ApplyVerified and so skips a second
// Ed25519 verification; for entries the intake did not append (replayed
// at start, appended in batches, or past maxVerifiedBytes) it returns nil and
// the tally verifies them itself. It never blocks on the intake's other
// locks.
func (in *Intake) Verified(hash [32]byte) *registry.Verified {
	in.vmu.Lock()
	defer in.vmu.Unlock()
	v := in.appended[hash]
	if v != nil {
		delete(in.appended, hash)
		in.appendedBytes -= len(v.Envelope().Entry)
	}
	return v
}

func (p *pending) wait(ctx context.Context) (uint64, error) {
	select {
	case <-p.done:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if p.err != nil {
		return 0, &Error{Kind: ErrUnavailable, Field: "log", Rule: p.err.Error() + "; retry with the same record"}
	}
	return p.index, nil
}

// Receipt waits for a published checkpoint covering index and returns the
// entry's inclusion proof against it.
func (in *Intake) Receipt(ctx context.Context, entry []byte, index uint64) (*receipt.Receipt, error) {
	cp, err := in.log.WaitPublished(ctx, index+1)
	if err != nil {
		return nil, &Error{Kind: ErrUnavailable, Field: "checkpoint",
			Rule: fmt.Sprintf("the record is durable at index %d but no checkpoint covers it yet (%v); retry to get the receipt", index, err)}
	}
	rc, err := receipt.Build(ctx, cp, index, entry, in.log.ProveRecord)
	if err != nil {
		return nil, &Error{Kind: ErrInternal, Field: "proof", Rule: err.Error()}
	}
	return rc, nil
}

// SetExtension rules on record types the registry does not know (the audit
// records), which are judged against the tally rather than the registry.
// check receives the number of entries in the log before the record: with
// audit records appended alone, a tally that has applied that many entries
// is the state the record will be replayed against.
func (in *Intake) SetExtension(check func(size uint64, env *record.Envelope, key *registry.Key) error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.extension = check
	in.installExtension()
}

// installExtension hands the extension to the current registry; in.mu held.
func (in *Intake) installExtension() {
	if in.extension == nil {
		return
	}
	reg := in.reg
	reg.SetExtension(func(env *record.Envelope, key *registry.Key) error {
		return in.extension(reg.Size(), env, key)
	})
}

// refusal turns a parse or registry error into an Error of its kind.
func refusal(err error) error {
	var fe *record.FieldError
	var rj *registry.Rejection
	switch {
	case errors.As(err, &fe):
		return &Error{Kind: ErrMalformed, Field: fe.Field, Rule: fe.Rule}
	case errors.As(err, &rj):
		kind := ErrRefused
		if rj.Field == "signature" {
			kind = ErrForbidden
		}
		return &Error{Kind: kind, Field: rj.Field, Rule: rj.Rule}
	case errors.Is(err, registry.ErrDuplicate):
		return &Error{Kind: ErrConflict, Field: "record", Rule: err.Error()}
	}
	return &Error{Kind: ErrMalformed, Field: "record", Rule: err.Error()}
}

// AppendUnordered appends entries that are admissible in every order among
// themselves: either all definition parts, or all keys records that only
// grant. They are checked in the order given and then appended at once, so
// a large definition or a country's officer keys are logged in one batch
// instead of one durable write each. It returns the indexes, in the order
// of entries. Nothing is appended unless every entry is admissible.
func (in *Intake) AppendUnordered(ctx context.Context, entries [][]byte) ([]uint64, error) {
	envs := make([]*record.Envelope, len(entries))
	for i, e := range entries {
		env, err := record.Open(e)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, refusal(err))
		}
		if !orderFree(env.Record, envs[0]) {
			return nil, fmt.Errorf("entry %d: a batch is all definition parts or all grant-only keys records", i)
		}
		envs[i] = env
	}
	defer in.claims.acquire(registry.Claim{Whole: true})()
	in.mu.Lock()
	base := in.reg.Size()
	for i, env := range envs {
		if _, err := in.reg.Admit(env); err != nil {
			// Entries recorded so far in this call were only simulated,
			// but the registry has no undo: rebuild it from the log.
			rerr := in.rebuild(ctx)
			in.mu.Unlock()
			return nil, errors.Join(fmt.Errorf("entry %d: %w", i, refusal(err)), rerr)
		}
		in.learn(base+uint64(i), env)
	}
	in.mu.Unlock()

	idx := make([]uint64, len(entries))
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Go(func() { idx[i], errs[i] = in.log.Append(context.Background(), e) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		in.mu.Lock()
		defer in.mu.Unlock()
		return nil, errors.Join(err, in.rebuild(ctx))
	}
	in.mu.Lock()
	for i, env := range envs {
		in.reg.Reindex(env.Hash, idx[i])
	}
	in.mu.Unlock()
	return idx, nil
}

// orderFree reports whether r may share an unordered batch with first.
func orderFree(r record.Record, first *record.Envelope) bool {
	switch rec := r.(type) {
	case *record.DefinitionPart:
		if first == nil {
			return true
		}
		_, ok := first.Record.(*record.DefinitionPart)
		return ok
	case *record.Keys:
		if len(rec.Revoke) > 0 {
			return false
		}
		if first == nil {
			return true
		}
		_, ok := first.Record.(*record.Keys)
		return ok
	}
	return false
}

// rebuild replaces the registry with a replay of the log. Callers hold a
// Whole claim and in.mu.
func (in *Intake) rebuild(ctx context.Context) error {
	fresh, err := newIntake(ctx, in.log, in.pool)
	if err != nil {
		return err
	}
	in.reg, in.images, in.postal = fresh.reg, fresh.images, fresh.postal
	in.installExtension()
	return nil
}
