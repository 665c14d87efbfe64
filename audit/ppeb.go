package audit

// PPEB: sampling with probability proportional to error bound, with
// replacement, driven by Rivest's SHA-256 fractions instead of a language's
// random generator. The mapping is specified in docs/audit.md ("PPEB draw");
// in short, draw k of contest c under seed is
//
//	r_k     = FirstFraction(DrawID(c, k), seed)     a decimal fraction 0.d1d2…dm
//	station = the first station j, in increasing ID order, with r_k < C_j / U
//
// where C_j = u_1 + … + u_j. Both sides are exact rationals: with r_k = R/10^m
// and the bounds scaled by D to integers w_j (W their sum), the rule is "the
// first j with cum_j > floor(R·W / 10^m)".

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
)

// DrawID returns the consistent-sampler id of draw k (1, 2, …) of a contest:
// the contest ID, "#", and k in decimal without leading zeros. The ID is
// unambiguous because k is the digits after the last "#".
func DrawID(contest string, k int) string {
	return contest + "#" + strconv.Itoa(k)
}

// A Draw is one pick of the PPEB sample.
type Draw struct {
	Index   int    // k, from 1; draw k is the same whatever the sample size
	Ticket  string // r_k at full precision, as FirstFraction returns it
	Station string
}

// Draw returns draws first, first+1, …, first+count−1 (first ≥ 1). Draws are
// consistent: extending a sample in a later round keeps every earlier draw,
// so round two asks for Draw(seed, n1+1, n2). A station can be drawn more
// than once; each draw counts in the risk.
func (a *Audit) Draw(seed string, first, count int) ([]Draw, error) {
	if err := a.checkDrawable(seed); err != nil {
		return nil, err
	}
	if first < 1 || count < 0 || count > MaxDraws || first > MaxDraws-count {
		return nil, invalid("draw", fmt.Sprintf("draws %d..%d are outside 1..%d", first, first+count-1, MaxDraws), "number draws from 1")
	}
	seedHash := SeedHash(seed)
	var m mapper
	out := make([]Draw, count)
	for i := range out {
		k := first + i
		r := SHA256Uniform(seedHash + DrawID(a.id, k))
		out[i] = Draw{Index: k, Ticket: r, Station: a.stations[m.pick(a, r)].ID}
	}
	return out, nil
}

// MaxDraws bounds draw indices and sample sizes.
const MaxDraws = 1 << 30

func (a *Audit) checkDrawable(seed string) error {
	if err := validName("seed", seed); err != nil {
		return err
	}
	if a.fullCount {
		return errNoSample()
	}
	return nil
}

// mapper holds scratch space for pick.
type mapper struct{ r, t big.Int }

// pick maps the fraction r = "0.d1…dm" to a sorted station index: the first
// j with cum_j > floor(R·W / 10^m), R the integer d1…dm and W = cum_last.
func (m *mapper) pick(a *Audit, r string) int {
	m.r.SetString(r[2:], 10)
	m.t.Mul(&m.r, &a.cum[len(a.cum)-1])
	m.t.Quo(&m.t, pow10(len(r)-2))
	return sort.Search(len(a.cum), func(j int) bool { return a.cum[j].Cmp(&m.t) > 0 })
}

var pow10s = func() []*big.Int {
	p := make([]*big.Int, 80)
	for i := range p {
		p[i] = new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(i)), nil)
	}
	return p
}()

// pow10 returns 10^n; fractions from SHA256Uniform have 64 to 78 digits.
func pow10(n int) *big.Int {
	if n < len(pow10s) {
		return pow10s[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

func errNoSample() error {
	return &InputError{Field: "contest.totals", Rule: "a reported margin V_wl is zero or negative, so no sample can confirm the outcome", Hint: "hand-count every station and settle the contest with Audit.FullCount", Kind: ErrFullHandCount}
}
