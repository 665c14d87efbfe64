package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testdir"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/witness"
	"golang.org/x/mod/sumdb/note"
)

// syncBuffer is a bytes.Buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// omniwitnessBinary returns the omniwitness binary .ci/omniwitness built
// (named by TALLYLOG_OMNIWITNESS). Without it the witness tests skip,
// except in CI, where .ci/run builds it and a skip would hide a failure.
func omniwitnessBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("TALLYLOG_OMNIWITNESS")
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TALLYLOG_OMNIWITNESS is not set: .ci/run builds omniwitness with .ci/omniwitness")
		}
		t.Skip("no witness to test against: .ci/omniwitness OUT builds one; then set TALLYLOG_OMNIWITNESS=OUT")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("TALLYLOG_OMNIWITNESS: %v", err)
	}
	return bin
}

// witnessProc is a running omniwitness on loopback, with its own key and
// its own database of the checkpoints it has cosigned.
type witnessProc struct {
	bin, dir, addr string
	cmd            *exec.Cmd
	done           chan error
	output         *syncBuffer
}

// startWitness starts omniwitness configured to witness the log with the
// given origin and key, and waits until it listens.
func startWitness(t *testing.T, bin, dir, origin, logVKey string) (*witnessProc, *witness.Key) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "witness.tallylog.test")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "witness.key"), []byte(skey), 0o600)
	// Feeder none: the log pushes its checkpoints; the witness fetches nothing.
	os.WriteFile(filepath.Join(dir, "logs.yaml"), fmt.Appendf(nil,
		"Logs:\n  - Origin: %s\n    URL: http://127.0.0.1:1/\n    PublicKey: %s\n    Feeder: none\n", origin, logVKey), 0o644)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &witnessProc{bin: bin, dir: dir, addr: ln.Addr().String()}
	ln.Close()
	w.start(t)
	k, err := witness.ParseKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return w, k
}

func (w *witnessProc) start(t *testing.T) {
	t.Helper()
	w.output = &syncBuffer{}
	w.cmd = exec.Command(w.bin, "--listen", w.addr, "--metrics_listen", "",
		"--private_key_path", filepath.Join(w.dir, "witness.key"),
		"--db_file", filepath.Join(w.dir, "witness.db"),
		"--additional_logs", filepath.Join(w.dir, "logs.yaml"))
	w.cmd.Stdout, w.cmd.Stderr = w.output, w.output
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.done = make(chan error, 1)
	go func() { w.done <- w.cmd.Wait() }()
	t.Cleanup(w.stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", w.addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-w.done:
			t.Fatalf("omniwitness exited: %v\n%s", err, w.output)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("omniwitness did not listen on %s within 30 s:\n%s", w.addr, w.output)
		}
	}
}

// stop kills the witness (its database is synced on every cosignature).
func (w *witnessProc) stop() {
	if w.cmd == nil {
		return
	}
	w.cmd.Process.Kill()
	<-w.done
	w.cmd = nil
}

// postOnce submits one record once and returns the HTTP status, the
// X-Log-Index header and the body.
func postOnce(t *testing.T, url string, entry []byte) (int, string, []byte) {
	t.Helper()
	resp, err := http.Post(url+"/api/v1/records", "text/plain; charset=utf-8", bytes.NewReader(entry))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Log-Index"), body
}

// serverStatus reads GET /api/v1/status.
type serverStatusJSON struct {
	PublishedSize  uint64 `json:"published_size"`
	IntegratedSize uint64 `json:"integrated_size"`
	Problem        string `json:"problem"`
	Witnesses      []struct {
		ID       string `json:"id"`
		Cosigned bool   `json:"cosigned"`
	} `json:"witnesses"`
}

func serverStatus(t *testing.T, url string) serverStatusJSON {
	t.Helper()
	resp, err := http.Get(url + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st serverStatusJSON
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// waitFor polls cond every 100 ms until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting until %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWitness runs tallylog serve with a witness policy against a real,
// independent C2SP tlog-witness (transparency-dev/witness's omniwitness)
// on loopback, and shows that:
//   - receipts and the published checkpoint carry the witness's
//     cosignature, and tallylog verify --witness-key requires it;
//   - with the witness down, records are still sequenced and durable (503
//     with their index) but no checkpoint is published; publication resumes
//     when the witness returns, and the same record gets its receipt at the
//     index it was given;
//   - a log restarted with the same key from an earlier copy, from empty,
//     or grown differently from that copy, is refused by the witness and
//     never publishes, and the server says why.
func TestWitness(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a witness and the server as processes")
	}
	owBin := omniwitnessBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tl := buildTallylog(t, ctx)
	el := initElection(t, ctx, 1)
	work := t.TempDir()
	var meta struct {
		Origin string `json:"origin"`
		LogKey string `json:"log_key"`
	}
	if b, err := os.ReadFile(filepath.Join(el.Dir, "tallylog.json")); err != nil || json.Unmarshal(b, &meta) != nil {
		t.Fatalf("tallylog.json: %v", err)
	}
	// Keep a copy of the election as init left it: later, the same log key
	// over a different history.
	snapshot := filepath.Join(work, "snapshot")
	testdir.Copy(t, el.Dir, snapshot)

	wit, wkey := startWitness(t, owBin, t.TempDir(), meta.Origin, meta.LogKey)
	policy := filepath.Join(work, "policy")
	os.WriteFile(policy, fmt.Appendf(nil, "# the test's witness\nwitness w1 %s http://%s/\nquorum w1\n", wkey.VKey, wit.addr), 0o644)
	var serverErr syncBuffer
	srv := startServer(t, ctx, tl, el.Dir, &serverErr, "--witness-policy", policy, "--receipt-wait", "2s")
	defer srv.kill()

	// 1. Receipts carry the witness's cosignature.
	var last *receipt.Receipt
	for n := range 5 {
		entry := copyRecord(t, el, 0, n)
		code, _, body := postOnce(t, srv.URL, entry)
		if code != http.StatusOK {
			t.Fatalf("record %d: %d %s\nserver: %s\nwitness: %s", n, code, body, serverErr.String(), wit.output)
		}
		rc, err := receipt.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		v, err := rc.Verify(el.LogKey, wkey.Verifier)
		if err != nil {
			t.Fatalf("receipt %d: %v", n, err)
		}
		if len(v.Cosigners) != 1 || v.Cosigners[0] != wkey.Name {
			t.Fatalf("receipt %d cosigners %v", n, v.Cosigners)
		}
		last = rc
	}
	if st := serverStatus(t, srv.URL); len(st.Witnesses) != 1 || !st.Witnesses[0].Cosigned || st.Problem != "" {
		t.Fatalf("status after cosigned publication: %+v", st)
	}
	// The site names the witness and verified its cosignature.
	var logJSON struct {
		Signatures []struct {
			Witness string `json:"witness"`
		} `json:"signatures"`
		Policy []struct {
			ID       string `json:"id"`
			Cosigned bool   `json:"cosigned"`
		} `json:"policy"`
		Satisfied bool `json:"satisfied"`
	}
	if resp, err := http.Get(srv.URL + "/api/v1/log"); err != nil {
		t.Fatal(err)
	} else {
		json.NewDecoder(resp.Body).Decode(&logJSON)
		resp.Body.Close()
	}
	if !logJSON.Satisfied || len(logJSON.Policy) != 1 || !logJSON.Policy[0].Cosigned || len(logJSON.Signatures) != 2 || logJSON.Signatures[1].Witness != "w1" {
		t.Fatalf("/api/v1/log: %+v", logJSON)
	}
	if resp, err := http.Get(srv.URL + "/log"); err != nil {
		t.Fatal(err)
	} else {
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(page), "--witness-key "+strings.ReplaceAll(wkey.VKey, "+", "&#43;")) || !strings.Contains(string(page), "the cosignature of witness w1") {
			t.Fatalf("/log does not show the witness:\n%s", page)
		}
	}
	out, errs, code := cli(t, ctx, nil, "verify", "--log", srv.URL, "--log-key", meta.LogKey, "--witness-key", wkey.VKey, "--json")
	if code != 0 || !strings.Contains(out, `"ok":true`) {
		t.Fatalf("verify --witness-key: %d %s %s", code, out, errs)
	}
	_, otherKey, _ := note.GenerateKey(rand.Reader, "witness.other.test")
	_, errs, code = cli(t, ctx, nil, "verify", "--log", srv.URL, "--log-key", meta.LogKey, "--witness-key", otherKey)
	if code == 0 || !strings.Contains(errs, "missing the cosignature of witness witness.other.test") {
		t.Fatalf("verify with a witness that did not cosign: exit %d, %s", code, errs)
	}
	rcFile := filepath.Join(work, "last.receipt")
	os.WriteFile(rcFile, last.Marshal(), 0o644)
	if _, errs, code := cli(t, ctx, nil, "verify-receipt", "--log-key", meta.LogKey, "--witness-key", wkey.VKey, rcFile); code != 0 {
		t.Fatalf("verify-receipt --witness-key: %s", errs)
	}

	// 2. The witness goes down: records are sequenced, nothing is published.
	cpBefore := serverStatus(t, srv.URL).PublishedSize
	wit.stop()
	pending := copyRecord(t, el, 0, 5)
	code, idx, body := postOnce(t, srv.URL, pending)
	if code != http.StatusServiceUnavailable || idx != strconv.FormatUint(cpBefore, 10) || !strings.Contains(string(body), "durable at index "+idx) {
		t.Fatalf("with the witness down: %d index %q %s", code, idx, body)
	}
	st := serverStatus(t, srv.URL)
	if st.PublishedSize != cpBefore || st.IntegratedSize != cpBefore+1 || !strings.Contains(st.Problem, "unreachable") {
		t.Fatalf("status with the witness down: %+v (published before %d)", st, cpBefore)
	}
	time.Sleep(time.Second) // ten checkpoint intervals
	if st := serverStatus(t, srv.URL); st.PublishedSize != cpBefore {
		t.Fatalf("a checkpoint of size %d was published with the witness down", st.PublishedSize)
	}
	// The same record again: the same index, still no receipt.
	if code, idx2, _ := postOnce(t, srv.URL, pending); code != http.StatusServiceUnavailable || idx2 != idx {
		t.Fatalf("resubmitted with the witness down: %d index %q, want 503 index %s", code, idx2, idx)
	}
	// tallylog submit keeps trying and says why.
	pendingFile := filepath.Join(work, "pending.note")
	os.WriteFile(pendingFile, pending, 0o644)
	if _, errs, code := cli(t, ctx, nil, "submit", "--server", srv.URL, "--timeout", "5s", pendingFile); code == 0 ||
		strings.Count(errs, "still trying (the same record is safe to send again): checkpoint: the record is durable at index "+idx) != 1 {
		t.Fatalf("submit with the witness down: exit %d\n%s", code, errs)
	}

	// 3. The witness returns: publication resumes, the record gets its receipt.
	wit.start(t)
	waitFor(t, "a cosigned checkpoint covers the pending record", 30*time.Second, func() bool {
		return serverStatus(t, srv.URL).PublishedSize > cpBefore
	})
	code, idx2, body := postOnce(t, srv.URL, pending)
	if code != http.StatusOK || idx2 != idx {
		t.Fatalf("after the witness returned: %d index %q %s", code, idx2, body)
	}
	rc, err := receipt.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Verify(el.LogKey, wkey.Verifier); err != nil {
		t.Fatalf("receipt after the witness returned: %v", err)
	}
	if !strings.Contains(serverErr.String(), "witness did not cosign") {
		t.Errorf("the server did not log the witness going down:\n%s", serverErr.String())
	}
	waitFor(t, "the server logs that the witness cosigns again", 5*time.Second, func() bool {
		return strings.Contains(serverErr.String(), "witness cosigned the checkpoint")
	})
	witnessed := serverStatus(t, srv.URL).PublishedSize
	srv.kill()

	// 4a. The same key from empty: the witness refuses the first (empty)
	// checkpoint, and serve says so and exits.
	empty := filepath.Join(work, "empty")
	testdir.Copy(t, snapshot, empty)
	os.RemoveAll(filepath.Join(empty, "log"))
	cmd := exec.CommandContext(ctx, tl, "serve", "--dir", empty, "--addr", "127.0.0.1:0", "--witness-policy", policy)
	outB, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(outB), fmt.Sprintf("already cosigned a tree of %d entries", witnessed)) {
		t.Fatalf("serve of an emptied log with the same key: %v\n%s", err, outB)
	}

	// 4b. The same key from the copy init left: the witness refuses it and
	// nothing is published; the status says why.
	var err4 syncBuffer
	srv = startServer(t, ctx, tl, snapshot, &err4, "--witness-policy", policy, "--receipt-wait", "1s")
	code, _, body = postOnce(t, srv.URL, copyRecord(t, el, 0, 100))
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "already cosigned a tree of") {
		t.Fatalf("a record on the rolled-back log: %d %s", code, body)
	}
	if st := serverStatus(t, srv.URL); st.Witnesses[0].Cosigned || !strings.Contains(st.Problem, "not the one it witnessed") {
		t.Fatalf("status of the rolled-back log: %+v", st)
	}
	srv.kill()

	// 4c. The copy grown past what the witness saw, with other records,
	// without witnesses: a fork. With the policy, the witness refuses the
	// consistency proof and nothing it has not cosigned is published.
	srv = startServer(t, ctx, tl, snapshot, io.Discard)
	for n := 0; serverStatus(t, srv.URL).PublishedSize < witnessed+3; n++ {
		if code, _, body := postOnce(t, srv.URL, copyRecord(t, el, 0, 200+n)); code != http.StatusOK {
			t.Fatalf("growing the fork: %d %s", code, body)
		}
	}
	srv.kill()
	var err5 syncBuffer
	srv = startServer(t, ctx, tl, snapshot, &err5, "--witness-policy", policy, "--receipt-wait", "1s")
	defer srv.kill()
	code, _, body = postOnce(t, srv.URL, copyRecord(t, el, 0, 300))
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "consistency proof") {
		t.Fatalf("a record on the forked log: %d %s\n%s", code, body, err5.String())
	}
	if st := serverStatus(t, srv.URL); st.Witnesses[0].Cosigned || st.PublishedSize >= st.IntegratedSize {
		t.Fatalf("status of the forked log: %+v", st)
	}
}
