package sim

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
)

// stream returns a ChaCha8 generator for one purpose of one run. Each
// purpose draws from its own stream, so adding draws to one part of the
// model does not shift the numbers of another.
func stream(seed uint64, purpose string) *rand.Rand {
	return rand.New(rand.NewChaCha8(derive(seed, "stream", purpose)))
}

// derive hashes the seed with labels into 32 bytes.
func derive(seed uint64, labels ...string) [32]byte {
	h := sha256.New()
	h.Write([]byte("tallylog-sim/v1"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	for _, l := range labels {
		h.Write([]byte{0})
		h.Write([]byte(l))
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// lognormal returns exp(sigma·N(0,1)): a positive factor around 1.
func lognormal(r *rand.Rand, sigma float64) float64 { return math.Exp(sigma * r.NormFloat64()) }

// clamp limits x to [lo, hi].
func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// between returns a uniform integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// triangular draws from the triangular distribution on [lo, hi] with the
// given mode.
func triangular(r *rand.Rand, lo, mode, hi float64) float64 {
	u := r.Float64()
	c := (mode - lo) / (hi - lo)
	if u < c {
		return lo + math.Sqrt(u*(hi-lo)*(mode-lo))
	}
	return hi - math.Sqrt((1-u)*(hi-lo)*(hi-mode))
}

// apportion divides total among weights by largest remainder, giving each
// at least floor[i]. Ties go to the lower index, so the result is
// deterministic. sum(floor) must not exceed total.
func apportion(total int64, weights []float64, floor []int64) []int64 {
	out := make([]int64, len(weights))
	rest := total
	for i := range out {
		out[i] = floor[i]
		rest -= floor[i]
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	if rest <= 0 || sum <= 0 {
		return out
	}
	type rem struct {
		frac float64
		i    int
	}
	rems := make([]rem, len(weights))
	given := int64(0)
	for i, w := range weights {
		q := float64(rest) * w / sum
		n := int64(math.Floor(q))
		out[i] += n
		given += n
		rems[i] = rem{q - float64(n), i}
	}
	slices.SortFunc(rems, func(a, b rem) int {
		if c := cmp.Compare(b.frac, a.frac); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	for k := int64(0); k < rest-given; k++ {
		out[rems[k%int64(len(rems))].i]++
	}
	return out
}
