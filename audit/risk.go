package audit

// The MACRO P-value over a PPEB sample (Arlo's compute_risk) and the exact
// next sample size (Arlo's get_sample_sizes), without logarithms where a
// ceiling is at stake.

import (
	"fmt"
	"math"
	"math/big"
)

// A Risk is the state of a contest's audit after its first Draws draws have
// been hand-counted.
type Risk struct {
	Draws int
	// P is the MACRO P-value Π (1 − 1/U) / (1 − t_k) over draws k = 1…Draws,
	// capped at 1 (and 1 when some taint is 1, where the product is infinite).
	// After a full hand count it is 0 if the count confirms the outcome and 1
	// if it does not.
	P *big.Rat
	// Stop: the audit is over, because P ≤ α or every station was counted.
	Stop bool
	// Confirmed: the declared outcome stands (P ≤ α, or a full count agrees).
	Confirmed bool
	// NextSize is how many more draws to make: Arlo's
	// ceil((ln α − ln P) / ln(1 − 1/U)) + 1, capped at the number of stations;
	// 0 when Stop.
	NextSize int
	// FullHandCount: escalate to counting every station, because NextSize
	// reaches the number of stations or a taint of 1 makes P infinite.
	FullHandCount bool
	// Taints lists the draws whose taint t_k = e_p / u_p is not zero.
	Taints []Taint
}

// A Taint is one draw whose hand count overstated the margin.
type Taint struct {
	Draw    int
	Station string
	T       *big.Rat
}

// Risk measures the risk after draws 1…n of the contest under seed, given one
// hand count for every station those draws selected: it is Draw followed by
// Measure.
func (a *Audit) Risk(alpha *big.Rat, seed string, n int, counts []HandCount) (*Risk, error) {
	if err := checkAlpha(alpha); err != nil {
		return nil, err
	}
	draws, err := a.Draw(seed, 1, n)
	if err != nil {
		return nil, err
	}
	sample := make([]string, len(draws))
	for i, d := range draws {
		sample[i] = d.Station
	}
	return a.Measure(alpha, sample, counts)
}

// Measure measures the risk of a sample given as the station of each draw,
// in draw order (a station drawn twice appears twice), and one hand count
// for every station in it (counted once, entering P once per draw). It
// rejects a count for a station not in the frame or not in the sample
// (ErrNotInSample), a second count for a station, a count with more ballots
// than the station issued (ErrTooManyBallots), and a sampled station without
// a count (ErrMissingCount).
//
// The stop decision P ≤ α is exact (rational arithmetic); so is NextSize,
// the least m with P·(1 − 1/U)^m ≤ α, plus one (see nextSize). If the sample
// covers every station it is a full hand count and Measure answers as
// FullCount does. Use Risk unless the draw is already at hand.
func (a *Audit) Measure(alpha *big.Rat, sample []string, counts []HandCount) (*Risk, error) {
	if err := checkAlpha(alpha); err != nil {
		return nil, err
	}
	if a.fullCount {
		return nil, errNoSample()
	}
	drawn := make(map[int]int, len(sample)) // sorted station index → first draw
	index := make([]int, len(sample))
	for k, id := range sample {
		i, ok := a.find(id)
		if !ok {
			return nil, invalid(fmt.Sprintf("sample[%d]", k), fmt.Sprintf("station %q is not in the frame of contest %q", id, a.id), "take the sample from Draw on the same frame")
		}
		index[k] = i
		if _, seen := drawn[i]; !seen {
			drawn[i] = k + 1
		}
	}
	byStation, err := a.indexCounts(counts, func(i int) bool { _, ok := drawn[i]; return ok })
	if err != nil {
		return nil, err
	}
	for k, i := range index {
		if _, ok := byStation[i]; !ok {
			return nil, &InputError{Field: "counts", Rule: fmt.Sprintf("draw %d selected station %q, which has no hand count", k+1, sample[k]), Hint: "hand-count every drawn station before measuring the risk", Kind: ErrMissingCount}
		}
	}
	if len(drawn) == len(a.stations) {
		r := a.fullCountRisk(byStation)
		r.Draws = len(sample)
		return r, nil
	}
	return a.measure(alpha, index, byStation), nil
}

// measure computes P exactly as num/den = ((W−D)/W)^n · Π w_p / (w_p − E_p).
func (a *Audit) measure(alpha *big.Rat, index []int, counts map[int]HandCount) *Risk {
	r := &Risk{Draws: len(index)}
	qn, qd := a.q()
	exp := big.NewInt(int64(len(index)))
	num := new(big.Int).Exp(qn, exp, nil)
	den := new(big.Int).Exp(qd, exp, nil)
	taints := map[int]*big.Rat{}
	infinite := false
	for k, i := range index {
		t, seen := taints[i]
		if !seen {
			e := a.taintNumerator(a.stations[i], counts[i])
			w := a.stationWeight(i)
			if e.Sign() > 0 {
				t = new(big.Rat).SetFrac(e, w)
			}
			taints[i] = t
		}
		if t == nil {
			continue
		}
		r.Taints = append(r.Taints, Taint{Draw: k + 1, Station: a.stations[i].ID, T: t})
		if t.Cmp(ratOne) >= 0 {
			infinite = true
			continue
		}
		num.Mul(num, t.Denom()) // 1 / (1 − a/b) = b / (b − a)
		den.Mul(den, new(big.Int).Sub(t.Denom(), t.Num()))
	}
	if infinite {
		r.P = new(big.Rat).SetInt64(1)
		r.NextSize, r.FullHandCount = len(a.stations), true
		return r
	}
	p := new(big.Rat).SetFrac(num, den)
	if p.Cmp(alpha) <= 0 {
		r.P, r.Stop, r.Confirmed = p, true, true
		return r
	}
	if p.Cmp(ratOne) > 0 {
		p.SetInt64(1)
	}
	r.P = p
	r.NextSize = a.nextSize(alpha, p)
	r.FullHandCount = r.NextSize >= len(a.stations)
	return r
}

var ratOne = big.NewRat(1, 1)

// q returns 1 − 1/U = (W − D) / W in lowest terms.
func (a *Audit) q() (num, den *big.Int) {
	w := &a.cum[len(a.cum)-1]
	q := new(big.Rat).SetFrac(new(big.Int).Sub(w, &a.denom), w)
	return q.Num(), q.Denom()
}

// nextSize returns min(m + 1, N) for the least m ≥ 1 with p·q^m ≤ α, where
// α < p ≤ 1 and q = 1 − 1/U. That m is Arlo's ceil((ln α − ln p) / ln q). A
// float64 estimate x of that quotient decides the ceiling unless x lies
// within 10^-9 (relative) of an integer; then the candidate is settled by
// comparing p·q^m with α exactly.
func (a *Audit) nextSize(alpha, p *big.Rat) int {
	n := len(a.stations)
	qn, qd := a.q()
	invU, _ := new(big.Rat).SetFrac(new(big.Int).Sub(qd, qn), qd).Float64()
	af, _ := alpha.Float64()
	pf, _ := p.Float64()
	x := (math.Log(af) - math.Log(pf)) / math.Log1p(-invU)
	if x > float64(n)+2 {
		return n
	}
	m := int(math.Ceil(x))
	if near := math.Round(x); math.Abs(x-near) <= 1e-9*math.Max(1, x) {
		m = int(near)
		if !reaches(p, qn, qd, m, alpha) {
			m++
		}
	}
	return min(max(m, 1)+1, n)
}

// reaches reports p · (qn/qd)^m ≤ α, exactly.
func reaches(p *big.Rat, qn, qd *big.Int, m int, alpha *big.Rat) bool {
	if m < 0 {
		return false
	}
	e := big.NewInt(int64(m))
	lhs := new(big.Int).Exp(qn, e, nil)
	lhs.Mul(lhs, p.Num())
	lhs.Mul(lhs, alpha.Denom())
	rhs := new(big.Int).Exp(qd, e, nil)
	rhs.Mul(rhs, p.Denom())
	rhs.Mul(rhs, alpha.Num())
	return lhs.Cmp(rhs) <= 0
}

// FullCount settles the contest from a hand count of every station (the
// escalation, or the only way when FullHandCountRequired). The outcome is
// confirmed if every declared winner leads every loser in the hand count by
// more than the unauditable and pending ballots together. Counts follow the
// rules of Risk, with every station of the frame counted exactly once.
func (a *Audit) FullCount(counts []HandCount) (*Risk, error) {
	byStation, err := a.indexCounts(counts, func(int) bool { return true })
	if err != nil {
		return nil, err
	}
	for i, s := range a.stations {
		if _, ok := byStation[i]; !ok {
			return nil, &InputError{
				Field: "counts",
				Rule:  fmt.Sprintf("station %q has no hand count (%d of %d stations counted)", s.ID, len(byStation), len(a.stations)),
				Hint:  "a full count needs every station of the frame",
				Kind:  ErrMissingCount,
			}
		}
	}
	return a.fullCountRisk(byStation), nil
}

func (a *Audit) fullCountRisk(counts map[int]HandCount) *Risk {
	sums := make([]int64, len(a.candidates))
	for _, hc := range counts {
		for j, v := range hc.Votes {
			sums[j] += v
		}
	}
	r := &Risk{Stop: true, Confirmed: true, P: new(big.Rat)}
	for _, p := range a.pairs {
		if sums[p.w]-sums[p.l] <= a.unauditable+a.pending {
			r.Confirmed = false
			r.P.SetInt64(1)
		}
	}
	return r
}

// indexCounts validates hand counts and indexes them by sorted station index;
// allowed says which stations may be counted.
func (a *Audit) indexCounts(counts []HandCount, allowed func(int) bool) (map[int]HandCount, error) {
	out := make(map[int]HandCount, len(counts))
	first := make(map[int]int, len(counts))
	for k, hc := range counts {
		field := fmt.Sprintf("counts[%d]", k)
		if err := validName(field+".station", hc.Station); err != nil {
			return nil, err
		}
		i, ok := a.find(hc.Station)
		if !ok {
			return nil, invalid(field+".station", fmt.Sprintf("station %q is not in the frame of contest %q", hc.Station, a.id), "check the station ID against the published frame")
		}
		if !allowed(i) {
			return nil, &InputError{Field: field + ".station", Rule: fmt.Sprintf("station %q was not drawn in the sample of contest %q", hc.Station, a.id), Hint: "only drawn stations' counts enter the risk; a station drawn for another contest is recorded under that contest", Kind: ErrNotInSample}
		}
		if j, dup := first[i]; dup {
			return nil, invalid(field+".station", fmt.Sprintf("station %q was already counted in counts[%d]", hc.Station, j), "give one count per station; a recount supersedes the earlier count before it reaches the audit")
		}
		first[i] = k
		if err := checkTally(field, hc.Station, hc.Votes, hc.Ballots, len(a.candidates), "hand-counted"); err != nil {
			return nil, err
		}
		if issued := a.stations[i].Ballots; hc.Ballots > issued {
			return nil, &InputError{Field: field + ".ballots", Rule: fmt.Sprintf("station %q: the hand count found %d ballots but the station issued %d", hc.Station, hc.Ballots, issued), Hint: "recount the bag; if the excess is real, the station's error bound does not hold: correct its ballot-paper account and redraw, or hand-count the whole contest", Kind: ErrTooManyBallots}
		}
		out[i] = hc
	}
	return out, nil
}
