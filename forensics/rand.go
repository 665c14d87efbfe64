package forensics

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Streams separate the random numbers of the analyses, so that adding an
// analysis never changes the numbers another one draws.
const (
	streamKobak uint64 = iota + 1
	streamJitter
	streamDigits
	streamKlimek
	streamGenerate
)

// chunkSize is the number of stations per unit of parallel work. It is a
// constant, never derived from the number of CPUs, so that the random
// numbers a station receives do not depend on the machine.
const chunkSize = 512

// newPCG returns the generator for one chunk of one analysis.
func newPCG(seed, stream, chunk uint64) *rand.PCG {
	return rand.NewPCG(splitmix(seed^splitmix(stream)), splitmix(chunk+0x9e3779b97f4a7c15*stream))
}

// splitmix is the SplitMix64 finaliser, used to derive independent seeds.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// uniform returns a float64 in [0, 1) from a generator.
func uniform(g *rand.PCG) float64 {
	return float64(g.Uint64()>>11) / (1 << 53)
}

// normal returns a standard normal deviate (Box–Muller, one of the pair).
func normal(g *rand.PCG) float64 {
	u := 1 - uniform(g) // (0, 1]
	v := uniform(g)
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// forChunks calls fn for every chunk [lo, hi) of n items, on up to workers
// goroutines (0 means GOMAXPROCS). fn receives its chunk number and a worker
// number in [0, workers) for per-worker scratch space. Callers must make the
// result independent of which worker ran which chunk: per-chunk outputs
// merged in chunk order, or integer sums.
func forChunks(n, workers int, fn func(worker, chunk, lo, hi int)) {
	chunks := (n + chunkSize - 1) / chunkSize
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, chunks)
	if workers <= 1 {
		for c := range chunks {
			fn(0, c, c*chunkSize, min(n, (c+1)*chunkSize))
		}
		return
	}
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				c := next
				next++
				mu.Unlock()
				if c >= chunks {
					return
				}
				fn(w, c, c*chunkSize, min(n, (c+1)*chunkSize))
			}
		}()
	}
	wg.Wait()
}

// numWorkers resolves Options.Workers.
func numWorkers(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// forEach calls fn(i) for i in [0, n) on up to workers goroutines, one
// index at a time. fn must write only to its own index's output.
func forEach(n, workers int, fn func(i int)) {
	workers = min(numWorkers(workers), n)
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
