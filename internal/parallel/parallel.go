// Package parallel runs independent steps of a loop on every core.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f(0) ... f(n-1), each exactly once, on up to GOMAXPROCS
// goroutines, and returns when every call has returned. The calls may run
// in any order and at once: f must write only to what index i owns (a
// slot of a slice made beforehand), so that the result does not depend on
// the number of cores or on scheduling.
func For(n int, f func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}
