// Package benchref measures the reference tallylog's speed figures are
// stated against: Ed25519 verifications on every core, per second and per
// CPU-second of this process (the machine may be shared, so a figure means
// something only as a ratio to the reference measured in the same run).
package benchref

import (
	"crypto/ed25519"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// CPUSeconds is the CPU time (user and system) this process has used.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// Ed25519Rate measures Ed25519 verifications of a record-sized message for
// d on every core: the ceiling of anything that checks every signature. It
// returns them per second and per CPU-second.
func Ed25519Rate(d time.Duration) (perSec, perCPUSec float64) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	msg := []byte(strings.Repeat("tallylog/v1 sheet\nvotes 1 300\n", 12))
	sig := ed25519.Sign(priv, msg)
	var n atomic.Int64
	c0 := CPUSeconds()
	start := time.Now()
	stop := start.Add(d)
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
	return float64(n.Load()) / time.Since(start).Seconds(), float64(n.Load()) / (CPUSeconds() - c0)
}
