package forensics

import (
	"math"
	"math/rand/v2"
)

// Binomial sampling.
//
// The Monte Carlo nulls draw hundreds of millions of binomial variates, one
// station at a time and many replicates per station. For that pattern the
// fastest exact method is a table per (n, p): the probability mass function
// over the window mode ± tailSD standard deviations (the mass outside is
// below 1e-20 and is dropped, the window renormalised), turned into a
// Walker–Vose alias table. Building a table costs O(√n); each draw then
// costs one 64-bit random number, a multiply and a compare. The tests
// check the draws against the exact pmf with a χ² test and the moments
// against n·p and n·p·(1−p).

// Half-widths of the pmf window in standard deviations. Sampling uses
// 7.5 (mass outside below 1e-13 per station, far below what 10^8 draws
// could reveal); digit probabilities use 6 (error below 1e-8 per count).
const (
	tailSD       = 7.5
	tailSDDigits = 6.0
)

// binomTable samples one Binomial(n, p) distribution. lo is the smallest
// value in the window; a draw returns an offset k meaning the value lo+k.
type binomTable struct {
	lo    int64
	pmf   []float64
	thr   []uint32 // alias threshold, scaled to 2^32
	alias []int32
	// scratch for Vose's algorithm
	small, large []int32
	scaled       []float64
}

// reset fills the window pmf of Binomial(n, p), leaving the alias table
// unbuilt. Use it alone when only the probabilities are needed.
func (b *binomTable) reset(n int64, p float64) { b.resetTail(n, p, tailSD) }

// resetTail is reset with a chosen window half-width.
func (b *binomTable) resetTail(n int64, p float64, tailSD float64) {
	b.pmf = b.pmf[:0]
	if n <= 0 || p <= 0 {
		b.lo = 0
		b.pmf = append(b.pmf, 1)
		return
	}
	if p >= 1 {
		b.lo = n
		b.pmf = append(b.pmf, 1)
		return
	}
	sd := math.Sqrt(float64(n) * p * (1 - p))
	mode := int64(math.Floor(float64(n+1) * p))
	mode = min(max(mode, 0), n)
	lo := max(0, int64(math.Floor(float64(mode)-tailSD*sd-1)))
	hi := min(n, int64(math.Ceil(float64(mode)+tailSD*sd+1)))
	b.lo = lo
	size := int(hi - lo + 1)
	if cap(b.pmf) < size {
		b.pmf = make([]float64, size)
	}
	b.pmf = b.pmf[:size]
	// Unnormalised recurrence outwards from the mode, where the pmf is
	// largest, so that nothing underflows before it is negligible.
	q := p / (1 - p)
	m := int(mode - lo)
	b.pmf[m] = 1
	for k := m; k > 0; k-- { // pmf(j-1) = pmf(j)·j / ((n-j+1)·q)
		j := lo + int64(k)
		b.pmf[k-1] = b.pmf[k] * float64(j) / (float64(n-j+1) * q)
	}
	for k := m; k < size-1; k++ { // pmf(j+1) = pmf(j)·(n-j)·q / (j+1)
		j := lo + int64(k)
		b.pmf[k+1] = b.pmf[k] * float64(n-j) * q / float64(j+1)
	}
	var sum float64
	for _, v := range b.pmf {
		sum += v
	}
	for i := range b.pmf {
		b.pmf[i] /= sum
	}
}

// build makes the alias table for Binomial(n, p).
func (b *binomTable) build(n int64, p float64) {
	b.reset(n, p)
	size := len(b.pmf)
	b.thr = grow(b.thr, size)
	b.alias = grow(b.alias, size)
	b.scaled = grow(b.scaled, size)
	b.small, b.large = b.small[:0], b.large[:0]
	for i, v := range b.pmf {
		b.scaled[i] = v * float64(size)
		if b.scaled[i] < 1 {
			b.small = append(b.small, int32(i))
		} else {
			b.large = append(b.large, int32(i))
		}
	}
	for len(b.small) > 0 && len(b.large) > 0 {
		s := b.small[len(b.small)-1]
		b.small = b.small[:len(b.small)-1]
		l := b.large[len(b.large)-1]
		b.thr[s] = threshold(b.scaled[s])
		b.alias[s] = l
		b.scaled[l] -= 1 - b.scaled[s]
		if b.scaled[l] < 1 {
			b.large = b.large[:len(b.large)-1]
			b.small = append(b.small, l)
		}
	}
	for _, i := range b.large {
		b.thr[i], b.alias[i] = math.MaxUint32, i
	}
	for _, i := range b.small { // rounding leftovers: probability ~1
		b.thr[i], b.alias[i] = math.MaxUint32, i
	}
}

func threshold(x float64) uint32 {
	if x >= 1 {
		return math.MaxUint32
	}
	return uint32(x * (1 << 32))
}

// draw returns the offset (value − lo) of one variate. The high 32 bits of
// one random word pick the column, the low 32 bits decide alias or not.
func (b *binomTable) draw(g *rand.PCG) int32 {
	u := g.Uint64()
	i := int32((u >> 32) * uint64(len(b.thr)) >> 32)
	if uint32(u) < b.thr[i] {
		return i
	}
	return b.alias[i]
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
