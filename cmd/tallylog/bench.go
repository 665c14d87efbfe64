package main

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tallylog/tallylog/datadir"
	"github.com/tallylog/tallylog/ledger"
	"github.com/tallylog/tallylog/night"
	"github.com/tallylog/tallylog/sim"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/verify"
	"github.com/tallylog/tallylog/web"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
)

// benchRow is one line of the benchmark table: a figure and the reference
// it is compared with, both measured in the same run.
type benchRow struct {
	Name      string  `json:"name"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	Reference string  `json:"reference,omitempty"`
	Ratio     float64 `json:"ratio,omitempty"`
}

// runBench measures tallylog end to end on a simulated election and prints
// the table kept in BENCHMARKS.md.
func runBench(st *State, args []string) error {
	fs := newFlagSet(st, "bench", "[--stations N] [--mysql-dsn DSN] [--json]")
	stations := fs.Int("stations", sim.DefaultStations, "polling stations to simulate (90675 is Pakistan; 1000000 India-sized)")
	seed := fs.Uint64("seed", 1, "simulation seed")
	workers := fs.Int("workers", 1024, "concurrent submitters for the ingest measurement")
	jsonOut := fs.Bool("json", false, "print the rows as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the ingest measurement to `FILE` (go tool pprof FILE)")
	mysqlDSN := fs.String("mysql-dsn", "", "also measure the log on Tessera's MySQL driver, on this MySQL/MariaDB server (`DSN` without a database; the bench creates and drops its own)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx := st.Ctx
	logf := func(format string, a ...any) { fmt.Fprintf(st.Stderr, format+"\n", a...) }
	var rows []benchRow
	var mysqlIngest float64
	add := func(r benchRow) { rows = append(rows, r); logf("  %s: %.0f %s", r.Name, r.Value, r.Unit) }

	logf("reference: Ed25519 verifications on %d cores", runtime.GOMAXPROCS(0))
	verifyRate := ed25519Rate()
	add(benchRow{Name: "Ed25519 verify (all cores)", Value: verifyRate, Unit: "verifications/s"})

	work, err := os.MkdirTemp("", "tallylog-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	logf("reference: bare Tessera POSIX append loop")
	tesseraRate, err := tesseraAppendRate(ctx, filepath.Join(work, "bare"), "", 50000)
	if err != nil {
		return err
	}
	add(benchRow{Name: "bare Tessera append loop (50,000 entries, 1,024 writers)", Value: tesseraRate, Unit: "appends/s"})
	var electionDSN string
	if *mysqlDSN != "" {
		bareDSN, drop, err := benchDatabase(ctx, *mysqlDSN, "bare")
		if err != nil {
			return err
		}
		defer drop()
		logf("bare Tessera MySQL append loop")
		r, err := tesseraAppendRate(ctx, "", bareDSN, 50000)
		if err != nil {
			return err
		}
		add(benchRow{Name: "bare Tessera append loop on MariaDB/MySQL (50,000 entries, 1,024 writers)", Value: r, Unit: "appends/s",
			Reference: "bare Tessera POSIX", Ratio: r / tesseraRate})
		electionDSN, drop, err = benchDatabase(ctx, *mysqlDSN, "election")
		if err != nil {
			return err
		}
		defer drop()
	}

	logf("simulating %d stations", *stations)
	t0 := time.Now()
	el, err := sim.Generate(sim.Config{Seed: *seed, Stations: *stations})
	if err != nil {
		return err
	}
	genSecs := time.Since(t0).Seconds()
	nSheets := 0
	for _, ev := range el.Records {
		if strings.HasPrefix(string(ev.Entry), "tallylog/v1 sheet\n") {
			nSheets++
		}
	}
	add(benchRow{Name: fmt.Sprintf("simulate and sign (%d stations, %d records)", *stations, len(el.Records)), Value: float64(len(el.Records)) / genSecs, Unit: "records/s"})

	logf("ingesting %d records through HTTP with %d submitters", len(el.Records), *workers)
	d := datadir.Dir{Root: filepath.Join(work, "election")}
	if err := createDemo(ctx, d, el, demoConfig{Seed: *seed, Stations: *stations}); err != nil {
		return err
	}
	if electionDSN != "" {
		// The same ingest on the MySQL driver first (its receipts wait for
		// a checkpoint at least a second apart), then on POSIX.
		d2 := datadir.Dir{Root: filepath.Join(work, "election-mysql")}
		if err := createDemoOn(ctx, d2, el, demoConfig{Seed: *seed, Stations: *stations}, electionDSN); err != nil {
			return err
		}
		r, err := ingestRate(ctx, d2, el, *workers, electionDSN)
		if err != nil {
			return fmt.Errorf("ingest on MySQL: %w", err)
		}
		mysqlIngest = r
	}
	srv, err := web.Open(ctx, d, web.Options{Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := srv.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	var mu sync.Mutex
	var lat []time.Duration
	sent := map[[32]byte]time.Time{}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %v", err)
		}
	}
	t0 = time.Now()
	err = night.Play(ctx, "http://"+ln.Addr().String(), el, night.NewClock(el.PollsClose), night.Options{
		Workers: *workers,
		Acked: func(ev *sim.Event, at time.Time) {
			mu.Lock()
			lat = append(lat, at.Sub(sent[ev.Hash]))
			mu.Unlock()
		},
		Sending: func(ev *sim.Event, at time.Time) {
			mu.Lock()
			sent[ev.Hash] = at
			mu.Unlock()
		},
	})
	ingestSecs := time.Since(t0).Seconds()
	if err == nil {
		err = srv.WaitApplied(ctx, uint64(len(el.Genesis)+len(el.Records)))
	}
	tallySecs := time.Since(t0).Seconds()
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	shutdown(hs, srv)
	if err != nil {
		return err
	}
	ingestRate := float64(len(el.Records)) / ingestSecs
	add(benchRow{Name: "ingest through HTTP, signature checked, receipt with inclusion proof", Value: ingestRate, Unit: "records/s",
		Reference: "Ed25519 verify", Ratio: ingestRate / verifyRate})
	add(benchRow{Name: "ingest, relative to the bare Tessera append loop", Value: ingestRate, Unit: "records/s",
		Reference: "bare Tessera", Ratio: ingestRate / tesseraRate})
	if mysqlIngest > 0 {
		add(benchRow{Name: "ingest through HTTP with the log on MariaDB/MySQL (checkpoints 1 s apart)", Value: mysqlIngest, Unit: "records/s",
			Reference: "POSIX ingest", Ratio: mysqlIngest / ingestRate})
	}
	add(benchRow{Name: "ingest until the live tally has applied everything", Value: float64(len(el.Records)) / tallySecs, Unit: "records/s",
		Reference: "Ed25519 verify", Ratio: float64(len(el.Records)) / tallySecs / verifyRate})
	slices.Sort(lat)
	if len(lat) > 0 {
		add(benchRow{Name: "submit to receipt (checkpoint covers it), p50", Value: float64(lat[len(lat)/2].Milliseconds()), Unit: "ms"})
		add(benchRow{Name: "submit to receipt, p99", Value: float64(lat[len(lat)*99/100].Milliseconds()), Unit: "ms"})
	}

	logf("verifying the log from its directory")
	lv, err := note.NewVerifier(el.LogVKey)
	if err != nil {
		return err
	}
	src, err := verify.NewSource(d.LogDir())
	if err != nil {
		return err
	}
	t0 = time.Now()
	res, err := verify.Log(ctx, src, lv, verify.Options{})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	vRate := float64(res.TreeSize) / time.Since(t0).Seconds()
	add(benchRow{Name: fmt.Sprintf("verify: every tile, entry and signature, replayed (%d entries)", res.TreeSize), Value: vRate, Unit: "entries/s",
		Reference: "Ed25519 verify", Ratio: vRate / verifyRate})

	logf("re-tabulating from memory")
	entries := make([][]byte, 0, len(el.Genesis)+len(el.Records))
	for _, ev := range el.Genesis {
		entries = append(entries, ev.Entry)
	}
	for _, ev := range el.Records {
		entries = append(entries, ev.Entry)
	}
	t0 = time.Now()
	tl := tally.New(el.Def.Origin)
	for i, e := range entries {
		if err := tl.Apply(uint64(i), e); err != nil {
			return fmt.Errorf("re-tabulation, index %d: %w", i, err)
		}
	}
	tl.Summary(el.PollsClose.Add(24 * time.Hour))
	tRate := float64(len(entries)) / time.Since(t0).Seconds()
	add(benchRow{Name: "full re-tabulation from memory (signatures, every contest, flag and seat)", Value: tRate, Unit: "entries/s",
		Reference: "Ed25519 verify", Ratio: tRate / verifyRate})

	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	add(benchRow{Name: "peak memory of the whole run (max RSS)", Value: float64(ru.Maxrss) / 1024, Unit: "MiB"})

	if *jsonOut {
		return json.NewEncoder(st.Stdout).Encode(rows)
	}
	writeBenchTable(st.Stdout, rows, *stations, nSheets)
	return nil
}

func writeBenchTable(w io.Writer, rows []benchRow, stations, sheets int) {
	fmt.Fprintf(w, "Simulated Pakistan-model election: %d polling stations, %d station sheets; %d cores.\n\n", stations, sheets, runtime.GOMAXPROCS(0))
	fmt.Fprintln(w, "| measurement | figure | ratio to reference (same run) |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, r := range rows {
		ratio := ""
		if r.Reference != "" {
			ratio = fmt.Sprintf("%.2f × %s", r.Ratio, r.Reference)
		}
		fmt.Fprintf(w, "| %s | %s %s | %s |\n", r.Name, groupDigits(r.Value), r.Unit, ratio)
	}
}

func groupDigits(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ed25519Rate measures Ed25519 verifications per second on every core:
// the ceiling of an ingest that checks every signature.
func ed25519Rate() float64 {
	pub, priv, _ := ed25519.GenerateKey(nil)
	msg := []byte(strings.Repeat("tallylog/v1 sheet\nvotes 1 300\n", 12))
	sig := ed25519.Sign(priv, msg)
	var n atomic.Int64
	stop := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(stop) {
				ed25519.Verify(pub, msg, sig)
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load())
}

// tesseraAppendRate measures a bare Tessera POSIX log: n entries of 400
// bytes added by 1,024 concurrent writers, each waiting for its index.
func tesseraAppendRate(ctx context.Context, dir, dsn string, n int) (float64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	skey, _, _ := note.GenerateKey(nil, "bench.example/log")
	signer, _ := note.NewSigner(skey)
	var driver tessera.Driver
	interval := 100 * time.Millisecond
	if dsn != "" {
		st, db, err := ledger.OpenMySQLDriver(ctx, dsn)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		driver, interval = st, ledger.MySQLMinInterval
	} else {
		d, err := posix.New(ctx, posix.Config{Path: dir})
		if err != nil {
			return 0, err
		}
		driver = d
	}
	app, shutdown, _, err := tessera.NewAppender(ctx, driver, tessera.NewAppendOptions().
		WithCheckpointSigner(signer).WithBatching(1024, 50*time.Millisecond).WithCheckpointInterval(interval))
	if err != nil {
		return 0, err
	}
	entry := []byte(strings.Repeat("x", 400))
	var next atomic.Int64
	t0 := time.Now()
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range 1024 {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				e := append([]byte(fmt.Sprint(next.Load(), " ")), entry...)
				if _, err := app.Add(ctx, tessera.NewEntry(e))(); err != nil {
					firstErr.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	rate := float64(n) / time.Since(t0).Seconds()
	shutdown(ctx)
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return rate, nil
}

// ingestRate plays the election's records through HTTP into a server over
// d (with its log in the database dsn names) and returns records per second.
func ingestRate(ctx context.Context, d datadir.Dir, el *sim.Election, workers int, dsn string) (float64, error) {
	srv, err := web.Open(ctx, d, web.Options{Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond, MySQLDSN: dsn}})
	if err != nil {
		return 0, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close(ctx)
		return 0, err
	}
	hs := srv.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	t0 := time.Now()
	err = night.Play(ctx, "http://"+ln.Addr().String(), el, night.NewClock(el.PollsClose), night.Options{Workers: workers})
	secs := time.Since(t0).Seconds()
	shutdown(hs, srv)
	if err != nil {
		return 0, err
	}
	return float64(len(el.Records)) / secs, nil
}

// benchDatabase creates a database for the bench on the server base names
// and returns its DSN and a function that drops it.
func benchDatabase(ctx context.Context, base, what string) (string, func(), error) {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	db, err := sql.Open("mysql", base)
	if err != nil {
		return "", nil, fmt.Errorf("--mysql-dsn: %v", err)
	}
	name := fmt.Sprintf("tallylog_bench_%d_%s", os.Getpid(), what)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("--mysql-dsn: creating database %s: %v", name, err)
	}
	return base + name, func() { db.Exec("DROP DATABASE " + name); db.Close() }, nil
}
