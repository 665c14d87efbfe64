package tally

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/internal/benchref"
	"github.com/tallylog/tallylog/internal/parallel"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"golang.org/x/mod/sumdb/note"
)

// The benchmarks replay a generated election of benchStations polling
// stations (TALLY_BENCH_STATIONS overrides the default 1,000,000), spread
// over every contest of Pakistan's 2024 definition, one presiding key per
// station, with a provisional and a final declaration per contest (one in
// twenty declaring a changed winner). Generating and signing the log takes
// a while; it happens only when a benchmark runs, never in plain go test.

type benchLog struct {
	entries [][]byte
	signers []note.Signer // presiding key of station i
	def     *election.Definition
	sheets  []string // hash of station i's current sheet
	revs    []int64  // its revision
	ecp     note.Signer
}

var (
	benchOnce sync.Once
	bench     *benchLog
)

func benchStations() int {
	if n, err := strconv.Atoi(os.Getenv("TALLY_BENCH_STATIONS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// seededSigner makes a deterministic key without the cost of a random
// source.
func seededSigner(name string) (note.Signer, string) {
	seed := sha256.Sum256([]byte(name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	vk, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		panic(err)
	}
	v, _ := note.NewVerifier(vk)
	sk := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, v.KeyHash(), b64(append([]byte{1}, seed[:]...)))
	s, err := note.NewSigner(sk)
	if err != nil {
		panic(err)
	}
	return s, vk
}

func buildBench(tb testing.TB) *benchLog {
	benchOnce.Do(func() { bench = generate(tb, benchStations()) })
	return bench
}

func generate(tb testing.TB, n int) *benchLog {
	start := time.Now()
	d := election.Pakistan2024()
	d.ID, d.Origin = "pk-bench", "results.example.pk/bench"
	names := []string{"pmln", "pti", "ppp", "mqmp", "juif", "ji", "", ""}
	for i := range d.Contests {
		for k, p := range names {
			d.Contests[i].Candidates = append(d.Contests[i].Candidates, election.Candidate{ID: strconv.Itoa(k + 1), Name: "Candidate " + strconv.Itoa(k+1), Party: p})
		}
	}
	d.Stations = make([]election.Station, n)
	for i := range d.Stations {
		d.Stations[i] = election.Station{ID: fmt.Sprintf("S%07d", i), Registered: 1200, Contests: []string{d.Contests[i%len(d.Contests)].ID}}
	}
	if err := d.Validate(); err != nil {
		tb.Fatal(err)
	}
	ecp, ecpVK := seededSigner("ecp")
	gen, err := registry.Genesis(d, ecp, ecpVK, time.Date(2024, 1, 20, 9, 0, 0, 0, time.UTC))
	if err != nil {
		tb.Fatal(err)
	}
	bl := &benchLog{def: d, signers: make([]note.Signer, n), sheets: make([]string, n), revs: make([]int64, n), ecp: ecp}
	vks := make([]string, n)
	parallel.For(n, func(i int) { bl.signers[i], vks[i] = seededSigner("po." + d.Stations[i].ID) })
	var grants []record.Grant
	ros := make([]note.Signer, len(d.Contests))
	for i, c := range d.Contests {
		var vk string
		ros[i], vk = seededSigner("ro." + c.ID)
		grants = append(grants, record.Grant{Role: "returning", Scope: c.ID, Key: vk})
	}
	for i, s := range d.Stations {
		grants = append(grants, record.Grant{Role: "presiding", Scope: s.ID, Key: vks[i]})
	}
	keys, err := registry.GrantRecords(d.ID, d.Origin, grants, ecp)
	if err != nil {
		tb.Fatal(err)
	}
	sheets := make([][]byte, n)
	sums := make([][]int64, len(d.Contests))
	for i := range sums {
		sums[i] = make([]int64, len(names))
	}
	votes := func(i int) []record.Count {
		cs := make([]record.Count, len(names))
		h := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
		for k := range cs {
			cs[k] = record.Count{Candidate: strconv.Itoa(k + 1), Votes: int64(h[k]%64) + int64(8-k)*15}
		}
		return cs
	}
	parallel.For(n, func(i int) {
		s := &record.Sheet{Election: d.ID, Log: d.Origin, Contest: d.Stations[i].Contests[0], Station: d.Stations[i].ID, Revision: 1,
			Registered: 1200, Votes: votes(i), Captured: "2024-02-08T18:00:00Z"}
		for _, c := range s.Votes {
			s.Cast += c.Votes
		}
		e, err := record.Sign(s, bl.signers[i])
		if err != nil {
			panic(err)
		}
		sheets[i] = e
		h := sha256.Sum256(e)
		bl.sheets[i], bl.revs[i] = fmt.Sprintf("%x", h), 1
	})
	for i := 0; i < n; i++ {
		for k, c := range votes(i) {
			sums[i%len(d.Contests)][k] += c.Votes
		}
	}
	var decls [][]byte
	for i, c := range d.Contests {
		v := make([]record.Count, len(names))
		for k := range v {
			v[k] = record.Count{Candidate: strconv.Itoa(k + 1), Votes: sums[i][k]}
		}
		if i%20 == 7 { // the Rawalpindi pattern: give the last candidate a 50,000-vote lead
			top := int64(0)
			for _, c := range v {
				top = max(top, c.Votes)
			}
			v[len(v)-1].Votes = top + 50_000
		}
		p47, _ := record.Sign(&record.Declaration{Election: d.ID, Log: d.Origin, Contest: c.ID, Form: 47, Votes: v, Declared: "2024-02-08T20:00:00Z"}, ros[i])
		zero := make([]record.Count, len(v))
		for k := range zero {
			zero[k] = record.Count{Candidate: v[k].Candidate}
		}
		p49, _ := record.Sign(&record.Declaration{Election: d.ID, Log: d.Origin, Contest: c.ID, Form: 49, Votes: v, Postal: zero, Readmitted: zero, Declared: "2024-02-10T09:00:00Z"}, ros[i])
		decls = append(decls, p47, p49)
	}
	bl.entries = append(append(append(gen, keys...), sheets...), decls...)
	tb.Logf("generated %d entries for %d stations in %v", len(bl.entries), n, time.Since(start).Round(time.Millisecond))
	return bl
}

func b64(b []byte) string { return base64Std.EncodeToString(b) }

// replay applies every entry with Apply: the production path.
func replay(tb testing.TB, entries [][]byte, origin string) *Tally {
	t := New(origin)
	for i, e := range entries {
		if err := t.Apply(uint64(i), e); err != nil {
			tb.Fatalf("index %d: %v", i, err)
		}
	}
	return t
}

// replayUnverified is the benchmark's measure of everything Apply does
// besides registry.Admit (whose cost is the signature check): it parses,
// records and updates, without admitting. Test-only: Apply is unchanged.
func replayUnverified(tb testing.TB, entries [][]byte, origin string) *Tally {
	return replayUnverifiedInto(tb, New(origin), entries)
}

// replayUnverifiedInto is replayUnverified into the empty tally t.
func replayUnverifiedInto(tb testing.TB, t *Tally, entries [][]byte) *Tally {
	for i, e := range entries {
		env, err := record.Open(e)
		if err != nil {
			tb.Fatalf("index %d: %v", i, err)
		}
		key, err := t.reg.Signer(env) // as Apply has it, without the signature check
		if err != nil {
			tb.Fatalf("index %d: %v", i, err)
		}
		t.mu.Lock()
		t.reg.Record(uint64(i), env)
		t.signer = key
		start := time.Now()
		t.learn(uint64(i), env)
		learnTime += time.Since(start)
		t.signer = nil
		t.size = uint64(i) + 1
		t.mu.Unlock()
	}
	return t
}

// learnTime accumulates the time replayUnverified spends in the tally's own
// update (learn), apart from parsing and the registry.
var learnTime time.Duration

// verifyRate measures ed25519.Verify on this machine, the reference the
// figures are stated against.
func verifyRate() time.Duration {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	msg := make([]byte, 400)
	sig := ed25519.Sign(priv, msg)
	pub := priv.Public().(ed25519.PublicKey)
	const n = 20000
	start := time.Now()
	for i := 0; i < n; i++ {
		if !ed25519.Verify(pub, msg, sig) {
			panic("verify")
		}
	}
	return time.Since(start) / n
}

func heapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

func BenchmarkEd25519Verify(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	msg := make([]byte, 400)
	sig := ed25519.Sign(priv, msg)
	pub := priv.Public().(ed25519.PublicKey)
	for b.Loop() {
		ed25519.Verify(pub, msg, sig)
	}
}

// BenchmarkReplay is the full pass from an in-memory log through Apply
// (signatures verified), reported per entry and as a multiple of one
// Ed25519 verification.
func BenchmarkReplay(b *testing.B) {
	bl := buildBench(b)
	ref := verifyRate()
	var t *Tally
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t = replay(b, bl.entries, bl.def.Origin)
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N*len(bl.entries))
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/pass")
	b.ReportMetric(float64(per.Nanoseconds()), "ns/entry")
	b.ReportMetric(float64(per)/float64(ref), "verify-ratio")
	b.ReportMetric(heapMiB(), "heap-MiB")
	runtime.KeepAlive(t)
}

// BenchmarkReplayUnverified is the same pass without registry.Admit: the
// parsing and the tally's own work.
func BenchmarkReplayUnverified(b *testing.B) {
	bl := buildBench(b)
	ref := verifyRate()
	var t *Tally
	learnTime = 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t = replayUnverified(b, bl.entries, bl.def.Origin)
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N*len(bl.entries))
	b.ReportMetric(float64(learnTime.Nanoseconds())/float64(b.N*len(bl.entries)), "update-ns/entry")
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/pass")
	b.ReportMetric(float64(per.Nanoseconds()), "ns/entry")
	b.ReportMetric(float64(per)/float64(ref), "verify-ratio")
	b.ReportMetric(heapMiB(), "heap-MiB")
	runtime.KeepAlive(t)
}

// BenchmarkReplayVerified is the pass a server's tally makes over the
// records its own intake appended: ApplyVerified, every rule but the
// signature check, which the intake already made (registry.Verified). The
// records are authenticated before the timer starts.
func BenchmarkReplayVerified(b *testing.B) {
	bl := buildBench(b)
	ref := verifyRate()
	verified := make([]*registry.Verified, len(bl.entries))
	r := registry.New(bl.def.Origin)
	for i, e := range bl.entries {
		env, err := record.Open(e)
		if err != nil {
			b.Fatal(err)
		}
		if verified[i], err = r.Authenticate(env); err != nil {
			b.Fatalf("index %d: %v", i, err)
		}
		if _, err := r.AdmitVerified(verified[i]); err != nil {
			b.Fatalf("index %d: %v", i, err)
		}
		r.Record(uint64(i), env)
	}
	var t *Tally
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t = New(bl.def.Origin)
		for k, v := range verified {
			if err := t.ApplyVerified(uint64(k), v); err != nil {
				b.Fatalf("index %d: %v", k, err)
			}
		}
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N*len(bl.entries))
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/pass")
	b.ReportMetric(float64(per.Nanoseconds()), "ns/entry")
	b.ReportMetric(float64(per)/float64(ref), "verify-ratio")
	runtime.KeepAlive(t)
}

var benchTally struct {
	once sync.Once
	t    *Tally
}

func tallied(b *testing.B) (*benchLog, *Tally) {
	bl := buildBench(b)
	benchTally.once.Do(func() { benchTally.t = replayUnverified(b, bl.entries, bl.def.Origin) })
	return bl, benchTally.t
}

// BenchmarkRetabulate is the full re-tabulation of the replayed state:
// every contest's sums recomputed from the current sheets, every station's
// and contest's flags recomputed and checked, all seats allocated, and the
// summary built.
func BenchmarkRetabulate(b *testing.B) {
	_, t := tallied(b)
	asOf := time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)
	var s *Summary
	b.ResetTimer()
	c0 := benchref.CPUSeconds()
	for i := 0; i < b.N; i++ {
		if err := t.retabulate(); err != nil {
			b.Fatal(err)
		}
		s = t.Summary(asOf)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/pass")
	b.ReportMetric((benchref.CPUSeconds()-c0)/float64(b.N), "cpu-s/pass")
	if len(s.Flags) == 0 || s.Flags[0].Kind != KindWinnerChanged {
		b.Fatalf("the injected winner changes were not flagged: %+v", s.Flags)
	}
}

var incrementalRuns int

// BenchmarkApplyIncremental applies one more record (a recount of one
// station, signed by its presiding officer on the commission's order, which
// is applied first, untimed) to the full tally, through Apply, and states
// it as a multiple of one Ed25519 verification.
func BenchmarkApplyIncremental(b *testing.B) {
	bl, t := tallied(b)
	ref := verifyRate()
	n := min(b.N, len(bl.def.Stations))
	incrementalRuns++
	orders := make([][]byte, n)
	entries := make([][]byte, n)
	parallel.For(n, func(i int) {
		st := &bl.def.Stations[i]
		o := &record.Order{Election: bl.def.ID, Log: bl.def.Origin, Contest: st.Contests[0], Kind: record.OrderRecount, Stations: []string{st.ID},
			Reason: fmt.Sprintf("recount %d", incrementalRuns), Ordered: "2024-02-09T09:00:00Z"}
		oe, err := record.Sign(o, bl.ecp)
		if err != nil {
			panic(err)
		}
		orders[i] = oe
		s := &record.Sheet{Election: bl.def.ID, Log: bl.def.Origin, Contest: st.Contests[0], Station: st.ID, Revision: bl.revs[i] + 1, Registered: 1200,
			Captured: "2024-02-09T10:00:00Z", Supersedes: bl.sheets[i], Order: fmt.Sprintf("%x", sha256.Sum256(oe)), Reason: "recount"}
		for k := range bl.def.Contests[i%len(bl.def.Contests)].Candidates {
			s.Votes = append(s.Votes, record.Count{Candidate: strconv.Itoa(k + 1), Votes: 100})
			s.Cast += 100
		}
		e, err := record.Sign(s, bl.signers[i])
		if err != nil {
			panic(err)
		}
		entries[i] = e
		bl.sheets[i], bl.revs[i] = fmt.Sprintf("%x", sha256.Sum256(e)), s.Revision
	})
	for i := range orders {
		if err := t.Apply(t.Size(), orders[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < n; i++ {
		if err := t.Apply(t.Size(), entries[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(n)
	b.ReportMetric(float64(per)/float64(ref), "verify-ratio")
}

var base64Std = base64.StdEncoding

// BenchmarkTallyMemory measures the tally's own share of the heap: the
// heap in use with the replayed tally (its registry, definition, sheets,
// flags and indexes) minus the heap before it was built, with the
// benchmark's in-memory log, signers and definition alive in both. heap-MiB
// is everything, the log included. registry-MiB is what a bare registry
// with every entry recorded adds, sharing nothing with the tally's;
// BenchmarkServerMemory measures a server's pair, which share a pool.
func BenchmarkTallyMemory(b *testing.B) {
	bl := buildBench(b)
	var h held
	for i := 0; i < b.N; i++ {
		h = held{}
		h = hold(b, bl, registry.NewPool(), registry.NewPool())
	}
	b.ReportMetric(h.tallyMiB, "tally-MiB")
	b.ReportMetric(h.tallyMiB*(1<<20)/float64(len(bl.def.Stations)), "tally-B/station")
	b.ReportMetric(h.intakeMiB, "registry-MiB")
	b.ReportMetric(heapMiB(), "heap-MiB")
	runtime.KeepAlive(h)
	runtime.KeepAlive(bl)
}

// BenchmarkServerMemory measures what a server holds at benchStations
// stations, as internal/node wires it: its live tally and, beside it, the
// registry its intake rules on submissions with (intake.New replays the
// log into it exactly so: registry.Record for every entry), both fed the
// whole log, both made from one registry.Pool (intake.Pool,
// NewPooled). The figures are heap in use above the heap before (the
// benchmark's own log, signers and definition alive throughout):
// server-MiB is the two together, tally-MiB the tally's own share
// (measured first, alone, as BenchmarkTallyMemory does) and intake-MiB
// what the intake's registry adds to it. Tessera, HTTP and the site's
// caches are not included. TALLY_BENCH_HEAPPROFILE=FILE writes a heap
// profile (at -memprofilerate) while both are alive, for go tool pprof.
func BenchmarkServerMemory(b *testing.B) {
	bl := buildBench(b)
	var h held
	for i := 0; i < b.N; i++ {
		h = held{}
		pool := registry.NewPool()
		h = hold(b, bl, pool, pool)
	}
	if f := os.Getenv("TALLY_BENCH_HEAPPROFILE"); f != "" {
		writeHeapProfile(b, f)
	}
	server := h.tallyMiB + h.intakeMiB
	b.ReportMetric(server, "server-MiB")
	b.ReportMetric(h.tallyMiB, "tally-MiB")
	b.ReportMetric(h.intakeMiB, "intake-MiB")
	b.ReportMetric(server*(1<<20)/float64(len(bl.def.Stations)), "server-B/station")
	runtime.KeepAlive(h)
	runtime.KeepAlive(bl)
}

// held is a replayed tally and, beside it, a registry as a server's
// intake holds it, with the heap each added when it was built.
type held struct {
	t                   *Tally
	reg                 *registry.Registry
	tallyMiB, intakeMiB float64
}

// hold replays the whole log into a tally made from tallyPool, then into
// a registry made from intakePool, measuring the heap after each.
func hold(b *testing.B, bl *benchLog, tallyPool, intakePool *registry.Pool) held {
	var h held
	before := heapMiB()
	h.t = replayUnverifiedInto(b, NewPooled(bl.def.Origin, tallyPool), bl.entries)
	mid := heapMiB()
	h.reg = intakeRegistry(b, intakePool.New(bl.def.Origin), bl.entries)
	h.tallyMiB, h.intakeMiB = mid-before, heapMiB()-mid
	return h
}

// intakeRegistry is the registry a server's intake holds once it has
// replayed entries (intake.New).
func intakeRegistry(tb testing.TB, reg *registry.Registry, entries [][]byte) *registry.Registry {
	for i, e := range entries {
		env, err := record.Open(e)
		if err != nil {
			tb.Fatalf("index %d: %v", i, err)
		}
		reg.Record(uint64(i), env)
	}
	return reg
}

func writeHeapProfile(tb testing.TB, name string) {
	f, err := os.Create(name)
	if err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}
