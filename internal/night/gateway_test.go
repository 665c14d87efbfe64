package night

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/tallylog/tallylog/internal/sim"
)

// TestGatewayOrder plays a night as fast as a server allows, in batches,
// against a server that checks each request: no record arrives before a
// record it depends on is acknowledged, and, as a gateway sends what is
// ready, no request holds both a record and one it depends on (the server
// would log them one after the other, holding up the whole batch for two
// durable writes).
func TestGatewayOrder(t *testing.T) {
	el, err := sim.Generate(sim.Config{Seed: 3, Stations: 600})
	if err != nil {
		t.Fatal(err)
	}
	deps, _ := plan(el.Records)
	var mu sync.Mutex
	acked := map[string]bool{}
	together, early, requests := 0, 0, 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Records []string `json:"records"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		in := map[string]bool{}
		for _, rec := range req.Records {
			h := sha256.Sum256([]byte(rec))
			in[hex.EncodeToString(h[:])] = true
		}
		mu.Lock()
		requests++
		for h := range in {
			for _, d := range deps[h] {
				switch {
				case in[d]:
					together++
				case !acked[d]:
					early++
				}
			}
		}
		for h := range in {
			acked[h] = true
		}
		mu.Unlock()
		type result struct {
			Status int `json:"status"`
		}
		ans := struct {
			Results []result `json:"results"`
		}{make([]result, len(req.Records))}
		for i := range ans.Results {
			ans.Results[i].Status = http.StatusOK
		}
		json.NewEncoder(w).Encode(ans)
	}))
	defer ts.Close()
	if err := Play(context.Background(), ts.URL, el, NewClock(el.PollsClose), Options{Batch: 50, Workers: 4}); err != nil {
		t.Fatal(err)
	}
	if len(acked) != len(el.Records) {
		t.Errorf("%d of %d records acknowledged", len(acked), len(el.Records))
	}
	if together > 0 || early > 0 {
		t.Errorf("in %d requests: %d records sent with a record they depend on, %d before it was acknowledged", requests, together, early)
	}
}
