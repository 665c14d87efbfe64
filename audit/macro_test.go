package audit

import (
	"errors"
	"fmt"
	"math/big"
	"testing"
)

// The worked example of Arlo's server/tests/audit_math/test_macro.py: risk
// limit 25%, three two-candidate contests over big (400-ballot) and small
// (200-ballot, "AV") batches.

var quarter = big.NewRat(1, 4)

type arloSpec struct {
	winner, loser int64
	big, small    [2]int64 // reported (winner, loser) per big / small batch
	batches       []int    // i such that "Batch i" and "Batch i AV" hold the contest
}

func span(lo, hi int) []int {
	var s []int
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

var arloSpecs = map[string]arloSpec{
	"Contest A": {60000, 54000, [2]int64{200, 180}, [2]int64{100, 90}, span(0, 200)},
	"Contest B": {30000, 24000, [2]int64{200, 160}, [2]int64{100, 80}, span(0, 100)},
	"Contest C": {18000, 12600, [2]int64{200, 140}, [2]int64{100, 70}, append(span(0, 30), span(100, 130)...)},
}

func arloAudit(t testing.TB, name string) *Audit {
	t.Helper()
	s := arloSpecs[name]
	c := Contest{ID: name, Candidates: []string{"winner", "loser"}, Winners: []string{"winner"}, Totals: []int64{s.winner, s.loser}}
	for _, i := range s.batches {
		c.Stations = append(c.Stations,
			Station{ID: fmt.Sprintf("Batch %d", i), Votes: s.big[:], Ballots: 400},
			Station{ID: fmt.Sprintf("Batch %d AV", i), Votes: s.small[:], Ballots: 200})
	}
	a, err := Prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func ratPow(x *big.Rat, n int) *big.Rat {
	p := big.NewRat(1, 1)
	for range n {
		p.Mul(p, x)
	}
	return p
}

func TestArloErrorBounds(t *testing.T) {
	for _, tc := range []struct {
		contest         string
		margin          int64
		uBig, uSmall, U string
	}{
		{"Contest A", 6000, "420/6000", "210/6000", "21"},
		{"Contest B", 6000, "440/6000", "220/6000", "11"},
		{"Contest C", 5400, "460/5400", "230/5400", "23/3"},
	} {
		a := arloAudit(t, tc.contest)
		if m := a.Margins(); len(m) != 1 || m[0].V != tc.margin {
			t.Errorf("%s: margins %v, want V_wl = %d", tc.contest, m, tc.margin)
		}
		for id, want := range map[string]string{"Batch 7": tc.uBig, "Batch 7 AV": tc.uSmall, "Batch 29": tc.uBig} {
			if got := a.ErrorBound(id); got == nil || got.Cmp(rat(want)) != 0 {
				t.Errorf("%s: u(%s) = %v, want %s", tc.contest, id, got, want)
			}
		}
		if got := a.U(); got.Cmp(rat(tc.U)) != 0 {
			t.Errorf("%s: U = %v, want %s", tc.contest, got, tc.U)
		}
	}
	if a := arloAudit(t, "Contest B"); a.ErrorBound("Batch 150") != nil {
		t.Errorf("Batch 150 does not hold Contest B but has an error bound")
	}
}

// clean returns hand counts equal to the reported tallies of the stations.
func clean(a *Audit, ids ...string) []HandCount {
	var out []HandCount
	for _, id := range ids {
		i, _ := a.find(id)
		s := a.stations[i]
		out = append(out, HandCount{Station: id, Votes: s.Votes, Ballots: s.Ballots})
	}
	return out
}

func batches(lo, hi int) []string {
	var ids []string
	for i := lo; i < hi; i++ {
		ids = append(ids, fmt.Sprintf("Batch %d", i))
	}
	return ids
}

func measure(t *testing.T, a *Audit, sample []string, counts []HandCount) *Risk {
	t.Helper()
	r, err := a.Measure(quarter, sample, counts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestArloSampleSizes(t *testing.T) {
	a, b, c := arloAudit(t, "Contest A"), arloAudit(t, "Contest B"), arloAudit(t, "Contest C")
	for _, tc := range []struct {
		audit *Audit
		first int
	}{{a, 30}, {b, 16}, {c, 11}} {
		if got, err := tc.audit.Plan(quarter); err != nil || got != tc.first {
			t.Errorf("%s: Plan = %d, %v; want %d", tc.audit.ContestID(), got, err, tc.first)
		}
	}

	// Four discrepancy-free batches.
	four := batches(0, 4)
	for _, tc := range []struct {
		audit *Audit
		next  int
		p     *big.Rat
	}{
		{a, 26, ratPow(big.NewRat(20, 21), 4)},
		{b, 12, ratPow(big.NewRat(10, 11), 4)},
		{c, 7, ratPow(big.NewRat(20, 23), 4)},
	} {
		r := measure(t, tc.audit, four, clean(tc.audit, four...))
		if r.NextSize != tc.next || r.P.Cmp(tc.p) != 0 || r.Stop {
			t.Errorf("%s after 4 clean: next %d, P %v, stop %v; want %d, %v, false", tc.audit.ContestID(), r.NextSize, r.P, r.Stop, tc.next, tc.p)
		}
	}

	// Five more: A audited 190/190 instead of 200/180 (taint 1/21 = 1/U, so
	// its size stays 26); C clean, so its size drops by five to 2.
	nine := batches(0, 9)
	countsA := clean(a, nine...)
	for k := 4; k < 9; k++ {
		countsA[k].Votes = []int64{190, 190}
	}
	r := measure(t, a, nine, countsA)
	if r.NextSize != 26 || r.P.Cmp(ratPow(big.NewRat(20, 21), 4)) != 0 || len(r.Taints) != 5 || r.Taints[0].T.Cmp(big.NewRat(1, 21)) != 0 {
		t.Errorf("A after 9: next %d, P %v, taints %v; want 26, (20/21)^4, five of 1/21", r.NextSize, r.P, r.Taints)
	}
	if r := measure(t, c, nine, clean(c, nine...)); r.NextSize != 2 || r.Stop {
		t.Errorf("C after 9 clean: next %d, stop %v; want 2, false", r.NextSize, r.Stop)
	}
	// One more clean batch for C: P = (20/23)^10 ≈ 0.247 ≤ 0.25, stop.
	ten := batches(0, 10)
	r = measure(t, c, ten, clean(c, ten...))
	if !r.Stop || !r.Confirmed || r.NextSize != 0 || r.P.Cmp(ratPow(big.NewRat(20, 23), 10)) != 0 {
		t.Errorf("C after 10 clean: %+v; want stop with P = (20/23)^10", r)
	}
}

// TestArloComputeRisk follows test_compute_risk: 30 clean draws, then six
// draws with A at 190/190, then three of those drawn again.
func TestArloComputeRisk(t *testing.T) {
	sample := append(batches(0, 30), batches(100, 106)...)
	again := append(sample, batches(100, 103)...)
	for _, tc := range []struct {
		contest   string
		p, pAgain *big.Rat
	}{
		{"Contest A", ratPow(big.NewRat(20, 21), 30), ratPow(big.NewRat(20, 21), 30)},
		{"Contest C", ratPow(big.NewRat(20, 23), 36), ratPow(big.NewRat(20, 23), 39)},
	} {
		a := arloAudit(t, tc.contest)
		counts := clean(a, sample...)
		if tc.contest == "Contest A" {
			for k := 30; k < 36; k++ {
				counts[k].Votes = []int64{190, 190}
			}
		}
		for i, s := range [][]string{sample, again} {
			r := measure(t, a, s, counts)
			want := []*big.Rat{tc.p, tc.pAgain}[i]
			if r.P.Cmp(want) != 0 || !r.Stop {
				t.Errorf("%s, %d draws: P = %s, stop %v; want %s, true", tc.contest, len(s), r.P.FloatString(6), r.Stop, want.FloatString(6))
			}
		}
	}
	b := arloAudit(t, "Contest B")
	thirty := batches(0, 30)
	if r := measure(t, b, thirty, clean(b, thirty...)); r.P.Cmp(ratPow(big.NewRat(10, 11), 30)) != 0 || !r.Stop {
		t.Errorf("B: P = %v, want (10/11)^30", r.P)
	}
}

// TestUnderstatementAndOverstatement: a batch audited 180/200 instead of
// 200/180 has taint 2/21 and raises P by 21/19 · 20/21 = 20/19 per draw; a
// batch audited 210/170 (an understatement) counts as clean.
func TestUnderstatementAndOverstatement(t *testing.T) {
	a := arloAudit(t, "Contest A")
	ten := batches(0, 10)
	counts := clean(a, ten...)
	counts[3].Votes = []int64{180, 200}
	counts[4].Votes = []int64{210, 170}
	r := measure(t, a, ten, counts)
	want := new(big.Rat).Mul(ratPow(big.NewRat(20, 21), 10), big.NewRat(21, 19))
	if r.P.Cmp(want) != 0 || len(r.Taints) != 1 || r.Taints[0].Draw != 4 || r.Taints[0].T.Cmp(big.NewRat(2, 21)) != 0 {
		t.Errorf("P = %v, taints %v; want %v and one taint 2/21 at draw 4", r.P, r.Taints, want)
	}
}

// TestWorstCase follows test_worst_case: a taint of 1 makes P infinite, so
// the audit cannot stop and must escalate.
func TestWorstCase(t *testing.T) {
	a, err := Prepare(Contest{ID: "test1", Candidates: []string{"winner", "loser"}, Winners: []string{"winner"}, Totals: []int64{1000, 0},
		Stations: []Station{{"Batch 1", []int64{500, 0}, 500}, {"Batch 2", []int64{500, 0}, 500}}})
	if err != nil {
		t.Fatal(err)
	}
	r := measure(t, a, []string{"Batch 1"}, []HandCount{{"Batch 1", []int64{0, 500}, 500}})
	if r.Stop || r.Confirmed || !r.FullHandCount || r.P.Cmp(ratOne) != 0 || r.NextSize != 2 {
		t.Errorf("worst case: %+v; want P = 1, full hand count", r)
	}
}

// TestPendingBallots follows test_pending_ballots; the floats are Arlo's
// snapshots (snap_test_macro.py), the exact values derived by hand.
func TestPendingBallots(t *testing.T) {
	a, err := Prepare(Contest{ID: "Contest", Candidates: []string{"winner", "loser", "third"}, Winners: []string{"winner"},
		Totals: []int64{200, 100, 50}, Pending: 2,
		Stations: []Station{
			{"Batch 1", []int64{60, 40, 0}, 100}, {"Batch 2", []int64{0, 60, 40}, 100},
			{"Batch 3", []int64{90, 0, 10}, 100}, {"Batch 4", []int64{50, 0, 0}, 50}}})
	if err != nil {
		t.Fatal(err)
	}
	if u := a.U(); u.Cmp(big.NewRat(450, 98)) != 0 || u.FloatString(27) != "4.591836734693877551020408163" {
		t.Errorf("U = %v, want 450/98 (Arlo: 4.591836734693877551020408163)", u)
	}
	if n, _ := a.Plan(quarter); n != 4 {
		t.Errorf("Plan = %d, want 4 (every batch)", n)
	}
	three := []string{"Batch 1", "Batch 2", "Batch 3"}
	counts := clean(a, three...)
	r := measure(t, a, three, counts)
	if f, _ := r.P.Float64(); r.P.Cmp(ratPow(big.NewRat(352, 450), 3)) != 0 || f != 0.47861956652949245 {
		t.Errorf("P = %v (%v), want (352/450)^3 = 0.47861956652949245", r.P, f)
	}
	// Arlo adds 2 votes for the loser to a full batch; here they come from
	// the third candidate, since votes cannot exceed ballots. Same taint.
	counts[2].Votes = []int64{90, 2, 8}
	r = measure(t, a, three, counts)
	want := new(big.Rat).Mul(ratPow(big.NewRat(352, 450), 3), big.NewRat(190, 188))
	if f, _ := r.P.Float64(); r.P.Cmp(want) != 0 || f != 0.48371126404576364 {
		t.Errorf("P = %v (%v), want %v = 0.48371126404576364", r.P, f, want)
	}
}

func TestTiedContestNeedsFullCount(t *testing.T) {
	c := Contest{ID: "Tied", Candidates: []string{"winner", "loser"}, Winners: []string{"winner"}, Totals: []int64{500, 500}}
	for i := range 10 {
		c.Stations = append(c.Stations, Station{fmt.Sprint(i), []int64{50, 50}, 100})
	}
	a, err := Prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	if !a.FullHandCountRequired() || a.U() != nil {
		t.Fatalf("tie: full count %v, U %v; want true, nil", a.FullHandCountRequired(), a.U())
	}
	if n, _ := a.Plan(quarter); n != 10 {
		t.Errorf("Plan = %d, want 10", n)
	}
	if _, err := a.Draw("seed", 1, 3); !errors.Is(err, ErrFullHandCount) {
		t.Errorf("Draw on a tie: %v, want ErrFullHandCount", err)
	}
	counts := make([]HandCount, 10)
	for i := range counts {
		counts[i] = HandCount{fmt.Sprint(i), []int64{50, 50}, 100}
	}
	if r, err := a.FullCount(counts); err != nil || r.Confirmed || !r.Stop {
		t.Errorf("full count of a tie: %+v, %v; want stop, not confirmed", r, err)
	}
	counts[3].Votes = []int64{51, 49}
	if r, err := a.FullCount(counts); err != nil || !r.Confirmed || r.P.Sign() != 0 {
		t.Errorf("full count won by 2: %+v, %v; want confirmed, P = 0", r, err)
	}
	if _, err := a.FullCount(counts[1:]); !errors.Is(err, ErrMissingCount) {
		t.Errorf("full count missing a station: %v, want ErrMissingCount", err)
	}
}

// TestFullRecountBySample follows test_full_recount: a sample that covers
// every batch settles the contest, as Arlo's P = 0.
func TestFullRecountBySample(t *testing.T) {
	a := arloAudit(t, "Contest C")
	all := a.StationIDs()
	sample := append(all, all[:5]...)
	r := measure(t, a, sample, clean(a, all...))
	if !r.Stop || !r.Confirmed || r.P.Sign() != 0 {
		t.Errorf("full recount: %+v; want stop, confirmed, P = 0", r)
	}
}

// TestNextSizeExactCeiling puts the ceiling exactly on an integer: with
// U = 3 and α = (2/3)^k the least m with (2/3)^m ≤ α is k, where a
// floating-point ln quotient may land on either side.
func TestNextSizeExactCeiling(t *testing.T) {
	c := Contest{ID: "U3", Candidates: []string{"w", "l"}, Winners: []string{"w"}, Totals: []int64{1500, 500}}
	for i := range 100 {
		c.Stations = append(c.Stations, Station{fmt.Sprintf("S%03d", i), []int64{15, 5}, 20})
	}
	a, err := Prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	if a.U().Cmp(big.NewRat(3, 1)) != 0 {
		t.Fatalf("U = %v, want 3", a.U())
	}
	tiny := big.NewRat(1, 1_000_000_000_000)
	for k := 1; k <= 40; k++ {
		alpha := ratPow(big.NewRat(2, 3), k)
		if alpha.Cmp(MinRiskLimit) < 0 {
			break
		}
		for _, tc := range []struct {
			alpha *big.Rat
			m     int
		}{
			{alpha, k},
			{new(big.Rat).Add(alpha, tiny), k},
			{new(big.Rat).Sub(alpha, tiny), k + 1},
		} {
			if got, _ := a.Plan(tc.alpha); got != tc.m+1 {
				t.Errorf("α = (2/3)^%d %+v: Plan = %d, want %d", k, tc.alpha.Cmp(alpha), got, tc.m+1)
			}
		}
	}
}

// TestUnauditableBallots: declared votes outside every station (postal
// ballots) come off every margin, as if all were for the loser.
func TestUnauditableBallots(t *testing.T) {
	c := Contest{ID: "NA-1", Candidates: []string{"a", "b", "c"}, Winners: []string{"a"}, Totals: []int64{1030, 800, 300}}
	for i := range 10 {
		c.Stations = append(c.Stations, Station{fmt.Sprint(i), []int64{100, 80, 30}, 220})
	}
	a, err := Prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	// ΣT = 2130, ΣS = 2100: 30 unauditable. V_ab = min(230, 200) − 30 = 170;
	// V_ac = min(730, 700) − 30 = 670.
	if a.Unauditable() != 30 || a.Margins()[0].V != 170 || a.Margins()[1].V != 670 {
		t.Fatalf("unauditable %d, margins %v; want 30, 170, 670", a.Unauditable(), a.Margins())
	}
	// u = max((20+220)/170, (70+220)/670) = 240/170.
	if u := a.ErrorBound("3"); u.Cmp(big.NewRat(240, 170)) != 0 {
		t.Errorf("u = %v, want 240/170", u)
	}
	c.Totals = []int64{1000, 800, 290}
	if _, err := Prepare(c); !errors.Is(err, ErrInconsistentFrame) {
		t.Errorf("stations above the declaration: %v, want ErrInconsistentFrame", err)
	}
}
