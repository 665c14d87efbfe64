package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/node"
	"github.com/tallylog/tallylog/record"
)

func imageOf(text string) ([]byte, string) {
	data := []byte(text)
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:])
}

// TestLimitRefusals sends requests that pass every record rule but break
// a limit, or reach a server that has stopped accepting, and checks that
// each is refused with its status and a message naming the rule (the
// serve flag that sets it), leaving the log and the tally as they were.
func TestLimitRefusals(t *testing.T) {
	ts := newTestSiteWith(t, Limits{Quotas: node.Quotas{AttestationsPerStation: 2, AttestationsPerKey: 3, ImagesPerStation: 1,
		ImageBytesPerKey: 64}, Uploads: 2, UploadsPerAddr: 1})
	e := ts.E
	copyAt := func(contest, station string) *record.Attestation {
		return &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: contest, Station: station, Kind: "copy",
			Registered: 1000, Cast: 520, Votes: []record.Count{{Candidate: "1", Votes: 230}, {Candidate: "2", Votes: 260}, {Candidate: "3", Votes: 30}}, Captured: "2024-02-08T18:45:00Z"}
	}
	imgA, hashA := imageOf("scan of the sheet of NA-57/PS-2")
	imgB, hashB := imageOf("an agent's photo of NA-57/PS-2")
	imgC, hashC := imageOf(strings.Repeat("a large scan of NA-57/PS-3 ", 4)) // over 64 bytes
	// NA-57/PS-1 reaches its attestations; the observer key its own.
	ts.submit(t, "observer", copyAt("NA-57", "NA-57/PS-1"))
	ts.submit(t, "agent.NA-57", copyAt("NA-57", "NA-57/PS-1"))
	ts.submit(t, "observer", copyAt("NA-58", "NA-58/PS-1"))
	ts.submit(t, "observer", copyAt("NA-58", "NA-58/PS-2"))
	// NA-57/PS-2's sheet names image A, an agent's copy image B; PS-3's
	// sheet names image C.
	s2 := e.Sheet("NA-57", "NA-57/PS-2", 240, 270, 40)
	s2.Image = hashA
	ts.submit(t, "po.NA-57.PS-2", s2)
	c2 := copyAt("NA-57", "NA-57/PS-2")
	c2.Image = hashB
	ts.submit(t, "agent.NA-57", c2)
	s3 := e.Sheet("NA-57", "NA-57/PS-3", 280, 210, 30)
	s3.Image = hashC
	ts.submit(t, "po.NA-57.PS-3", s3)
	put := func(hash string, data []byte) (int, string) {
		req, _ := http.NewRequest("PUT", ts.HTTP.URL+"/api/v1/images/"+hash, bytes.NewReader(data))
		resp, err := ts.HTTP.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := put(hashA, imgA); code != 204 {
		t.Fatalf("first image of NA-57/PS-2: %d %s", code, body)
	}

	third := copyAt("NA-57", "NA-57/PS-1")
	third.Captured = "2024-02-08T18:50:00Z"
	fresh := e.Sign(t, "po.NA-58.PS-1", e.Sheet("NA-58", "NA-58/PS-1", 400, 100, 20))
	var claim bytes.Buffer
	mw := multipart.NewWriter(&claim)
	mw.WriteField("station", "NA-57/PS-2")
	fw, _ := mw.CreateFormFile("image", "photo.png")
	fw.Write([]byte("\x89PNG\r\n\x1a\nnot really"))
	mw.Close()
	hold := func(addr string) func() {
		done, err := ts.Srv.limits.startUpload(addr)
		if err != nil {
			t.Fatalf("holding an upload slot for %s: %v", addr, err)
		}
		return done
	}
	probe := filepath.Join(ts.Srv.Dir.LogDir(), ".state", "tallylog-probe")

	cases := []struct {
		name   string
		method string
		path   string
		ctype  string
		body   []byte
		before func() (after func())
		status int
		field  string
		text   string
	}{
		{name: "third attestation of one station", method: "POST", path: "/api/v1/records", body: e.Sign(t, "agent.NA-57", third),
			status: 429, field: "quota", text: "--attestations-per-station"},
		{name: "an attestation already logged, at the quota: not charged again", method: "POST", path: "/api/v1/records", body: e.Sign(t, "agent.NA-57", copyAt("NA-57", "NA-57/PS-1")),
			status: 200, text: "tlog-proof"},
		{name: "fourth attestation of one key", method: "POST", path: "/api/v1/records", body: e.Sign(t, "observer", copyAt("NA-57", "NA-57/PS-3")),
			status: 429, field: "quota", text: "--attestations-per-key"},
		{name: "second image of one station", method: "PUT", path: "/api/v1/images/" + hashB, body: imgB,
			status: 429, field: "quota", text: "--images-per-station"},
		{name: "image bytes of one key", method: "PUT", path: "/api/v1/images/" + hashC, body: imgC,
			status: 429, field: "quota", text: "--image-bytes-per-key"},
		{name: "upload while this address has one in flight", method: "PUT", path: "/api/v1/images/" + hashC, body: imgC,
			before: func() func() { return hold("127.0.0.1") }, status: 429, field: "uploads", text: "--max-uploads-per-addr"},
		{name: "upload while the server reads its most", method: "PUT", path: "/api/v1/images/" + hashC, body: imgC,
			before: func() func() {
				a, b := hold("203.0.113.1"), hold("203.0.113.2")
				return func() { a(); b() }
			}, status: 429, field: "uploads", text: "--max-uploads"},
		{name: "claim photo while the server reads its most", method: "POST", path: "/api/v1/claims", ctype: mw.FormDataContentType(), body: claim.Bytes(),
			before: func() func() {
				a, b := hold("203.0.113.1"), hold("203.0.113.2")
				return func() { a(); b() }
			}, status: 429, text: "--max-uploads"},
		{name: "record while the tally is stopped", method: "POST", path: "/api/v1/records", body: fresh,
			before: func() func() {
				ts.Srv.Halt(errors.New("index 99: a test failure"))
				return func() { ts.Srv.Halt(nil) }
			}, status: 503, field: "server", text: "the tally stopped at index 99"},
		{name: "image while the tally is stopped", method: "PUT", path: "/api/v1/images/" + hashC, body: imgC,
			before: func() func() {
				ts.Srv.Halt(errors.New("index 99: a test failure"))
				return func() { ts.Srv.Halt(nil) }
			}, status: 503, field: "server", text: "restart the server"},
		// An I/O error: the log's state directory refuses a write (here a
		// directory stands where the write check opens its file).
		{name: "record while the log cannot be written", method: "POST", path: "/api/v1/records", body: fresh,
			before: func() func() {
				os.Remove(probe)
				if err := os.Mkdir(probe, 0o755); err != nil {
					t.Fatal(err)
				}
				return func() { os.Remove(probe); ts.Srv.Log.Writable() }
			}, status: 503, field: "log", text: "cannot be written"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			size, tally := logState(t, ts)
			if tc.before != nil {
				after := tc.before()
				defer after()
			}
			req, _ := http.NewRequest(tc.method, ts.HTTP.URL+tc.path, bytes.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			resp, err := ts.HTTP.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.field != "" {
				var je struct{ Field, Rule string }
				if err := json.Unmarshal(body, &je); err != nil || je.Field != tc.field {
					t.Errorf("answer %s: want JSON naming field %q", body, tc.field)
				}
			}
			if !strings.Contains(string(body), tc.text) {
				t.Errorf("answer %s does not name the rule %q", body, tc.text)
			}
			if tc.status == 429 || tc.status == 503 {
				if resp.Header.Get("Retry-After") == "" && tc.field != "quota" && tc.field != "log" {
					t.Errorf("a %d without Retry-After", tc.status)
				}
			}
			// The read side stays up whatever refused the submission.
			if r, _ := ts.get(t, "/api/v1/summary"); r.StatusCode != 200 {
				t.Errorf("the read API answers %d", r.StatusCode)
			}
			if n, tl := logState(t, ts); n != size || tl != tally {
				t.Errorf("the refusal changed the log (size %d -> %d) or the tally", size, n)
			}
		})
	}
	// Once the cause is gone, the same record is accepted.
	resp, err := ts.HTTP.Client().Post(ts.HTTP.URL+"/api/v1/records", "text/plain", bytes.NewReader(fresh))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after the refusals, a valid record got %d", resp.StatusCode)
	}
}

// logState is what a refusal must not change: the log's size and the
// tally's summary.
func logState(t *testing.T, ts *testSite) (uint64, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := ts.Srv.Log.IntegratedSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := json.Marshal(ts.Srv.Tally.Summary(time.Date(2024, 2, 9, 0, 0, 0, 0, time.UTC)))
	return n, string(sum)
}

// TestQuotaBurst checks that concurrent submissions cannot pass a quota
// while the tally has not applied them yet.
func TestQuotaBurst(t *testing.T) {
	ts := newTestSiteWith(t, Limits{Quotas: node.Quotas{AttestationsPerStation: 10}})
	var mu sync.Mutex
	answers := map[int]int{}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &record.Attestation{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
				Registered: 1000, Cast: 100, Votes: []record.Count{{Candidate: "1", Votes: 50}, {Candidate: "2", Votes: 30}, {Candidate: "3", Votes: 20}},
				Captured: fmt.Sprintf("2024-02-08T18:%02d:00Z", i)}
			resp, err := ts.HTTP.Client().Post(ts.HTTP.URL+"/api/v1/records", "text/plain", bytes.NewReader(ts.E.Sign(t, "observer", a)))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			answers[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if answers[200] != 10 || answers[429] != 20 {
		t.Errorf("30 concurrent attestations of one station, quota 10: answers %v", answers)
	}
}

// TestStoppedIsLoud checks that a server whose tally stopped says so on
// /api/v1/status and in a banner on every page, and that it is back to
// normal once the cause is gone.
func TestStoppedIsLoud(t *testing.T) {
	ts := newTestSite(t)
	for _, p := range []string{"/", "/flags", "/log"} {
		if _, body := ts.get(t, p); strings.Contains(body, `class="stopped"`) {
			t.Fatalf("%s shows the stopped banner on a healthy server", p)
		}
	}
	ts.Srv.Halt(errors.New("index 42: entry does not replay"))
	_, body := ts.get(t, "/api/v1/status")
	var st struct {
		Accepting bool
		Stopped   string
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Accepting || !strings.Contains(st.Stopped, "index 42") {
		t.Errorf("status %s: want accepting false and the reason", body)
	}
	for _, p := range []string{"/", "/flags", "/log", "/station/NA-57/PS-1", "/contest/NA-57", "/claim"} {
		if _, body := ts.get(t, p); !strings.Contains(body, "This server has stopped accepting results") || !strings.Contains(body, "index 42") {
			t.Errorf("%s has no banner naming the failure", p)
		}
	}
}

// TestSecondServerRefused checks the directory lock: a second server on
// the same directory does not start, and says which process holds it.
func TestSecondServerRefused(t *testing.T) {
	ts := newTestSite(t)
	// A temporary file left by a killed upload.
	stale := filepath.Join(ts.Srv.Dir.ImagesDir(), ".tmp-upload-123")
	os.WriteFile(stale, []byte("half an image"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, ts.Srv.Dir, Options{Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond}})
	if err == nil {
		t.Fatal("a second server opened a directory in use")
	}
	if want := fmt.Sprintf("pid %d (tallylog serve", os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("refusal %q does not name the holder (%q)", err, want)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("the refused server touched the directory: %v", err)
	}
	if err := ts.Srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := Open(ctx, ts.Srv.Dir, Options{Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond}})
	if err != nil {
		t.Fatalf("reopening after the first server closed: %v", err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale temporary file is still there after a start: %v", err)
	}
}

// TestCacheKeys checks that cache keys hold the path and the known
// parameters only, so that clients cannot multiply them.
func TestCacheKeys(t *testing.T) {
	cases := []struct{ url, key, query string }{
		{"/export/NA/stations.csv?n=1", "/export/NA/stations.csv?", ""},
		{"/export/NA/stations.csv?n=2&x=y", "/export/NA/stations.csv?", ""},
		{"/flags?page=2&kind=mismatch&utm=1", "/flags?kind=mismatch&page=2", "kind=mismatch&page=2"},
		{"/flags?kind=a&kind=b", "/flags?kind=a", "kind=a"},
		{"/flags?region=" + strings.Repeat("x", 300), "/flags?region=" + strings.Repeat("x", maxParamBytes), "region=" + strings.Repeat("x", maxParamBytes)},
		{"/log?z=1", "example.test/log?", ""},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "http://example.test"+tc.url, nil)
		key, query := cacheKey(r)
		if key != tc.key || query != tc.query {
			t.Errorf("cacheKey(%s) = %q, %q; want %q, %q", tc.url, key, query, tc.key, tc.query)
		}
	}
}

// TestCacheBytes checks that the cache keeps no more bytes than its bound,
// and still answers every request.
func TestCacheBytes(t *testing.T) {
	c := respCache{maxBytes: 10 << 10}
	st := state{applied: 1}
	for i := range 100 {
		r := c.get(fmt.Sprint("/k", i), st, func() (*response, state) {
			return &response{status: 200, ctype: "text/plain", body: bytes.Repeat([]byte("x"), 1000)}, st
		})
		if len(r.body) != 1000 {
			t.Fatalf("response %d has %d bytes", i, len(r.body))
		}
	}
	if c.bytes > 10<<10 || len(c.m) > 10 || len(c.m) == 0 {
		t.Errorf("the cache holds %d responses, %d bytes; bound 10 KiB", len(c.m), c.bytes)
	}
	// Errors are not kept.
	c.get("/missing", st, func() (*response, state) { return &response{status: 404, body: []byte("no")}, st })
	if _, ok := c.m["/missing"]; ok {
		t.Error("a 404 was kept")
	}
}

// TestStationAnswerPaged checks that a station answer carries one page of
// attestations and says how many there are.
func TestStationAnswerPaged(t *testing.T) {
	ts := newTestSiteWith(t, Limits{StationAttestations: 2})
	for i, key := range []string{"observer", "agent.NA-57", "observer"} {
		ts.submit(t, key, &record.Attestation{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
			Registered: 1000, Cast: 100, Votes: []record.Count{{Candidate: "1", Votes: 50}, {Candidate: "2", Votes: 30}, {Candidate: "3", Votes: 20}},
			Captured: fmt.Sprintf("2024-02-08T18:4%d:00Z", i)})
	}
	for page, want := range map[string]int{"": 2, "?page=2": 1, "?page=3": 0} {
		_, body := ts.get(t, "/api/v1/stations/NA-57/PS-1"+page)
		var ans struct {
			Contests []struct {
				Contest      string
				Attestations []json.RawMessage
			}
			AttestationsTotal map[string]int `json:"attestations_total"`
		}
		if err := json.Unmarshal([]byte(body), &ans); err != nil {
			t.Fatal(err)
		}
		for _, c := range ans.Contests {
			if c.Contest == "NA-57" && (len(c.Attestations) != want || ans.AttestationsTotal["NA-57"] != 3) {
				t.Errorf("page %q: %d attestations, total %v; want %d of 3", page, len(c.Attestations), ans.AttestationsTotal, want)
			}
		}
	}
}

// TestConnLimit checks that the connection limit leaves the descriptor
// margin and the uploads free, and that a server with too few descriptors
// refuses to start.
func TestConnLimit(t *testing.T) {
	d := DefaultLimits
	cases := []struct {
		nofile uint64
		want   int
		err    string
	}{
		{1 << 20, d.MaxConns, ""},
		{1024, 1024 - d.FDMargin - d.Uploads, ""},
		{300, 0, "ulimit -n"},
	}
	for _, tc := range cases {
		got, err := connLimit(d, tc.nofile)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("connLimit(%d) = %d, %v; want %d, %q", tc.nofile, got, err, tc.want, tc.err)
		}
	}
}

// TestLimitListener checks that the listener holds at most n connections:
// the third waits until one of the first two closes.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := LimitListener(inner, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 3)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first := <-accepted
	<-accepted
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted while two were open")
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the third connection was not accepted after one closed")
	}
}
