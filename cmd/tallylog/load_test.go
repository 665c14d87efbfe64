package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSubmitLoad runs 1,000 concurrent submitters against `tallylog serve`
// on loopback, each with its own key, for a fixed number of records
// (TALLYLOG_LOAD_RECORDS, default 5,000). Every record must be
// acknowledged with a receipt that verifies, or refused with a retryable
// error and then acknowledged on retry; none may be lost or logged twice.
// It reports throughput and latency percentiles of the acknowledgements.
func TestSubmitLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	const submitters = 1000
	total := 5000
	if n, err := strconv.Atoi(os.Getenv("TALLYLOG_LOAD_RECORDS")); err == nil && n > 0 {
		total = n
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := buildTallylog(t, ctx)
	el := initElection(t, ctx, submitters)
	stderr, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	// Sign everything first: the measurement is the server's.
	entries := make([][][]byte, submitters)
	for i := range total {
		c := i % submitters
		entries[c] = append(entries[c], copyRecord(t, el, c, len(entries[c])))
	}
	srv := startServer(t, ctx, bin, el.Dir, stderr, oneStationFlags...)
	defer srv.kill()

	httpc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: submitters, MaxConnsPerHost: submitters}}
	var (
		mu      sync.Mutex
		acks    []ack
		lat     []time.Duration
		retries atomic.Int64
		failed  []error
	)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range submitters {
		wg.Go(func() {
			for _, entry := range entries[c] {
				t0 := time.Now()
				for {
					idx, err := post(ctx, httpc, srv.URL, el.LogKey, entry)
					if errors.Is(err, errRetry) && ctx.Err() == nil {
						retries.Add(1)
						time.Sleep(50 * time.Millisecond)
						continue
					}
					mu.Lock()
					if err != nil {
						failed = append(failed, err)
					} else {
						acks = append(acks, ack{entry, idx})
						lat = append(lat, time.Since(t0))
					}
					mu.Unlock()
					break
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(failed) > 0 {
		t.Fatalf("%d records refused; the first: %v", len(failed), failed[0])
	}
	if len(acks) != total {
		t.Fatalf("%d of %d records acknowledged", len(acks), total)
	}
	srv.kill()
	size := checkLog(t, ctx, el, acks)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		return lat[min(int(p*float64(len(lat))), len(lat)-1)].Round(time.Millisecond)
	}
	t.Logf("%d records from %d concurrent submitters in %v: %.0f records/s; %d retryable refusals; latency p50 %v, p99 %v, max %v; log holds %d entries",
		total, submitters, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), retries.Load(), pct(0.5), pct(0.99), lat[len(lat)-1].Round(time.Millisecond), size)
}
