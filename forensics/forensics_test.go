package forensics

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestIsInteger(t *testing.T) {
	for _, c := range []struct {
		num, den int64
		want     bool
	}{
		{75, 100, true}, {3, 4, true}, {1, 3, false}, {2001, 4000, true}, // 50.025%
		{1001, 2000, true}, // 50.05%: on the boundary, inside
		{1003, 2000, false}, {667, 1000, false}, {0, 10, true}, {150, 151, false},
	} {
		if got := isInteger(c.num, c.den); got != c.want {
			t.Errorf("isInteger(%d, %d) = %v, want %v", c.num, c.den, got, c.want)
		}
	}
}

// TestBinomialSampler checks the alias sampler against the exact pmf (χ²)
// and its moments against n·p and n·p·(1−p).
func TestBinomialSampler(t *testing.T) {
	g := rand.NewPCG(7, 11)
	for _, c := range []struct {
		n int64
		p float64
	}{{100, 0.5}, {2500, 0.61}, {150, 0.98}, {40, 0.03}, {100000, 0.3}, {0, 0.5}, {10, 1}} {
		var b binomTable
		b.build(c.n, c.p)
		const draws = 400000
		counts := make([]int, len(b.pmf))
		var s, s2 float64
		for range draws {
			k := b.draw(g)
			counts[k]++
			v := float64(b.lo + int64(k))
			s += v
			s2 += v * v
		}
		m := s / draws
		v := s2/draws - m*m
		wantM, wantV := float64(c.n)*c.p, float64(c.n)*c.p*(1-c.p)
		if math.Abs(m-wantM) > 5*math.Sqrt(wantV/draws)+1e-9 {
			t.Errorf("Binomial(%d, %g): mean %.4f, want %.4f", c.n, c.p, m, wantM)
		}
		if wantV > 0 && math.Abs(v-wantV) > 0.02*wantV {
			t.Errorf("Binomial(%d, %g): variance %.4f, want %.4f", c.n, c.p, v, wantV)
		}
		// χ² over cells with expectation ≥ 5.
		var chi2 float64
		df := -1
		for k, pk := range b.pmf {
			e := pk * draws
			if e < 5 {
				continue
			}
			chi2 += (float64(counts[k]) - e) * (float64(counts[k]) - e) / e
			df++
		}
		if df > 0 && chi2Survival(chi2, df) < 1e-4 {
			t.Errorf("Binomial(%d, %g): χ² = %.1f on %d df against the exact pmf", c.n, c.p, chi2, df)
		}
		// The window's pmf against lgamma.
		for k := 0; k < len(b.pmf); k += max(1, len(b.pmf)/7) {
			j := b.lo + int64(k)
			a, _ := math.Lgamma(float64(c.n + 1))
			bb, _ := math.Lgamma(float64(j + 1))
			cc, _ := math.Lgamma(float64(c.n - j + 1))
			if c.p == 0 || c.p == 1 || c.n == 0 {
				break
			}
			want := math.Exp(a - bb - cc + float64(j)*math.Log(c.p) + float64(c.n-j)*math.Log(1-c.p))
			if math.Abs(b.pmf[k]-want) > 1e-8*math.Max(want, 1e-6) { // truncated tails
				t.Errorf("pmf(%d; %d, %g) = %g, want %g", j, c.n, c.p, b.pmf[k], want)
			}
		}
	}
}

func TestBenfordSecondDigit(t *testing.T) {
	want := []float64{.11968, .11389, .10882, .10433, .10031, .09668, .09337, .09035, .08757, .08500}
	var m float64
	for d, w := range want {
		if math.Abs(benford2[d]-w) > 5e-6 {
			t.Errorf("P(second digit %d) = %.5f, want %.5f", d, benford2[d], w)
		}
		m += float64(d) * benford2[d]
	}
	if math.Abs(m-4.18739) > 5e-5 {
		t.Errorf("mean second digit %.5f, want 4.18739", m)
	}
}

func TestChi2Survival(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{{16.919, 0.05}, {21.666, 0.01}, {9, 0.4373}, {2.088, 0.99}} {
		if got := chi2Survival(c.x, 9); math.Abs(got-c.want) > 5e-4 {
			t.Errorf("P(χ²9 ≥ %g) = %.5f, want %.4f", c.x, got, c.want)
		}
	}
}

func TestSymEigenvalues(t *testing.T) {
	var a [10][10]float64
	for i := range 10 { // I − 11ᵀ/10: eigenvalues 1 (×9) and 0
		for j := range 10 {
			a[i][j] = -0.1
		}
		a[i][i] += 1
	}
	ev := symEigenvalues(a)
	var sum, zeros float64
	for _, l := range ev {
		sum += l
		if math.Abs(l) < 1e-9 {
			zeros++
		}
	}
	if math.Abs(sum-9) > 1e-9 || zeros != 1 {
		t.Errorf("eigenvalues %v", ev)
	}
}

// TestDeterminism: the same seed gives byte-identical JSON whatever the
// number of workers; another seed changes the Monte Carlo numbers.
func TestDeterminism(t *testing.T) {
	st, names := Generate(GenConfig{Stations: 3000, Seed: 5, StuffFraction: 0.1, StuffSize: 0.3})
	enc := func(workers int, seed uint64) []byte {
		rep, err := Analyze(st, names, Options{Seed: seed, Resamples: 100, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := enc(1, 3), enc(2, 3)
	if !bytes.Equal(a, b) {
		t.Error("reports differ between 1 and 2 workers")
	}
	if bytes.Equal(a, enc(2, 4)) {
		t.Error("reports identical for seeds 3 and 4")
	}
	g1, _ := Generate(GenConfig{Stations: 2000, Seed: 9})
	g2, _ := Generate(GenConfig{Stations: 2000, Seed: 9})
	j1, _ := json.Marshal(g1)
	j2, _ := json.Marshal(g2)
	if !bytes.Equal(j1, j2) {
		t.Error("Generate is not deterministic")
	}
}

// TestRules checks each station rule on hand-made sheets.
func TestRules(t *testing.T) {
	base := func(id string, reg, ballots, valid, invalid int64, votes ...int64) Station {
		return Station{ID: id, Group: "G", Registered: reg, Ballots: ballots, Valid: valid, Invalid: invalid, Votes: votes}
	}
	st := []Station{
		base("over", 500, 520, 515, 5, 300, 215),
		base("full", 400, 400, 398, 2, 380, 18),
		base("dupA", 900, 600, 590, 10, 300, 290),
		base("dupB", 950, 610, 590, 10, 300, 290),
		base("boxes", 800, 500, 505, 5, 300, 205),
		base("arith", 800, 500, 400, 5, 300, 205),
		base("neg", 800, -1, 400, 5, 300, 100),
		base("clean", 1000, 612, 600, 12, 311, 289),
	}
	rep, err := Analyze(st, []string{"A", "B"}, Options{Seed: 1, Resamples: 50})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"over":  {SigTurnoutAbove100, SigBoxAboveReg},
		"full":  {SigFullTurnout, SigExtremeCluster},
		"dupA":  {SigIdentical},
		"dupB":  {SigIdentical},
		"boxes": {SigBoxAboveIssued},
		"arith": {SigSheetArithmetic},
	}
	got := map[string][]string{}
	for _, f := range rep.Flagged {
		for _, s := range f.Signals {
			got[f.ID] = append(got[f.ID], s.Code)
			if !strings.Contains(s.Explanation, Caveat) {
				t.Errorf("%s: explanation without the caveat: %q", f.ID, s.Explanation)
			}
		}
	}
	for id, codes := range want {
		if id == "boxes" { // weight 1: raised, but below the flag score
			continue
		}
		if strings.Join(got[id], ",") != strings.Join(codes, ",") {
			t.Errorf("%s: signals %v, want %v", id, got[id], codes)
		}
	}
	if _, ok := got["clean"]; ok {
		t.Errorf("clean station flagged: %v", got["clean"])
	}
	// Explanations name candidates as the caller does, never by number.
	for _, f := range rep.Flagged {
		for _, sg := range f.Signals {
			if sg.Code == SigFullTurnout && !strings.Contains(sg.Explanation, " A received ") || strings.Contains(sg.Explanation, "#") {
				t.Errorf("%s: %q does not name the candidate", f.ID, sg.Explanation)
			}
		}
	}
	if rep.FullTurnout.Stations == 0 || rep.FullTurnout.Landslide == 0 {
		t.Errorf("full turnout %+v: the full station has ballots equal to registered", rep.FullTurnout)
	}
	counts := map[string]int{}
	for _, c := range rep.RuleCounts {
		counts[c.Code] = c.Count
	}
	if counts[SigBoxAboveIssued] != 1 {
		t.Errorf("box_above_issued counted %d times, want 1", counts[SigBoxAboveIssued])
	}
	ex := map[string]int{}
	for _, e := range rep.Excluded {
		ex[e.Reason] = e.Count
	}
	if ex[ExcludeNegative] != 1 || ex[ExcludeVotesAboveValid] != 1 || rep.Analysed != 6 {
		t.Errorf("exclusions %v, analysed %d", rep.Excluded, rep.Analysed)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	if _, err := Analyze(nil, []string{"A"}, Options{}); err == nil {
		t.Error("no stations: want an error")
	}
	if _, err := Analyze([]Station{{Registered: 10, Votes: []int64{1}}}, nil, Options{}); err == nil {
		t.Error("no candidates: want an error")
	}
	st := []Station{{Registered: 100, Ballots: 50, Valid: 50, Votes: []int64{30, 20}}}
	if _, err := Analyze(st, []string{"A", "B"}, Options{Leader: "C"}); err == nil || !strings.Contains(err.Error(), "C") {
		t.Errorf("unknown leader: err = %v", err)
	}
}

// TestKlimekRecovery fits data simulated from the model with known fraud.
func TestKlimekRecovery(t *testing.T) {
	p := KlimekParams{Tau: 0.55, Nu: 0.45, SigmaTau: 0.08, SigmaNu: 0.08, Theta: 0.45, Fi: 0.4, Fe: 0.03, Alpha: 1.5}
	tt, ss := SimulateKlimek(40000, p, 99)
	best, fair := klimekFit(tt, ss, p, &Options{Seed: 1})
	if math.Abs(best.Fi-p.Fi) > 0.1 || math.Abs(best.Fe-p.Fe) > 0.01 || math.Abs(best.Alpha-p.Alpha) > 0.5 {
		t.Errorf("fit (%.3f, %.4f, %.2f), true (%.2f, %.3f, %.1f)", best.Fi, best.Fe, best.Alpha, p.Fi, p.Fe, p.Alpha)
	}
	if best.dist >= fair {
		t.Errorf("fit distance %.3g not below the fair model's %.3g", best.dist, fair)
	}
}

// TestShpilkinClean: with the leader's share independent of turnout the
// excess is small; with stuffing it is large and positive.
func TestShpilkin(t *testing.T) {
	clean, names := Generate(GenConfig{Stations: 20000, Seed: 3})
	stuffed, _ := Generate(GenConfig{Stations: 20000, Seed: 3, StuffFraction: 0.3, StuffSize: 0.4})
	rc, err := Analyze(clean, names, Options{Resamples: 20, SkipKlimekFit: true})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Analyze(stuffed, names, Options{Resamples: 20, SkipKlimekFit: true})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(rc.Shpilkin.ExcessShare) > 0.03 {
		t.Errorf("clean excess share %.3f", rc.Shpilkin.ExcessShare)
	}
	if rs.Shpilkin.ExcessShare < 0.1 {
		t.Errorf("stuffed excess share %.3f", rs.Shpilkin.ExcessShare)
	}
	if !strings.Contains(rs.Findings[4].Explanation, "Karlin") {
		t.Error("Shpilkin finding does not state the criticism")
	}
}
