package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// TestFor: every index is visited exactly once, whatever the number of
// cores, and nothing runs after For returns.
func TestFor(t *testing.T) {
	for _, procs := range []int{1, 2, 7} {
		old := runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 2, 3, 1000} {
			seen := make([]atomic.Int32, n)
			For(n, func(i int) { seen[i].Add(1) })
			for i := range seen {
				if got := seen[i].Load(); got != 1 {
					t.Fatalf("GOMAXPROCS %d, n %d: index %d visited %d times", procs, n, i, got)
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}
