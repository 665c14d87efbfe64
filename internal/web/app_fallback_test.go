package web

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// TestAppEd25519Fallback enrols a presiding officer's device in a browser
// whose WebCrypto lacks Ed25519: the vendored library makes the key, the
// officer is told that it is kept as bytes, a Form-45 is signed, logged and
// its receipt verified through the fallback (and the signature by Go's
// crypto/ed25519), and it signs again offline, the library coming from the
// service worker's cache. When the browser gains Ed25519 the key moves into a
// non-extractable WebCrypto key, the same key, and the seed is dropped.
func TestAppEd25519Fallback(t *testing.T) {
	ctx, ts := appOnPollingEvening(t, 18)
	hidden := hideEd25519(t, ctx)

	const po = "po.fallback.NA-57.PS-1"
	openApp(t, ctx, ts, "#enrol")
	waitFor(t, ctx, "the election loads", `document.querySelector("#enrol-scope").options.length > 0`)
	setField(t, ctx, "#enrol-role", "presiding")
	setField(t, ctx, "#enrol-scope", "NA-57/PS-1")
	setField(t, ctx, "#enrol-name", po)
	run(t, ctx, "make a key", chromedp.Click(chromedp.CSS("#enrol-make")))
	waitFor(t, ctx, "the new key", `document.querySelector("#enrol-vkey").innerText.startsWith("`+po+`+")`)
	vkey := textOf(t, ctx, "#enrol-vkey")
	if w := textOf(t, ctx, "#enrol-software"); !strings.Contains(w, "kept in this device's storage as bytes") {
		t.Errorf("the officer is not told the key is kept as bytes: %q", w)
	}
	stored := evalJSON[map[string]any](t, ctx, "stored identity", nil, `const id = await (await import("/app/js/db.js")).get("identity");
		return {seed: id.seed ? id.seed.length : 0, software: !!id.software, privateKey: !!id.privateKey, backend: await (await import("/app/js/note.js")).backend()};`)
	if stored["seed"] != float64(32) || stored["software"] != true || stored["privateKey"] != false || stored["backend"] != "noble" {
		t.Fatalf("the fallback identity is stored as %v, want a 32-byte seed marked software, signed with noble", stored)
	}
	screenshot(t, ctx, "app-enrol-fallback")
	axe(t, ctx, "enrolment (fallback)")
	ts.submit(t, "ecp", &record.Keys{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-1", Key: vkey}}})

	// A Form-45 signed and logged through the fallback.
	openApp(t, ctx, ts, "#form45")
	waitFor(t, ctx, "the form", `document.querySelector("#f-votes-3") !== null`)
	for _, f := range [][2]string{{"#f-votes-1", "300"}, {"#f-votes-2", "200"}, {"#f-votes-3", "50"}, {"#f-rejected", "10"}, {"#f-cast", "560"}} {
		typeInto(t, ctx, f[0], f[1])
	}
	photo, _ := formPhoto(t)
	run(t, ctx, "take the photo", chromedp.SendKeys(chromedp.CSS("#count-photo"), photo))
	waitFor(t, ctx, "no errors left", `!document.querySelector("#count-photo-preview").hidden && document.querySelector("#count-errors").children.length === 0`)
	toReview(t, ctx, "#count-review")
	run(t, ctx, "sign", chromedp.Click(chromedp.CSS("#review-sign")))
	rcText, index := waitLogged(t, ctx, ts, "Form-45 NA-57/PS-1 NA-57")
	if s, ok := checkReceipt(t, ts, rcText, vkey, index).Record.(*record.Sheet); !ok || s.Votes[0].Votes != 300 {
		t.Errorf("the logged sheet is %+v", s)
	}

	// Offline, the fallback library comes from the service worker's cache:
	// the app starts and signs with the network cut.
	setOffline(t, ctx, true)
	run(t, ctx, "reload offline", chromedp.Reload())
	waitFor(t, ctx, "the app starts offline", `document.documentElement.dataset.ready === "1" && document.querySelector("#net").innerText.startsWith("Offline")`)
	off := evalJSON[map[string]string](t, ctx, "sign offline", nil, `const note = await import("/app/js/note.js");
		const id = await (await import("/app/js/db.js")).get("identity");
		const signed = await note.signNote("signed offline\n", id);
		return {backend: await note.backend(), sig: signed.slice(signed.lastIndexOf(" ") + 1, -1)};`)
	setOffline(t, ctx, false)
	if off["backend"] != "noble" || !verifiesAs(t, vkey, "signed offline\n", off["sig"]) {
		t.Errorf("offline, the fallback signed %v, which does not verify with the enrolled key", off)
	}

	// The browser gains Ed25519: at the next start the key is locked in
	// WebCrypto, and it is the same key.
	run(t, ctx, "show Ed25519 again", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: hidden})
		return err
	}))
	openApp(t, ctx, ts, "")
	got := evalJSON[map[string]any](t, ctx, "hardened identity", nil, `const note = await import("/app/js/note.js");
		const id = await (await import("/app/js/db.js")).get("identity");
		const body = "tallylog key check after the update\n";
		const signed = await note.signNote(body, id);
		return {seed: "seed" in id, software: !!id.software, extractable: id.privateKey ? id.privateKey.extractable : null, vkey: id.vkey,
			backend: await note.backend(), sig: signed.slice(signed.lastIndexOf(" ") + 1, -1), card: document.querySelector("#identity-card").innerText};`)
	if got["seed"] != false || got["software"] != false || got["extractable"] != false || got["vkey"] != vkey || got["backend"] != "webcrypto" {
		t.Fatalf("after the browser gained Ed25519 the identity is %v, want the same key, non-extractable, without its seed", got)
	}
	if strings.Contains(got["card"].(string), "as bytes") {
		t.Errorf("the home screen still warns of a key kept as bytes: %q", got["card"])
	}
	if !verifiesAs(t, vkey, "tallylog key check after the update\n", got["sig"].(string)) {
		t.Error("a signature by the hardened key does not verify with the enrolled public key")
	}
}

// verifiesAs reports whether sig (a note signature's base64: key hash and
// Ed25519 signature) is vkey's signature of msg, by Go's crypto/ed25519.
func verifiesAs(t *testing.T, vkey, msg, sig string) bool {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != 68 {
		t.Fatalf("signature %q is not a key hash and an Ed25519 signature", sig)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := base64.StdEncoding.DecodeString(strings.SplitN(vkey, "+", 3)[2])
	return v.Verify([]byte(msg), raw[4:]) && ed25519.Verify(pub[1:], []byte(msg), raw[4:])
}
