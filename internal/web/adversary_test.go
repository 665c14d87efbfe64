package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/evidence"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// post submits a signed record through POST /api/v1/records, as
// tallylog submit does, and waits until the tally has applied it.
func (ts *testSite) post(t *testing.T, key string, r record.Record) string {
	t.Helper()
	entry := ts.E.Sign(t, key, r)
	resp, err := ts.HTTP.Client().Post(ts.HTTP.URL+"/api/v1/records", "text/plain", bytes.NewReader(entry))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s by %s: %s %s", r.Type(), key, resp.Status, body)
	}
	index, err := strconv.ParseUint(resp.Header.Get("X-Log-Index"), 10, 64)
	if err != nil {
		t.Fatalf("POST %s: no X-Log-Index: %v", r.Type(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ts.Srv.WaitApplied(ctx, index+1); err != nil {
		t.Fatal(err)
	}
	env, _ := record.Open(entry)
	return env.HashHex()
}

// contestAPI reads GET /api/v1/contests/{id}.
func (ts *testSite) contestAPI(t *testing.T, id string) contestData {
	t.Helper()
	resp, body := ts.get(t, "/api/v1/contests/"+id)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/contests/%s: %s %s", id, resp.Status, body)
	}
	var cd contestData
	if err := json.Unmarshal([]byte(body), &cd); err != nil {
		t.Fatal(err)
	}
	return cd
}

// packStatements downloads the contest's evidence pack, verifies it and
// returns its statements.
func (ts *testSite) packStatements(t *testing.T, id string) []evidence.Statement {
	t.Helper()
	resp, body := ts.get(t, "/api/v1/evidence/"+id)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/evidence/%s: %s", id, resp.Status)
	}
	got, err := evidence.Verify([]byte(body), ts.Srv.LogVerifier, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got.Statements
}

// packStates fails the test unless a statement of contest id's evidence
// pack contains text; it logs every statement when none does.
func (ts *testSite) packStates(t *testing.T, id, text string) {
	t.Helper()
	statements := ts.packStatements(t, id)
	for _, s := range statements {
		if strings.Contains(s.Text, text) {
			return
		}
	}
	for _, s := range statements {
		t.Log(s.Severity, s.Text)
	}
	t.Fatalf("no statement of %s's evidence pack says %q", id, text)
}

// TestPostalInflationRoute: issue 13's first route through HTTP. The
// returning officer accounts for 100 postal ballots before polls close,
// then a final result (form 49) counts 5,000 postal ballots for the
// sheets' runner-up, flipping the seat. The tally flags it grave; the page,
// the API and the evidence pack never say the declaration matches; shares
// and turnout are reckoned on the ballots polled.
func TestPostalInflationRoute(t *testing.T) {
	ts := newTestSite(t)
	ts.post(t, "ro.NA-57", ts.E.PostalAccount("NA-57", 100))
	for i, v := range [][]int64{{300, 200, 10}, {250, 150, 5}, {280, 120, 15}} { // 830, 470, 30
		ts.post(t, testelection.StationKey("NA-57/PS-"+string(rune('1'+i))), ts.E.Sheet("NA-57", "NA-57/PS-"+string(rune('1'+i)), v...))
	}
	final := &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 49, Votes: testelection.Counts(830, 5470, 30),
		Postal: testelection.Counts(0, 5000, 0), Readmitted: testelection.Counts(0, 0, 0), Declared: "2024-02-10T09:00:00Z"}
	fh := ts.post(t, "ro.NA-57", final)

	cd := ts.contestAPI(t, "NA-57")
	c := cd.Contest
	var grave *tally.Flag
	for i := range c.Flags {
		if c.Flags[i].Kind == tally.KindPostalOverAccount {
			grave = &c.Flags[i]
		}
	}
	if grave == nil || grave.Severity != tally.Grave || grave.Evidence[0].Hash != fh ||
		!strings.Contains(grave.Message, "counts 5000 postal ballots; the postal-ballot account issued 100") {
		t.Fatalf("no grave postal-over-account flag on the form 49: %+v", c.Flags)
	}
	if c.Final == nil || c.Final.Matches || !strings.Contains(strings.Join(c.Final.Disputed, ","), tally.KindPostalOverAccount) {
		t.Fatalf("the API reports the disputed form 49 as %+v", c.Final)
	}
	if c.Polled != 1330+5000 || c.Postal != 5000 {
		t.Fatalf("polled %d, postal %d; want 6330 and 5000", c.Polled, c.Postal)
	}
	_, page := ts.get(t, "/contest/NA-57")
	final49 := page[strings.Index(page, `id="form-49"`):]
	final49 = final49[:strings.Index(final49, "</section>")]
	if strings.Contains(final49, "matches") || !strings.Contains(final49, "the checks dispute it") {
		t.Fatalf("the contest page's form 49: %s", final49)
	}
	for _, pct := range []string{"443", "411"} { // 5,470 of 1,330 cast: no share above 100%
		if strings.Contains(page, pct+".") {
			t.Fatalf("a share over 100%% on the page (%s)", pct)
		}
	}
	disputed := false
	for _, s := range ts.packStatements(t, "NA-57") {
		if strings.Contains(s.Text, "form 49") && strings.Contains(s.Text, " matches") {
			t.Fatalf("the evidence pack says the disputed form 49 matches: %s", s.Text)
		}
		disputed = disputed || (s.Severity == "grave" && strings.Contains(s.Text, "The returning officer's key ro.NA-57 signed a form 49") &&
			strings.Contains(s.Text, "disputes it: ") && strings.Contains(s.Text, "postal-over-account"))
	}
	if !disputed {
		for _, s := range ts.packStatements(t, "NA-57") {
			t.Log(s.Severity, s.Text)
		}
		t.Fatal("no statement in the evidence pack attributes the disputed form 49 to its signer")
	}
}

// TestStaleDeclarationRoute: issue 13's second route through HTTP. A form
// 47 declared with one of three stations in lists the other two missing;
// they report and the sheets make another candidate the winner; no new
// declaration follows. Two hours after the last report (on the log's
// clock, and on the server's) the declaration is stale, high; a new
// declaration resolves it and the contest keeps it in its history.
func TestStaleDeclarationRoute(t *testing.T) {
	ts := newTestSite(t)
	ts.post(t, "po.NA-57.PS-1", ts.E.Sheet("NA-57", "NA-57/PS-1", 300, 200, 10))
	early := &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(300, 200, 10),
		Missing: []string{"NA-57/PS-2", "NA-57/PS-3"}, Declared: "2024-02-08T18:10:00Z"}
	dh := ts.post(t, "ro.NA-57", early)
	for _, st := range []string{"NA-57/PS-2", "NA-57/PS-3"} {
		s := ts.E.Sheet("NA-57", st, 50, 400, 5)
		s.Captured = "2024-02-08T18:30:00Z"
		ts.post(t, testelection.StationKey(st), s)
	}
	if c := ts.contestAPI(t, "NA-57").Contest; len(c.Flags) != 0 || !c.Provisional.Matches {
		t.Fatalf("flags before the period is over: %+v", c.Flags)
	}
	// The server's clock passes 18:30 + 2 h: the API and the page show it.
	ts.setNow(time.Date(2024, 2, 8, 20, 31, 0, 0, time.UTC))
	c := ts.contestAPI(t, "NA-57").Contest
	if len(c.Flags) != 1 || c.Flags[0].Kind != tally.KindDeclarationStale || c.Flags[0].Severity != tally.High ||
		c.Flags[0].Evidence[0].Hash != dh || c.Provisional.Matches {
		t.Fatalf("at the server's clock: %+v, provisional %+v", c.Flags, c.Provisional)
	}
	_, page := ts.get(t, "/contest/NA-57")
	if !strings.Contains(page, "declaration-stale") || strings.Contains(page, "It <strong>matches</strong>") {
		t.Fatal("the contest page does not show the stale declaration")
	}
	// The national page's disputed seats say why, in each language: the
	// declaration's counts agree with the sheets it counted, so its votes
	// moved (0) and its winner do not.
	var na assemblyData
	getJSON(t, ts, "/api/v1/assemblies/NA", &na)
	if len(na.Disputed) != 1 || na.Disputed[0].Contest != "NA-57" || strings.Join(na.Disputed[0].DisputedBy, ",") != tally.KindDeclarationStale {
		t.Errorf("the assembly's disputed seats are %+v, want NA-57 disputed by %s", na.Disputed, tally.KindDeclarationStale)
	}
	stale := urdu[tally.KindDeclarationStale]
	for path, want := range map[string]string{"/": "disputed by: declaration-stale", "/ur/": urdu["disputed by"] + ": " + stale,
		"/ur/contest/NA-57": fmt.Sprintf(urdu["but the checks dispute it: %s (see the flags below)."], stale)} {
		if _, page := ts.get(t, path); !strings.Contains(page, want) {
			t.Errorf("%s does not say why the declaration is disputed (%q)", path, want)
		}
	}
	// A record whose time passes the due time puts it in the log's own
	// history; the officer's new declaration resolves it.
	tick := ts.E.Sheet("NA-58", "NA-58/PS-1", 1, 2, 3)
	tick.Captured = "2024-02-08T20:31:00Z"
	ts.post(t, "po.NA-58.PS-1", tick)
	renewed := &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(400, 1000, 20),
		Declared: "2024-02-08T20:40:00Z", Supersedes: dh}
	ts.post(t, "ro.NA-57", renewed)
	cd := ts.contestAPI(t, "NA-57")
	if len(cd.Contest.Flags) != 0 || len(cd.History) != 1 || cd.History[0].Kind != tally.KindDeclarationStale ||
		cd.History[0].ResolvedBy == nil || cd.History[0].ResolvedBy.Type != "declaration" {
		t.Fatalf("after the new declaration: flags %+v, history %+v", cd.Contest.Flags, cd.History)
	}
	_, page = ts.get(t, "/contest/NA-57")
	if !strings.Contains(page, `id="contest-history"`) || !strings.Contains(page, "resolved by the declaration at entry") {
		t.Fatal("the contest page does not keep the resolved flag")
	}
	ts.packStates(t, "NA-57", "History: the tally raised a high declaration-stale flag")
}

// TestPackOfAClockFlagRaisedElsewhere: a contest's clock flag is raised by
// whichever record moves the log's clock past its due time, often one of
// another contest; here an agent's countersignature of an NA-58 sheet
// makes NA-57's declaration stale. NA-57's evidence pack carries that
// countersignature, so it must carry the NA-58 sheet it names too, or the
// pack's own replay refuses it and no pack can be built (every download
// answered 503, as the hostile run at 30,000 stations found).
func TestPackOfAClockFlagRaisedElsewhere(t *testing.T) {
	ts := newTestSite(t)
	ts.post(t, "po.NA-57.PS-1", ts.E.Sheet("NA-57", "NA-57/PS-1", 300, 200, 10))
	early := &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(300, 200, 10),
		Missing: []string{"NA-57/PS-2"}, Declared: "2024-02-08T18:10:00Z"}
	ts.post(t, "ro.NA-57", early)
	late := ts.E.Sheet("NA-57", "NA-57/PS-2", 50, 400, 5)
	late.Captured = "2024-02-08T18:30:00Z"
	ts.post(t, testelection.StationKey("NA-57/PS-2"), late)
	other := ts.post(t, "po.NA-58.PS-1", ts.E.Sheet("NA-58", "NA-58/PS-1", 1, 2, 3))
	tick := &record.Attestation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-58", Station: "NA-58/PS-1", Kind: "countersign",
		Sheet: other, Captured: "2024-02-08T20:31:00Z"}
	ts.post(t, "agent.NA-58", tick)
	ts.packStates(t, "NA-57", "declaration-stale")
}
