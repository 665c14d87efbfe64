package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/tallylog/tallylog/internal/edgesig"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
	f_note "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"rsc.io/qr/coding"
)

// The web app's own tests (package app holds the files; docs/app.md says
// what it does). They run the app's modules in Debian's chromium against a
// real server, and compare them with the Go implementation on the same
// inputs: the known-answer vectors of record/testdata/vectors (read here,
// never copied into the app), receipts made by this server, and QR symbols
// made by rsc.io/qr/coding.

// openApp opens the app at /app/ (with hash as its screen) and waits until
// it has started. Every call loads the page afresh, as a reopened app
// does: a query that changes each time makes it a new document (the
// service worker answers it offline), where a change of hash alone would
// leave the last screen's contents in place until the new one has loaded.
func openApp(t *testing.T, ctx context.Context, ts *testSite, hash string) {
	t.Helper()
	appOpens++
	run(t, ctx, "open the app", chromedp.Steps(chromedp.Navigate(fmt.Sprintf("%s/app/?open=%d%s", ts.HTTP.URL, appOpens, hash)),
		chromedp.WaitReady(chromedp.CSS(`html[data-ready="1"]`))))
}

// appOpens numbers openApp's loads (the browser tests run one at a time).
var appOpens int

// evalJSON runs an async JavaScript function body in the page with data
// (marshalled to JSON) as d, and decodes what it returns into T.
func evalJSON[T any](t *testing.T, ctx context.Context, what string, data any, body string) T {
	t.Helper()
	js, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return run(t, ctx, what, chromedp.Evaluate[T](fmt.Sprintf("(async (d) => {\n%s\n})(%s)", body, js), chromedp.EvalAwaitPromise))
}

// receiptCase is one receipt for the app to judge, with Go's verdict.
type receiptCase struct {
	Name      string   `json:"name"`
	Text      string   `json:"text"`
	LogKey    string   `json:"log_key"`
	Witnesses []string `json:"witnesses"`
	GoOK      bool     `json:"go_ok"`
	GoIndex   uint64   `json:"go_index"`
}

// receiptCases makes receipts with this server (some cosigned by a
// witness) and damaged copies of them, each with receipt.Verify's verdict.
func receiptCases(t *testing.T, ts *testSite, indexes ...uint64) []receiptCase {
	t.Helper()
	wskey, wvkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 32)), "witness.example")
	if err != nil {
		t.Fatal(err)
	}
	wsigner, err := f_note.NewSignerForCosignatureV1(wskey)
	if err != nil {
		t.Fatal(err)
	}
	wcosign := must(f_note.VKeyToCosignatureV1(wvkey))
	wver, err := f_note.NewVerifierForCosignatureV1(wcosign)
	if err != nil {
		t.Fatal(err)
	}
	_, otherLog := testelection.Key(ts.Srv.Meta.Origin) // the right name, another key
	logKey := ts.Srv.Meta.LogKey
	var cases []receiptCase
	add := func(name string, text []byte, lk string, withWitness bool) {
		lv, err := note.NewVerifier(lk)
		if err != nil {
			t.Fatal(err)
		}
		c := receiptCase{Name: name, Text: string(text), LogKey: lk, Witnesses: []string{}}
		var ws []note.Verifier
		if withWitness {
			c.Witnesses = []string{wcosign}
			ws = append(ws, wver)
		}
		if rc, err := receipt.Parse(text); err == nil {
			if v, err := rc.Verify(lv, ws...); err == nil {
				c.GoOK, c.GoIndex = true, v.Index
			}
		}
		cases = append(cases, c)
	}
	for _, i := range indexes {
		_, body := ts.get(t, fmt.Sprintf("/api/v1/proofs/%d", i))
		rc, err := receipt.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		n, err := note.Open(rc.Checkpoint, note.VerifierList(ts.Srv.LogVerifier))
		if err != nil {
			t.Fatal(err)
		}
		cosigned, err := note.Sign(n, wsigner)
		if err != nil {
			t.Fatal(err)
		}
		wrc := *rc
		wrc.Checkpoint = cosigned
		name := fmt.Sprintf("entry %d", i)
		add(name, rc.Marshal(), logKey, false)
		add(name+" cosigned", wrc.Marshal(), logKey, true)
		add(name+" another log key", rc.Marshal(), otherLog, false)
		// Damaged copies: each must be refused by both.
		e := *rc
		e.Entry = bytes.Replace(rc.Entry, []byte("votes 1 "), []byte("votes 1 9"), 1)
		add(name+" entry altered", e.Marshal(), logKey, false)
		e = *rc
		e.Index++
		add(name+" index moved", e.Marshal(), logKey, false)
		if len(rc.Proof) > 0 {
			e = *rc
			e.Proof = append([][]byte{}, rc.Proof...)
			h := append([]byte{}, e.Proof[0]...)
			h[0] ^= 1
			e.Proof[0] = h
			add(name+" proof hash flipped", e.Marshal(), logKey, false)
			e.Proof = rc.Proof[1:]
			add(name+" proof hash dropped", e.Marshal(), logKey, false)
		}
		lines := strings.SplitN(string(rc.Checkpoint), "\n", 4)
		root, _ := base64.StdEncoding.DecodeString(lines[2])
		root[31] ^= 1
		e = *rc
		e.Checkpoint = []byte(lines[0] + "\n" + lines[1] + "\n" + base64.StdEncoding.EncodeToString(root) + "\n" + lines[3])
		add(name+" root altered", e.Marshal(), logKey, false)
		e = *rc
		e.Checkpoint = cosignatureFlipped(t, cosigned)
		add(name+" cosignature altered", e.Marshal(), logKey, true)
	}
	return cases
}

// cosignatureFlipped flips one bit of the witness's signature in a
// cosigned checkpoint.
func cosignatureFlipped(t *testing.T, cp []byte) []byte {
	t.Helper()
	i := bytes.Index(cp, []byte("\n— witness.example "))
	if i < 0 {
		t.Fatal("no witness line in the cosigned checkpoint")
	}
	start := i + len("\n— witness.example ")
	end := start + bytes.IndexByte(cp[start:], '\n')
	raw, err := base64.StdEncoding.DecodeString(string(cp[start:end]))
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 1
	return append(append(append([]byte{}, cp[:start]...), base64.StdEncoding.EncodeToString(raw)...), cp[end:]...)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// vector is a known-answer vector: a record as JSON and its signed note.
type vector struct {
	Name string          `json:"name"`
	JSON json.RawMessage `json:"json"`
	Note string          `json:"note"`
}

// hideEd25519 makes the tab's WebCrypto refuse Ed25519 as a browser
// without it does (NotSupportedError), from the next page load on, so that
// the app's fallback library is what signs and verifies.
func hideEd25519(t *testing.T, ctx context.Context) page.ScriptIdentifier {
	t.Helper()
	const src = `(() => {
  const isEd = (a) => /^ed25519$/i.test(typeof a === "string" ? a : (a && a.name) || "");
  const p = SubtleCrypto.prototype;
  for (const [m, i] of [["generateKey", 0], ["importKey", 2], ["sign", 0], ["verify", 0], ["exportKey", -1]]) {
    const f = p[m];
    p[m] = function (...a) {
      const alg = i < 0 ? a[1] && a[1].algorithm : a[i];
      return isEd(alg) ? Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError")) : f.apply(this, a);
    };
  }
})();`
	return run(t, ctx, "hide Ed25519", chromedp.Action[page.ScriptIdentifier](func(ctx context.Context, tg *chromedp.Target) (page.ScriptIdentifier, error) {
		r, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return r.Identifier, err
	}))
}

// TestAppVectors runs the known-answer vectors in the browser: the app's
// encoder and signer turn every record/testdata/vectors/*.json into the
// .note beside it, byte for byte, with the key in KEY imported as a
// commission-issued key file; and the app's receipt verifier agrees with
// receipt.Verify on receipts made by a real server, cosigned by a
// witness, and damaged in every part. It runs with the browser's WebCrypto
// and again with its Ed25519 hidden, through the vendored fallback.
func TestAppVectors(t *testing.T) {
	chromium(t)
	ts := newTestSite(t)
	sc := ts.electionNight(t)

	dir := filepath.Join("..", "..", "record", "testdata", "vectors")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) < 6 {
		t.Fatalf("found %d vectors in %s", len(files), dir)
	}
	var vectors []vector
	for _, f := range files {
		js, _ := os.ReadFile(f)
		nt, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".note")
		if err != nil {
			t.Fatal(err)
		}
		vectors = append(vectors, vector{filepath.Base(f), js, string(nt)})
	}
	// The log's origin, for the `log` line records are gaining: a
	// vector's own "log" field, else the election vector's origin.
	origin := ""
	for _, v := range vectors {
		var head struct{ Type, Origin string }
		if json.Unmarshal(v.JSON, &head) == nil && head.Type == "election" {
			origin = head.Origin
		}
	}
	key, err := os.ReadFile(filepath.Join(dir, "KEY"))
	if err != nil {
		t.Fatal(err)
	}

	cases := receiptCases(t, ts, sc.SheetIndex["NA-57/PS-1"], sc.Correction, sc.Tampered)
	// Twice: with the browser's WebCrypto, and with its Ed25519 hidden so
	// that the vendored fallback library signs and verifies.
	for _, variant := range []struct {
		name    string
		hide    bool
		backend string
	}{{"webcrypto", false, "webcrypto"}, {"fallback", true, "noble"}} {
		t.Run(variant.name, func(t *testing.T) {
			ctx := browser(t)
			if variant.hide {
				hideEd25519(t, ctx)
			}
			openApp(t, ctx, ts, "")
			if b := evalJSON[string](t, ctx, "backend", nil, `return (await import("/app/js/note.js")).backend();`); b != variant.backend {
				t.Fatalf("the app signs with %q, want %q", b, variant.backend)
			}
			appKnownAnswers(t, ctx, vectors, string(key), origin, cases)
		})
	}
}

// appKnownAnswers runs the vectors, verifier keys and receipt cases in the
// app open in ctx and compares them with Go's answers.
func appKnownAnswers(t *testing.T, ctx context.Context, vectors []vector, key, origin string, cases []receiptCase) {
	t.Helper()
	got := evalJSON[[]map[string]string](t, ctx, "vectors", map[string]any{"vectors": vectors, "key": key, "origin": origin}, `
		const rec = await import("/app/js/record.js");
		const note = await import("/app/js/note.js");
		const id = await note.importKeyFile(d.key);
		const out = [];
		for (const v of d.vectors) {
			const body = rec.encode(v.json, v.json.log || d.origin);
			out.push({name: v.name, body, note: await note.signNote(body, id), vkey: id.vkey});
		}
		return out;`)
	wantVKey := strings.Split(key, "\n")[1]
	for i, v := range vectors {
		g := got[i]
		body := v.Note[:strings.LastIndex(v.Note, "\n\n")+1]
		if g["body"] != body {
			t.Errorf("%s: the app encodes\n%s\nwant (record.Encode, the .note's body)\n%s\nIf the vectors now carry a `log` line, set LOG_LINE in app/static/js/record.js.", v.Name, g["body"], body)
		}
		if g["note"] != v.Note {
			t.Errorf("%s: the app signs\n%s\nwant\n%s", v.Name, g["note"], v.Note)
		}
		if g["vkey"] != wantVKey {
			t.Errorf("%s: the imported key's verifier key is %s, want %s", v.Name, g["vkey"], wantVKey)
		}
	}

	// Verifier keys as Go writes them, some with "+" in their base64, read
	// and written back by the app.
	var vkeys []string
	plus := 0
	for i := 0; i < 24; i++ {
		_, vk := testelection.Key(fmt.Sprintf("k%d.NA-57", i))
		vkeys = append(vkeys, vk)
		if strings.Count(vk, "+") > 2 {
			plus++
		}
	}
	if plus == 0 {
		t.Fatal("no test key has a '+' in its base64; pick other names")
	}
	back := evalJSON[[]string](t, ctx, "verifier keys", vkeys, `
		const note = await import("/app/js/note.js");
		const out = [];
		for (const v of d) { const k = await note.parseVerifierKey(v); out.push(await note.verifierKey(k.name, k.pub)); }
		return out;`)
	if strings.Join(back, "\n") != strings.Join(vkeys, "\n") {
		t.Errorf("the app reads and writes verifier keys as\n%s\nwant\n%s", strings.Join(back, "\n"), strings.Join(vkeys, "\n"))
	}

	verdicts := evalJSON[[]map[string]any](t, ctx, "receipts", cases, `
		const r = await import("/app/js/receipt.js");
		const out = [];
		for (const c of d) {
			try { const v = await r.verify(c.text, c.log_key, c.witnesses); out.push({ok: true, index: v.index, cosigners: v.cosigners.length}); }
			catch (e) { out.push({ok: false, error: e.message}); }
		}
		return out;`)
	oks := 0
	for i, c := range cases {
		v := verdicts[i]
		if v["ok"] != c.GoOK {
			t.Errorf("%s: the app says ok=%v (%v), receipt.Verify says ok=%v", c.Name, v["ok"], v["error"], c.GoOK)
			continue
		}
		if c.GoOK {
			oks++
			if v["index"] != float64(c.GoIndex) {
				t.Errorf("%s: the app reads index %v, want %d", c.Name, v["index"], c.GoIndex)
			}
			if want := float64(len(c.Witnesses)); v["cosigners"] != want {
				t.Errorf("%s: the app counts %v cosigners, want %v", c.Name, v["cosigners"], want)
			}
		}
	}
	if oks != 6 || len(cases) < 24 {
		t.Errorf("%d receipts verified of %d cases, want 6 (three entries, each plain and cosigned)", oks, len(cases))
	}
	appEdgeSignatures(t, ctx)
}

// appEdgeSignatures requires the app's Ed25519 verification, in whichever
// backend ctx's browser uses, to give Go's verdict on every edge case.
func appEdgeSignatures(t *testing.T, ctx context.Context) {
	t.Helper()
	cases := edgesig.Cases()
	got := evalJSON[[]bool](t, ctx, "edge signatures", cases, `
		const note = await import("/app/js/note.js");
		const b = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
		const out = [];
		for (const c of d) out.push(await note.verifyEd25519(b(c.pub), b(c.sig), b(c.msg)));
		return out;`)
	goOK := 0
	for i, c := range cases {
		if c.GoOK {
			goOK++
		}
		if got[i] != c.GoOK {
			t.Errorf("%s: the app says %v, Go's crypto/ed25519 says %v", c.Name, got[i], c.GoOK)
		}
	}
	if goOK < 10 || goOK > len(cases)-10 {
		t.Errorf("Go accepts %d of %d edge cases: they do not test both ways", goOK, len(cases))
	}
}

// TestAppQR checks the app's QR encoder module for module against
// rsc.io/qr/coding, for every mask and version the app uses.
func TestAppQR(t *testing.T) {
	ctx := browser(t)
	ts := newTestSite(t)
	openApp(t, ctx, ts, "")
	type qcase struct {
		Text    string `json:"text"`
		Version int    `json:"version"`
		Mask    int    `json:"mask"`
	}
	texts := []string{"A", ts.Srv.Meta.LogKey, "po.NA-57.PS-112+eb31a5ee+AUTIzg2aCegeul5xlgZdIjt7WE48Nr1eHMuWPuUl8XjC",
		strings.Repeat("observer.long-name.", 8) + "+01234567+AUTIzg2aCegeul5xlgZdIjt7WE48Nr1eHMuWPuUl8XjC"}
	var cases []qcase
	for _, text := range texts {
		for v := 1; v <= 10; v++ {
			if len(text) > coding.Version(v).DataBytes(coding.M)-2-v/10 {
				continue
			}
			for m := 0; m < 8; m++ {
				cases = append(cases, qcase{text, v, m})
			}
		}
	}
	got := evalJSON[[][]string](t, ctx, "qr", cases, `
		const qr = await import("/app/js/qr.js");
		return d.map((c) => qr.matrix(new TextEncoder().encode(c.text), c.version, c.mask).dark.map((row) => row.map((b) => b ? "#" : ".").join("")));`)
	versions := map[int]bool{}
	for i, c := range cases {
		p, err := coding.NewPlan(coding.Version(c.Version), coding.M, coding.Mask(c.Mask))
		if err != nil {
			t.Fatal(err)
		}
		code, err := p.Encode(coding.String(c.Text))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for y := 0; y < code.Size; y++ {
			var b strings.Builder
			for x := 0; x < code.Size; x++ {
				if code.Black(x, y) {
					b.WriteByte('#')
				} else {
					b.WriteByte('.')
				}
			}
			want = append(want, b.String())
		}
		if strings.Join(got[i], "\n") != strings.Join(want, "\n") {
			t.Errorf("version %d mask %d, %d bytes: the app's symbol differs from rsc.io/qr's:\n%s\nwant\n%s", c.Version, c.Mask, len(c.Text), strings.Join(got[i], "\n"), strings.Join(want, "\n"))
			break
		}
		versions[c.Version] = true
	}
	if len(versions) < 10 {
		t.Errorf("compared versions %v, want 1 to 10", versions)
	}
	// The chosen symbol of a verifier key is a version that holds it.
	v := evalJSON[int](t, ctx, "qr version", texts[2], `const qr = await import("/app/js/qr.js"); return qr.encode(d).version;`)
	if v < 5 || v > 6 {
		t.Errorf("a %d-byte key is drawn at version %d, want 5 or 6", len(texts[2]), v)
	}
}

// imageSHA256 is the hex SHA-256 of b.
func imageSHA256(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestDefinitionAPI checks GET /api/v1/definition: the bytes the
// definition records carry, hashing to the election record's
// definition-sha256 (the app checks exactly this).
func TestDefinitionAPI(t *testing.T) {
	ts := newTestSite(t)
	resp, body := ts.get(t, "/api/v1/definition")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/definition: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	env, err := record.Open(ts.E.Genesis[0])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := imageSHA256([]byte(body)), env.Record.(*record.Election).DefinitionSHA256; got != want {
		t.Errorf("the definition served hashes to %s, the election record says %s", got, want)
	}
	if body != string(ts.E.Def.Canonical()) {
		t.Error("the definition served is not the canonical JSON")
	}
}
