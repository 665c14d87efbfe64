package forensics

import (
	"crypto/sha256"
	"math/rand/v2"
	"testing"
)

// Benchmarks. Run with
//
//	go test ./forensics -run '^$' -bench . -benchtime 3x
//
// BenchmarkReference* measure fixed work on the same machine in the same
// run, so that BENCHMARKS.md can give ratios that survive a change of
// machine.

// BenchmarkIntegerRussia2011 is the integer-percentage test alone on Russia
// 2011 (95,225 stations) with 1,000 binomial resamples per station — the
// computation the independent numpy implementation takes about 21 s for.
func BenchmarkIntegerRussia2011(b *testing.B) {
	in := readPreset(b, "russia-kobak/2011.csv.gz", "russia-kobak")
	opt := Options{Seed: 1, Resamples: 1000, MinRegistered: 100}
	d, _, err := prepare(in.Stations, in.Candidates, &opt)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		runKobak(d, &opt)
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}

// BenchmarkAnalyzeRussia2011 is the whole analysis with 1,000 resamples.
func BenchmarkAnalyzeRussia2011(b *testing.B) {
	in := readPreset(b, "russia-kobak/2011.csv.gz", "russia-kobak")
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		if _, err := Analyze(in.Stations, in.Candidates, Options{Seed: 1, Resamples: 1000}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}

// BenchmarkAnalyze1M is the whole analysis of 1,000,000 generated stations
// (4 candidates, 50 groups) with 1,000 resamples.
func BenchmarkAnalyze1M(b *testing.B) {
	st, names := Generate(GenConfig{Stations: 1_000_000, Seed: 1})
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		if _, err := Analyze(st, names, Options{Seed: 1, Resamples: 1000}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}

// BenchmarkReferenceBinomial1000 is a bare loop of 1,000 Binomial(1000,
// 0.6) draws from one alias table built once: the unit cost of a draw.
func BenchmarkReferenceBinomial1000(b *testing.B) {
	var t binomTable
	t.build(1000, 0.6)
	g := rand.NewPCG(1, 2)
	var sink int32
	cpu := cpuSeconds()
	defer func() { b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op") }()
	for b.Loop() {
		for range 1000 {
			sink += t.draw(g)
		}
	}
	_ = sink
}

// BenchmarkReferenceSHA256 hashes a fixed 1 MiB buffer.
func BenchmarkReferenceSHA256(b *testing.B) {
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		sha256.Sum256(buf)
	}
}

// BenchmarkScreen1M is the station screen alone over 1,000,000 generated
// stations (50 groups): it sorts each group twice and all stations twice,
// so it should stay a small fraction of BenchmarkAnalyze1M.
func BenchmarkScreen1M(b *testing.B) {
	st, _ := Generate(GenConfig{Stations: 1_000_000, Seed: 1})
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		Screen(st, 0, 0)
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}
