package web

import (
	"fmt"
	"strings"
	"testing"
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
