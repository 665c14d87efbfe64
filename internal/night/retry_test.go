package night

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/sim"
)

// rateLimitedServer answers the batch endpoint as a server whose per-key
// rate limit refuses every record for the first limitedRounds requests
// (429 with retry_after 1), and the single-record endpoint likewise; then
// it accepts everything. It counts the requests.
type rateLimitedServer struct {
	mu            sync.Mutex
	limitedRounds int
	requests      int
}

func (s *rateLimitedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	limited := s.requests <= s.limitedRounds
	s.mu.Unlock()
	if r.URL.Path == "/api/v1/records" {
		if limited {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many records from key observer.fafen", http.StatusTooManyRequests)
		}
		return
	}
	var req struct {
		Records []string `json:"records"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	type result struct {
		Status     int    `json:"status"`
		Error      string `json:"error,omitempty"`
		RetryAfter int    `json:"retry_after,omitempty"`
	}
	var ans struct {
		Results []result `json:"results"`
	}
	for range req.Records {
		if limited {
			ans.Results = append(ans.Results, result{Status: http.StatusTooManyRequests, Error: "rate: too many records from key observer.fafen", RetryAfter: 1})
		} else {
			ans.Results = append(ans.Results, result{Status: http.StatusOK})
		}
	}
	json.NewEncoder(w).Encode(ans)
}

// TestRateLimitIsNotFailure: a key's rate limit is backpressure. The
// player waits as the server asks, however many rounds that takes (more
// than the 8 attempts a failing server gets), and logs every record; the
// player used to give up after 8 rounds, failing the full-size demo when
// one observer's key outran its rate.
func TestRateLimitIsNotFailure(t *testing.T) {
	defer func(u time.Duration) { retryUnit = u }(retryUnit)
	retryUnit = time.Millisecond
	evs := []*sim.Event{{Entry: []byte("a")}, {Entry: []byte("b")}}
	for _, batch := range []bool{true, false} {
		srv := &rateLimitedServer{limitedRounds: 20}
		ts := httptest.NewServer(srv)
		var err error
		if batch {
			err = submitBatch(context.Background(), ts.Client(), ts.URL, evs)
		} else {
			err = submit(context.Background(), ts.Client(), ts.URL, evs[0])
		}
		ts.Close()
		if err != nil || srv.requests != 21 {
			t.Errorf("batch=%v: %v after %d requests, want success on the 21st", batch, err, srv.requests)
		}
	}
}

// TestServerFailureGivesUp: a server that keeps failing (5xx) is tried 8
// times, then the player stops and says why.
func TestServerFailureGivesUp(t *testing.T) {
	n := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		http.Error(w, "the log's disk is not writable", http.StatusServiceUnavailable)
	}))
	defer ts.Close()
	err := submit(context.Background(), ts.Client(), ts.URL, &sim.Event{Entry: []byte("a")})
	if err == nil || n != 8 || !strings.Contains(fmt.Sprint(err), "giving up after 8 attempts") {
		t.Errorf("%d requests, error %v; want 8 and giving up", n, err)
	}
}
