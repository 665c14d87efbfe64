package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/tally"
)

// TestPages checks that every page renders from a real log and shows what
// the issue asks of it, and that unknown identifiers are 404s that say
// where to look.
func TestPages(t *testing.T) {
	ts := newTestSite(t)
	sc := ts.electionNight(t)
	for _, tc := range []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{`class="hemicycle"`, `data-seats="336"`, "169 for a majority", "224 for two-thirds", "Gravest flags", `id="disputed"`, "winner-changed", `lang="ur"`}},
		{"/assembly/NA", 200, []string{"National Assembly", `href="/contest/NA-57"`}},
		{"/contest/NA-57", 200, []string{`class="differs"`, "names a different winner", "NA-57/PS-3", `<span lang="ur" dir="rtl">امیدوار ایک</span>`, "winner-changed"}},
		{"/contest/NA-58", 200, []string{"st-missing", "No provisional result"}},
		{"/station/NA-57/PS-2", 200, []string{"Every version", "recount ordered under section 95(5)", "c2sp.org/tlog-proof@v1", "tallylog verify-receipt --log-key"}},
		{"/station/NA-57/PS-1", 200, []string{"countersigned", "NA-57", "PP-12"}},
		{"/entry/0", 200, []string{"tallylog/v1 election"}},
		{"/flags", 200, []string{"winner-changed", "copy-differs"}},
		{"/flags?kind=copy-differs", 200, []string{"copy-differs", "NA-57/PS-3"}},
		{"/flags?severity=grave", 200, []string{"winner-changed"}},
		{"/forensics", 200, []string{"Forensic screening", "fingerprint.svg"}},
		{"/forensics/contest/NA-57", 200, []string{"NA-57"}},
		{"/forensics/assembly/NA/turnout.svg", 200, []string{"<svg"}},
		{"/log", 200, []string{"results.example.pk/test", "verified", "tallylog verify --log http://"}},
		{"/static/site.css", 200, []string{"Noto Nastaliq Urdu"}},
		{"/contest/NA-999", 404, []string{"No constituency NA-999"}},
		{"/station/nowhere", 404, []string{"No station nowhere"}},
		{"/entry/99999", 404, []string{"not covered by a published checkpoint"}},
		{"/flags?kind=bogus", 404, []string{"unknown kind"}},
	} {
		resp, body := ts.get(t, tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s: status %d, want %d\n%s", tc.path, resp.StatusCode, tc.status, body)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: the page lacks %q", tc.path, w)
			}
		}
	}
	// The flags page shows the tampered declaration's flag with a link to
	// the declaration itself.
	_, body := ts.get(t, "/flags?kind=winner-changed")
	if !strings.Contains(body, `href="/entry/`+itoa(sc.Tampered)+`"`) {
		t.Errorf("the winner-changed flag does not link to the declaration, entry %d:\n%s", sc.Tampered, body)
	}
	// The declaration's own page (where the flag's evidence and shared
	// links lead) says it is flagged, in each language; the honest sheets
	// the flag cites beside it are not marked by it.
	for path, want := range map[string]string{"/entry/" + itoa(sc.Tampered): "Flags on this declaration",
		"/ur/entry/" + itoa(sc.Tampered): urdu["Flags on this declaration"]} {
		if _, body := ts.get(t, path); !strings.Contains(body, `id="entry-flags"`) || !strings.Contains(body, want) || !strings.Contains(body, "kind=winner-changed") {
			t.Errorf("%s does not show the winner-changed flag on the declaration", path)
		}
	}
	if _, body := ts.get(t, "/entry/"+itoa(sc.SheetIndex["NA-57/PS-1"])); strings.Contains(body, `id="entry-flags"`) {
		t.Error("an honest sheet's entry page lists the flag on the declaration compared with it")
	}
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// TestAPI checks the read API's answers against the tally's own.
func TestAPI(t *testing.T) {
	ts := newTestSite(t)
	sc := ts.electionNight(t)

	var contest contestData
	getJSON(t, ts, "/api/v1/contests/NA-57", &contest)
	c := contest.Contest
	if c.StationsIn != 3 || c.Candidates[0].Votes != 830 || c.Candidates[1].Votes != 670 || len(c.Winners) != 1 || c.Winners[0] != "1" {
		t.Errorf("NA-57: %+v", c)
	}
	if c.Provisional == nil || c.Provisional.Matches || !kindIn(c.Flags, tally.KindWinnerChanged) {
		t.Errorf("NA-57's tampered Form-47 is not flagged: %+v", c.Provisional)
	}
	if len(contest.Stations) != 3 || contest.Stations[2].Status != "flagged" || contest.Stations[0].Status != "in" {
		t.Errorf("NA-57's stations: %+v", contest.Stations)
	}

	var flags flagsData
	getJSON(t, ts, "/api/v1/flags?kind=winner-changed", &flags)
	if flags.Total != 1 || flags.Flags[0].Contest != "NA-57" {
		t.Errorf("winner-changed flags: %+v", flags)
	}
	getJSON(t, ts, "/api/v1/flags?region=nowhere", &flags)
	if flags.Total != 0 {
		t.Errorf("flags of an unknown region: %+v", flags)
	}

	var st tally.StationResult
	getJSON(t, ts, "/api/v1/stations/NA-57/PS-2", &st)
	if len(st.Contests) != 2 || len(st.Contests[0].History) != 2 || st.Contests[0].Current.Index != sc.Correction {
		t.Errorf("NA-57/PS-2: %+v", st)
	}

	var a assemblyData
	getJSON(t, ts, "/api/v1/assemblies/NA", &a)
	if a.Seats != 336 || a.Simple != 169 || a.TwoThirds != 224 {
		t.Errorf("NA seats %d, lines %d and %d; want 336, 169, 224", a.Seats, a.Simple, a.TwoThirds)
	}

	resp, body := ts.get(t, "/api/v1/proofs/"+itoa(sc.SheetIndex["NA-57/PS-1"]))
	if resp.StatusCode != 200 {
		t.Fatalf("proof: %d %s", resp.StatusCode, body)
	}
	rc, err := receipt.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Verify(ts.Srv.LogVerifier); err != nil {
		t.Errorf("the served receipt does not verify: %v", err)
	}

	for _, p := range []string{"/api/v1/contests/NA-999", "/api/v1/stations/x", "/api/v1/assemblies/XX", "/api/v1/proofs/01"} {
		resp, body := ts.get(t, p)
		var e map[string]string
		if resp.StatusCode != 404 || json.Unmarshal([]byte(body), &e) != nil || e["error"] == "" {
			t.Errorf("GET %s: %d %s; want 404 with a JSON error", p, resp.StatusCode, body)
		}
	}
	for _, p := range []string{"/api/v1/summary", "/api/v1/assemblies", "/api/v1/contests?assembly=NA", "/api/v1/log",
		"/api/v1/forensics/assembly/NA", "/api/v1/assemblies/NA/seats"} {
		var v any
		getJSON(t, ts, p, &v)
	}
}

func kindIn(fs []tally.Flag, kind string) bool {
	for _, f := range fs {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

func getJSON(t *testing.T, ts *testSite, path string, v any) {
	t.Helper()
	resp, body := ts.get(t, path)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// TestCaching checks the ETag and Cache-Control contract: the same state
// gives the same tag and a 304 on revalidation; a new entry changes it.
func TestCaching(t *testing.T) {
	ts := newTestSite(t)
	ts.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 50)
	resp, _ := ts.get(t, "/contest/NA-57")
	tag := resp.Header.Get("ETag")
	if tag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("no ETag or Cache-Control: %v", resp.Header)
	}
	resp, body := ts.get(t, "/contest/NA-57", "If-None-Match", tag)
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("revalidation with the current tag: %d %q", resp.StatusCode, body)
	}
	ts.sheet(t, "NA-57", "NA-57/PS-2", 240, 270, 40)
	resp, body = ts.get(t, "/contest/NA-57", "If-None-Match", tag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == tag || !strings.Contains(body, "NA-57/PS-2") {
		t.Errorf("after a new sheet: %d, tag %s (was %s)", resp.StatusCode, resp.Header.Get("ETag"), tag)
	}
	// Crossing the deadline changes the state too (missing declarations).
	before := resp.Header.Get("ETag")
	ts.setNow(time.Date(2024, 2, 9, 12, 0, 0, 0, time.UTC))
	resp, body = ts.get(t, "/contest/NA-58")
	if resp.Header.Get("ETag") == before || !strings.Contains(body, "missing-declaration") {
		t.Errorf("after the deadline: tag %s (was %s); missing-declaration shown: %v", resp.Header.Get("ETag"), before, strings.Contains(body, "missing-declaration"))
	}
}
