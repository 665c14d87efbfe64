package forensics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// screenFixture is 20 groups of 40 honest stations (turnout about 50%,
// leader share about 40%, both with noise) and, in every group, one station
// stuffed with 25% of its registered voters for the leader.
func screenFixture() (st []Station, stuffed map[string]bool) {
	r := rand.New(rand.NewPCG(1, 2))
	stuffed = map[string]bool{}
	for g := range 20 {
		for i := range 40 {
			n := int64(800 + r.IntN(400))
			b := int64(float64(n) * (0.5 + 0.05*r.NormFloat64()))
			w := int64(float64(b) * (0.4 + 0.05*r.NormFloat64()))
			id := fmt.Sprintf("G%d/%d", g, i)
			if i == 0 {
				add := n / 4
				b, w = b+add, w+add
				stuffed[id] = true
			}
			st = append(st, Station{ID: id, Group: fmt.Sprintf("G%d", g), Registered: n, Ballots: b, Valid: b, Votes: []int64{w, b - w}})
		}
	}
	return st, stuffed
}

func TestScreen(t *testing.T) {
	st, stuffed := screenFixture()
	res := Screen(st, 0, 0)
	if res.Scored != len(st) || res.Threshold < ScreenThreshold {
		t.Fatalf("scored %d of %d, threshold %.2f", res.Scored, len(st), res.Threshold)
	}
	var hit, fa int
	for _, s := range res.Scores {
		switch {
		case s.Flagged && stuffed[s.ID]:
			hit++
		case s.Flagged:
			fa++
		}
	}
	if hit < 18 || fa > 8 { // 20 stuffed; 780 honest at about 1%
		t.Errorf("flagged %d of 20 stuffed stations and %d of 780 honest ones", hit, fa)
	}
	// Pure: the same scores whatever the order of the stations.
	rev := slices.Clone(st)
	slices.Reverse(rev)
	res2 := Screen(rev, 0, 0)
	by := map[string]ScreenScore{}
	for _, s := range res2.Scores {
		by[s.ID] = s
	}
	for _, s := range res.Scores {
		o := by[s.ID]
		if o.Score != s.Score || o.Flagged != s.Flagged {
			t.Fatalf("%s: score %v in order, %v reversed", s.ID, s.Score, o.Score)
		}
	}
	if res2.Threshold != res.Threshold {
		t.Errorf("threshold %v in order, %v reversed", res.Threshold, res2.Threshold)
	}
	// An explicit threshold is used as given; unscorable stations are left out.
	st = append(st, Station{ID: "empty", Group: "G0"})
	if r := Screen(st, 0, 10); r.Threshold != 10 || r.Flagged != 0 || r.Scored != len(st)-1 {
		t.Errorf("threshold 10: %+v flagged, %d scored", r.Flagged, r.Scored)
	}
	if e := res.Scores[0].Explain("Museveni"); e == "" {
		t.Error("no explanation")
	}
}
