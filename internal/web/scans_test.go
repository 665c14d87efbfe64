package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestScanCoverage: the assembly page and the contests API count, per
// contest, the stations whose current sheet's scan the server holds: a
// sheet naming an image not uploaded does not count, an uploaded one does.
func TestScanCoverage(t *testing.T) {
	defer func(d time.Duration) { scanCountMaxAge = d }(scanCountMaxAge)
	scanCountMaxAge = 0
	ts := newTestSite(t)
	e := ts.E
	img := []byte("\x89PNG scan of NA-57/PS-1")
	sum := sha256.Sum256(img)
	hash := hex.EncodeToString(sum[:])
	missing := sha256.Sum256([]byte("never uploaded"))
	s1 := e.Sheet("NA-57", "NA-57/PS-1", 300, 200, 50)
	s1.Image = hash
	ts.submit(t, "po.NA-57.PS-1", s1)
	s2 := e.Sheet("NA-57", "NA-57/PS-2", 240, 270, 40)
	s2.Image = hex.EncodeToString(missing[:])
	ts.submit(t, "po.NA-57.PS-2", s2)
	ts.sheet(t, "NA-58", "NA-58/PS-1", 100, 200, 10)

	check := func(want string) {
		t.Helper()
		_, page := ts.get(t, "/assembly/NA")
		if !strings.Contains(page, want) {
			t.Errorf("the assembly page lacks %q", want)
		}
	}
	check("Scanned Form-45 held for 0 of the 3 sheets in")
	req, _ := http.NewRequest("PUT", ts.HTTP.URL+"/api/v1/images/"+hash, bytes.NewReader(img))
	resp, err := ts.HTTP.Client().Do(req)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("upload: %v %v", resp, err)
	}
	resp.Body.Close()
	// The counts may lag the log by scanCountMaxAge, not an upload that
	// does not move the log: a new record makes them count again.
	ts.sheet(t, "NA-58", "NA-58/PS-2", 100, 200, 10)
	check("Scanned Form-45 held for 1 of the 4 sheets in (25.0%)")
	_, page := ts.get(t, "/assembly/NA")
	if i := strings.Index(page, `data-contest="NA-57"><a href="/contest/NA-57">`); i < 0 || !strings.Contains(page[i:i+1500], "1 scans") {
		t.Errorf("NA-57's line does not count its scan")
	}
	_, api := ts.get(t, "/api/v1/contests?assembly=NA")
	if !strings.Contains(strings.Join(strings.Fields(api), ""), `"id":"NA-57","name":"Rawalpindi-VI","local_name":"راولپنڈی-6","region":"punjab","stations":3,"stations_in":2,"scans":1`) {
		t.Errorf("the contests API does not count NA-57's scan:\n%.600s", api)
	}
}
