package web

import (
	"context"
	"crypto/rand"
	"github.com/tallylog/tallylog/election"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// testSite is a real server over a fresh log holding the test election's
// genesis, served on a loopback httptest server.
type testSite struct {
	E    *testelection.Election
	Srv  *Server
	HTTP *httptest.Server
	// now is the server's clock (Unix nanoseconds); tests move it with
	// setNow to cross deadlines.
	now atomic.Int64
}

// setNow sets the server's clock.
func (ts *testSite) setNow(t time.Time) { ts.now.Store(t.UnixNano()) }

// newTestSite opens a server in a temporary directory, logs the genesis
// and waits until the tally has applied it.
// urduContestNames gives the test election's constituencies their names in
// Urdu, as the simulator's definitions have them.
func urduContestNames(d *election.Definition) {
	for i := range d.Contests {
		d.Contests[i].LocalName = map[string]string{"NA-57": "راولپنڈی-6", "NA-58": "چکوال", "PP-12": "راولپنڈی-6، صوبائی"}[d.Contests[i].ID]
	}
}

func newTestSite(t testing.TB) *testSite {
	t.Helper()
	return newTestSiteWith(t, Limits{})
}

// newTestSiteWith is newTestSite with the given limits (zero fields take
// the defaults).
func newTestSiteWith(t testing.TB, limits Limits) *testSite {
	t.Helper()
	e := testelection.NewWith(t, urduContestNames)
	skey, vkey, err := note.GenerateKey(rand.Reader, testelection.Origin)
	if err != nil {
		t.Fatal(err)
	}
	dir := datadir.Dir{Root: t.TempDir()}
	if err := dir.Create(&datadir.Meta{Origin: testelection.Origin, LogKey: vkey, Election: e.Def.ID}, skey); err != nil {
		t.Fatal(err)
	}
	ts := &testSite{E: e}
	ts.setNow(time.Date(2024, 2, 8, 19, 0, 0, 0, time.UTC)) // polling day, before the deadline
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := Open(ctx, dir, Options{Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond}, Limits: limits,
		Now: func() time.Time { return time.Unix(0, ts.now.Load()).UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	ts.Srv = srv
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("closing the server: %v", err)
		}
	})
	elec, defs, keys := e.GenesisBatches(t)
	if _, err := srv.Intake.Append(ctx, elec); err != nil {
		t.Fatalf("election record: %v", err)
	}
	if _, err := srv.Intake.AppendUnordered(ctx, defs); err != nil {
		t.Fatalf("definition records: %v", err)
	}
	if _, err := srv.Intake.AppendUnordered(ctx, keys); err != nil {
		t.Fatalf("keys records: %v", err)
	}
	if err := srv.WaitApplied(ctx, uint64(len(e.Genesis))); err != nil {
		t.Fatalf("waiting for the tally to apply the genesis: %v", err)
	}
	ts.HTTP = httptest.NewServer(srv.Handler())
	t.Cleanup(ts.HTTP.Close)
	return ts
}

// submit signs r with key, submits it and waits until the tally has
// applied it. It returns the entry's index and record hash.
func (ts *testSite) submit(t testing.TB, key string, r record.Record) (uint64, string) {
	t.Helper()
	entry := ts.E.Sign(t, key, r)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rc, err := ts.Srv.Intake.Submit(ctx, entry)
	if err != nil {
		t.Fatalf("submitting a %s signed by %s: %v", r.Type(), key, err)
	}
	if err := ts.Srv.WaitApplied(ctx, rc.Index+1); err != nil {
		t.Fatalf("waiting for entry %d to be applied: %v", rc.Index, err)
	}
	env, err := record.Open(entry)
	if err != nil {
		t.Fatal(err)
	}
	return rc.Index, env.HashHex()
}

// sheet submits a first sheet signed by the station's presiding officer.
func (ts *testSite) sheet(t testing.TB, contest, station string, votes ...int64) (uint64, string) {
	t.Helper()
	return ts.submit(t, testelection.StationKey(station), ts.E.Sheet(contest, station, votes...))
}

// get fetches a path from the site and returns the response and its body.
func (ts *testSite) get(t testing.TB, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", ts.HTTP.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := ts.HTTP.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return resp, string(body)
}

// election night: the scenario most tests read.
type scenario struct {
	// Sheet indexes and hashes by station (NA-57 contest unless noted).
	SheetIndex map[string]uint64
	SheetHash  map[string]string
	// Tampered is the index of NA-57's Form-47 that makes the loser win.
	Tampered uint64
	// Correction is the index of the recount sheet of NA-57/PS-2.
	Correction uint64
}

// electionNight logs, on top of the genesis:
//   - NA-57: three stations whose sheets make candidate 1 win (830 to 670
//     to 120 after the recount of PS-2), an agent's countersignature of
//     PS-1, an observer's copy of PS-3 that differs, and a Form-47 signed by
//     ro.NA-57 that declares candidate 2 the winner (the tampered
//     declaration);
//   - NA-58: one of its two stations, no declaration;
//   - PP-12: one station.
func (ts *testSite) electionNight(t testing.TB) *scenario {
	t.Helper()
	sc := &scenario{SheetIndex: map[string]uint64{}, SheetHash: map[string]string{}}
	add := func(station string, votes ...int64) {
		sc.SheetIndex[station], sc.SheetHash[station] = ts.sheet(t, "NA-57", station, votes...)
	}
	add("NA-57/PS-1", 300, 200, 50)
	add("NA-57/PS-2", 240, 270, 40)
	add("NA-57/PS-3", 280, 210, 30)
	// A recount of PS-2, ordered by the returning officer.
	o := ts.E.Order("NA-57", record.OrderRecount, "recount under section 95(5)", "NA-57/PS-2")
	o.Ordered = "2024-02-08T20:00:00Z" // at the consolidation, before the recount's sheet
	_, order := ts.submit(t, "ro.NA-57", o)
	rc := ts.E.Sheet("NA-57", "NA-57/PS-2", 250, 260, 40)
	rc.Revision, rc.Supersedes, rc.Order, rc.Reason = 2, sc.SheetHash["NA-57/PS-2"], order, "recount ordered under section 95(5)"
	rc.Captured = "2024-02-08T20:10:00Z"
	sc.Correction, _ = ts.submit(t, "ro.NA-57", rc)
	ts.submit(t, "agent.NA-57", &record.Attestation{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1",
		Kind: "countersign", Sheet: sc.SheetHash["NA-57/PS-1"], Captured: "2024-02-08T18:40:00Z"})
	ts.submit(t, "observer", &record.Attestation{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-3",
		Kind: "copy", Registered: 1000, Cast: 520, Rejected: 0, Votes: testelection.Counts(230, 260, 30), Captured: "2024-02-08T18:45:00Z"})
	sc.Tampered, _ = ts.submit(t, "ro.NA-57", &record.Declaration{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Contest: "NA-57", Form: 47,
		Votes: testelection.Counts(600, 900, 120), Rejected: 0, Declared: "2024-02-08T20:30:00Z"})
	ts.sheet(t, "NA-58", "NA-58/PS-1", 400, 100, 20)
	ts.sheet(t, "PP-12", "NA-57/PS-1", 310, 190, 45)
	return sc
}
