package web

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSnapshot checks that a snapshot permalink shows the results as the
// log stood at its size, says so, and that the live page links to its
// own snapshot.
func TestSnapshot(t *testing.T) {
	ts := newTestSite(t)
	sc := ts.electionNight(t)
	// NA-58's only sheet was logged after the tampered declaration.
	at := sc.Tampered + 1
	resp, body := ts.get(t, fmt.Sprintf("/snapshot/%d/contest/NA-58", at))
	if resp.StatusCode != 200 {
		t.Fatalf("snapshot: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `id="snapshot"`) || !strings.Contains(body, "0 of 2 stations in") || !strings.Contains(body, `href="/contest/NA-58">See the latest`) {
		t.Errorf("the snapshot of NA-58 at size %d does not show it before its first sheet:\n%s", at, body)
	}
	_, live := ts.get(t, "/contest/NA-58")
	applied := ts.Srv.Tally.Size()
	if !strings.Contains(live, "1 of 2 stations in") || !strings.Contains(live, fmt.Sprintf(`href="/snapshot/%d/contest/NA-58" id="permalink"`, applied)) {
		t.Errorf("the live page of NA-58 lacks its sheet or its permalink")
	}
	_, body = ts.get(t, fmt.Sprintf("/ur/snapshot/%d/", at))
	if !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, `id="disputed"`) {
		t.Errorf("the Urdu snapshot of the national page lacks its direction or the disputed seat")
	}
	for _, bad := range []string{"/snapshot/0/contest/NA-57", "/snapshot/999999/contest/NA-57", "/snapshot/x/", "/snapshot/3/log"} {
		if resp, _ := ts.get(t, bad); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", bad, resp.StatusCode)
		}
	}
}

// TestSnapshotReplayLimits: new snapshots (each a replay of the log) are
// bounded per address and in all, with 429 naming the bound and
// Retry-After; snapshots already made are served without charge, and the
// bounds refill with time.
func TestSnapshotReplayLimits(t *testing.T) {
	ts := newTestSite(t)
	sc := ts.electionNight(t)
	size := sc.Tampered + 1
	for i := range replaysPerAddr {
		if resp, body := ts.get(t, fmt.Sprintf("/snapshot/%d/", size-uint64(i))); resp.StatusCode != 200 {
			t.Fatalf("snapshot %d of %d: %d\n%.300s", i+1, replaysPerAddr, resp.StatusCode, body)
		}
	}
	resp, body := ts.get(t, fmt.Sprintf("/snapshot/%d/", size-replaysPerAddr))
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "snapshots-per-address") ||
		!strings.Contains(body, fmt.Sprintf("%d new snapshots a minute", replaysPerAddr)) {
		t.Errorf("a fourth new snapshot from one address: %d, Retry-After %q, want 429 naming the limit\n%.2000s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// Made already: served, however often.
	for range 5 {
		if resp, _ := ts.get(t, fmt.Sprintf("/snapshot/%d/contest/NA-57", size)); resp.StatusCode != 200 {
			t.Fatalf("a snapshot already made: %d, want 200", resp.StatusCode)
		}
	}

	// The global bound and the refill, on a clock of the test's.
	now := time.Unix(1e9, 0)
	c := newSnapshotCache(func() time.Time { return now })
	admitted := 0
	for i := range 3 * replayBurst {
		done, err := c.admit(fmt.Sprintf("192.0.2.%d", i))
		if err != nil {
			if err.field != "snapshots" || !strings.Contains(err.rule, fmt.Sprintf("%d new snapshots a minute for all readers", replaysPerMinute)) || err.retryAfter < 1 {
				t.Fatalf("refusal %+v, want the global bound", err)
			}
			continue
		}
		admitted++
		done()
	}
	if admitted != replayBurst {
		t.Errorf("%d replays admitted from many addresses at once, want the burst of %d", admitted, replayBurst)
	}
	now = now.Add(time.Minute)
	if done, err := c.admit("192.0.2.200"); err != nil {
		t.Errorf("after a minute: %v", err)
	} else {
		done()
	}
	// The queue: one running and replayWaiting waiting, the next refused.
	now = now.Add(time.Hour)
	var held []func()
	for i := range replayWaiting + 1 {
		done, err := c.admit(fmt.Sprintf("198.51.100.%d", i))
		if err != nil {
			t.Fatalf("place %d in the queue: %v", i, err)
		}
		held = append(held, done)
	}
	if _, err := c.admit("198.51.100.99"); err == nil || !strings.Contains(err.rule, "one snapshot at a time") {
		t.Errorf("with the queue full: %v, want a refusal naming the queue", err)
	}
	for _, done := range held {
		done()
	}
}
