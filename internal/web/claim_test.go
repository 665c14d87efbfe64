package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/evidence"
	"github.com/tallylog/tallylog/internal/testelection"
)

// claimSite is a test site with NA-57/PS-1's sheet (300, 500, 12) logged,
// naming a scan that is stored, served by the server's whole handler (the
// claim page is one of the site's pages).
type claimSite struct {
	*testSite
	mux  http.Handler
	scan []byte
}

func newClaimSite(t testing.TB) *claimSite {
	ts := newTestSite(t)
	scan := append([]byte("\x89PNG\r\n\x1a\n"), []byte("the presiding officer's scan of NA-57/PS-1")...)
	sum := sha256.Sum256(scan)
	sh := ts.E.Sheet("NA-57", "NA-57/PS-1", 300, 500, 12)
	sh.Image = hex.EncodeToString(sum[:])
	ts.submit(t, testelection.StationKey("NA-57/PS-1"), sh)
	if err := os.WriteFile(filepath.Join(ts.Srv.Dir.ImagesDir(), sh.Image), scan, 0o644); err != nil {
		t.Fatal(err)
	}
	return &claimSite{testSite: ts, mux: ts.Srv.Handler(), scan: scan}
}

func (cs *claimSite) do(t testing.TB, req *http.Request) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	cs.mux.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func (cs *claimSite) postJSON(t *testing.T, claim string) (int, *ClaimAnswer, string) {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/claims", strings.NewReader(claim))
	req.Header.Set("Content-Type", "application/json")
	code, body := cs.do(t, req)
	var ans ClaimAnswer
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &ans); err != nil {
			t.Fatalf("answer %s: %v", body, err)
		}
	}
	return code, &ans, string(body)
}

func (cs *claimSite) postImage(t *testing.T, path string, fields map[string]string, image []byte) (int, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("image", "photo")
	fw.Write(image)
	mw.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return cs.do(t, req)
}

func TestClaimNumbers(t *testing.T) {
	cs := newClaimSite(t)
	code, ans, body := cs.postJSON(t, `{"station":"NA-57/PS-1","contest":"NA-57","votes":{"1":300,"2":500,"3":12}}`)
	if code != 200 || ans.Verdict != "same numbers" || ans.Sheet == nil || ans.Sheet.Signer != "po.NA-57.PS-1" {
		t.Fatalf("matching numbers: %d %s", code, body)
	}
	code, ans, body = cs.postJSON(t, `{"station":"NA-57/PS-1","contest":"NA-57","votes":{"1":300,"2":450,"3":12}}`)
	if code != 200 || ans.Verdict != "different" || len(ans.Differences) != 1 || ans.Differences[0].Candidate != "2" || ans.Differences[0].Delta != -50 {
		t.Fatalf("different numbers: %d %s", code, body)
	}
	if code, _, body = cs.postJSON(t, `{"station":"NA-57/PS-999","contest":"NA-57","votes":{"1":1}}`); code != 404 || !strings.Contains(body, "no polling station") {
		t.Errorf("unknown station: %d %s", code, body)
	}
	if code, _, body = cs.postJSON(t, `{"station":"NA-57/PS-1","votes":{"1":1}}`); code != 400 || !strings.Contains(body, "choose the contest") {
		t.Errorf("station of two contests, none chosen: %d %s", code, body)
	}
	if code, ans, body = cs.postJSON(t, `{"station":"NA-57/PS-2","contest":"NA-57","votes":{"1":1}}`); code != 200 || ans.Verdict != "no sheet logged" {
		t.Errorf("station without a sheet: %d %s", code, body)
	}
}

func TestClaimImage(t *testing.T) {
	cs := newClaimSite(t)
	fields := map[string]string{"station": "NA-57/PS-1", "contest": "NA-57"}
	code, body := cs.postImage(t, "/api/v1/claims", fields, cs.scan)
	if code != 200 || !strings.Contains(string(body), `"verdict":"same image"`) {
		t.Fatalf("matching image: %d %s", code, body)
	}
	before, _ := os.ReadDir(cs.Srv.Dir.ImagesDir())
	size := cs.Srv.Tally.Size()
	other := append([]byte("\x89PNG\r\n\x1a\n"), []byte("someone else's photo")...)
	// A photograph that is not the logged file is not called fake: a
	// re-compressed copy of the genuine scan never is the same file.
	code, body = cs.postImage(t, "/api/v1/claims", fields, other)
	if code != 200 || !strings.Contains(string(body), `"verdict":"cannot compare"`) || !strings.Contains(string(body), "was not stored") ||
		!strings.Contains(string(body), `"scan":"/images/`) {
		t.Fatalf("other image: %d %s", code, body)
	}
	// With the numbers read off it, the photograph is judged by them.
	code, body = cs.postImage(t, "/api/v1/claims", map[string]string{"station": "na-57/ps-1", "contest": "NA-57",
		"votes.1": "300", "votes.2": "500", "votes.3": "12"}, other)
	if code != 200 || !strings.Contains(string(body), `"verdict":"same numbers"`) || !strings.Contains(string(body), "compare it with the logged scan by eye") {
		t.Fatalf("other image with the logged numbers, station in lower case: %d %s", code, body)
	}
	after, _ := os.ReadDir(cs.Srv.Dir.ImagesDir())
	if len(after) != len(before) || cs.Srv.Tally.Size() != size {
		t.Error("an unmatched upload was stored or changed the log")
	}
	if code, body = cs.postImage(t, "/api/v1/claims", fields, []byte("#!/bin/sh\necho not a photo\n")); code != 415 || !strings.Contains(string(body), "not a photograph") {
		t.Errorf("non-image upload: %d %s", code, body)
	}
	if code, body = cs.postImage(t, "/api/v1/claims", fields, make([]byte, MaxImage+100<<10)); code != 413 || !strings.Contains(string(body), "larger than 10 MiB") {
		t.Errorf("oversized upload: %d %s", code, body)
	}
	// The page answers the same claim in words.
	code, body = cs.postImage(t, "/claim", map[string]string{"station": "NA-57/PS-1", "contest": "NA-57", "votes.2": "450"}, cs.scan)
	if code != 200 || !bytes.Contains(body, []byte(`id="verdict">same image`)) || !bytes.Contains(body, []byte("/api/v1/evidence/NA-57")) ||
		!bytes.Contains(body, []byte("<td>Candidate Two (2)</td><td class=\"n\">450</td><td class=\"n\">500</td>")) {
		t.Errorf("claim page: %d %s", code, body)
	}
	code, body = cs.do(t, httptest.NewRequest("GET", "/claim?station=NA-57/PS-1&contest=NA-57", nil))
	if code != 200 || !bytes.Contains(body, []byte(`name="votes.2"`)) {
		t.Errorf("claim form: %d %s", code, body)
	}
}

// TestClaimPageInUrdu: an observer checks, on the Urdu site and with the
// station typed in lower case, what they saw: the page takes the station
// as the API does (no "no such station" beside the answer), and says the
// answer, how to make a photograph evidence and the sheet's versions in
// Urdu.
func TestClaimPageInUrdu(t *testing.T) {
	cs := newClaimSite(t)
	other := append([]byte("\x89PNG\r\n\x1a\n"), []byte("someone else's photo")...)
	index := cs.contestAPI(t, "NA-57").Stations[0].Index
	for _, tc := range []struct {
		fields map[string]string
		image  []byte
		want   []string
	}{
		{map[string]string{"station": "na-57/ps-1", "contest": "NA-57", "votes.1": "300", "votes.2": "450", "votes.3": "12"}, nil,
			[]string{fmt.Sprintf(urdu["This differs from the logged sheet of %s (revision %d, logged at index %d, signed by %s)."], "NA-57/PS-1", 1, index, "po.NA-57.PS-1"),
				urdu["Logged versions of this sheet"], urdu["counted"], `value="NA-57/PS-1"`}},
		{map[string]string{"station": "NA-57/PS-1", "contest": "NA-57"}, other,
			[]string{fmt.Sprintf(urdu["The photograph is not the file logged for %s, but a genuine photo re-compressed by a messaging app never is, so this cannot tell whether it shows the same sheet. Look at the logged scan beside yours and enter the numbers you see for each candidate."], "NA-57/PS-1"),
				"تصویر محفوظ نہیں کی گئی۔"}},
	} {
		var code int
		var body []byte
		if tc.image != nil {
			code, body = cs.postImage(t, "/ur/claim", tc.fields, tc.image)
		} else {
			form := url.Values{}
			for k, v := range tc.fields {
				form.Set(k, v)
			}
			req := httptest.NewRequest("POST", "/ur/claim", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			code, body = cs.do(t, req)
		}
		page := string(body)
		if code != 200 || strings.Contains(page, "no polling station") {
			t.Errorf("the Urdu claim page for %v: %d, or it says the station does not exist", tc.fields, code)
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("the Urdu claim page for %v lacks %q", tc.fields, w)
			}
		}
		for _, english := range []string{"This differs", "The photograph", "Logged versions", ">counted<"} {
			if strings.Contains(page, english) {
				t.Errorf("the Urdu claim page for %v says %q in English", tc.fields, english)
			}
		}
	}
}

func TestEvidenceDownload(t *testing.T) {
	cs := newClaimSite(t)
	code, body := cs.do(t, httptest.NewRequest("GET", "/api/v1/evidence/NA-57", nil))
	if code != 200 {
		t.Fatalf("GET /api/v1/evidence/NA-57: %d %s", code, body)
	}
	got, err := evidence.Verify(body, cs.Srv.LogVerifier, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(got.Proven, "\n"), "1 scans are") || len(got.NotProven) != 1 {
		t.Errorf("the pack's scan: proven %q, not proven %q", got.Proven, got.NotProven)
	}
	if code, _ := cs.do(t, httptest.NewRequest("GET", "/api/v1/evidence/NA-999", nil)); code != 404 {
		t.Errorf("unknown contest: %d", code)
	}
	// The pack is built once per checkpoint, on disk, and served from there.
	packs, _ := filepath.Glob(filepath.Join(cs.Srv.Dir.Root, "packs", "*"))
	if len(packs) != 1 {
		t.Fatalf("packs on disk: %q, want one", packs)
	}
	info, _ := os.Stat(packs[0])
	if _, again := cs.do(t, httptest.NewRequest("GET", "/api/v1/evidence/NA-57", nil)); !bytes.Equal(again, body) {
		t.Error("a second download differs from the first")
	}
	if info2, _ := os.Stat(packs[0]); !info2.ModTime().Equal(info.ModTime()) {
		t.Error("the pack was built again for the same checkpoint")
	}
	// A pack over the cap is refused, naming the flag.
	os.Remove(packs[0])
	cs.Srv.limits.cfg.PackBytes = 1000
	if code, msg := cs.do(t, httptest.NewRequest("GET", "/api/v1/evidence/NA-57", nil)); code != 507 || !strings.Contains(string(msg), "--max-pack-bytes") {
		t.Errorf("pack over the cap: %d %s", code, msg)
	}
	if left, _ := filepath.Glob(filepath.Join(cs.Srv.Dir.Root, "packs", "*")); len(left) != 0 {
		t.Errorf("a refused pack left %q", left)
	}
}

// TestClaimBodyBounds: a claim without a photograph is a station, a
// contest and a count per candidate, so its body is held to the 64 KiB of
// the form's fields whatever the encoding: a JSON claim of many distinct
// vote keys, a urlencoded one, or a multipart form of many empty parts
// (each of which costs a header, not field bytes) is refused with 413,
// not decoded into a map of a million keys (a 10 MiB JSON claim cost 58
// MiB of live heap and 2 s of CPU before).
func TestClaimBodyBounds(t *testing.T) {
	cs := newClaimSite(t)
	var js strings.Builder
	js.WriteString(`{"station":"NA-57/PS-1","contest":"NA-57","votes":{`)
	for i := 0; js.Len() < 200<<10; i++ {
		if i > 0 {
			js.WriteByte(',')
		}
		fmt.Fprintf(&js, `"%x":1`, i)
	}
	js.WriteString(`}}`)
	var form strings.Builder
	form.WriteString("station=NA-57%2FPS-1&contest=NA-57")
	for i := 0; form.Len() < 200<<10; i++ {
		fmt.Fprintf(&form, "&votes.%x=1", i)
	}
	var parts bytes.Buffer
	mw := multipart.NewWriter(&parts)
	mw.WriteField("station", "NA-57/PS-1")
	for i := range 5000 {
		mw.WriteField(fmt.Sprintf("x%d", i), "")
	}
	mw.Close()
	for _, tc := range []struct {
		name, ctype, body, want string
	}{
		{"JSON of many vote keys", "application/json", js.String(), "a claim without a photograph is at most 64 KiB"},
		{"urlencoded form of many votes", "application/x-www-form-urlencoded", form.String(), "a claim without a photograph is at most 64 KiB"},
		{"multipart form of many empty parts", mw.FormDataContentType(), parts.String(), "at most 200 fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/claims", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ctype)
			code, body := cs.do(t, req)
			if code != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), tc.want) {
				t.Fatalf("%d %s, want 413 naming %q", code, body, tc.want)
			}
		})
	}
	// A claim within the bounds is answered as before.
	if code, ans, body := cs.postJSON(t, `{"station":"NA-57/PS-1","contest":"NA-57","votes":{"1":300,"2":500,"3":12}}`); code != 200 || ans.Verdict != "same numbers" {
		t.Fatalf("a small claim: %d %s", code, body)
	}
}

// FuzzClaimBody posts arbitrary bodies to the claim API as JSON and as a
// urlencoded form: the answer is a claim answer (200) or the one error
// shape, a body within 64 KiB is never refused as too large, and nothing
// is logged.
func FuzzClaimBody(f *testing.F) {
	cs := newClaimSite(f)
	f.Add([]byte(`{"station":"NA-57/PS-1","contest":"NA-57","votes":{"1":300,"2":500,"3":12}}`), true)
	f.Add([]byte(`station=NA-57%2FPS-1&contest=NA-57&votes.1=300`), false)
	f.Add([]byte(`{"votes":{"1":1e400}}`), true)
	f.Add([]byte(`{"station":[[[[[[[[[[1]]]]]]]]]]}`), true)
	before, _ := cs.Srv.Log.IntegratedSize(context.Background())
	f.Fuzz(func(t *testing.T, body []byte, asJSON bool) {
		req := httptest.NewRequest("POST", "/api/v1/claims", bytes.NewReader(body))
		req.Header.Set("Content-Type", map[bool]string{true: "application/json", false: "application/x-www-form-urlencoded"}[asJSON])
		code, answer := cs.do(t, req)
		if code == http.StatusOK {
			var ans ClaimAnswer
			if err := json.Unmarshal(answer, &ans); err != nil || ans.Verdict == "" {
				t.Fatalf("200 with %q", answer)
			}
		} else {
			var eb errorBody
			if err := json.Unmarshal(answer, &eb); err != nil || eb.Code == "" || eb.Error == "" {
				t.Fatalf("status %d with %q: not the error shape", code, answer)
			}
			if code == http.StatusRequestEntityTooLarge && len(body) <= maxClaimFields {
				t.Fatalf("a body of %d bytes refused as too large", len(body))
			}
		}
		if after, _ := cs.Srv.Log.IntegratedSize(context.Background()); after != before {
			t.Fatalf("a claim grew the log from %d to %d", before, after)
		}
	})
}
