package web

import (
	"os"
	"sync"
	"time"

	"github.com/tallylog/tallylog/tally"
)

// Scan coverage: how many stations of each contest have a current sheet
// whose scanned Form-45 this server holds (the image the sheet names was
// uploaded and stored). The assembly page and the contests API show it
// per contest, per province and in all.
//
// Counting reads every station of the election and lists the images
// directory once, so the live site counts at most once per
// scanCountMaxAge (or when the log has not moved): the counts may lag the
// log by that much. Snapshots count afresh.

// scanCountMaxAge is how long live scan counts may lag the log. Tests
// set it to 0 so that counts follow every applied record.
var scanCountMaxAge = 10 * time.Second

// scanCounts are the counts of one tally state.
type scanCounts struct {
	mu      sync.Mutex
	applied uint64
	at      time.Time
	counts  map[string]int // contest ID -> stations with a held scan
}

// scansOf returns the scan counts per contest of v's state (or of a
// state at most scanCountMaxAge older, for the live tally).
func (x *site) scansOf(v *tally.View) map[string]int {
	if x.snap != nil {
		return x.countScans(v)
	}
	c := x.scans
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts != nil && (c.applied == v.Size() || time.Since(c.at) < scanCountMaxAge) {
		return c.counts
	}
	c.counts, c.applied, c.at = x.countScans(v), v.Size(), time.Now()
	return c.counts
}

// countScans counts, per contest, the stations whose current sheet names
// an image this server holds.
func (x *site) countScans(v *tally.View) map[string]int {
	out := map[string]int{}
	d := v.Definition()
	if d == nil {
		return out
	}
	held := map[string]bool{}
	entries, _ := os.ReadDir(x.s.Dir.ImagesDir())
	for _, e := range entries {
		if e.Type().IsRegular() && hexHash.MatchString(e.Name()) {
			held[e.Name()] = true
		}
	}
	if len(held) == 0 {
		return out
	}
	for _, st := range d.Stations {
		sr, ok := v.Station(st.ID)
		if !ok {
			continue
		}
		for _, sc := range sr.Contests {
			if sc.Current != nil && held[sc.Current.Image] {
				out[sc.Contest]++
			}
		}
	}
	return out
}
