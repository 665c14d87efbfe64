package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/internal/testmysql"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"github.com/tallylog/tallylog/tlogtiles"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/note"
)

// buildTallylog builds the tallylog binary into a temporary directory.
func buildTallylog(t *testing.T, ctx context.Context) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tallylog")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/tallylog/tallylog/cmd/tallylog").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// testServerElection is an election directory made by `tallylog init` for the
// test election, with one observer key per concurrent client (so that the
// per-key rate limits do not throttle the clients).
type testServerElection struct {
	E       *testelection.Election
	Dir     string
	LogKey  note.Verifier
	Clients []string // key names, one per client
	// DSN is the MySQL/MariaDB database holding the log, or "" when the
	// log is in Dir (see initElectionOn).
	DSN string
}

// serveArgs are the storage flags serve needs for this election.
func (el *testServerElection) serveArgs() []string {
	if el.DSN == "" {
		return nil
	}
	return []string{"--mysql-dsn", el.DSN}
}

func initElection(t *testing.T, ctx context.Context, clients int) *testServerElection {
	return initElectionOn(t, ctx, clients, "")
}

// initElectionOn is initElection with the log in the database dsn names
// (Tessera's MySQL driver), or in the directory when dsn is "".
func initElectionOn(t *testing.T, ctx context.Context, clients int, dsn string) *testServerElection {
	t.Helper()
	work := t.TempDir()
	e := testelection.New(t)
	commission := writeKey(t, work, "ecp")
	defFile := filepath.Join(work, "definition.json")
	os.WriteFile(defFile, e.Def.Canonical(), 0o644)
	var keyArgs []string
	var names []string
	var grants []record.Grant
	for i := range clients {
		name := fmt.Sprintf("observer.c%03d", i)
		s, vkey := testelection.Key(name)
		e.Signers[name], e.VKeys[name] = s, vkey
		names = append(names, name)
		grants = append(grants, record.Grant{Role: "observer", Scope: "*", Key: vkey})
	}
	extra, err := registry.GrantRecords(e.Def.ID, e.Def.Origin, grants, e.Signers["ecp"])
	if err != nil {
		t.Fatal(err)
	}
	for i, entry := range append(append([][]byte{}, e.Genesis...), extra...) {
		if strings.HasPrefix(string(entry), "tallylog/v1 keys\n") {
			f := filepath.Join(work, fmt.Sprintf("keys%d.note", i))
			os.WriteFile(f, entry, 0o644)
			keyArgs = append(keyArgs, "--keys", f)
		}
	}
	dir := filepath.Join(work, "election")
	if dsn != "" {
		keyArgs = append(keyArgs, "--storage", "mysql", "--mysql-dsn", dsn)
	}
	out, errs, code := cli(t, ctx, nil, append([]string{"init", "--dir", dir, "--definition", defFile, "--commission-key", commission, "--json"}, keyArgs...)...)
	if code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errs)
	}
	var initOut struct {
		LogKey string `json:"log_key"`
	}
	if err := json.Unmarshal([]byte(out), &initOut); err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(initOut.LogKey)
	if err != nil {
		t.Fatal(err)
	}
	return &testServerElection{E: e, Dir: dir, LogKey: v, Clients: names, DSN: dsn}
}

// oneStationFlags lift the per-station attestation quotas: the crash and
// load tests pile every client's copies onto NA-57/PS-1.
var oneStationFlags = []string{"--attestations-per-station", "1000000000", "--attestation-bytes-per-station", "1000000000000"}

// serverProc is a running `tallylog serve` subprocess.
type serverProc struct {
	cmd  *exec.Cmd
	URL  string
	done chan error
}

// startServer runs `tallylog serve` on a free loopback port and waits until
// it listens. Its stderr goes to stderrFile.
func startServer(t *testing.T, ctx context.Context, bin, dir string, stderr io.Writer, extra ...string) *serverProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--dir", dir, "--addr", "127.0.0.1:0", "--checkpoint-interval", "100ms"}, extra...)...)
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case line := <-lines:
		p.URL = regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
		if p.URL == "" {
			p.kill()
			t.Fatalf("serve printed %q", line)
		}
	case err := <-p.done:
		t.Fatalf("serve exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		p.kill()
		t.Fatal("serve did not listen within 60 s")
	case <-ctx.Done():
		p.kill()
		t.Fatal(ctx.Err())
	}
	return p
}

// kill sends SIGKILL to this server process (only) and reaps it.
func (p *serverProc) kill() {
	p.cmd.Process.Kill()
	<-p.done
	p.done <- errors.New("killed") // for any later kill
}

// ack is an acknowledged submission: the record and its verified receipt.
type ack struct {
	entry []byte
	index uint64
}

// errRetry is a refusal a client must retry (5xx, 429, network).
var errRetry = errors.New("retryable")

// post submits one record and returns its verified receipt's index, or an
// error wrapping errRetry when the submission may be retried.
func post(ctx context.Context, client *http.Client, url string, logKey note.Verifier, entry []byte) (uint64, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/api/v1/records", bytes.NewReader(entry))
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errRetry, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("%w: reading the answer: %v", errRetry, err)
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return 0, fmt.Errorf("%w: %s %s", errRetry, resp.Status, body)
	}
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("refused: %s %s", resp.Status, body)
	}
	rc, err := receipt.Parse(body)
	if err != nil {
		return 0, fmt.Errorf("unreadable receipt: %v", err)
	}
	if !bytes.Equal(rc.Entry, entry) {
		return 0, errors.New("the receipt is for another record")
	}
	if _, err := rc.Verify(logKey); err != nil {
		return 0, fmt.Errorf("the receipt does not verify: %v", err)
	}
	if h := resp.Header.Get("X-Log-Index"); h != strconv.FormatUint(rc.Index, 10) {
		return 0, fmt.Errorf("X-Log-Index %q but the receipt proves index %d", h, rc.Index)
	}
	return rc.Index, nil
}

// copyRecord is client c's n-th record: an observer's copy of NA-57/PS-1,
// distinct for every (c, n).
func copyRecord(t testing.TB, el *testServerElection, c, n int) []byte {
	return el.E.Sign(t, el.Clients[c], &record.Attestation{Election: el.E.Def.ID, Log: el.E.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
		Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50),
		Captured: time.Date(2024, 2, 8, 16, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second).Format(time.RFC3339)})
}

// readLog verifies the election's log, in its directory or its database,
// and returns its entries.
func readLog(t *testing.T, ctx context.Context, el *testServerElection) [][]byte {
	t.Helper()
	var src verify.Source
	if el.DSN != "" {
		f, err := ledger.OpenMySQLFiles(ctx, el.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		src = f
	} else {
		s, err := verify.NewSource(el.Dir)
		if err != nil {
			t.Fatal(err)
		}
		src = s
	}
	logKey := el.LogKey
	res, err := verify.Log(ctx, src, logKey, verify.Options{})
	if err != nil {
		t.Fatalf("the log does not verify: %v", err)
	}
	var entries [][]byte
	for b := int64(0); b*256 < int64(res.TreeSize); b++ {
		es, err := tlogtiles.ReadBundle(ctx, src, b, res.TreeSize)
		if err != nil {
			t.Fatalf("entry bundle %d: %v", b, err)
		}
		entries = append(entries, es...)
	}
	return entries
}

// checkLog checks the durability contract after a crash: the log verifies,
// every acknowledged record is at its index, and no entry is logged twice.
func checkLog(t *testing.T, ctx context.Context, el *testServerElection, acks []ack) int {
	t.Helper()
	entries := readLog(t, ctx, el)
	seen := map[[32]byte]int{}
	for i, e := range entries {
		h := sha256.Sum256(e)
		if j, dup := seen[h]; dup {
			t.Fatalf("entries %d and %d are the same record", j, i)
		}
		seen[h] = i
	}
	for _, a := range acks {
		if a.index >= uint64(len(entries)) {
			t.Fatalf("a receipt proves index %d but the log after the crash holds %d entries", a.index, len(entries))
		}
		if !bytes.Equal(entries[a.index], a.entry) {
			t.Fatalf("index %d holds another record than the receipt the client got", a.index)
		}
	}
	return len(entries)
}

// TestCrash kills `tallylog serve` with SIGKILL at random moments while 50
// clients submit records, restarts it on the same directory, and checks
// the durability contract (docs/durability.md) after every crash, on both
// storage drivers (the MySQL/MariaDB run is bounded to 3 crashes).
// TALLYLOG_CRASH_TRIALS sets the number of crashes (default 5; the long run
// is 100); TALLYLOG_CRASH_SEED makes the kill times reproducible.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly")
	}
	trials := 5
	if n, err := strconv.Atoi(os.Getenv("TALLYLOG_CRASH_TRIALS")); err == nil && n > 0 {
		trials = n
	}
	t.Run("posix", func(t *testing.T) { crash(t, trials, "") })
	t.Run("mysql", func(t *testing.T) { crash(t, min(trials, 3), testmysql.DSN(t)) })
}

func crash(t *testing.T, trials int, dsn string) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("TALLYLOG_CRASH_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("%d trials, TALLYLOG_CRASH_SEED=%d", trials, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	const clients = 50
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(120+trials*20)*time.Second)
	defer cancel()
	bin := buildTallylog(t, ctx)
	el := initElectionOn(t, ctx, clients, dsn)
	stderr, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()

	var (
		mu      sync.Mutex
		acks    []ack
		next    = make([]int, clients) // each client's next record number
		refused []string
	)
	httpc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	size := 0
	for trial := range trials {
		srv := startServer(t, ctx, bin, el.Dir, stderr, append(el.serveArgs(), oneStationFlags...)...)
		// Each client first retries its unacknowledged record (the same
		// bytes: idempotent), then goes on with new ones.
		cctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for cctx.Err() == nil {
					mu.Lock()
					n := next[c]
					mu.Unlock()
					entry := copyRecord(t, el, c, n)
					idx, err := post(cctx, httpc, srv.URL, el.LogKey, entry)
					switch {
					case err == nil:
						mu.Lock()
						acks = append(acks, ack{entry, idx})
						next[c]++
						mu.Unlock()
					case errors.Is(err, errRetry):
						select {
						case <-cctx.Done():
						case <-time.After(20 * time.Millisecond):
						}
					default:
						mu.Lock()
						refused = append(refused, fmt.Sprintf("client %d record %d: %v", c, n, err))
						mu.Unlock()
						return
					}
				}
			})
		}
		// Let the clients get going, then kill at a random moment.
		mu.Lock()
		before := len(acks)
		mu.Unlock()
		for deadline := time.Now().Add(30 * time.Second); ; {
			mu.Lock()
			got := len(acks)
			mu.Unlock()
			if got > before || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
		srv.kill()
		stop()
		wg.Wait()
		mu.Lock()
		if len(refused) > 0 {
			t.Fatalf("trial %d: records refused that should be accepted: %v", trial, refused)
		}
		if len(acks) == before {
			t.Fatalf("trial %d: no record was acknowledged by a server that ran until killed", trial)
		}
		got := append([]ack(nil), acks...)
		mu.Unlock()
		size = checkLog(t, ctx, el, got)
		t.Logf("trial %d: %d acknowledged in all, log holds %d entries after the crash", trial, len(got), size)
	}

	// After the last crash the server resumes: the clients' pending records
	// (retries) and a new record are accepted, and the log checks out.
	srv := startServer(t, ctx, bin, el.Dir, stderr, append(el.serveArgs(), oneStationFlags...)...)
	defer srv.kill()
	// The clients go concurrently: each receipt waits for a checkpoint
	// (at least a second apart on the MySQL driver).
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for _, n := range []int{next[c], next[c] + 1} {
				entry := copyRecord(t, el, c, n)
				var idx uint64
				var err error
				for attempt := 0; attempt < 100; attempt++ {
					if idx, err = post(ctx, httpc, srv.URL, el.LogKey, entry); !errors.Is(err, errRetry) {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				if err != nil {
					t.Errorf("after restart, client %d record %d: %v", c, n, err)
					return
				}
				mu.Lock()
				acks = append(acks, ack{entry, idx})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	srv.kill()
	final := checkLog(t, ctx, el, acks)
	if final < size+clients {
		t.Errorf("after restart the log grew from %d to %d entries; want at least %d new records", size, final, clients)
	}
	// Every record a client ever sent once is logged at most once.
	t.Logf("%d records acknowledged over %d crashes; the log holds %d entries", len(acks), trials, final)
}
