package forensics

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Generate builds a synthetic election for calibration, tests and
// benchmarks, until the project's simulator exists.
//
// The clean election has honest randomness only: each group has a mean
// turnout and a tilt of the candidates' shares; each station draws its
// registered voters (log-normal, median 900), its turnout propensity and
// its own tilt, then its counts by binomial sampling (ballots issued from
// registered, invalid ballots at 1.5%, candidate votes by sequential
// binomials). Turnout and preferences are independent, so every test's
// false-positive rate on it should be at most its α.
//
// Fraud is then injected into a random subset of stations, of the kinds
// and sizes in GenConfig.

// GenConfig describes a synthetic election.
type GenConfig struct {
	Stations   int
	Groups     int // default 50
	Candidates int // default 4
	Seed       uint64

	// StuffFraction of stations get ballots for the leader added, equal to
	// StuffSize of their non-voters (Klimek's incremental fraud).
	StuffFraction, StuffSize float64
	// SwitchFraction of stations have SwitchSize of every other candidate's
	// votes moved to the leader.
	SwitchFraction, SwitchSize float64
	// RoundFraction of stations have their turnout and leader share set to
	// the nearest whole percentage (written to a target, Kobak et al.).
	RoundFraction float64
}

// Generate returns the stations and candidate names of a synthetic
// election. Candidate 0 is the leader. The same config gives the same
// stations on any machine.
func Generate(cfg GenConfig) ([]Station, []string) {
	if cfg.Groups <= 0 {
		cfg.Groups = 50
	}
	if cfg.Candidates <= 1 {
		cfg.Candidates = 4
	}
	C := cfg.Candidates
	names := make([]string, C)
	base := make([]float64, C)
	for j := range C {
		names[j] = fmt.Sprintf("Candidate %c", 'A'+j)
		base[j] = math.Log(1 / float64(j+1)) // shares ∝ 1, 1/2, 1/3, …
	}
	base[0] += 0.3
	g0 := newPCG(cfg.Seed, streamGenerate, math.MaxUint64)
	groupTurnout := make([]float64, cfg.Groups)
	groupTilt := make([][]float64, cfg.Groups)
	for g := range cfg.Groups {
		groupTurnout[g] = 0.58 + 0.06*normal(g0)
		groupTilt[g] = make([]float64, C)
		for j := range C {
			groupTilt[g][j] = 0.25 * normal(g0)
		}
	}
	st := make([]Station, cfg.Stations)
	forChunks(cfg.Stations, 0, func(_, c, lo, hi int) {
		g := newPCG(cfg.Seed, streamGenerate, uint64(c))
		var bt binomTable
		w := make([]float64, C)
		for i := lo; i < hi; i++ {
			grp := i % cfg.Groups
			s := &st[i]
			s.ID = fmt.Sprintf("S%07d", i+1)
			s.Group = fmt.Sprintf("G%03d", grp+1)
			s.Registered = int64(min(max(math.Round(900*math.Exp(0.5*normal(g))), 30), 6000))
			t := min(max(groupTurnout[grp]+0.07*normal(g), 0.05), 0.97)
			s.Ballots = bt.sampleOnce(s.Registered, t, g)
			s.Invalid = bt.sampleOnce(s.Ballots, 0.015, g)
			s.Valid = s.Ballots - s.Invalid
			var sum float64
			for j := range C {
				w[j] = math.Exp(base[j] + groupTilt[grp][j] + 0.15*normal(g))
				sum += w[j]
			}
			s.Votes = make([]int64, C)
			left, rest := s.Valid, sum
			for j := range C - 1 {
				s.Votes[j] = bt.sampleOnce(left, w[j]/rest, g)
				left -= s.Votes[j]
				rest -= w[j]
			}
			s.Votes[C-1] = left
			inject(s, &cfg, g)
		}
	})
	return st, names
}

// inject applies the configured frauds to one station.
func inject(s *Station, cfg *GenConfig, g *rand.PCG) {
	if cfg.StuffFraction > 0 && uniform(g) < cfg.StuffFraction {
		add := int64(math.Round(cfg.StuffSize * float64(s.Registered-s.Ballots)))
		s.Ballots += add
		s.Valid += add
		s.Votes[0] += add
	}
	if cfg.SwitchFraction > 0 && uniform(g) < cfg.SwitchFraction {
		for j := 1; j < len(s.Votes); j++ {
			mv := int64(math.Round(cfg.SwitchSize * float64(s.Votes[j])))
			s.Votes[j] -= mv
			s.Votes[0] += mv
		}
	}
	if cfg.RoundFraction > 0 && uniform(g) < cfg.RoundFraction && s.Registered > 0 {
		// Turnout to the nearest whole percentage: the leader absorbs the change.
		target := int64(math.Round(math.Round(100*float64(s.Ballots)/float64(s.Registered)) * float64(s.Registered) / 100))
		delta := max(target-s.Ballots, -s.Votes[0])
		s.Ballots += delta
		s.Valid += delta
		s.Votes[0] += delta
		// Leader share to the nearest whole percentage: votes move between
		// the leader and the runner-up.
		R := s.InBox()
		if R > 0 && len(s.Votes) > 1 {
			want := int64(math.Round(math.Round(100*float64(s.Votes[0])/float64(R)) * float64(R) / 100))
			mv := min(max(want-s.Votes[0], -s.Votes[0]), s.Votes[1])
			s.Votes[0] += mv
			s.Votes[1] -= mv
		}
	}
}

// sampleOnce draws one Binomial(n, p) variate by inversion over the pmf
// window; cheaper than an alias table when only one draw is needed.
func (b *binomTable) sampleOnce(n int64, p float64, g *rand.PCG) int64 {
	b.reset(n, p)
	u := uniform(g)
	for k, v := range b.pmf {
		u -= v
		if u < 0 {
			return b.lo + int64(k)
		}
	}
	return b.lo + int64(len(b.pmf)-1)
}
