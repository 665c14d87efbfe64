package forensics

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Integer-percentage test of Kobak, Shpilkin & Pshenichnikov, "Integer
// percentages as electoral falsification fingerprints", Annals of Applied
// Statistics 10(1):54–73 (2016), doi:10.1214/16-AOAS904.
//
// When officials write down a target turnout or result instead of counting,
// round numbers (75%, 80%) appear more often than arithmetic allows. A
// station is "integer" in x when |100·x − round(100·x)| ≤ 0.05, that is when
// x falls in a 0.1-point bin centred on a whole percentage. Stations enter
// the test when they have at least 100 registered voters, ballots in the
// boxes, and turnout and leader share of at most 99%.
//
// The null keeps every station's size and fractions and redraws its counts:
// ballots issued ~ Binomial(registered, turnout) and leader votes ~
// Binomial(ballots in boxes, share), independently per station and
// replicate. This makes no assumption about the shape of the turnout
// distribution: the binomial noise only smooths the fractional parts. The
// excess is the observed count minus the mean over the replicates, and the
// one-sided p-value is (1 + #replicates ≥ observed)/(1 + replicates).

// IntegerCounts counts integer stations: integer in turnout or leader share
// (Either), in the leader share (Leader), in turnout (Turnout).
type IntegerCounts struct {
	Either  float64 `json:"either"`
	Leader  float64 `json:"leader"`
	Turnout float64 `json:"turnout"`
}

// IntegerTest is the result of the integer-percentage test on one set of
// stations (the whole data set or one group).
type IntegerTest struct {
	Included  int           `json:"included"`
	Observed  IntegerCounts `json:"observed"`
	Expected  IntegerCounts `json:"expected"`       // mean over the Monte Carlo replicates
	Exact     IntegerCounts `json:"exact_expected"` // analytic expectation under the same null
	SD        IntegerCounts `json:"sd"`             // Monte Carlo standard deviation
	Excess    IntegerCounts `json:"excess"`         // observed − expected
	Q999      float64       `json:"q999_either"`    // 99.9th percentile of the replicates
	P         float64       `json:"p_either"`       // one-sided Monte Carlo p-value
	Resamples int           `json:"resamples"`
}

// isInteger reports whether 100·num/den is within 0.05 of a whole number.
// The arithmetic follows the published code (100·num is formed in integers,
// then divided in float64) so that boundary cases round the same way.
func isInteger(num, den int64) bool {
	p := float64(100*num) / float64(den)
	return math.Abs(p-math.RoundToEven(p)) <= 0.05
}

// kobakIncluded reports whether a station enters the integer test.
func kobakIncluded(s *Station, leader int, minReg int64) bool {
	r := s.InBox()
	if r <= 0 || s.Registered < minReg || s.Registered <= 0 {
		return false
	}
	t := float64(s.Ballots) / float64(s.Registered)
	v := float64(s.Votes[leader]) / float64(r)
	return t <= 0.99 && v <= 0.99
}

// kobakStation is the per-station part of the test: whether the station is
// integer in each coordinate, and the null probability of that.
type kobakStation struct {
	intT, intS bool
	qT, qS     float64
}

// runKobak runs the test on the stations of d, nationally and per group.
func runKobak(d *dataset, opt *Options) (national IntegerTest, groups []IntegerTest, per []kobakStation) {
	R := opt.Resamples
	G := len(d.groups)
	n := len(d.st)
	per = make([]kobakStation, n)
	workers := numWorkers(opt.Workers)
	type acc struct {
		rep   []int64 // R × 3: either, leader, turnout
		grp   []int32 // G × R: either
		exact [3]float64
	}
	accs := make([]acc, workers)
	for w := range accs {
		accs[w].rep = make([]int64, 3*R)
		accs[w].grp = make([]int32, G*R)
	}
	// Per-chunk exact sums are kept per chunk and added in chunk order so
	// that the float result does not depend on scheduling.
	chunks := (n + chunkSize - 1) / chunkSize
	exactChunk := make([][3]float64, chunks)
	included := make([]bool, n)
	forChunks(n, workers, func(w, c, lo, hi int) {
		a := &accs[w]
		g := newPCG(opt.Seed, streamKobak, uint64(c))
		var tt, ts binomTable
		var ft, fs []bool
		var ct, cs []flagColumn
		var ex [3]float64
		for i := lo; i < hi; i++ {
			s := &d.st[i]
			if !kobakIncluded(s, d.leader, opt.MinRegistered) {
				continue
			}
			included[i] = true
			N, B, Rb, W := s.Registered, s.Ballots, s.InBox(), s.Votes[d.leader]
			tt.build(N, float64(B)/float64(N))
			ts.build(Rb, float64(W)/float64(Rb))
			ft = integerFlags(ft, &tt, N)
			fs = integerFlags(fs, &ts, Rb)
			ct = packFlags(ct, &tt, ft)
			cs = packFlags(cs, &ts, fs)
			ks := kobakStation{intT: isInteger(B, N), intS: isInteger(W, Rb)}
			for k, f := range ft {
				if f {
					ks.qT += tt.pmf[k]
				}
			}
			for k, f := range fs {
				if f {
					ks.qS += ts.pmf[k]
				}
			}
			per[i] = ks
			ex[0] += 1 - (1-ks.qT)*(1-ks.qS)
			ex[1] += ks.qS
			ex[2] += ks.qT
			gr := a.grp[int(d.gidx[i])*R : int(d.gidx[i]+1)*R]
			rep := a.rep
			for r := range R {
				it := drawFlag(ct, g)
				is := drawFlag(cs, g)
				if it || is {
					rep[3*r]++
					gr[r]++
				}
				if is {
					rep[3*r+1]++
				}
				if it {
					rep[3*r+2]++
				}
			}
		}
		exactChunk[c] = ex
	})
	rep := make([]int64, 3*R)
	grp := make([]int32, G*R)
	for _, a := range accs {
		for i, v := range a.rep {
			rep[i] += v
		}
		for i, v := range a.grp {
			grp[i] += v
		}
	}
	var exact [3]float64
	for _, e := range exactChunk {
		for j := range exact {
			exact[j] += e[j]
		}
	}
	// Observed counts, national and per group.
	obsG := make([]int, G)
	inclG := make([]int, G)
	var obs [3]int
	for i, ks := range per {
		if !included[i] {
			continue
		}
		national.Included++
		inclG[d.gidx[i]]++
		if ks.intT || ks.intS {
			obs[0]++
			obsG[d.gidx[i]]++
		}
		if ks.intS {
			obs[1]++
		}
		if ks.intT {
			obs[2]++
		}
	}
	national.Resamples = R
	cols := [3][]float64{}
	for j := range cols {
		cols[j] = make([]float64, R)
		for r := range R {
			cols[j][r] = float64(rep[3*r+j])
		}
	}
	set := func(c *IntegerCounts, f func(j int) float64) {
		c.Either, c.Leader, c.Turnout = f(0), f(1), f(2)
	}
	set(&national.Observed, func(j int) float64 { return float64(obs[j]) })
	set(&national.Expected, func(j int) float64 { return mean(cols[j]) })
	set(&national.SD, func(j int) float64 { return stddev(cols[j]) })
	set(&national.Exact, func(j int) float64 { return exact[j] })
	set(&national.Excess, func(j int) float64 { return float64(obs[j]) - mean(cols[j]) })
	national.Q999 = quantile(cols[0], 0.999)
	national.P = mcPValue(float64(obs[0]), cols[0])

	groups = make([]IntegerTest, G)
	col := make([]float64, R)
	for gi := range G {
		t := &groups[gi]
		t.Included = inclG[gi]
		t.Resamples = R
		for r := range R {
			col[r] = float64(grp[gi*R+r])
		}
		t.Observed.Either = float64(obsG[gi])
		t.Expected.Either = mean(col)
		t.SD.Either = stddev(col)
		t.Excess.Either = t.Observed.Either - t.Expected.Either
		t.Q999 = quantile(col, 0.999)
		t.P = mcPValue(t.Observed.Either, col)
	}
	return national, groups, per
}

// integerFlags marks which values of a binomial table's window are integer
// percentages of den.
func integerFlags(f []bool, b *binomTable, den int64) []bool {
	f = grow(f, len(b.pmf))
	for k := range f {
		f[k] = isInteger(b.lo+int64(k), den)
	}
	return f
}

// flagColumn is one column of an alias table reduced to what the integer
// test needs: the threshold and whether the column's own value and its
// alias are integer percentages. Drawing from it is the same draw as
// binomTable.draw followed by a flag lookup, with one memory access.
type flagColumn struct {
	thr           uint32
	keep, aliased bool
}

func packFlags(c []flagColumn, b *binomTable, flags []bool) []flagColumn {
	c = grow(c, len(b.thr))
	for i := range c {
		c[i] = flagColumn{thr: b.thr[i], keep: flags[i], aliased: flags[b.alias[i]]}
	}
	return c
}

// drawFlag draws one binomial variate and returns whether it is an integer
// percentage (see binomTable.draw for the bit layout).
func drawFlag(c []flagColumn, g *rand.PCG) bool {
	u := g.Uint64()
	col := &c[(u>>32)*uint64(len(c))>>32]
	if uint32(u) < col.thr {
		return col.keep
	}
	return col.aliased
}

// mcPValue is the one-sided Monte Carlo p-value of obs against replicates.
func mcPValue(obs float64, reps []float64) float64 {
	ge := 0
	for _, v := range reps {
		if v >= obs {
			ge++
		}
	}
	return float64(1+ge) / float64(1+len(reps))
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// stddev is the sample standard deviation (n − 1 in the denominator).
func stddev(x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	m := mean(x)
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

// quantile returns the q-quantile with linear interpolation (numpy's
// default), leaving x unchanged.
func quantile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	f := pos - float64(i)
	return s[i] + f*(s[i+1]-s[i])
}

// describeInteger explains the national integer test in plain words.
func describeInteger(t IntegerTest, alpha float64) Message {
	return say(msgInteger, t.Observed.Either, t.Included, t.Expected.Either, t.SD.Either, t.Excess.Either, t.P, caveat())
}
