package tally

import "testing"

func TestForensicStation(t *testing.T) {
	r := &StationResult{ID: "NA-57/PS-1", Registered: 1000}
	for _, tc := range []struct {
		name                   string
		cur                    *SheetVersion
		ok                     bool
		registered, valid, inv int64
	}{
		{"no sheet yet", nil, false, 0, 0, 0},
		{"honest sheet", &SheetVersion{Registered: 1000, Cast: 600, Rejected: 10}, true, 1000, 590, 10},
		// The sheet's own registered count is a claim the tally checks
		// against the definition; screening uses the definition's.
		{"sheet misstates registered voters", &SheetVersion{Registered: 5000, Cast: 600, Rejected: 10}, true, 1000, 590, 10},
		{"more rejected than cast", &SheetVersion{Registered: 1000, Cast: 5, Rejected: 10}, true, 1000, 0, 10},
	} {
		sc := &StationContest{Contest: "NA-57", Current: tc.cur}
		fs, ok := ForensicStation(r, sc, []int64{1, 2})
		if ok != tc.ok {
			t.Fatalf("%s: ok = %v", tc.name, ok)
		}
		if !ok {
			continue
		}
		if fs.ID != r.ID || fs.Group != "NA-57" || fs.Registered != tc.registered || fs.Valid != tc.valid || fs.Invalid != tc.inv || fs.Ballots != tc.cur.Cast || len(fs.Votes) != 2 {
			t.Errorf("%s: %+v", tc.name, fs)
		}
	}
}
