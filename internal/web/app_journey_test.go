package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
	"golang.org/x/mod/sumdb/note"
)

// appPhone is the app tests' screen: a phone, 390x844 CSS pixels.
func appPhone(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)))
	// axe-core is injected into the page by the test; the page's own
	// policy allows only its own scripts.
	run(t, ctx, "bypass CSP for axe", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	}))
}

// deviceClock sets the clock the app's pages read (Date) to at, running on
// from the moment the page loads.
func deviceClock(t *testing.T, ctx context.Context, at time.Time) {
	t.Helper()
	src := fmt.Sprintf(`(() => {
  const RealDate = Date, offset = %d - RealDate.now();
  class DeviceDate extends RealDate {
    constructor(...a) { if (a.length === 0) super(RealDate.now() + offset); else super(...a); }
    static now() { return RealDate.now() + offset; }
  }
  globalThis.Date = DeviceDate;
})();`, at.UnixMilli())
	run(t, ctx, "device clock", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	}))
}

// waitFor polls a JavaScript predicate until it is true, for up to 45 s.
func waitFor(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(44*time.Second))); err != nil {
		state := run(t, ctx, "page state", chromedp.Evaluate[string](`location.hash + "\n" + document.querySelector("main").innerText.slice(0, 2000)`))
		t.Fatalf("%s: %v\nthe page shows:\n%s", what, err, state)
	}
}

// setField sets an input's or select's value as a person would, firing
// its input and change events.
func setField(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	js, _ := json.Marshal([]string{sel, value})
	run(t, ctx, "set "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(([s, v]) => { const e = document.querySelector(s);
		e.value = v; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); })(%s)`, js)))
}

// typeInto clears an input and types text into it key by key.
func typeInto(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	run(t, ctx, "clear "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ""`, sel)))
	run(t, ctx, "type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return run(t, ctx, "text of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q)?.innerText ?? ""`, sel)))
}

// setOffline cuts or restores the tab's network, the service worker's
// included, and tells the page (navigator.onLine and its events).
func setOffline(t *testing.T, ctx context.Context, offline bool) {
	t.Helper()
	run(t, ctx, fmt.Sprintf("offline=%v", offline), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &offline,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}},
		})
		if err != nil {
			return err
		}
		_, err = chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
}

var axeSource = sync1(func() string {
	b, err := os.ReadFile(filepath.Join("testdata", "axe-core", "axe.min.js"))
	if err != nil {
		panic(err)
	}
	return string(b)
})

func sync1(f func() string) func() string {
	var s string
	return func() string {
		if s == "" {
			s = f()
		}
		return s
	}
}

// axe runs axe-core on the page as it is and fails the test on any serious
// or critical violation, or if the page is wider than the screen.
func axe(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	run(t, ctx, "load axe-core", chromedp.Evaluate[chromedp.Void](`window.axe ? undefined : (() => {`+axeSource()+"\n})()"))
	got := run(t, ctx, "axe "+screen, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then((r) => r.violations
		.filter((v) => v.impact === "serious" || v.impact === "critical")
		.map((v) => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`, chromedp.EvalAwaitPromise))
	for _, v := range got {
		t.Errorf("axe-core on the %s screen: %s", screen, v)
	}
	if over := run(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); over > 0 {
		t.Errorf("the %s screen is %dpx wider than the phone", screen, over)
	}
}

// enrol makes a key in the app for a role and scope and returns its
// verifier key, then registers it as the commission would (a keys record
// signed with the test election's commission key).
func enrol(t *testing.T, ctx context.Context, ts *testSite, role, scope, name string, shot string) string {
	t.Helper()
	openApp(t, ctx, ts, "#enrol")
	setField(t, ctx, "#enrol-role", role)
	setField(t, ctx, "#enrol-scope", scope)
	setField(t, ctx, "#enrol-name", name)
	run(t, ctx, "make a key", chromedp.Click(chromedp.CSS("#enrol-make")))
	waitFor(t, ctx, "the new key", fmt.Sprintf(`document.querySelector("#enrol-vkey").innerText.startsWith(%q) && document.querySelector("#enrol-qr svg") !== null`, name+"+"))
	vkey := textOf(t, ctx, "#enrol-vkey")
	if !strings.HasPrefix(vkey, name+"+") {
		t.Fatalf("the app shows the public key %q, want a key named %s", vkey, name)
	}
	if g := textOf(t, ctx, "#enrol-grant"); g != role+" "+scope+" "+vkey {
		t.Errorf("the grant shown is %q", g)
	}
	// The key signs but cannot be read out.
	ext := run(t, ctx, "key extractable?", chromedp.Evaluate[string](`import("/app/js/db.js").then(async (db) => { const id = await db.get("identity");
		return id.privateKey.extractable + " " + id.privateKey.algorithm.name + " " + id.privateKey.usages.join(","); })`, chromedp.EvalAwaitPromise))
	if ext != "false Ed25519 sign" {
		t.Errorf("the stored private key is %q, want a non-extractable Ed25519 signing key", ext)
	}
	if shot != "" {
		screenshot(t, ctx, shot)
		axe(t, ctx, "enrolment")
	}
	ts.submit(t, "ecp", &record.Keys{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Grants: []record.Grant{{Role: role, Scope: scope, Key: vkey}}})
	return vkey
}

// sendAndVerify signs the draft on the review screen and waits until the
// outbox holds its verified receipt; it returns the receipt text.
func waitLogged(t *testing.T, ctx context.Context, ts *testSite, label string) (string, int) {
	t.Helper()
	sel := fmt.Sprintf(`[...document.querySelectorAll("#outbox-list li")].find((li) => li.innerText.includes(%q))`, label)
	waitFor(t, ctx, label+" logged", sel+`?.dataset.status === "logged"`)
	id := run(t, ctx, "item id", chromedp.Evaluate[string](sel+".dataset.id"))
	run(t, ctx, "open the receipt", chromedp.Navigate(ts.HTTP.URL+"/app/#item-"+id))
	waitFor(t, ctx, "receipt verified", fmt.Sprintf(`document.querySelector('#item-status[data-item="%s"] #item-ok')?.innerText.startsWith("Your record is entry")`, id))
	rc := run(t, ctx, "receipt text", chromedp.TextContent(chromedp.CSS("#item-receipt")))
	var index int
	fmt.Sscanf(textOf(t, ctx, "#item-ok"), "Your record is entry %d", &index)
	return rc, index
}

// checkReceipt verifies a receipt from the app with Go's receipt and
// record packages and the device's key, and returns the record.
func checkReceipt(t *testing.T, ts *testSite, rcText, vkey string, index int) *record.Envelope {
	t.Helper()
	rc, err := receipt.Parse([]byte(rcText))
	if err != nil {
		t.Fatalf("the app's receipt does not parse: %v", err)
	}
	v, err := rc.Verify(ts.Srv.LogVerifier)
	if err != nil {
		t.Fatalf("the app's receipt does not verify in Go: %v", err)
	}
	if int(v.Index) != index {
		t.Errorf("the app says entry %d, the receipt proves entry %d", index, v.Index)
	}
	env, err := record.Open(v.Entry)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Verify(ver); err != nil {
		t.Fatalf("the app's signature does not verify with Go's Ed25519: %v", err)
	}
	return env
}

func formPhoto(t *testing.T) (string, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 60, 40))
	for x := 0; x < 60; x++ {
		for y := 0; y < 40; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 6), 120, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	path := filepath.Join(t.TempDir(), "form45.png")
	os.WriteFile(path, b.Bytes(), 0o644)
	return path, b.Bytes()
}

// tamperReceipts makes the server's receipts reach the page with their
// checkpoint's root hash altered, as a hostile network or server would,
// until the returned function is called.
func tamperReceipts(t *testing.T, ctx context.Context) (stop func()) {
	t.Helper()
	lctx, cancel := context.WithCancel(ctx)
	paused := make(chan *fetch.EventRequestPaused, 16)
	if err := chromedp.Listen(lctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			paused <- e
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case <-lctx.Done():
				return
			case e := <-paused:
				b, err := chromedp.Call(ctx, fetch.GetResponseBody, fetch.GetResponseBodyParams{RequestID: e.RequestID})
				if err != nil {
					continue
				}
				body := b.Body
				if head, cp, ok := bytes.Cut(body, []byte("\n\n")); ok && e.ResponseStatusCode == 200 {
					lines := bytes.SplitN(cp, []byte("\n"), 4)
					if len(lines) == 4 {
						root := append([]byte{}, lines[2]...)
						root[0] ^= 'A' ^ 'B'
						body = slices.Concat(head, []byte("\n\n"), lines[0], []byte("\n"), lines[1], []byte("\n"), root, []byte("\n"), lines[3])
					}
				}
				chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID,
					ResponseCode: e.ResponseStatusCode, ResponseHeaders: e.ResponseHeaders, Body: body})
			}
		}
	}()
	run(t, ctx, "intercept receipts", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
			{URLPattern: "*/api/v1/records", RequestStage: fetch.RequestStageResponse}}})
		return err
	}))
	return func() {
		run(t, ctx, "stop intercepting", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, fetch.Disable, cdp.Empty{})
			return err
		}))
		cancel()
	}
}

// toReview presses a button that leads to the review screen and waits
// for it.
func toReview(t *testing.T, ctx context.Context, button string) {
	t.Helper()
	run(t, ctx, "press "+button, chromedp.Click(chromedp.CSS(button)))
	waitFor(t, ctx, "review screen", `!document.querySelector("#screen-review").hidden`)
}

// roDiff waits until the returning officer's screen shows want as
// candidate 1's difference from the sheets.
func roDiff(t *testing.T, ctx context.Context, what, want string) {
	t.Helper()
	waitFor(t, ctx, what, fmt.Sprintf(`document.querySelector('#ro-table tr[data-candidate="1"] .diff').innerText === %q`, want))
}

func outboxCount(t *testing.T, ctx context.Context) int {
	t.Helper()
	return run(t, ctx, "outbox size", chromedp.Evaluate[int](`import("/app/js/db.js").then((db) => db.items()).then((a) => a.length)`, chromedp.EvalAwaitPromise))
}

// appOnPollingEvening starts a browser on a phone-sized screen and a test
// site, their clocks at hour o'clock on the test election's polling day
// (2024-02-08): the log refuses records timed outside the election's
// window, so the device's clock and the server's read that evening, and
// run on from there.
func appOnPollingEvening(t *testing.T, hour int) (context.Context, *testSite) {
	t.Helper()
	ctx := browser(t)
	ts := newTestSite(t)
	at := time.Date(2024, 2, 8, hour, 0, 0, 0, time.UTC)
	ts.setNow(at)
	deviceClock(t, ctx, at)
	appPhone(t, ctx)
	return ctx, ts
}

// signedNothing checks that a form refused for bad input stayed on its
// screen and left the outbox as it was (queued records).
func signedNothing(t *testing.T, ctx context.Context, screen string, queued int) {
	t.Helper()
	if h := run(t, ctx, "hash", chromedp.Evaluate[string](`location.hash`)); h != screen {
		t.Errorf("a form with errors went on from %s to %s", screen, h)
	}
	if n := outboxCount(t, ctx); n != queued {
		t.Fatalf("bad input queued a record: %d in the outbox, want %d", n, queued)
	}
}

// TestAppJourney is the app's journey in Debian's chromium on a phone-sized
// screen: a presiding officer enrols a key (registered by the
// commission), fills Form-45 with a photo, is told about bad input (and
// nothing is signed), signs while offline, sees it wait, comes back online,
// gets a receipt the app verifies (and Go verifies), finds the sheet on the
// station page, and has a tampered receipt refused; then an agent
// submits a copy and countersigns, and the returning officer signs a
// Form-47 whose differences from the sheets are shown first, a
// postal-ballot account, and a Form-49 whose postal ballots are set beside
// that account (more than it issued is warned of). Every screen
// is screenshotted (TALLYLOG_SCREENSHOTS=../docs/app keeps them) and
// checked with axe-core.
func TestAppJourney(t *testing.T) {
	ctx, ts := appOnPollingEvening(t, 18)

	openApp(t, ctx, ts, "")
	waitFor(t, ctx, "the election loads", `document.querySelector("#election-line").innerText.includes("pk-test")`)
	screenshot(t, ctx, "app-home")
	axe(t, ctx, "home")

	// The presiding officer of NA-57/PS-1.
	const po = "po.device.NA-57.PS-1"
	vkey := enrol(t, ctx, ts, "presiding", "NA-57/PS-1", po, "app-enrol")

	openApp(t, ctx, ts, "#form45")
	waitFor(t, ctx, "the form", `document.querySelector("#f-votes-3") !== null`)
	if got := run(t, ctx, "registered", chromedp.Value(chromedp.CSS("#f-registered"))); got != "1000" {
		t.Errorf("registered voters pre-filled with %q, want the definition's 1000", got)
	}
	if ur := textOf(t, ctx, `#count-fields .cand [lang="ur"]`); ur != "امیدوار ایک" {
		t.Errorf("candidate 1's Urdu name shows as %q", ur)
	}
	// Candidates as the paper form names them: with their party's name,
	// an independent as such (not a party ID, or nothing).
	labels := run(t, ctx, "candidate labels", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#count-fields .cand label")].map((l) => l.firstChild.textContent)`))
	if want := []string{"1. Candidate One (Pakistan Muslim League (N))", "2. Candidate Two (Pakistan Tehreek-e-Insaf)", "3. Candidate Three (Independent)"}; !slices.Equal(labels, want) {
		t.Errorf("the Form-45 names the candidates %q, want %q", labels, want)
	}
	for sel, v := range map[string]string{"#f-votes-1": "300", "#f-votes-2": "200", "#f-votes-3": "50", "#f-rejected": "10", "#f-cast": "999"} {
		typeInto(t, ctx, sel, v)
	}
	waitFor(t, ctx, "the sum is checked as typed", `document.querySelector("#f-cast-msg").innerText.includes("votes + rejected must equal ballots cast")`)
	if msg := textOf(t, ctx, "#f-cast-msg"); !strings.Contains(msg, "Ballots cast: votes for the candidates (550) plus rejected ballots (10) make 560, not 999") {
		t.Errorf("the message for cast does not name the field and the rule: %q", msg)
	}
	typeInto(t, ctx, "#f-registered", "500")
	waitFor(t, ctx, "cast above registered", `document.querySelector("#f-cast-msg").innerText.includes("ballots cast must not exceed registered voters")`)
	typeInto(t, ctx, "#f-votes-2", "2OO")
	waitFor(t, ctx, "not a number", `document.querySelector("#f-votes-2-msg").innerText.startsWith("Votes for Candidate Two: \"2OO\" is not a count")`)
	run(t, ctx, "review with errors", chromedp.Click(chromedp.CSS("#count-review")))
	waitFor(t, ctx, "photo required", `document.querySelector("#count-errors").innerText.includes("Photo of the signed Form-45: required")`)
	screenshot(t, ctx, "app-form45-errors")
	signedNothing(t, ctx, "#form45", 0)
	typeInto(t, ctx, "#f-registered", "1000")
	typeInto(t, ctx, "#f-votes-2", "200")
	typeInto(t, ctx, "#f-cast", "560")
	photo, photoBytes := formPhoto(t)
	run(t, ctx, "take the photo", chromedp.SendKeys(chromedp.CSS("#count-photo"), photo))
	waitFor(t, ctx, "photo preview", `!document.querySelector("#count-photo-preview").hidden`)
	waitFor(t, ctx, "no errors left", `document.querySelector("#count-errors").children.length === 0`)
	screenshot(t, ctx, "app-form45")
	axe(t, ctx, "Form-45")
	toReview(t, ctx, "#count-review")
	body := run(t, ctx, "record", chromedp.TextContent(chromedp.CSS("#review-body")))
	for _, want := range []string{"tallylog/v1 sheet\nelection pk-test\nlog results.example.pk/test\ncontest NA-57\nstation NA-57/PS-1\nrevision 1\nregistered 1000\ncast 560\nrejected 10\nvotes 1 300\nvotes 2 200\nvotes 3 50\n",
		"image " + imageSHA256(photoBytes) + "\ncaptured "} {
		if !strings.Contains(body, want) {
			t.Errorf("the record to sign lacks %q:\n%s", want, body)
		}
	}
	screenshot(t, ctx, "app-review")
	axe(t, ctx, "review")

	// Offline: sign and queue.
	setOffline(t, ctx, true)
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	waitFor(t, ctx, "queued and not sent", `[...document.querySelectorAll("#outbox-list li")].some((li) => li.dataset.status === "waiting" && li.innerText.includes("Not sent yet"))`)
	if _, b := ts.get(t, "/api/v1/stations/NA-57/PS-1"); strings.Contains(b, po) {
		t.Fatal("the record reached the server while the device was offline")
	}
	// The app starts offline from the service worker's copy.
	run(t, ctx, "reload offline", chromedp.Reload())
	waitFor(t, ctx, "the app starts offline", `document.documentElement.dataset.ready === "1" && document.querySelector("#net").innerText.startsWith("Offline")`)
	waitFor(t, ctx, "still waiting", `document.querySelector("#outbox-list li")?.dataset.status === "waiting"`)
	screenshot(t, ctx, "app-outbox-offline")
	axe(t, ctx, "outbox")

	// Back online: the same bytes are sent and the receipt verified.
	setOffline(t, ctx, false)
	rcText, index := waitLogged(t, ctx, ts, "Form-45 NA-57/PS-1 NA-57")
	env := checkReceipt(t, ts, rcText, vkey, index)
	// The same bytes sent again get the same entry.
	again, err := ts.HTTP.Client().Post(ts.HTTP.URL+"/api/v1/records", "text/plain", bytes.NewReader(env.Entry))
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != 200 || again.Header.Get("X-Log-Index") != fmt.Sprint(index) {
		t.Errorf("the same record sent again: %d at index %s, want 200 at %d", again.StatusCode, again.Header.Get("X-Log-Index"), index)
	}
	if !strings.Contains(textOf(t, ctx, "#item-ok"), "counted in NA-57") {
		t.Errorf("the receipt screen says %q", textOf(t, ctx, "#item-ok"))
	}
	screenshot(t, ctx, "app-receipt")
	axe(t, ctx, "receipt")
	if href := run(t, ctx, "export", chromedp.Evaluate[string](`document.querySelector("#item-export").href`)); !strings.HasPrefix(href, "data:text/plain") || !strings.Contains(href, "c2sp.org%2Ftlog-proof%40v1") {
		t.Errorf("the export link is %.80q", href)
	}
	openApp(t, ctx, ts, "#outbox")
	waitFor(t, ctx, "photo sent", `document.querySelector("#outbox-list").innerText.includes("Photo sent.")`)
	screenshot(t, ctx, "app-outbox-logged")
	if resp, img := ts.get(t, "/images/"+imageSHA256(photoBytes)); resp.StatusCode != 200 || img != string(photoBytes) {
		t.Errorf("the photo was not uploaded: %d", resp.StatusCode)
	}
	var sr tally.StationResult
	getJSON(t, ts, "/api/v1/stations/NA-57/PS-1", &sr)
	if cur := sr.Contests[0].Current; cur == nil || cur.Index != uint64(index) || cur.Hash != env.HashHex() || cur.Signer != po {
		t.Errorf("the station's current sheet is %+v, want entry %d signed by %s", cur, index, po)
	}
	// The sheet on the station page.
	open(t, ctx, ts, "/station/NA-57/PS-1", "#contest-NA-57")
	if page := textOf(t, ctx, "#contest-NA-57"); !strings.Contains(page, po) || !strings.Contains(page, env.HashHex()) {
		t.Errorf("the station page does not show the sheet signed by %s:\n%s", po, page)
	}

	// A tampered receipt is refused; the real one passes.
	tampered := strings.Replace(rcText, "extra ", "extra x", 1)
	rc, _ := receipt.Parse([]byte(rcText))
	rc.Entry = bytes.Replace(rc.Entry, []byte("votes 1 300"), []byte("votes 1 900"), 1)
	tampered = string(rc.Marshal())
	openApp(t, ctx, ts, "#check")
	setField(t, ctx, "#check-text", tampered)
	run(t, ctx, "check", chromedp.Click(chromedp.CSS("#check-go")))
	waitFor(t, ctx, "refused", `document.querySelector("#check-refused") !== null`)
	if msg := textOf(t, ctx, "#check-refused"); !strings.Contains(msg, "inclusion proof") {
		t.Errorf("the tampered receipt is refused with %q", msg)
	}
	screenshot(t, ctx, "app-check-refused")
	axe(t, ctx, "check")
	setField(t, ctx, "#check-text", rcText)
	run(t, ctx, "check", chromedp.Click(chromedp.CSS("#check-go")))
	waitFor(t, ctx, "verified", `document.querySelector("#check-ok") !== null`)

	// A polling agent: a copy, then a countersignature.
	const agentName = "agent.device.NA-57"
	avkey := enrol(t, ctx, ts, "agent", "NA-57", agentName, "")
	openApp(t, ctx, ts, "#agent")
	waitFor(t, ctx, "the logged sheet", fmt.Sprintf(`document.querySelector("#agent-sheet").innerText.includes("entry %d")`, index))
	screenshot(t, ctx, "app-agent")
	axe(t, ctx, "agent")
	run(t, ctx, "my copy", chromedp.Click(chromedp.CSS("#agent-copy")))
	waitFor(t, ctx, "copy form", `document.querySelector("#count-form").classList.contains("copy-mode") && document.querySelector("#f-votes-3") !== null`)
	for sel, v := range map[string]string{"#f-votes-1": "290", "#f-votes-2": "210", "#f-votes-3": "50", "#f-rejected": "10", "#f-cast": "560"} {
		typeInto(t, ctx, sel, v)
	}
	screenshot(t, ctx, "app-copy")
	axe(t, ctx, "copy")
	toReview(t, ctx, "#count-review")
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	rcText, index = waitLogged(t, ctx, ts, "Copy of Form-45 NA-57/PS-1 NA-57")
	if a, ok := checkReceipt(t, ts, rcText, avkey, index).Record.(*record.Attestation); !ok || a.Kind != "copy" || a.Votes[0].Votes != 290 {
		t.Errorf("the agent's record is %+v", a)
	}
	openApp(t, ctx, ts, "#agent")
	waitFor(t, ctx, "countersign enabled", `!document.querySelector("#agent-countersign").disabled`)
	toReview(t, ctx, "#agent-countersign")
	// The receipt comes back altered: the app refuses it and keeps the
	// record waiting; the next try gets the true receipt.
	stop := tamperReceipts(t, ctx)
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	waitFor(t, ctx, "altered receipt refused", `[...document.querySelectorAll("#outbox-list li")].some((li) => li.dataset.status === "waiting" &&
		li.innerText.includes("Countersignature") && li.innerText.includes("the server's receipt was refused: checkpoint: the log's signature does not verify"))`)
	screenshot(t, ctx, "app-receipt-refused")
	stop()
	run(t, ctx, "send now", chromedp.Click(chromedp.CSS("#outbox-send")))
	rcText, index = waitLogged(t, ctx, ts, "Countersignature NA-57/PS-1 NA-57")
	if a, ok := checkReceipt(t, ts, rcText, avkey, index).Record.(*record.Attestation); !ok || a.Kind != "countersign" || a.Sheet != env.HashHex() {
		t.Errorf("the countersignature is %+v, want one naming %s", a, env.HashHex())
	}

	// The returning officer: stations in and missing, Form-47 from the
	// sheets, a typed difference shown before signing.
	const roName = "ro.device.NA-57"
	rvkey := enrol(t, ctx, ts, "returning", "NA-57", roName, "")
	openApp(t, ctx, ts, "#ro")
	waitFor(t, ctx, "stations", `document.querySelectorAll("#ro-stations tbody tr").length === 3`)
	if s := textOf(t, ctx, "#ro-stations-summary"); s != "1 of 3 stations in; missing: NA-57/PS-2, NA-57/PS-3." {
		t.Errorf("the stations summary says %q", s)
	}
	if v := run(t, ctx, "pre-filled", chromedp.Value(chromedp.CSS("#ro-votes-1"))); v != "300" {
		t.Errorf("Form-47 pre-fills candidate 1 with %q, want the sheets' 300", v)
	}
	typeInto(t, ctx, "#ro-votes-1", "330")
	roDiff(t, ctx, "difference shown", "+30")
	screenshot(t, ctx, "app-ro")
	axe(t, ctx, "returning officer")
	toReview(t, ctx, "#ro-review")
	if d := textOf(t, ctx, "#review-diff-list"); !strings.Contains(d, "Candidate One: declared 330, the logged sheets give 300 (+30)") {
		t.Errorf("the review does not show the difference: %q", d)
	}
	screenshot(t, ctx, "app-ro-review")
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	rcText, index = waitLogged(t, ctx, ts, "Form-47 NA-57")
	d, ok := checkReceipt(t, ts, rcText, rvkey, index).Record.(*record.Declaration)
	if !ok || d.Form != 47 || d.Votes[0].Votes != 330 || strings.Join(d.Missing, ",") != "NA-57/PS-2,NA-57/PS-3" {
		t.Errorf("the declaration is %+v", d)
	}

	// The postal-ballot account: more than the contest's registered
	// voters is refused by name and rule; 10 issued is signed, logged and
	// in the contest's API answer before the Form-49.
	openApp(t, ctx, ts, "#postal")
	waitFor(t, ctx, "no account yet", `document.querySelector("#postal-logged-line")?.innerText.startsWith("No postal-ballot account")`)
	typeInto(t, ctx, "#postal-issued", "999999")
	run(t, ctx, "review", chromedp.Click(chromedp.CSS("#postal-review")))
	waitFor(t, ctx, "too many refused", `document.querySelector("#postal-issued-msg").innerText.includes("registered voters of NA-57")`)
	if msg := textOf(t, ctx, "#postal-issued-msg"); !strings.HasPrefix(msg, "Postal ballots issued: 999,999 is more than the") {
		t.Errorf("too many postal ballots are refused with %q", msg)
	}
	typeInto(t, ctx, "#postal-issued", "10")
	toReview(t, ctx, "#postal-review")
	if b := run(t, ctx, "record", chromedp.TextContent(chromedp.CSS("#review-body"))); !strings.HasPrefix(b, "tallylog/v1 postal-account\nelection pk-test\nlog results.example.pk/test\ncontest NA-57\nissued 10\naccounted ") {
		t.Errorf("the review shows the body %q", b)
	}
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	rcText, index = waitLogged(t, ctx, ts, "Postal-ballot account NA-57")
	if pa, ok := checkReceipt(t, ts, rcText, rvkey, index).Record.(*record.PostalAccount); !ok || pa.Issued != 10 || pa.Contest != "NA-57" {
		t.Errorf("the postal-ballot account is %+v", pa)
	}
	var cd struct {
		Contest tally.ContestResult `json:"contest"`
	}
	getJSON(t, ts, "/api/v1/contests/NA-57", &cd)
	if a := cd.Contest.PostalAccounts; len(a) != 1 || a[0].Issued != 10 || a[0].Index != uint64(index) {
		t.Errorf("the contest's postal accounts are %+v, want the one at entry %d", a, index)
	}
	openApp(t, ctx, ts, "#postal")
	waitFor(t, ctx, "account shown", fmt.Sprintf(`document.querySelector("#postal-logged-line")?.innerText.startsWith("Already logged: entry %d, 10 postal ballots")`, index))
	screenshot(t, ctx, "app-postal")
	axe(t, ctx, "postal-ballot account")

	// Form-49: postal ballots typed, set beside the account (more than it
	// is warned of), the declared totals checked against the sheets plus
	// them.
	openApp(t, ctx, ts, "#ro")
	waitFor(t, ctx, "stations", `document.querySelectorAll("#ro-stations tbody tr").length === 3`)
	run(t, ctx, "form 49", chromedp.Click(chromedp.CSS(`#ro-form input[value="49"]`)))
	typeInto(t, ctx, "#ro-postal-1", "12")
	waitFor(t, ctx, "over the account", `document.querySelector("#ro-postal-warn")?.innerText.includes("the 12 typed exceed the 10 issued")`)
	toReview(t, ctx, "#ro-review")
	if w := textOf(t, ctx, "#review-warnings"); !strings.Contains(w, "the 12 typed exceed the 10 issued in the postal-ballot account: the tally will flag this Form-49 as grave") {
		t.Errorf("the review does not warn of postal ballots over the account: %q", w)
	}
	openApp(t, ctx, ts, "#ro")
	waitFor(t, ctx, "stations", `document.querySelectorAll("#ro-stations tbody tr").length === 3`)
	run(t, ctx, "form 49", chromedp.Click(chromedp.CSS(`#ro-form input[value="49"]`)))
	typeInto(t, ctx, "#ro-postal-1", "5")
	roDiff(t, ctx, "postal counted", "−5")
	waitFor(t, ctx, "within the account", `document.querySelector("#ro-postal-warn") === null && document.querySelector("#ro-postal-account").innerText.includes("issued 10")`)
	typeInto(t, ctx, "#ro-votes-1", "305")
	roDiff(t, ctx, "no difference", "")
	screenshot(t, ctx, "app-ro-49")
	axe(t, ctx, "Form-49")
	toReview(t, ctx, "#ro-review")
	if d := textOf(t, ctx, "#review-diffs"); d != "" {
		t.Errorf("a Form-49 that matches shows differences: %q", d)
	}
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	rcText, index = waitLogged(t, ctx, ts, "Form-49 NA-57")
	d, ok = checkReceipt(t, ts, rcText, rvkey, index).Record.(*record.Declaration)
	if !ok || d.Form != 49 || d.Votes[0].Votes != 305 || d.Postal[0].Votes != 5 || len(d.Readmitted) != 3 || len(d.Missing) != 0 {
		t.Errorf("the final declaration is %+v", d)
	}

	// An observer's key file, issued by the commission, imported into the
	// device: it is kept non-extractable and shows the same public key.
	skey, ovkey, err := note.GenerateKey(nil, "observer.issued")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "observer.key")
	os.WriteFile(keyFile, []byte(skey+"\n"), 0o600)
	openApp(t, ctx, ts, "#enrol")
	setField(t, ctx, "#enrol-role", "observer")
	setField(t, ctx, "#enrol-scope", "*")
	run(t, ctx, "import the key file", chromedp.SendKeys(chromedp.CSS("#enrol-file"), keyFile))
	waitFor(t, ctx, "the imported key", fmt.Sprintf(`document.querySelector("#enrol-vkey").innerText === %q`, ovkey))
	if g := textOf(t, ctx, "#enrol-grant"); g != "observer * "+ovkey {
		t.Errorf("the grant shown is %q", g)
	}
	ext := run(t, ctx, "key extractable?", chromedp.Evaluate[bool](`import("/app/js/db.js").then((db) => db.get("identity")).then((id) => id.privateKey.extractable)`, chromedp.EvalAwaitPromise))
	if ext {
		t.Error("the imported private key is extractable")
	}
}
