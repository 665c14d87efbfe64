package verify_test

import (
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/note"
)

// BenchmarkLog verifies from scratch the log of a data directory named by
// TALLYLOG_VERIFY_BENCH_DIR (make one with `tallylog demo --dir DIR
// --stations 10000 --speed max --exit --audit 0`): every tile, entry and
// signature, replayed. It reports entries per second and, per
// CPU-second, the ratio to Ed25519 verifications on every core measured
// just before and after each pass (x-verify-cpu: 1.0 would be a verifier
// that costs nothing but its signature checks).
func BenchmarkLog(b *testing.B) {
	root := os.Getenv("TALLYLOG_VERIFY_BENCH_DIR")
	if root == "" {
		b.Skip("set TALLYLOG_VERIFY_BENCH_DIR to a tallylog data directory")
	}
	meta, err := (datadir.Dir{Root: root}).ReadMeta()
	if err != nil {
		b.Fatal(err)
	}
	v, err := note.NewVerifier(meta.LogKey)
	if err != nil {
		b.Fatal(err)
	}
	src, err := verify.NewSource(filepath.Join(root, "log"))
	if err != nil {
		b.Fatal(err)
	}
	var entries, cpu, refCPU, wall, refWall float64
	for b.Loop() {
		b.StopTimer()
		rw0, rc0 := ed25519Rate(300 * time.Millisecond)
		b.StartTimer()
		c0, t0 := cpuSeconds(), time.Now()
		res, err := verify.Log(context.Background(), src, v, verify.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuSeconds() - c0
		wall += time.Since(t0).Seconds()
		entries += float64(res.TreeSize)
		b.StopTimer()
		rw1, rc1 := ed25519Rate(300 * time.Millisecond)
		b.StartTimer()
		refCPU += (rc0 + rc1) / 2
		refWall += (rw0 + rw1) / 2
	}
	n := float64(b.N)
	b.ReportMetric(entries/wall, "entries/s")
	b.ReportMetric(entries/wall/(refWall/n), "x-verify")
	b.ReportMetric(entries/cpu/(refCPU/n), "x-verify-cpu")
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// ed25519Rate measures Ed25519 verifications for d on every core, per
// second and per CPU-second.
func ed25519Rate(d time.Duration) (perSec, perCPUSec float64) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	msg := []byte(strings.Repeat("tallylog/v1 sheet\nvotes 1 300\n", 12))
	sig := ed25519.Sign(priv, msg)
	var n atomic.Int64
	c0, start := cpuSeconds(), time.Now()
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
	return float64(n.Load()) / time.Since(start).Seconds(), float64(n.Load()) / (cpuSeconds() - c0)
}
