package forensics

import (
	"math"
)

// Digit tests.
//
// Last digit (Beber & Scacco, "What the Numbers Say: A Digit-Based Test for
// Election Fraud", Political Analysis 20(2):211–234, 2012): people who
// invent numbers favour some final digits, while the last digit of an
// honest count of 100 or more is close to uniform. Counts: every
// candidate's votes of at least 100 at a station.
//
// Second digit (Mebane, "Election Forensics: The Second-digit Benford's Law
// Test and Recent American Presidential Elections", 2006): Benford's law
// gives P(d) = Σ_k log10(1 + 1/(10k + d)) for the second digit d. Counts:
// every candidate's votes of at least 10 where the candidate's share in the
// group predicts at least 30.
//
// Fixed nulls (exact uniformity, exact Benford) flag honest elections:
// stations of similar size make second digits far from Benford, and small
// counts bias last digits (ElectionForensics.jl rejects 8 of 29 legitimate
// US elections with classical 2BL). Both tests here use a resampled null
// instead: each count c out of V valid ballots is redrawn as
// Binomial(V, c/V), and the digit distribution of every redrawn count is
// computed exactly from the binomial pmf (for last digits, a binomial with
// standard deviation ≥ 12 is uniform to 1e-12 and is taken as such). The
// expected digit counts μ are the sums of those distributions, and the
// statistic is Pearson's Q = Σ_d (D_d − μ_d)²/μ_d. Under the null, D − μ is
// a sum of many independent bounded vectors with covariance
// Σ = Σ_i (diag p_i − p_i p_iᵀ), so Q is distributed as Σ_k λ_k χ²₁ with λ
// the eigenvalues of diag(μ)^−½ Σ diag(μ)^−½; the replicates draw Q from
// that law. Redrawing each count (hundreds of millions of categorical
// draws) gives the same law up to the central-limit approximation, which
// the tests check on a small data set.
//
// The classical fixed-null χ² (9 degrees of freedom) is reported beside it
// for comparison only; it is never used to flag.

type digitKind int

const (
	lastDigitKind digitKind = iota
	secondDigitKind
)

func (k digitKind) String() string {
	if k == lastDigitKind {
		return "last digit"
	}
	return "second digit"
}

// minExpected is the expected count (valid ballots × the candidate's
// share of valid votes in the group) below which a count is left out.
//
// Selecting on the observed count (c ≥ 100) would bias the test: where
// counts thin out above the threshold, 100–102 are more common than
// 107–109, so honest data show too many low last digits (a generator with
// a runner-up near 100 votes gave 23% false positives at α = 0.05).
// Selecting on an expectation that does not depend on the count's own
// noise avoids that.
func (k digitKind) minExpected() float64 {
	if k == lastDigitKind {
		return 100
	}
	return 30
}

// digitOf returns the last or the second digit of c.
func (k digitKind) digitOf(c int64) int {
	if k == lastDigitKind {
		return int(c % 10)
	}
	for c >= 100 {
		c /= 10
	}
	return int(c % 10)
}

// benford2 is the second-digit Benford distribution.
var benford2 = func() (p [10]float64) {
	for d := range 10 {
		for k := 1; k <= 9; k++ {
			p[d] += math.Log10(1 + 1/float64(10*k+d))
		}
	}
	return p
}()

// DigitTest is the result of one digit test on one scope.
type DigitTest struct {
	Kind     string      `json:"kind"`
	Counts   int         `json:"counts"` // numbers tested
	Observed [10]int     `json:"observed"`
	Expected [10]float64 `json:"expected"` // under the resampled null
	Q        float64     `json:"q"`        // Pearson statistic against Expected
	P        float64     `json:"p"`        // Monte Carlo p-value of Q
	Mean     float64     `json:"mean"`     // mean observed digit
	// ClassicalChi2 and ClassicalP compare with the fixed null (uniform or
	// Benford); they are shown for comparison and never flag.
	ClassicalChi2 float64 `json:"classical_chi2"`
	ClassicalP    float64 `json:"classical_p"`
}

// digitAcc accumulates the sufficient statistics of one scope.
type digitAcc struct {
	n   int
	obs [10]int
	mu  [10]float64
	cov [10][10]float64
}

func (a *digitAcc) add(b *digitAcc) {
	a.n += b.n
	for i := range 10 {
		a.obs[i] += b.obs[i]
		a.mu[i] += b.mu[i]
		for j := range 10 {
			a.cov[i][j] += b.cov[i][j]
		}
	}
}

// groupDigit is a group's partial sums within one chunk.
type groupDigit struct {
	group int32
	acc   digitAcc
}

func runDigits(d *dataset, opt *Options, kind digitKind) (DigitTest, []DigitTest) {
	n := len(d.st)
	chunks := (n + chunkSize - 1) / chunkSize
	parts := make([][]groupDigit, chunks)
	groupShare := groupShares(d)
	forChunks(n, opt.Workers, func(_, c, lo, hi int) {
		var bt binomTable
		var part []groupDigit
		for i := lo; i < hi; i++ {
			s := &d.st[i]
			if len(part) == 0 || part[len(part)-1].group != d.gidx[i] {
				part = append(part, groupDigit{group: d.gidx[i]})
			}
			a := &part[len(part)-1].acc
			for j, c := range s.Votes {
				if s.Valid <= 0 || float64(s.Valid)*groupShare[d.gidx[i]][j] < kind.minExpected() ||
					(kind == secondDigitKind && c < 10) {
					continue
				}
				p := digitProbs(&bt, kind, s.Valid, c)
				a.n++
				a.obs[kind.digitOf(c)]++
				for x := range 10 {
					a.mu[x] += p[x]
					a.cov[x][x] += p[x]
					for y := range 10 {
						a.cov[x][y] -= p[x] * p[y]
					}
				}
			}
		}
		parts[c] = part
	})
	var nat digitAcc
	grp := make([]digitAcc, len(d.groups))
	for _, part := range parts { // chunk order: deterministic float sums
		for i := range part {
			nat.add(&part[i].acc)
			grp[part[i].group].add(&part[i].acc)
		}
	}
	national := finishDigits(&nat, kind, opt, 0)
	groups := make([]DigitTest, len(grp))
	for gi := range grp {
		groups[gi] = finishDigits(&grp[gi], kind, opt, uint64(gi)+1)
	}
	return national, groups
}

// groupShares returns each group's candidate shares of valid votes.
func groupShares(d *dataset) [][]float64 {
	votes := make([][]float64, len(d.groups))
	valid := make([]float64, len(d.groups))
	for g := range votes {
		votes[g] = make([]float64, d.ncand)
	}
	for i := range d.st {
		g := d.gidx[i]
		valid[g] += float64(d.st[i].Valid)
		for j, v := range d.st[i].Votes {
			votes[g][j] += float64(v)
		}
	}
	for g := range votes {
		for j := range votes[g] {
			if valid[g] > 0 {
				votes[g][j] /= valid[g]
			}
		}
	}
	return votes
}

// digitProbs returns the digit distribution of Binomial(n, c/n).
func digitProbs(bt *binomTable, kind digitKind, n, c int64) (p [10]float64) {
	pr := float64(c) / float64(n)
	if kind == lastDigitKind && float64(n)*pr*(1-pr) >= 144 { // σ ≥ 12
		for x := range p {
			p[x] = 0.1
		}
		return p
	}
	bt.resetTail(n, pr, tailSDDigits)
	for k, v := range bt.pmf {
		val := bt.lo + int64(k)
		if kind == secondDigitKind && val < 10 {
			continue // no second digit: mass renormalised below
		}
		p[kind.digitOf(val)] += v
	}
	var s float64
	for _, v := range p {
		s += v
	}
	for x := range p {
		p[x] /= s
	}
	return p
}

// finishDigits computes the statistic and its null for one scope.
func finishDigits(a *digitAcc, kind digitKind, opt *Options, scope uint64) DigitTest {
	t := DigitTest{Kind: kind.String(), Counts: a.n, Observed: a.obs, P: 1}
	if a.n == 0 {
		return t
	}
	t.Expected = a.mu
	var sum float64
	for x := range 10 {
		sum += float64(x * a.obs[x])
	}
	t.Mean = sum / float64(a.n)
	// Classical χ² against the fixed null.
	for x := range 10 {
		e := 0.1 * float64(a.n)
		if kind == secondDigitKind {
			e = benford2[x] * float64(a.n)
		}
		t.ClassicalChi2 += (float64(a.obs[x]) - e) * (float64(a.obs[x]) - e) / e
	}
	t.ClassicalP = chi2Survival(t.ClassicalChi2, 9)
	// Resampled null.
	var scale [10]float64
	for x := range 10 {
		if a.mu[x] > 1e-9 {
			scale[x] = 1 / math.Sqrt(a.mu[x])
			diff := float64(a.obs[x]) - a.mu[x]
			t.Q += diff * diff / a.mu[x]
		}
	}
	var m [10][10]float64
	for x := range 10 {
		for y := range 10 {
			m[x][y] = a.cov[x][y] * scale[x] * scale[y]
		}
	}
	lambda := symEigenvalues(m)
	g := newPCG(opt.Seed, streamDigits, uint64(kind)<<32|scope)
	reps := make([]float64, opt.Resamples)
	for r := range reps {
		var q float64
		for _, l := range lambda {
			if l > 1e-12 {
				z := normal(g)
				q += l * z * z
			}
		}
		reps[r] = q
	}
	t.P = mcPValue(t.Q, reps)
	return t
}

// symEigenvalues returns the eigenvalues of a symmetric 10×10 matrix by
// cyclic Jacobi rotations.
func symEigenvalues(a [10][10]float64) []float64 {
	const n = 10
	for sweep := 0; sweep < 100; sweep++ {
		var off float64
		for i := range n {
			for j := i + 1; j < n; j++ {
				off += a[i][j] * a[i][j]
			}
		}
		if off < 1e-22 {
			break
		}
		for p := range n {
			for q := p + 1; q < n; q++ {
				if math.Abs(a[p][q]) < 1e-300 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range n { // columns p, q
					akp, akq := a[k][p], a[k][q]
					a[k][p], a[k][q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := range n { // rows p, q
					apk, aqk := a[p][k], a[q][k]
					a[p][k], a[q][k] = c*apk-s*aqk, s*apk+c*aqk
				}
			}
		}
	}
	out := make([]float64, n)
	for i := range n {
		out[i] = a[i][i]
	}
	return out
}

// chi2Survival returns P(X ≥ x) for X ~ χ²(k).
func chi2Survival(x float64, k int) float64 {
	if x <= 0 {
		return 1
	}
	return gammaQ(float64(k)/2, x/2)
}

// gammaQ is the regularised upper incomplete gamma function Q(a, x), by
// its series below a+1 and its continued fraction above (Numerical
// Recipes §6.2).
func gammaQ(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 500; n++ {
			term *= x / (a + float64(n))
			sum += term
			if term < sum*1e-15 {
				break
			}
		}
		return 1 - sum*math.Exp(-x+a*math.Log(x)-lg)
	}
	b := x + 1 - a
	c := 1 / 1e-300
	dd := 1 / b
	h := dd
	for i := 1; i < 500; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		dd = an*dd + b
		if math.Abs(dd) < 1e-300 {
			dd = 1e-300
		}
		c = b + an/c
		if math.Abs(c) < 1e-300 {
			c = 1e-300
		}
		dd = 1 / dd
		del := dd * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lg) * h
}

// describeDigits explains a digit test in plain words.
func describeDigits(t DigitTest) Message {
	id := msgLastDigit
	if t.Kind == "second digit" {
		id = msgSecondDigit
	}
	return say(id, t.Counts, t.Q, t.P, caveat())
}
