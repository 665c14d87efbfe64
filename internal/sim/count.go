package sim

import (
	"math"
	"math/rand/v2"
)

// count is one station's result in one contest, as a sheet states it.
type count struct {
	cast, rejected int64
	votes          []int64 // ballot order
}

func (c count) clone() count {
	c.votes = append([]int64(nil), c.votes...)
	return c
}

// registeredVoters draws a station's electoral roll: about 1,200 voters,
// between 400 and 1,600.
func registeredVoters(r *rand.Rand) int64 {
	return int64(clamp(math.Round(1200+280*r.NormFloat64()), 400, 1600))
}

// countVotes draws a station's count in one contest: cast is turnout times
// registered, rejected ballots about 2.5% of cast, and the valid votes split
// by the candidates' strengths varied by the station's swing (shared by the
// station's contests, per bloc) and a little per candidate.
func countVotes(registered int64, turnout float64, cands []candidate, swing *[11]float64, r *rand.Rand) count {
	cast := min(registered, int64(math.Round(float64(registered)*turnout)))
	rejected := int64(math.Round(float64(cast) * clamp(0.025*lognormal(r, 0.4), 0.003, 0.08)))
	weights := make([]float64, len(cands))
	for i, c := range cands {
		weights[i] = c.strength * swing[c.bloc] * lognormal(r, 0.08)
	}
	return count{cast: cast, rejected: rejected, votes: apportion(cast-rejected, weights, make([]int64, len(cands)))}
}

// stationSwing draws a station's local swing for every bloc, its spread
// scaled by noise.
func stationSwing(r *rand.Rand, noise float64) [11]float64 {
	var s [11]float64
	for i := range s {
		s[i] = lognormal(r, 0.18*noise)
	}
	return s
}

// top2 returns the ballot indexes of the first and second candidates by
// votes (ties to the lower index).
func top2(votes []int64) (first, second int) {
	first, second = -1, -1
	for i, v := range votes {
		switch {
		case first < 0 || v > votes[first]:
			first, second = i, first
		case second < 0 || v > votes[second]:
			second = i
		}
	}
	return first, second
}

// add adds b's counts to a.
func (c *count) add(b count) {
	c.cast += b.cast
	c.rejected += b.rejected
	for i, v := range b.votes {
		c.votes[i] += v
	}
}
