package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// A bloc is a side voters choose: a party, the PTI-backed independents
// (who stood without a party symbol in 2024), or the other independents.
type bloc struct {
	id    string // agents' key names use it
	party string // the candidate's Party; "" for independents
}

// blocs in a fixed order; profiles index into it.
var blocs = []bloc{
	{"pmln", "pmln"}, {"pti", ""}, {"ppp", "ppp"}, {"mqmp", "mqmp"}, {"juif", "juif"}, {"ipp", "ipp"},
	{"pmlq", "pmlq"}, {"bap", "bap"}, {"ji", "ji"}, {"anp", "anp"}, {"ind", ""},
}

const independents = 10 // index of "ind" in blocs

// profile is a region's political ground: the expected share of each bloc
// (in blocs order) and the expected turnout.
type profile struct {
	shares  [11]float64
	turnout float64
}

// profiles approximate the 2024 results: PML-N and PTI-backed independents
// level in Punjab, PTI-backed independents far ahead in Khyber Pakhtunkhwa
// with JUI-F second, the PPP dominant in rural Sindh, MQM-P and PTI
// contesting urban Sindh, a fragmented Balochistan. Turnout was about 47%
// nationally: higher in Punjab and Islamabad, lower in Khyber Pakhtunkhwa,
// Balochistan and Karachi.
var profiles = map[string]profile{
	//                   pmln  pti   ppp   mqmp  juif  ipp   pmlq  bap   ji    anp   ind
	"punjab":      {[11]float64{0.36, 0.34, 0.06, 0, 0.01, 0.03, 0.02, 0, 0.02, 0, 0.16}, 0.52},
	"islamabad":   {[11]float64{0.40, 0.42, 0.05, 0, 0, 0.01, 0, 0, 0.04, 0, 0.08}, 0.55},
	"kp":          {[11]float64{0.10, 0.45, 0.05, 0, 0.15, 0, 0, 0, 0.06, 0.06, 0.13}, 0.40},
	"sindh":       {[11]float64{0.03, 0.12, 0.55, 0.02, 0.04, 0, 0, 0, 0.03, 0, 0.18}, 0.45},
	"urban-sindh": {[11]float64{0.03, 0.28, 0.15, 0.32, 0.02, 0, 0, 0, 0.12, 0, 0.08}, 0.38},
	"balochistan": {[11]float64{0.17, 0.06, 0.19, 0, 0.20, 0, 0, 0.08, 0.03, 0.03, 0.24}, 0.42},
}

func profileOf(s *seat) profile {
	if s.urban {
		return profiles["urban-sindh"]
	}
	return profiles[s.region]
}

// ground is a constituency's political ground: each bloc's strength there,
// varied from its region's profile.
func ground(p profile, r *rand.Rand) [11]float64 {
	var g [11]float64
	for i, s := range p.shares {
		g[i] = s * lognormal(r, 0.45)
	}
	return g
}

// candidate is a simulated candidate: the bloc and expected strength.
type candidate struct {
	bloc     int
	strength float64
}

// field draws a contest's candidates (4 to 12) on the given ground: the
// strongest parties and the PTI-backed independent, then independents
// sharing what is left, in a shuffled ballot order. Strengths sum to 1.
func field(g [11]float64, r *rand.Rand) []candidate {
	n := between(r, 4, 12)
	var parties []candidate
	for b, s := range g {
		if b != independents && s > 0 {
			parties = append(parties, candidate{b, s * lognormal(r, 0.1)})
		}
	}
	slices.SortStableFunc(parties, func(a, b candidate) int { return cmp.Compare(b.strength, a.strength) })
	cands := parties[:min(n-1, len(parties))]
	k := n - len(cands)
	weights := make([]float64, k)
	wsum := 0.0
	for i := range weights {
		weights[i] = lognormal(r, 0.8)
		wsum += weights[i]
	}
	for _, w := range weights {
		cands = append(cands, candidate{independents, g[independents] * w / wsum})
	}
	total := 0.0
	for _, c := range cands {
		total += c.strength
	}
	for i := range cands {
		cands[i].strength /= total
	}
	r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	return cands
}

// challenger returns the ballot index of the strongest candidate after the
// favourite, not counting the minor independents: the side whose polling
// agent the simulation registers.
func challenger(cands []candidate) int {
	first, second := -1, -1
	for i, c := range cands {
		if c.bloc == independents {
			continue
		}
		switch {
		case first < 0 || c.strength > cands[first].strength:
			first, second = i, first
		case second < 0 || c.strength > cands[second].strength:
			second = i
		}
	}
	if second < 0 {
		return first
	}
	return second
}
