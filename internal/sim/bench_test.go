package sim_test

import (
	"crypto/ed25519"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/sim"
)

// signRate measures Ed25519 signatures of a sheet-sized message per second
// on every CPU for about d: the reference the generator's cost is stated
// against, measured in the same run.
func signRate(d time.Duration) float64 {
	workers := runtime.GOMAXPROCS(0)
	counts := make([]int, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			priv := ed25519.NewKeyFromSeed(make([]byte, 32))
			msg := make([]byte, 300)
			for time.Since(start) < d {
				for range 100 {
					ed25519.Sign(priv, msg)
				}
				counts[w] += 100
			}
		})
	}
	wg.Wait()
	n := 0
	for _, c := range counts {
		n += c
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkGeneratePakistan generates the full-size election (90,675
// stations). It reports the Ed25519 operations done (one per key derived
// and per entry signed), their rate, the reference rate of bare signatures
// on every CPU (measured before and after, averaged, since these machines
// are shared), and the ratio of the time taken to the time the operations
// alone take at that rate: 1.0 would mean the generator costs nothing but
// its signatures.
func BenchmarkGeneratePakistan(b *testing.B) {
	before := signRate(time.Second)
	var e *sim.Election
	var err error
	start := time.Now()
	for b.Loop() {
		if e, err = sim.Generate(sim.Config{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	perOp := time.Since(start).Seconds() / float64(b.N)
	b.StopTimer()
	ref := (before + signRate(time.Second)) / 2
	ops := float64(len(e.Keys) + len(e.Genesis) + len(e.Records))
	b.ReportMetric(ops, "ed25519-ops")
	b.ReportMetric(ops/perOp, "ops/s")
	b.ReportMetric(ref, "ref-signs/s")
	b.ReportMetric(perOp/(ops/ref), "x-signing-bound")
}
