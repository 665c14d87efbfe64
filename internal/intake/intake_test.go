package intake_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/intake"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// open starts an intake over a fresh log holding the test election's genesis.
func open(t testing.TB) (*intake.Intake, *ledger.Log, *testelection.Election, note.Verifier) {
	t.Helper()
	ctx := context.Background()
	e := testelection.New(t)
	skey, vkey, _ := note.GenerateKey(rand.Reader, testelection.Origin)
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	lg, err := ledger.Open(ctx, t.TempDir(), s, vkey, ledger.Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lg.Close(context.Background()) })
	in, err := intake.New(ctx, lg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Append(ctx, e.Genesis[0]); err != nil {
		t.Fatal(err)
	}
	var parts, keys [][]byte
	for _, g := range e.Genesis[1:] {
		if env, _ := record.Open(g); env.Record.Type() == "keys" {
			keys = append(keys, g)
		} else {
			parts = append(parts, g)
		}
	}
	for _, batch := range [][][]byte{parts, keys} {
		if _, err := in.AppendUnordered(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	return in, lg, e, v
}

// TestSameRecordOnce submits one sheet from many clients at once: every one
// gets the same index and the log holds it once.
func TestSameRecordOnce(t *testing.T) {
	in, lg, e, v := open(t)
	ctx := context.Background()
	entry := e.Sign(t, "po.NA-57.PS-1", e.Sheet("NA-57", "NA-57/PS-1", 10, 20, 30))
	var wg sync.WaitGroup
	idx := make([]uint64, 20)
	errs := make([]error, 20)
	for i := range idx {
		wg.Go(func() {
			rc, err := in.Submit(ctx, entry)
			if err == nil {
				idx[i] = rc.Index
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range idx {
		if errs[i] != nil || idx[i] != idx[0] {
			t.Fatalf("submission %d: index %d, error %v; want index %d", i, idx[i], errs[i], idx[0])
		}
	}
	size, _ := lg.IntegratedSize(ctx)
	if size != idx[0]+1 {
		t.Fatalf("log size %d after one new record at index %d", size, idx[0])
	}
	rc, err := in.Submit(ctx, entry)
	if err != nil || rc.Index != idx[0] {
		t.Fatalf("resubmission: %v, %v", rc, err)
	}
	if _, err := rc.Verify(v); err != nil {
		t.Fatalf("receipt: %v", err)
	}
}

// TestRefusedChangesNothing: refusals carry a status and the rule, and the
// log does not grow.
func TestRefusedChangesNothing(t *testing.T) {
	in, lg, e, _ := open(t)
	ctx := context.Background()
	before, _ := lg.IntegratedSize(ctx)
	bad := e.Sheet("NA-57", "NA-57/PS-1", 10, 20, 30)
	cases := []struct {
		name  string
		entry []byte
		kind  error // mapped to 400, 403 and 422 by the server
		field string
	}{
		{"garbage", []byte("hello\n"), intake.ErrMalformed, "signature"},
		{"wrong officer", e.Sign(t, "po.NA-57.PS-2", bad), intake.ErrForbidden, "signature"},
		{"unknown station", e.Sign(t, "po.NA-57.PS-1", &record.Sheet{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Station: "NA-57/PS-9", Revision: 1, Votes: testelection.Counts(1, 2, 3), Captured: "2024-02-08T18:00:00Z"}), intake.ErrRefused, "station"},
	}
	for _, c := range cases {
		_, err := in.Submit(ctx, c.entry)
		var ie *intake.Error
		if !errors.As(err, &ie) || !errors.Is(err, c.kind) || ie.Field != c.field {
			t.Errorf("%s: got %v, want %v on field %s", c.name, err, c.kind, c.field)
		}
	}
	// A batch with one bad entry appends nothing.
	good := e.Sign(t, "ecp", &record.Keys{Election: "pk-test", Log: testelection.Origin, Grants: []record.Grant{{Role: "observer", Scope: "*", Key: e.VKeys["agent.NA-58"]}}})
	wrong := e.Sign(t, "ro.NA-57", &record.Keys{Election: "pk-test", Log: testelection.Origin, Grants: []record.Grant{{Role: "observer", Scope: "*", Key: e.VKeys["agent.NA-57"]}}})
	if _, err := in.AppendUnordered(ctx, [][]byte{good, wrong}); err == nil {
		t.Error("a batch with a keys record signed by a returning officer was accepted")
	}
	time.Sleep(50 * time.Millisecond)
	after, _ := lg.IntegratedSize(ctx)
	if after != before {
		t.Fatalf("log grew from %d to %d after refusals", before, after)
	}
	// The good grant alone is still admissible: the refused batch left no trace.
	if _, err := in.AppendUnordered(ctx, [][]byte{good}); err != nil {
		t.Fatalf("good grant after refused batch: %v", err)
	}
}

// TestVerified: the intake vouches once for each record whose
// signature it verified and appended, and for nothing else.
func TestVerified(t *testing.T) {
	in, _, e, _ := open(t)
	ctx := context.Background()
	entry := e.Sign(t, "po.NA-57.PS-1", e.Sheet("NA-57", "NA-57/PS-1", 10, 20, 30))
	env, _ := record.Open(entry)
	if in.Verified(env.Hash) != nil {
		t.Fatal("vouched for a record never submitted")
	}
	if _, err := in.Append(ctx, entry); err != nil {
		t.Fatal(err)
	}
	if v := in.Verified(env.Hash); v == nil || v.Envelope().Hash != env.Hash || in.Verified(env.Hash) != nil {
		t.Fatal("want exactly one vouch for an appended record")
	}
	forged := append([]byte(nil), entry...)
	forged[len("tallylog/v1 sheet\n")+30] ^= 1
	if _, err := in.Append(ctx, forged); err == nil {
		t.Fatal("a forged record was appended")
	}
	if fenv, err := record.Open(forged); err == nil && in.Verified(fenv.Hash) != nil {
		t.Fatal("vouched for a refused record")
	}
}

// TestAuthenticate: a record authenticated before it is appended (as the
// rate limiter does) is appended without a second check and vouched for
// once; a forged one is refused as forbidden, and nothing is logged.
func TestAuthenticate(t *testing.T) {
	in, lg, e, _ := open(t)
	ctx := context.Background()
	entry := e.Sign(t, "po.NA-57.PS-1", e.Sheet("NA-57", "NA-57/PS-1", 10, 20, 30))
	forged := append([]byte(nil), entry...)
	// Another base64 letter in the signature: it parses, and does not verify.
	if c := &forged[len(forged)-6]; *c == 'A' {
		*c = 'B'
	} else {
		*c = 'A'
	}
	before, _ := lg.IntegratedSize(ctx)
	if _, err := in.Authenticate(forged); !errors.Is(err, intake.ErrForbidden) {
		t.Fatalf("a forged record authenticated: %v", err)
	}
	if _, err := in.Authenticate([]byte("hello\n")); !errors.Is(err, intake.ErrMalformed) {
		t.Fatalf("garbage authenticated: %v", err)
	}
	v, err := in.Authenticate(entry)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := lg.IntegratedSize(ctx); after != before {
		t.Fatalf("Authenticate logged something: %d -> %d", before, after)
	}
	idx, err := in.AppendVerified(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := in.Append(ctx, entry); err != nil || again != idx {
		t.Fatalf("the same record again: %d, %v; want %d", again, err, idx)
	}
	if got := in.Verified(v.Envelope().Hash); got != v {
		t.Fatalf("the intake vouches for %v, want the record it authenticated", got)
	}
}

// refusedUnlogged appends entry and requires it refused as kind, naming
// field, with a rule that says rule, and the log left as it was.
func refusedUnlogged(t *testing.T, in *intake.Intake, lg *ledger.Log, entry []byte, kind error, field, rule string) {
	t.Helper()
	ctx := context.Background()
	before, _ := lg.IntegratedSize(ctx)
	_, err := in.Append(ctx, entry)
	var ie *intake.Error
	if !errors.As(err, &ie) || !errors.Is(err, kind) || ie.Field != field || !strings.Contains(ie.Rule, rule) {
		t.Fatalf("got %v, want %v naming %q and saying %q", err, kind, field, rule)
	}
	if after, _ := lg.IntegratedSize(ctx); after != before {
		t.Fatalf("the refused record grew the log from %d to %d", before, after)
	}
}

// TestRecordFromTheFuture: a record's times say when it was signed, so one
// dated more than MaxAhead past the server's clock is refused (422, naming
// the field) before anything is logged. Inside the election's window such
// a record was admissible, and its time moved the log's clock: one
// presiding officer's sheet dated a week ahead made every declaration
// still awaiting sheets overdue (missing-stations) in every contest.
func TestRecordFromTheFuture(t *testing.T) {
	in, lg, e, _ := open(t)
	ctx := context.Background()
	now := time.Date(2024, 2, 8, 19, 0, 0, 0, time.UTC)
	in.SetClock(func() time.Time { return now })
	sheet := func(station, captured string) []byte {
		s := e.Sheet("NA-57", station, 10, 20, 30)
		s.Captured = captured
		return e.Sign(t, testelection.StationKey(station), s)
	}
	decl := &record.Declaration{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-58", Form: 47, Votes: testelection.Counts(1, 2, 3), Declared: "2024-02-15T19:00:00Z"}
	for _, tc := range []struct {
		name  string
		entry []byte
		field string
	}{
		{"a sheet signed now", sheet("NA-57/PS-1", "2024-02-08T19:00:00Z"), ""},
		{"a sheet from a device 15 minutes fast", sheet("NA-57/PS-2", "2024-02-08T19:15:00Z"), ""},
		{"a sheet dated 16 minutes ahead", sheet("NA-57/PS-3", "2024-02-08T19:16:00Z"), "captured"},
		{"a declaration dated a week ahead", e.Sign(t, "ro.NA-58", decl), "declared"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.field == "" {
				if _, err := in.Append(ctx, tc.entry); err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			refusedUnlogged(t, in, lg, tc.entry, intake.ErrRefused, tc.field, "ahead of the server's clock")
		})
	}
}

// TestSheetQuota: a station holds at most MaxSheetsPerStation sheets in a
// contest (its first, corrections and recounts, and any conflicting
// versions). Beyond, its sheets are refused (ErrQuota, field "quota") and
// nothing is logged: one presiding officer's key sending distinct sheets
// at its rate limit made every later entry cost the tally time cubic in
// them (1,600 sheets: 33 ms an entry, the tally falling behind the log).
// The station's other contest, and other stations, are not affected.
func TestSheetQuota(t *testing.T) {
	in, lg, e, _ := open(t)
	ctx := context.Background()
	sheet := func(contest string, i int) []byte {
		return e.Sign(t, "po.NA-57.PS-1", e.Sheet(contest, "NA-57/PS-1", int64(i), 1, 1))
	}
	for i := range intake.MaxSheetsPerStation {
		if _, err := in.Append(ctx, sheet("NA-57", i)); err != nil {
			t.Fatalf("sheet %d: %v", i+1, err)
		}
	}
	refusedUnlogged(t, in, lg, sheet("NA-57", intake.MaxSheetsPerStation), intake.ErrQuota, "quota", "NA-57/PS-1 has 32 sheets")
	// A sheet already logged is answered with its index, as always.
	if _, err := in.Append(ctx, sheet("NA-57", 0)); err != nil {
		t.Fatalf("a logged sheet sent again: %v", err)
	}
	if _, err := in.Append(ctx, sheet("PP-12", 0)); err != nil {
		t.Fatalf("the station's sheet in its other contest: %v", err)
	}
}

// TestPostalAccountQuota: a contest holds at most MaxPostalAccounts
// postal-ballot accounts (one is honest; a second is already flagged).
// Beyond, they are refused (ErrQuota) and nothing is logged: every account
// made each later entry of its contest cost the tally time in all of them
// and their conflict flags (1,000 accounts: 20 ms a sheet).
func TestPostalAccountQuota(t *testing.T) {
	in, lg, e, _ := open(t)
	ctx := context.Background()
	account := func(contest string, issued int64) []byte {
		return e.Sign(t, "ro."+contest, e.PostalAccount(contest, issued))
	}
	for i := range intake.MaxPostalAccounts {
		if _, err := in.Append(ctx, account("NA-57", int64(i+1))); err != nil {
			t.Fatalf("account %d: %v", i+1, err)
		}
	}
	refusedUnlogged(t, in, lg, account("NA-57", 1000), intake.ErrQuota, "quota", "contest NA-57 has 8 postal-ballot accounts")
	if _, err := in.Append(ctx, account("NA-58", 10)); err != nil {
		t.Fatalf("another contest's account: %v", err)
	}
}
