package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/benchref"
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
		rw0, rc0 := benchref.Ed25519Rate(300 * time.Millisecond)
		b.StartTimer()
		c0, t0 := benchref.CPUSeconds(), time.Now()
		res, err := verify.Log(context.Background(), src, v, verify.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cpu += benchref.CPUSeconds() - c0
		wall += time.Since(t0).Seconds()
		entries += float64(res.TreeSize)
		b.StopTimer()
		rw1, rc1 := benchref.Ed25519Rate(300 * time.Millisecond)
		b.StartTimer()
		refCPU += (rc0 + rc1) / 2
		refWall += (rw0 + rw1) / 2
	}
	n := float64(b.N)
	b.ReportMetric(entries/wall, "entries/s")
	b.ReportMetric(entries/wall/(refWall/n), "x-verify")
	b.ReportMetric(entries/cpu/(refCPU/n), "x-verify-cpu")
}
