package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestLoad measures the site on loopback while records are being logged:
// TALLYLOG_LOAD=<requests> go test ./web -run TestLoad -v
//
// A fixed number of requests, half constituency pages and half the
// constituency's JSON, is spread over TALLYLOG_LOAD_CONC connections
// (default 64) while TALLYLOG_LOAD_WRITERS (default 8) submitters log
// observers' copies as fast as the log takes them, so the tally's state, and with it every cached page, changes
// with each checkpoint (every 100 ms). It reports requests per second and
// latency percentiles, and fails on any error or unexpected status.
func TestLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TALLYLOG_LOAD"))
	if n <= 0 {
		t.Skip("set TALLYLOG_LOAD to a number of requests to run the load test")
	}
	conc, writers := 64, 8
	if c, err := strconv.Atoi(os.Getenv("TALLYLOG_LOAD_CONC")); err == nil && c > 0 {
		conc = c
	}
	if w, err := strconv.Atoi(os.Getenv("TALLYLOG_LOAD_WRITERS")); err == nil && w >= 0 {
		writers = w
	}
	ts := newTestSite(t)
	ts.electionNight(t)
	defer func(m time.Duration) { minRerender = m }(minRerender)
	minRerender = 250 * time.Millisecond // as in production

	// Ingest: observers' copies of PS-1, each with its own capture time.
	ctx, stop := context.WithCancel(context.Background())
	var ingested atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				at := time.Date(2024, 2, 8, 18, 0, 0, 0, time.UTC).Add(time.Duration(i*8+w) * time.Second)
				entry := ts.E.Sign(t, "observer", &record.Attestation{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1",
					Kind: "copy", Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50), Captured: at.Format(time.RFC3339)})
				if _, err := ts.Srv.Intake.Submit(ctx, entry); err != nil {
					if ctx.Err() == nil {
						t.Errorf("ingesting: %v", err)
					}
					return
				}
				ingested.Add(1)
			}
		}()
	}

	paths := []string{"/contest/NA-57", "/api/v1/contests/NA-57"}
	tr := &http.Transport{MaxIdleConns: conc, MaxIdleConnsPerHost: conc, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var next atomic.Int64
	lat := make([][]time.Duration, conc)
	var failures atomic.Int64
	firstErr := make(chan string, 1)
	appliedBefore, _ := ts.Srv.Applied()
	start := time.Now()
	var lwg sync.WaitGroup
	for w := range conc {
		lwg.Add(1)
		go func() {
			defer lwg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				resp, err := client.Get(ts.HTTP.URL + paths[i%2])
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					failures.Add(1)
					select {
					case firstErr <- fmt.Sprintf("GET %s: %v", paths[i%2], err):
					default:
					}
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	lwg.Wait()
	elapsed := time.Since(start)
	stop()
	wg.Wait()
	appliedAfter, _ := ts.Srv.Applied()

	if f := failures.Load(); f > 0 {
		t.Fatalf("%d of %d requests failed; the first: %s", f, n, <-firstErr)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[min(int(p*float64(len(all))), len(all)-1)] }
	t.Logf("%d requests over %d connections in %v: %.0f requests/s; latency p50 %v, p99 %v, max %v",
		n, conc, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), pct(0.50), pct(0.99), all[len(all)-1])
	t.Logf("meanwhile %d records were logged and applied (the tally went from %d to %d entries)",
		ingested.Load(), appliedBefore, appliedAfter)
	if writers > 0 && appliedAfter == appliedBefore {
		t.Error("no record was applied during the load: the measurement is not under ingestion")
	}
}
