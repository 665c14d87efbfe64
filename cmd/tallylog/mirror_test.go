package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testdir"
)

// runListening runs a serving command (serve or mirror, with --json)
// in-process and returns the URL it printed; the command stops when the
// test ends.
func runListening(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	pr, pw := io.Pipe()
	sctx, stop := context.WithCancel(ctx)
	done := make(chan int)
	var errb bytes.Buffer
	go func() {
		done <- run(sctx, append(args, "--addr", "127.0.0.1:0", "--json"), nil, pw, &errb)
		pw.Close()
	}()
	t.Cleanup(func() { stop(); <-done })
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	var facts struct {
		URL string `json:"url"`
	}
	if err != nil || json.Unmarshal([]byte(line), &facts) != nil || facts.URL == "" {
		stop()
		t.Fatalf("%s printed %q (%v); stderr: %s", args[0], line, err, errb.String())
	}
	return strings.TrimSuffix(facts.URL, "/")
}

func httpGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestMirror runs a server, a mirror of it and a mirror of the mirror:
// the mirrors verify and copy the log as it grows, and answer the API
// byte for byte as the server does at the same tree size. Then the mirror's upstream is
// switched to a fork (a server with the same key and genesis and another
// history): the mirror proves the fork, stops, keeps both checkpoints and
// says so on every page.
func TestMirror(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	el := initElection(t, ctx, 2)
	forkDir := filepath.Join(t.TempDir(), "fork")
	testdir.Copy(t, el.Dir, forkDir)
	pub, _ := os.ReadFile(filepath.Join(el.Dir, "tallylog.json"))
	var meta struct {
		LogKey string `json:"log_key"`
	}
	json.Unmarshal(pub, &meta)

	a := runListening(t, ctx, "serve", "--dir", el.Dir, "--checkpoint-interval", "100ms", "--access-log=false")
	httpc := &http.Client{Timeout: 20 * time.Second}
	submit := func(url string, client, n int) {
		t.Helper()
		if _, err := post(ctx, httpc, url, el.LogKey, copyRecord(t, el, client, n)); err != nil {
			t.Fatalf("submitting to %s: %v", url, err)
		}
	}
	for n := range 3 {
		submit(a, 0, n)
	}

	// The mirror reads its upstream through a proxy the test can repoint.
	var target atomic.Pointer[string]
	target.Store(&a)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(*target.Load() + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	mdir := filepath.Join(t.TempDir(), "mirror")
	m := runListening(t, ctx, "mirror", "--log", proxy.URL, "--log-key", meta.LogKey, "--dir", mdir, "--interval", "100ms")

	// A second mirror follows the first: a mirror serves what it mirrors.
	m2 := runListening(t, ctx, "mirror", "--log", m, "--log-key", meta.LogKey, "--dir", filepath.Join(t.TempDir(), "mirror2"), "--interval", "100ms")
	same := func(path string) bool {
		ca, ba := httpGet(t, a+path)
		for _, mu := range []string{m, m2} {
			if cm, bm := httpGet(t, mu+path); ca != 200 || cm != 200 || !bytes.Equal(ba, bm) {
				return false
			}
		}
		return true
	}
	waitFor(t, "the mirror to reach the server's checkpoint", 20*time.Second, func() bool { return same("/checkpoint") })
	// The log grows while the mirror follows.
	for n := 3; n < 6; n++ {
		submit(a, 0, n)
	}
	waitFor(t, "the mirror to follow", 20*time.Second, func() bool { return same("/checkpoint") })
	_, cp := httpGet(t, a+"/checkpoint")
	size := strings.Split(string(cp), "\n")[1]
	// The tally applies the checkpoint's entries moments after it moves.
	waitFor(t, "both tallies to apply the checkpoint", 20*time.Second, func() bool { return same("/api/v1/summary") })
	for _, p := range []string{
		"/api/v1/summary", "/api/v1/assemblies", "/api/v1/contests", "/api/v1/contests/NA-57",
		"/api/v1/stations/NA-57/PS-1", "/api/v1/flags", "/api/v1/log", "/api/v1/proofs/3",
		"/tile/entries/000.p/" + size, "/tile/0/000.p/" + size,
	} {
		if !same(p) {
			_, ba := httpGet(t, a+p)
			_, bm := httpGet(t, m+p)
			_, bm2 := httpGet(t, m2+p)
			t.Errorf("GET %s: the mirrors answer\n%.300s\n%.300s\nthe server\n%.300s", p, bm, bm2, ba)
		}
	}
	if _, body := httpGet(t, m+"/metrics"); !bytes.Contains(body, []byte("\ntallylog_mirror_verified_size "+size+"\n")) {
		t.Errorf("the mirror's /metrics lacks tallylog_mirror_verified_size %s", size)
	}
	// A mirror that follows its log is healthy: it refuses submissions (it
	// is a copy: accepting false) but has not stopped, and says nothing of a log it cannot
	// write (it writes none through the log; it had said so within a
	// second of starting, on every page).
	for _, mu := range []string{m, m2} {
		_, st := httpGet(t, mu+"/api/v1/status")
		var status struct {
			Stopped   string `json:"stopped"`
			Accepting bool   `json:"accepting"`
		}
		if err := json.Unmarshal(st, &status); err != nil || status.Stopped != "" || status.Accepting {
			t.Errorf("the mirror's status says it stopped (%v): %s", err, st)
		}
		if _, page := httpGet(t, mu+"/"); bytes.Contains(page, []byte(`class="stopped"`)) {
			t.Errorf("the mirror's home page carries the stopped banner")
		}
	}
	// The officers' app, which submits to the server it comes from, is the
	// log's own server's: a mirror sends officers there.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := noFollow.Get(m + "/app/?open=1"); err != nil || resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != proxy.URL+"/app/?open=1" {
		t.Errorf("GET /app/ on the mirror: %v %v, want a redirect to %s/app/?open=1", err, resp, proxy.URL)
	}
	resp, err := http.Post(m+"/api/v1/records", "text/plain", strings.NewReader("x"))
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to the mirror: %v %v, want 405", err, resp.Status)
	}

	// A fork: the same key and genesis, another history, served to the
	// mirror in place of the log it followed.
	b := runListening(t, ctx, "serve", "--dir", forkDir, "--checkpoint-interval", "100ms", "--access-log=false")
	for n := range 8 {
		submit(b, 1, n)
	}
	target.Store(&b)
	var fork struct {
		Forked bool   `json:"forked"`
		Old    string `json:"old_checkpoint"`
		New    string `json:"new_checkpoint"`
		Reason string `json:"reason"`
	}
	waitFor(t, "the mirror to see the fork", 20*time.Second, func() bool {
		_, body := httpGet(t, m+"/api/v1/fork")
		json.Unmarshal(body, &fork)
		return fork.Forked
	})
	_, cpB := httpGet(t, b+"/checkpoint")
	if fork.Old != string(cp) || fork.New != string(cpB) || !strings.Contains(fork.Reason, "consistency proof") {
		t.Errorf("fork answer: old %q new %q reason %q", fork.Old, fork.New, fork.Reason)
	}
	if _, got := httpGet(t, m+"/checkpoint"); !bytes.Equal(got, cp) {
		t.Errorf("after the fork the mirror serves checkpoint\n%s\nwant the last verified one\n%s", got, cp)
	}
	for _, p := range []string{"/", "/contest/NA-57", "/log"} {
		if code, body := httpGet(t, m+p); code != 200 || !bytes.Contains(body, []byte(`class="fork-banner"`)) {
			t.Errorf("GET %s on the forked mirror: %d, no fork banner", p, code)
		}
	}
	for _, f := range []string{"old.checkpoint", "new.checkpoint", "proof", "reason"} {
		if _, err := os.Stat(filepath.Join(mdir, "fork", f)); err != nil {
			t.Errorf("the fork's evidence: %v", err)
		}
	}
}
