package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/tallylog/tallylog/receipt"
)

// Browser tests drive Debian's chromium (installed by .ci/run) against a
// real server. Outside CI they skip when chromium is absent; in CI
// (CI=true) its absence is a failure. Screenshots go to the test's
// temporary directory, or to $TALLYLOG_SCREENSHOTS when set.

// chromium returns the browser's path, skipping or failing the test when
// there is none.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("TALLYLOG_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed, and CI=true requires the browser tests: apt-get install chromium (as .ci/run does)")
	}
	t.Skip("chromium not found: install Debian's chromium (apt-get install chromium) or set TALLYLOG_CHROMIUM to run the browser tests")
	return ""
}

// browser starts a headless chromium with a fresh profile and returns a
// tab's context. The browser lives until the test ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
		chromedp.WSURLReadTimeout(30 * time.Second),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first call starts the browser; it must not carry a timeout (that
	// would stop the browser), so the start-up is bounded by
	// WSURLReadTimeout instead.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium at %s: %v", path, err)
	}
	return ctx
}

// run runs one bounded step in the tab.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshot saves the whole page as name.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := run(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	dir := os.Getenv("TALLYLOG_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// open navigates to a path of the site and waits until sel is visible.
func open(t *testing.T, ctx context.Context, ts *testSite, path, sel string) {
	t.Helper()
	run(t, ctx, "open "+path, chromedp.Steps(chromedp.Navigate(ts.HTTP.URL+path), chromedp.WaitVisible(chromedp.CSS(sel))))
}

// TestBrowserNational checks the national page as a reader sees it, with
// scripts disabled: the hemicycle has every seat of the house, each
// party's dots match its seats in the table, the majority lines are at 169
// and 224, Urdu names are laid out right to left, and the page fits a
// phone's width.
func TestBrowserNational(t *testing.T) {
	ctx := browser(t)
	ts := newTestSite(t)
	ts.electionNight(t)
	var api assemblyData
	getJSON(t, ts, "/api/v1/assemblies/NA", &api)

	run(t, ctx, "disable scripts", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	open(t, ctx, ts, "/", "svg.hemicycle")
	dots := run(t, ctx, "count seats", chromedp.Evaluate[map[string]int](`Object.fromEntries(
		[...document.querySelectorAll("svg.hemicycle g[data-group]")].map(g => [g.dataset.group, g.querySelectorAll("circle.seat").length]))`))
	total := 0
	for _, n := range dots {
		total += n
	}
	if total != 336 {
		t.Errorf("the hemicycle draws %d seats, want 336: %v", total, dots)
	}
	want := map[string]int{"unfilled": api.Unfilled}
	for _, p := range api.Parties {
		want[p.ID] = p.Total
	}
	if fmt.Sprint(dots) != fmt.Sprint(want) {
		t.Errorf("seats drawn per party %v, want %v (the seats table)", dots, want)
	}
	if dots["pmln"] < 2 {
		t.Errorf("pmln leads NA-57 and NA-58 but has %d seats drawn", dots["pmln"])
	}
	table := run(t, ctx, "read the seats table", chromedp.Evaluate[map[string]string](`Object.fromEntries(
		[...document.querySelectorAll("#parties tr[data-party]")].map(r => [r.dataset.party, r.querySelector(".total").innerText.trim().split(" ")[0]]))`))
	for id, n := range want {
		if table[id] != fmt.Sprint(n) {
			t.Errorf("the seats table shows %q for %s, want %d", table[id], id, n)
		}
	}
	lines := run(t, ctx, "majority lines", chromedp.Evaluate[[]string](`[...document.querySelectorAll("svg.hemicycle line.majority")].map(l => l.dataset.seats)`))
	if strings.Join(lines, ",") != "169,224" {
		t.Errorf("majority lines at %v, want 169 and 224", lines)
	}
	urdu := run(t, ctx, "Urdu names", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[lang="ur"]')].map(e =>
		getComputedStyle(e).direction + ":" + (e.getBoundingClientRect().width > 0) + ":" + e.textContent)`))
	if len(urdu) == 0 {
		t.Error("no Urdu name on the national page")
	}
	for _, u := range urdu {
		if !strings.HasPrefix(u, "rtl:true:") {
			t.Errorf("an Urdu name is not rendered right to left: %q", u)
		}
	}
	screenshot(t, ctx, "national-noscript")

	run(t, ctx, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	open(t, ctx, ts, "/", "svg.hemicycle")
	overflow := run(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if overflow > 0 {
		t.Errorf("on a phone the page is %dpx wider than the screen", overflow)
	}
	screenshot(t, ctx, "national-noscript-phone")
}

// TestBrowserTamperedConstituency checks that a constituency whose
// declared result makes the loser win shows the flag, the differing
// counts highlighted, and its stations.
func TestBrowserTamperedConstituency(t *testing.T) {
	ctx := browser(t)
	ts := newTestSite(t)
	ts.electionNight(t)
	open(t, ctx, ts, "/contest/NA-57", "#form-47")
	mismatch := run(t, ctx, "declaration", chromedp.Evaluate[bool](`document.querySelector("#form-47").classList.contains("mismatch")`))
	if !mismatch {
		t.Error("the tampered Form-47 is not marked as differing from the sheets")
	}
	differs := run(t, ctx, "differing rows", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#form-47 tr.differs")].map(r => r.cells[0].innerText + " " + r.cells[3].innerText)`))
	if strings.Join(differs, "; ") != "Candidate One −230; Candidate Two +230" {
		t.Errorf("highlighted differences %q, want candidates One (−230) and Two (+230)", differs)
	}
	flags := run(t, ctx, "flags", chromedp.Text(chromedp.CSS("#contest-flags")))
	if !strings.Contains(flags, "winner-changed") || !strings.Contains(flags, "GRAVE") {
		t.Errorf("the contest's flags do not show the grave winner-changed flag:\n%s", flags)
	}
	stations := run(t, ctx, "stations", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#stations tbody tr")].map(r => r.dataset.station + "=" + r.className)`))
	if strings.Join(stations, ",") != "NA-57/PS-1=st-in,NA-57/PS-2=st-in,NA-57/PS-3=st-flagged" {
		t.Errorf("stations table: %v", stations)
	}
	screenshot(t, ctx, "constituency-tampered")

	// The flag links to its evidence: the declaration itself.
	run(t, ctx, "follow the evidence", chromedp.Steps(
		chromedp.Click(chromedp.CSS(`#contest-flags li.sev-grave .evidence a`)),
		chromedp.WaitVisible(chromedp.CSS("pre.record"))))
	record := run(t, ctx, "evidence", chromedp.Text(chromedp.CSS("pre.record")))
	if !strings.Contains(record, "tallylog/v1 declaration") || !strings.Contains(record, "votes 2 900") {
		t.Errorf("the evidence is not the tampered declaration:\n%s", record)
	}
}

// TestBrowserStationProof checks that a station page shows a receipt that
// verifies with the log's key alone, for the station's current sheet, and
// the line that tells the reader how to check it.
func TestBrowserStationProof(t *testing.T) {
	ctx := browser(t)
	ts := newTestSite(t)
	sc := ts.electionNight(t)
	open(t, ctx, ts, "/station/NA-57/PS-2", "#contest-NA-57 pre.receipt")
	text := run(t, ctx, "receipt", chromedp.TextContent(chromedp.CSS("#contest-NA-57 pre.receipt")))
	rc, err := receipt.Parse([]byte(text))
	if err != nil {
		t.Fatalf("the page's receipt does not parse: %v\n%s", err, text)
	}
	v, err := rc.Verify(ts.Srv.LogVerifier)
	if err != nil {
		t.Fatalf("the page's receipt does not verify: %v", err)
	}
	if v.Index != sc.Correction || !strings.Contains(string(v.Entry), "revision 2") {
		t.Errorf("the receipt is for entry %d, want the current sheet (the recount, entry %d)", v.Index, sc.Correction)
	}
	howto := run(t, ctx, "how to verify", chromedp.Text(chromedp.CSS("#contest-NA-57 .howto")))
	if !strings.Contains(howto, "tallylog verify-receipt --log-key "+ts.Srv.Meta.LogKey+" receipt.tlog-proof") {
		t.Errorf("the page does not say how to check the receipt:\n%s", howto)
	}
	history := run(t, ctx, "versions", chromedp.Text(chromedp.CSS("#contest-NA-57 ol.history")))
	if !strings.Contains(history, "Superseded by revision 2") || !strings.Contains(history, "recount ordered") {
		t.Errorf("the versions do not say what superseded the first sheet and why:\n%s", history)
	}
	screenshot(t, ctx, "station-proof")
}
