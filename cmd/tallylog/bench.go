package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tallylog/tallylog/internal/benchref"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/gcpolicy"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/night"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/internal/web"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/verify"
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
	// RefValue is the reference's rate used for Ratio: Ed25519
	// verifications on all cores measured just before and just after this
	// figure, averaged (the machine may be shared, so its speed moves).
	RefValue float64 `json:"reference_value,omitempty"`
	Ratio    float64 `json:"ratio,omitempty"`
	// CPURatio is the same comparison per CPU-second: operations per
	// CPU-second of this process over Ed25519 verifications per CPU-second.
	// It moves less than Ratio when other work shares the machine (but
	// counts no time spent waiting for the disk or the checkpoint).
	CPURatio float64 `json:"cpu_ratio,omitempty"`
	// Goal is issue 17's goal for this figure, and Met whether it was met.
	Goal string `json:"goal,omitempty"`
	Met  *bool  `json:"met,omitempty"`
}

// runBench measures tallylog end to end on a simulated election and prints
// the table kept in BENCHMARKS.md.
func runBench(st *State, args []string) error {
	fs := newFlagSet(st, "bench", "[--stations N] [--batch N] [--mysql-dsn DSN] [--json]")
	stations := fs.Int("stations", sim.DefaultStations, "polling stations to simulate (90675 is Pakistan; 1000000 India-sized)")
	seed := fs.Uint64("seed", 1, "simulation seed")
	workers := fs.Int("workers", 1024, "concurrent submitters of single records")
	batch := fs.Int("batch", 250, "records per batch request in the batched ingest")
	batchWorkers := fs.Int("batch-workers", 4, "concurrent submitters of batches")
	logBatch := fs.Uint("log-batch-size", 0, "Tessera: entries sequenced in one durable write (0: the server's default)")
	logAge := fs.Duration("log-batch-age", 0, "Tessera: longest wait of a batch's first entry (0: the server's default)")
	single := fs.Bool("single", true, "also measure ingest through the single-record endpoint")
	jsonOut := fs.Bool("json", false, "print the rows as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the batched ingest and the verification to `FILE` (go tool pprof FILE)")
	mysqlDSN := fs.String("mysql-dsn", "", "also measure the log on Tessera's MySQL driver, on this MySQL/MariaDB server (`DSN` without a database; the bench creates and drops its own)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch < 1 || *batch > web.MaxBatchRecords {
		return usageError{fmt.Sprintf("--batch must be 1 to %d", web.MaxBatchRecords)}
	}
	lopts := ledger.Options{CheckpointInterval: 100 * time.Millisecond, BatchSize: *logBatch, BatchAge: *logAge}
	ctx := st.Ctx
	logf := func(format string, a ...any) { fmt.Fprintf(st.Stderr, format+"\n", a...) }
	// The bench measures the server as tallylog serve runs it.
	logf("%s", gcpolicy.Apply(gcpolicy.System))
	var rows []benchRow
	var mysqlIngest float64
	add := func(r benchRow) { rows = append(rows, r); logf("  %s: %.0f %s", r.Name, r.Value, r.Unit) }
	// measure runs f between two measurements of the reference: the ratio
	// of f's figure is to the machine's speed while f ran.
	var refs []float64
	measure := func(f func() error) (refRun, error) {
		bw, bc := ed25519Rate(500 * time.Millisecond)
		c0 := cpuSeconds()
		if err := f(); err != nil {
			return refRun{}, err
		}
		cpu := cpuSeconds() - c0
		aw, ac := ed25519Rate(500 * time.Millisecond)
		refs = append(refs, bw, aw)
		return refRun{wall: (bw + aw) / 2, perCPU: (bc + ac) / 2, cpu: cpu}, nil
	}
	// versus states r (n operations) as a ratio to the reference m.
	versus := func(r benchRow, m refRun, n float64, goal float64) benchRow {
		r.Reference, r.RefValue, r.Ratio = "Ed25519 verify", m.wall, r.Value/m.wall
		if m.cpu > 0 && m.perCPU > 0 {
			r.CPURatio = n / m.cpu / m.perCPU
		}
		if goal > 0 {
			met := r.Ratio >= goal
			r.Goal, r.Met = fmt.Sprintf("≥ %.2g×", goal), &met
		}
		return r
	}

	logf("reference: Ed25519 verifications on %d cores", runtime.GOMAXPROCS(0))
	refRow := len(rows)
	refRate, _ := ed25519Rate(time.Second)
	add(benchRow{Name: "Ed25519 verify (all cores)", Value: refRate, Unit: "verifications/s"})

	work, err := os.MkdirTemp("", "tallylog-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	logf("reference: bare Tessera POSIX append loop")
	var tesseraRate float64
	bare, err := measure(func() (err error) {
		tesseraRate, err = tesseraAppendRate(ctx, filepath.Join(work, "bare"), "", bareAppends)
		return err
	})
	if err != nil {
		return err
	}
	// Its ratio per CPU-second says what the log alone leaves of the CPU a
	// record may cost beside its signature check (issue 17's ingest goal).
	add(versus(benchRow{Name: fmt.Sprintf("bare Tessera append loop (%s entries, 1,024 writers)", groupDigits(bareAppends)), Value: tesseraRate, Unit: "appends/s"}, bare, bareAppends, 0))
	var electionDSN string
	if *mysqlDSN != "" {
		bareDSN, drop, err := benchDatabase(ctx, *mysqlDSN, "bare")
		if err != nil {
			return err
		}
		defer drop()
		logf("bare Tessera MySQL append loop")
		r, err := tesseraAppendRate(ctx, "", bareDSN, bareAppends)
		if err != nil {
			return err
		}
		add(benchRow{Name: fmt.Sprintf("bare Tessera append loop on MariaDB/MySQL (%s entries, 1,024 writers)", groupDigits(bareAppends)), Value: r, Unit: "appends/s",
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
	nRec := float64(len(el.Records))
	add(benchRow{Name: fmt.Sprintf("simulate and sign (%d stations, %d records)", *stations, len(el.Records)), Value: nRec / genSecs, Unit: "records/s"})

	if *single {
		logf("ingesting %d records one per request, %d submitters", len(el.Records), *workers)
		var in *ingestResult
		ref, err := measure(func() (err error) {
			in, err = benchIngest(ctx, filepath.Join(work, "single"), el, lopts, night.Options{Workers: *workers})
			return err
		})
		if err != nil {
			return err
		}
		ref.cpu = in.cpu
		add(versus(benchRow{Name: "ingest through HTTP, one record per request, signature checked, receipt with inclusion proof", Value: nRec / in.ingest.Seconds(), Unit: "records/s"}, ref, nRec, 0))
		add(benchRow{Name: "  one record per request: submit to receipt, p99", Value: in.p(99), Unit: "ms"})
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

	logf("ingesting %d records in batches of %d, %d submitters", len(el.Records), *batch, *batchWorkers)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}
	var in *ingestResult
	ref, err := measure(func() (err error) {
		in, err = benchIngest(ctx, filepath.Join(work, "batch"), el, lopts, night.Options{Workers: *batchWorkers, Batch: *batch})
		return err
	})
	if err != nil {
		return err
	}
	ref.cpu = in.cpu // the server, the submitters and the live tally; not the set-up
	ingestRate := nRec / in.ingest.Seconds()
	add(versus(benchRow{Name: fmt.Sprintf("ingest through HTTP in batches of %d, every signature checked, every record durable with its receipt", *batch), Value: ingestRate, Unit: "records/s"}, ref, nRec, 0.75))
	add(benchRow{Name: "  the same, relative to the bare Tessera append loop", Value: ingestRate, Unit: "records/s", Reference: "bare Tessera", Ratio: ingestRate / tesseraRate})
	add(versus(benchRow{Name: fmt.Sprintf("end to end: %d stations from the first record sent to the last applied by the live tally (%.1f s)", *stations, in.applied.Seconds()), Value: nRec / in.applied.Seconds(), Unit: "records/s"}, ref, nRec, 0.5))
	add(benchRow{Name: "  submit to receipt at a 100 ms checkpoint interval, p50", Value: in.p(50), Unit: "ms"})
	p99 := in.p(99)
	met := p99 <= 250
	add(benchRow{Name: "  submit to receipt at a 100 ms checkpoint interval, p99", Value: p99, Unit: "ms", Goal: "≤ 250 ms", Met: &met})
	add(benchRow{Name: fmt.Sprintf("  garbage collection during it (%.0f%% of its CPU)", 100*in.gcCPU/in.cpu), Value: in.gcCPU / nRec * 1e6, Unit: "µs/record"})
	if mysqlIngest > 0 {
		add(benchRow{Name: "  one record per request with the log on MariaDB/MySQL (checkpoints 1 s apart)", Value: mysqlIngest, Unit: "records/s"})
	}

	logf("verifying the log from its directory")
	lv, err := note.NewVerifier(el.LogVKey)
	if err != nil {
		return err
	}
	src, err := verify.NewSource(in.dir.LogDir())
	if err != nil {
		return err
	}
	var res *verify.Result
	var vSecs float64
	ref, err = measure(func() (err error) {
		t0 := time.Now()
		res, err = verify.Log(ctx, src, lv, verify.Options{})
		vSecs = time.Since(t0).Seconds()
		return err
	})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	add(versus(benchRow{Name: fmt.Sprintf("verify from scratch: every tile, entry and signature, replayed (%d entries)", res.TreeSize), Value: float64(res.TreeSize) / vSecs, Unit: "entries/s"}, ref, float64(res.TreeSize), 0.8))

	pprof.StopCPUProfile()

	logf("re-tabulating from memory")
	entries := make([][]byte, 0, len(el.Genesis)+len(el.Records))
	for _, ev := range el.Genesis {
		entries = append(entries, ev.Entry)
	}
	for _, ev := range el.Records {
		entries = append(entries, ev.Entry)
	}
	var tSecs float64
	ref, err = measure(func() error {
		t0 := time.Now()
		tl := tally.New(el.Def.Origin)
		for i, e := range entries {
			if err := tl.Apply(uint64(i), e); err != nil {
				return fmt.Errorf("re-tabulation, index %d: %w", i, err)
			}
		}
		tl.Summary(el.PollsClose.Add(24 * time.Hour))
		tSecs = time.Since(t0).Seconds()
		return nil
	})
	if err != nil {
		return err
	}
	add(versus(benchRow{Name: "replay from memory, one entry at a time (signatures, every contest, flag and seat)", Value: float64(len(entries)) / tSecs, Unit: "entries/s"}, ref, float64(len(entries)), 0))

	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	add(benchRow{Name: "peak memory of the whole run (max RSS)", Value: float64(ru.Maxrss) / 1024, Unit: "MiB"})
	lo, hi := slices.Min(refs), slices.Max(refs)
	rows[refRow].Name = fmt.Sprintf("Ed25519 verify (all cores; between %s and %s/s during the run)", groupDigits(lo), groupDigits(hi))

	if *jsonOut {
		return json.NewEncoder(st.Stdout).Encode(rows)
	}
	writeBenchTable(st.Stdout, rows, *stations, nSheets)
	return nil
}

// ingestResult is one ingest measurement.
type ingestResult struct {
	dir     datadir.Dir
	ingest  time.Duration // first record sent to last acknowledged
	applied time.Duration // first record sent to last applied by the tally
	lat     []time.Duration
	cpu     float64 // CPU-seconds of this process from the first record sent to the last applied
	gcCPU   float64 // of those, the garbage collector's (the runtime's estimate)
}

// p returns the q-th percentile of the submit-to-receipt latencies, in ms.
func (r *ingestResult) p(q int) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	return float64(r.lat[(len(r.lat)-1)*q/100].Microseconds()) / 1000
}

// benchIngest opens a server for el in dir (genesis logged), plays el's
// records through HTTP with opts and measures until every record is
// acknowledged and applied.
func benchIngest(ctx context.Context, root string, el *sim.Election, lopts ledger.Options, opts night.Options) (*ingestResult, error) {
	d := datadir.Dir{Root: root}
	if err := createDemo(ctx, d, el, demoConfig{Seed: 1, Stations: len(el.Def.Stations)}); err != nil {
		return nil, err
	}
	srv, err := web.Open(ctx, d, web.Options{Log: lopts})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := srv.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	// The server's tally replays the genesis (the definition, the keys)
	// when it opens: a cost of starting the server, not of the records.
	if err := srv.WaitApplied(ctx, uint64(len(el.Genesis))); err != nil {
		shutdown(hs, srv)
		return nil, err
	}
	var mu sync.Mutex
	out := &ingestResult{dir: d}
	sent := map[[32]byte]time.Time{}
	opts.Acked = func(ev *sim.Event, at time.Time) {
		mu.Lock()
		out.lat = append(out.lat, at.Sub(sent[ev.Hash]))
		mu.Unlock()
	}
	opts.Sending = func(ev *sim.Event, at time.Time) {
		mu.Lock()
		sent[ev.Hash] = at
		mu.Unlock()
	}
	c0, g0 := cpuSeconds(), gcCPUSeconds()
	t0 := time.Now()
	err = night.Play(ctx, "http://"+ln.Addr().String(), el, night.NewClock(el.PollsClose), opts)
	out.ingest = time.Since(t0)
	if err == nil {
		err = srv.WaitApplied(ctx, uint64(len(el.Genesis)+len(el.Records)))
	}
	out.applied = time.Since(t0)
	out.cpu, out.gcCPU = cpuSeconds()-c0, gcCPUSeconds()-g0
	shutdown(hs, srv)
	slices.Sort(out.lat)
	return out, err
}

func writeBenchTable(w io.Writer, rows []benchRow, stations, sheets int) {
	fmt.Fprintf(w, "Simulated Pakistan-model election: %d polling stations, %d station sheets; %d cores.\n\n", stations, sheets, runtime.GOMAXPROCS(0))
	fmt.Fprintln(w, "| measurement | figure | ratio to reference (same run) | goal (issue 17) |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range rows {
		ratio, goal := "", r.Goal
		if r.Reference != "" {
			ratio = fmt.Sprintf("%.2f × %s", r.Ratio, r.Reference)
			if r.CPURatio > 0 {
				ratio += fmt.Sprintf(" (%.2f × per CPU-second)", r.CPURatio)
			}
		}
		if r.Met != nil {
			goal += map[bool]string{true: " met", false: " not met"}[*r.Met]
		}
		fmt.Fprintf(w, "| %s | %s %s | %s | %s |\n", r.Name, groupDigits(r.Value), r.Unit, ratio, goal)
	}
	fmt.Fprintln(w, "\nThe 1,000,000-station goals (tally memory, re-tabulation under 1 s) are measured by")
	fmt.Fprintln(w, "go test ./tally/ -run XXX -bench 'Retabulate|TallyMemory' -benchtime 1x -timeout 60m")
}

func groupDigits(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// bareAppends is how many entries the bare Tessera loop appends.
const bareAppends = 50000

// refRun is the reference measured around one figure.
type refRun struct {
	wall   float64 // Ed25519 verifications per second on every core
	perCPU float64 // Ed25519 verifications per CPU-second
	cpu    float64 // CPU-seconds the measured work used
}

// cpuSeconds and ed25519Rate are the reference (see benchref).
func cpuSeconds() float64 { return benchref.CPUSeconds() }

// gcCPUSeconds is the runtime's estimate of the CPU time its garbage
// collector has used in this process.
func gcCPUSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

func ed25519Rate(d time.Duration) (perSec, perCPUSec float64) { return benchref.Ed25519Rate(d) }

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
