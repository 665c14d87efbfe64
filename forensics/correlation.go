package forensics

import (
	"math"
)

// Turnout–share relation (Sobyanin & Sukhovolsky 1993–95; Myagkov,
// Ordeshook & Shakin, The Forensics of Election Fraud, CUP 2009).
//
// If the ballots added to raise turnout all go to one candidate, stations
// with higher turnout show a higher share for that candidate. The test is
// Pearson's r between turnout and leader share over the placed stations,
// one-sided (positive), with the Fisher z approximation
// z = atanh(r)·√(n − 3). The slope of leader votes per registered voter on
// turnout is reported beside it: with preferences independent of turnout it
// equals the leader's share; a slope near 1 means extra turnout went almost
// entirely to the leader. The national flag uses the pooled within-group
// correlation (see withinGroup); the raw r is reported as published (Russia
// 2011: 0.74).
//
// Known criticism: turnout and preference can be related without fraud
// (rural voters both vote more and favour incumbents; Karlin 2011), so a
// positive correlation is a screening signal that calls for a look at the
// groups, never a finding by itself.

// CorrelationTest is the turnout–share relation on one scope.
type CorrelationTest struct {
	Stations    int     `json:"stations"`
	R           float64 `json:"r"`
	P           float64 `json:"p"`            // one-sided, r > 0
	Slope       float64 `json:"slope"`        // of leader/registered on turnout
	MeanShare   float64 `json:"mean_share"`   // mean leader share of the stations
	ExcessSlope float64 `json:"excess_slope"` // Slope − MeanShare
	// WithinR and WithinP are the pooled within-group correlation and its
	// one-sided p-value; the national test flags on these (see withinGroup).
	// Per-group results leave them 0.
	WithinR float64 `json:"within_group_r"`
	WithinP float64 `json:"within_group_p"`
}

type corrAcc struct {
	n                              float64
	st, ss, stt, sss, sts, sy, sty float64 // y = leader/registered
}

func (a *corrAcc) add(t, s, y float64) {
	a.n++
	a.st += t
	a.ss += s
	a.stt += t * t
	a.sss += s * s
	a.sts += t * s
	a.sy += y
	a.sty += t * y
}

func (a *corrAcc) result() CorrelationTest {
	c := CorrelationTest{Stations: int(a.n), P: 1}
	if a.n < 4 {
		return c
	}
	vt := a.stt - a.st*a.st/a.n
	vs := a.sss - a.ss*a.ss/a.n
	cov := a.sts - a.st*a.ss/a.n
	c.MeanShare = a.ss / a.n
	if vt > 0 {
		c.Slope = (a.sty - a.st*a.sy/a.n) / vt
		c.ExcessSlope = c.Slope - c.MeanShare
	}
	if vt <= 0 || vs <= 0 {
		return c
	}
	c.R = cov / math.Sqrt(vt*vs)
	r := math.Min(c.R, 1-1e-15)
	z := math.Atanh(r) * math.Sqrt(a.n-3)
	c.P = 0.5 * math.Erfc(z/math.Sqrt2)
	return c
}

// withinGroup returns the pooled within-group correlation and its p-value.
// Group means differ for honest reasons (regions differ in turnout and in
// preference), and across a few dozen groups their correlation alone is
// often "significant" with tens of thousands of stations; removing each
// group's means leaves the relation inside groups, which is what ballot
// stuffing creates. Degrees of freedom: stations − groups − 1.
func withinGroup(grp []corrAcc) (r, p float64) {
	var vt, vs, cov, n float64
	groups := 0
	for _, a := range grp {
		if a.n < 2 {
			continue
		}
		groups++
		n += a.n
		vt += a.stt - a.st*a.st/a.n
		vs += a.sss - a.ss*a.ss/a.n
		cov += a.sts - a.st*a.ss/a.n
	}
	df := n - float64(groups) - 1
	if vt <= 0 || vs <= 0 || df < 2 {
		return 0, 1
	}
	r = cov / math.Sqrt(vt*vs)
	z := math.Atanh(math.Min(r, 1-1e-15)) * math.Sqrt(df-1)
	return r, 0.5 * math.Erfc(z/math.Sqrt2)
}

// runCorrelation uses stations with turnout ≤ 100% (turnout above 100% is
// a rule violation of its own and would dominate the moments).
func runCorrelation(d *dataset, opt *Options) (CorrelationTest, []CorrelationTest) {
	var nat corrAcc
	grp := make([]corrAcc, len(d.groups))
	for i := range d.st {
		s := &d.st[i]
		if !placed(s, opt.MinRegistered) || s.Ballots > s.Registered {
			continue
		}
		N := float64(s.Registered)
		t := float64(s.Ballots) / N
		sh := float64(s.Votes[d.leader]) / float64(s.InBox())
		y := float64(s.Votes[d.leader]) / N
		nat.add(t, sh, y)
		grp[d.gidx[i]].add(t, sh, y)
	}
	out := make([]CorrelationTest, len(grp))
	for i := range grp {
		out[i] = grp[i].result()
	}
	res := nat.result()
	res.WithinR, res.WithinP = withinGroup(grp)
	return res, out
}

func describeCorrelation(c CorrelationTest) Message {
	return say(msgCorrelation, c.Stations, c.R, c.WithinR, c.WithinP, c.Slope, c.MeanShare, caveat())
}
