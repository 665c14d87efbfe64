package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
	"golang.org/x/mod/sumdb/note"
)

// importKey enrols the app with a test election's key (as a key file the
// commission issued) for role and scope, and returns its verifier key.
func importKey(t *testing.T, ctx context.Context, ts *testSite, name, role, scope string) string {
	t.Helper()
	seed := sha256.Sum256([]byte(name)) // testelection.Key's seed
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	if vkey != ts.E.VKeys[name] {
		t.Fatalf("the key file for %s is not the test election's key", name)
	}
	file := filepath.Join(t.TempDir(), name+".key")
	os.WriteFile(file, []byte(skey+"\n"), 0o600)
	openApp(t, ctx, ts, "#enrol")
	waitFor(t, ctx, "the election loads", `document.querySelector("#enrol-scope").options.length > 0`)
	setField(t, ctx, "#enrol-role", role)
	setField(t, ctx, "#enrol-scope", scope)
	run(t, ctx, "import "+name, chromedp.SendKeys(chromedp.CSS("#enrol-file"), file))
	waitFor(t, ctx, "the imported key", fmt.Sprintf(`document.querySelector("#enrol-vkey").innerText === %q`, vkey))
	return vkey
}

// TestAppOrderJourney: a returning officer orders a correction of a
// station's logged sheet in the app (bad input named and nothing signed;
// the exact order reviewed before signing), the order is logged and its
// receipt verified; the station's presiding officer picks that order on the
// correction form (proved on the device by its receipt), signs the next
// revision naming the sheet it replaces and the order, and the log, Go and
// the station page show the correction carried out on that order.
func TestAppOrderJourney(t *testing.T) {
	ctx, ts := appOnPollingEvening(t, 20)
	_, first := ts.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 50)

	// The returning officer orders a correction.
	rvkey := importKey(t, ctx, ts, "ro.NA-57", "returning", "NA-57")
	openApp(t, ctx, ts, "#order")
	waitFor(t, ctx, "the stations", `document.querySelectorAll("#order-station-list input").length === 3`)
	if n := run(t, ctx, "stations to name", chromedp.Evaluate[int](`document.querySelectorAll("#order-station-list input:not([disabled])").length`)); n != 1 {
		t.Errorf("%d stations may be named, want 1 (the only one with a sheet logged)", n)
	}
	run(t, ctx, "review with nothing", chromedp.Click(chromedp.CSS("#order-review")))
	waitFor(t, ctx, "messages", `document.querySelector("#order-stations-msg").innerText !== ""`)
	if m := textOf(t, ctx, "#order-stations-msg"); !strings.HasPrefix(m, "Stations: choose at least one station whose sheet is logged") {
		t.Errorf("no station chosen is told %q", m)
	}
	if m := textOf(t, ctx, "#order-reason-msg"); !strings.HasPrefix(m, "Reason: is required") {
		t.Errorf("no reason is told %q", m)
	}
	typeInto(t, ctx, "#order-reason", "two  spaces")
	run(t, ctx, "review with a bad reason", chromedp.Click(chromedp.CSS("#order-review")))
	waitFor(t, ctx, "reason rule", `document.querySelector("#order-reason-msg").innerText.includes("must not hold two spaces together")`)
	screenshot(t, ctx, "app-order-errors")
	signedNothing(t, ctx, "#order", 0)
	const reason = "candidate two's votes were copied from the wrong column"
	run(t, ctx, "correction", chromedp.Click(chromedp.CSS(`#order-form input[value="correction"]`)))
	run(t, ctx, "name PS-1", chromedp.Click(chromedp.CSS(`#order-st-NA-57-PS-1`)))
	typeInto(t, ctx, "#order-reason", reason)
	waitFor(t, ctx, "messages gone once put right", `document.querySelector("#order-stations-msg").innerText + document.querySelector("#order-reason-msg").innerText === ""`)
	screenshot(t, ctx, "app-order")
	axe(t, ctx, "order")
	toReview(t, ctx, "#order-review")
	body := run(t, ctx, "record", chromedp.TextContent(chromedp.CSS("#review-body")))
	if want := "tallylog/v1 order\nelection pk-test\nlog results.example.pk/test\ncontest NA-57\nkind correction\nstation NA-57/PS-1\nreason " + reason + "\nordered "; !strings.HasPrefix(body, want) {
		t.Errorf("the order to sign is\n%s\nwant it to begin\n%s", body, want)
	}
	screenshot(t, ctx, "app-order-review")
	axe(t, ctx, "order review")
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	rcText, index := waitLogged(t, ctx, ts, "Correction order NA-57")
	oenv := checkReceipt(t, ts, rcText, rvkey, index)
	if o, ok := oenv.Record.(*record.Order); !ok || o.Kind != record.OrderCorrection || strings.Join(o.Stations, ",") != "NA-57/PS-1" || o.Reason != reason {
		t.Fatalf("the logged order is %+v", oenv.Record)
	}
	if !strings.Contains(textOf(t, ctx, "#item-ok"), "counted in NA-57") || !strings.Contains(run(t, ctx, "link", chromedp.Evaluate[string](`document.querySelector("#item-station").href`)), "/contest/NA-57") {
		t.Errorf("the order's receipt screen says %q", textOf(t, ctx, "#item-ok"))
	}
	openApp(t, ctx, ts, "#order")
	waitFor(t, ctx, "the logged order listed", fmt.Sprintf(`document.querySelector('#order-logged li[data-hash="%s"]') !== null`, oenv.HashHex()))

	// The presiding officer carries it out.
	pvkey := importKey(t, ctx, ts, "po.NA-57.PS-1", "presiding", "NA-57/PS-1")
	openApp(t, ctx, ts, "#correct")
	waitFor(t, ctx, "the order offered", `document.querySelector("#correct-order-list .ok")?.innerText === "Verified on this device."`)
	if l := textOf(t, ctx, "#correct-order-list"); !strings.Contains(l, fmt.Sprintf("Correction order, entry %d, NA-57", index)) || !strings.Contains(l, "ro.NA-57 (returning)") {
		t.Errorf("the order is offered as %q", l)
	}
	run(t, ctx, "review with no order", chromedp.Click(chromedp.CSS("#count-review")))
	waitFor(t, ctx, "order required", `document.querySelector("#correct-orders-msg").innerText.startsWith("Order: choose the logged order")`)
	if m := textOf(t, ctx, "#correct-reason-msg"); !strings.HasPrefix(m, "Why the sheet changes: is required") {
		t.Errorf("no reason is told %q", m)
	}
	signedNothing(t, ctx, "#correct", 1)
	run(t, ctx, "pick the order", chromedp.Click(chromedp.CSS("#correct-order-0")))
	waitFor(t, ctx, "the form for NA-57", `document.querySelector("#f-votes-3") !== null && document.querySelector("#correct-current").innerText.startsWith("It replaces revision 1")`)
	body = fillCorrection(t, ctx, [5]string{"300", "190", "50", "10", "550"}, "correction ordered: candidate two's votes re-read from the count", "app-correct")
	for _, want := range []string{"tallylog/v1 sheet\nelection pk-test\nlog results.example.pk/test\ncontest NA-57\nstation NA-57/PS-1\nrevision 2\nregistered 1000\ncast 550\nrejected 10\nvotes 1 300\nvotes 2 190\nvotes 3 50\n",
		"\nsupersedes " + first + "\norder " + oenv.HashHex() + "\nreason correction ordered: candidate two's votes re-read from the count\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("the correction to sign lacks %q:\n%s", want, body)
		}
	}
	if w := textOf(t, ctx, "#review-warnings"); w != "Changes from revision 1: Candidate Two 200 → 190; rejected 0 → 10." {
		t.Errorf("the review does not list the changes: %q", w)
	}
	screenshot(t, ctx, "app-correct-review")
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	rcText, index = waitLogged(t, ctx, ts, "Correction of Form-45 NA-57/PS-1 NA-57")
	cenv := checkReceipt(t, ts, rcText, pvkey, index)
	if s, ok := cenv.Record.(*record.Sheet); !ok || s.Revision != 2 || s.Supersedes != first || s.Order != oenv.HashHex() || s.Votes[1].Votes != 190 {
		t.Fatalf("the logged correction is %+v", cenv.Record)
	}
	screenshot(t, ctx, "app-correct-receipt")

	// The station carries the correction, on its order.
	var sr tally.StationResult
	getJSON(t, ts, "/api/v1/stations/NA-57/PS-1", &sr)
	if cur := sr.Contests[0].Current; cur == nil || cur.Index != uint64(index) || cur.Order == nil || cur.Order.Hash != oenv.HashHex() || cur.Order.Signer != "ro.NA-57" {
		t.Errorf("the station's current sheet is %+v, want the correction at entry %d on the order %s", cur, index, oenv.HashHex())
	}
	open(t, ctx, ts, "/station/NA-57/PS-1", "#contest-NA-57")
	if page := textOf(t, ctx, "#contest-NA-57"); !strings.Contains(page, cenv.HashHex()) || !strings.Contains(page, "It carries out the correction order of entry") {
		t.Errorf("the station page does not show the correction with its order:\n%s", page)
	}
	// The order is carried out there: the form offers it no more.
	openApp(t, ctx, ts, "#correct")
	waitFor(t, ctx, "no order waiting", `document.querySelector("#correct-none") !== null`)
	// A presiding officer's key may not order.
	openApp(t, ctx, ts, "#order")
	waitFor(t, ctx, "not for this role", `document.querySelector("#order-asof").innerText.startsWith("Only a returning officer's, the commission's or a tribunal's key")`)
}

// fillCorrection fills the correction form, once its order is picked, with
// the votes of candidates 1-3, rejected and cast, the reason and a photo;
// checks it (axe-core, screenshot shot) and returns the record body the
// review screen shows.
func fillCorrection(t *testing.T, ctx context.Context, n [5]string, reason, shot string) string {
	t.Helper()
	for i, f := range []string{"#f-votes-1", "#f-votes-2", "#f-votes-3", "#f-rejected", "#f-cast"} {
		typeInto(t, ctx, f, n[i])
	}
	typeInto(t, ctx, "#correct-reason", reason)
	photo, _ := formPhoto(t)
	run(t, ctx, "take the photo", chromedp.SendKeys(chromedp.CSS("#count-photo"), photo))
	waitFor(t, ctx, "no errors left", `!document.querySelector("#count-photo-preview").hidden && document.querySelector("#count-errors").children.length === 0`)
	screenshot(t, ctx, shot)
	axe(t, ctx, shot)
	toReview(t, ctx, "#count-review")
	return run(t, ctx, "record", chromedp.TextContent(chromedp.CSS("#review-body")))
}

// TestAppReturningCorrection: the returning officer's device corrects a
// sheet on an order, which the spec allows the contest's returning key as
// well as the station's presiding key. An order names two stations; the
// correction form offers each (proved by the order's receipt), the officer
// picks one, and the next revision of that station's sheet is signed,
// logged and its receipt verified; the other station is still offered.
func TestAppReturningCorrection(t *testing.T) {
	ctx, ts := appOnPollingEvening(t, 20)
	_, first := ts.sheet(t, "NA-57", "NA-57/PS-2", 300, 200, 50)
	ts.sheet(t, "NA-57", "NA-57/PS-1", 310, 190, 40)
	oindex, ohash := ts.submit(t, "ro.NA-57", &record.Order{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Contest: "NA-57",
		Kind: record.OrderRecount, Stations: []string{"NA-57/PS-1", "NA-57/PS-2"}, Reason: "bundles mixed up", Ordered: "2024-02-08T20:00:00Z"})

	rvkey := importKey(t, ctx, ts, "ro.NA-57", "returning", "NA-57")
	openApp(t, ctx, ts, "#correct")
	waitFor(t, ctx, "both stations offered", `document.querySelectorAll("#correct-order-list .ok").length === 2`)
	l := textOf(t, ctx, "#correct-order-list")
	for _, st := range []string{"NA-57/PS-1", "NA-57/PS-2"} {
		if !strings.Contains(l, fmt.Sprintf("Recount order, entry %d, NA-57, station %s", oindex, st)) {
			t.Errorf("the order for %s is not offered: %q", st, l)
		}
	}
	run(t, ctx, "pick PS-2", chromedp.Evaluate[bool](`[...document.querySelectorAll("#correct-order-list .choice")].find((c) => c.innerText.includes("station NA-57/PS-2")).querySelector("input").click() ?? true`))
	waitFor(t, ctx, "the form for PS-2", `document.querySelector("#f-votes-3") !== null && document.querySelector("#correct-current").innerText.includes("cast 550")`)
	if v := run(t, ctx, "registered", chromedp.Evaluate[string](`document.querySelector("#f-registered").value`)); v != "1000" {
		t.Errorf("the form shows %q registered for PS-2", v)
	}
	body := fillCorrection(t, ctx, [5]string{"299", "201", "50", "0", "550"}, "recounted on the order", "app-correct-ro")
	if want := "contest NA-57\nstation NA-57/PS-2\nrevision 2\n"; !strings.Contains(body, want) || !strings.Contains(body, "\nsupersedes "+first+"\norder "+ohash+"\n") {
		t.Errorf("the correction to sign is\n%s", body)
	}
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	rcText, index := waitLogged(t, ctx, ts, "Correction of Form-45 NA-57/PS-2 NA-57")
	cenv := checkReceipt(t, ts, rcText, rvkey, index)
	if s, ok := cenv.Record.(*record.Sheet); !ok || s.Station != "NA-57/PS-2" || s.Revision != 2 || s.Supersedes != first || s.Order != ohash || s.Votes[0].Votes != 299 {
		t.Fatalf("the logged correction is %+v", cenv.Record)
	}
	var sr tally.StationResult
	getJSON(t, ts, "/api/v1/stations/NA-57/PS-2", &sr)
	if cur := sr.Contests[0].Current; cur == nil || cur.Index != uint64(index) || cur.Order == nil || cur.Order.Hash != ohash {
		t.Errorf("PS-2's current sheet is %+v, want the correction at entry %d on the order", cur, index)
	}
	// PS-2 is done on this order; PS-1 is still offered.
	openApp(t, ctx, ts, "#correct")
	waitFor(t, ctx, "one station left", `document.querySelectorAll("#correct-order-list .ok").length === 1`)
	if l := textOf(t, ctx, "#correct-order-list"); !strings.Contains(l, "station NA-57/PS-1") || strings.Contains(l, "station NA-57/PS-2") {
		t.Errorf("after PS-2's correction the form offers %q", l)
	}
}
