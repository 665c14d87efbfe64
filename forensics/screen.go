package forensics

import (
	"math"
	"slices"
	"strings"
)

// The station screen scores every station against the other stations of
// its constituency (its group) on turnout and leader share jointly, through
// their product: the leader's votes per registered voter,
//
//	w_i = t_i · s_i · R_i/B_i = W_i / N_i
//
// (t = ballots issued / registered, s = leader votes / ballots in the box,
// R in the box, B issued). Ballot stuffing for the leader adds x·N ballots
// and raises w by x while the others' votes per registered voter stay put
// (the Sobyanin–Sukhovolsky observation); an honest high-turnout station
// raises the others' too, and an honest local swing is spread over the
// leader's share alone, so w moves less than either t or s would suggest
// on its own. Stations are compared with their neighbours in the sense of
// Jiménez, Hidalgo & Klimek: the same constituency.
//
// For station i in group g,
//
//	score_i = (∛w_i − median_g ∛w) / σ_g
//
// The cube root makes the right-skewed spread of a rate nearly symmetric
// (as Wilson and Hilferty's for a χ²; the square root left the upper tail
// heavier than the lower, and flagged 1.05–1.24% of the simulator's clean
// stations at 10,000 stations, the logarithm the other way round); the
// median is the group's (robust to the few stations a
// fraud touches; a group smaller than ScreenMinGroup is centred on all
// stations); σ_g is the group's 1.4826·MAD of the centred values shrunk
// towards the pooled one over all groups with the weight of ScreenShrink
// stations, so that a small group's noisy scale does not fatten the tails.
//
// Calibration: frauds that add ballots or votes for the leader push
// scores up only, so the lower tail is the honest stations' own. The
// threshold is the ScreenAlpha-quantile of the scores mirrored (−q), and
// at least ScreenThreshold (the normal 1% point). The false-alarm rate on
// honest stations is measured, not assumed: docs/detection.md gives it on
// the simulator's clean stations at two noise settings (about 0.6%), and
// the flag rates on real elections.
//
// Everything is a pure function of the stations: no randomness, and the
// result does not depend on map order. A flag is a reason to look (or to
// hand-count), never proof.
const (
	ScreenThreshold = 2.33
	ScreenAlpha     = 0.01
	ScreenMinGroup  = 8
	ScreenShrink    = 30
)

// ScreenScore is one station's screen result.
type ScreenScore struct {
	Index int    `json:"index"` // into the stations given
	ID    string `json:"id"`
	Group string `json:"group,omitempty"`
	// Turnout and Share are the station's; GroupTurnout and GroupShare the
	// medians of the stations it is compared with.
	Turnout      float64 `json:"turnout"`
	Share        float64 `json:"share"`
	GroupTurnout float64 `json:"group_turnout"`
	GroupShare   float64 `json:"group_share"`
	// LeaderPerRegistered is w; Score its robust z in the group.
	LeaderPerRegistered float64 `json:"leader_per_registered"`
	Score               float64 `json:"score"`
	Flagged             bool    `json:"flagged"`
}

// Explain says in words why the station scores as it does, naming the
// leader as the caller calls it.
func (s ScreenScore) Explain(leader string) string {
	m := s.message(leader)
	return strings.TrimSuffix(m.String(), "; "+Caveat+".")
}

// message is Explain's sentence with the Caveat, as a Message.
func (s ScreenScore) message(leader string) Message {
	return say(msgScreen, 100*s.Turnout, leader, 100*s.Share, 100*s.GroupTurnout, 100*s.GroupShare, s.Group, leader,
		100*s.LeaderPerRegistered, s.Score, caveat())
}

// ScreenResult is the screen over a set of stations.
type ScreenResult struct {
	Threshold float64       `json:"threshold"`
	Scored    int           `json:"scored"` // stations with registered voters and ballots in the box
	Flagged   int           `json:"flagged"`
	Scores    []ScreenScore `json:"scores"` // one per scored station, input order
}

// FlagRate is Flagged / Scored (0 when nothing was scored).
func (r *ScreenResult) FlagRate() float64 {
	if r.Scored == 0 {
		return 0
	}
	return float64(r.Flagged) / float64(r.Scored)
}

// Screen scores the stations; leader is the index into Votes of the
// candidate whose votes are screened (a national leader, or 0 when every
// station's Votes lead with its own leader). threshold ≤ 0 means the
// calibrated threshold (see above). Stations with no registered voters,
// no ballots in the box or a leader index out of range are not scored.
func Screen(stations []Station, leader int, threshold float64) ScreenResult {
	type pt struct {
		i       int
		t, s, w float64
	}
	groups := map[string][]int{} // indexes into all
	var all []pt
	var order []string
	for i := range stations {
		st := &stations[i]
		if st.Registered <= 0 || st.InBox() <= 0 || leader < 0 || leader >= len(st.Votes) {
			continue
		}
		if _, ok := groups[st.Group]; !ok {
			order = append(order, st.Group)
		}
		groups[st.Group] = append(groups[st.Group], len(all))
		all = append(all, pt{i, ratio(st.Ballots, st.Registered), ratio(st.Votes[leader], st.InBox()), ratio(st.Votes[leader], st.Registered)})
	}
	res := ScreenResult{Scored: len(all)}
	if len(all) == 0 {
		res.Threshold = max(threshold, ScreenThreshold)
		return res
	}
	// ref[k] holds the medians station k is compared with.
	ref := make([][2]float64, len(all))
	scoresFor := func() []float64 {
		b := make([]float64, len(all))
		for k, p := range all {
			b[k] = math.Cbrt(p.w)
		}
		whole := make([]int, len(all))
		for k := range whole {
			whole[k] = k
		}
		out := make([]float64, len(all))
		// Centre each group on its median; the scale shrinks the group's
		// MAD towards the pooled MAD of every group-centred value (weight
		// ScreenShrink stations), so that a small group's noisy scale does
		// not fatten the tails.
		meds := make([]float64, len(order))
		cen := make([]float64, len(all))
		for gi, g := range order {
			members := groups[g]
			base := members
			if len(members) < ScreenMinGroup {
				base = whole
			}
			meds[gi] = centre(b, base).med
			for _, k := range members {
				cen[k] = b[k] - meds[gi]
			}
		}
		pooled := centre(cen, whole).scale
		for _, g := range order {
			members := groups[g]
			base := members
			if len(members) < ScreenMinGroup {
				base = whole
			}
			gs := centre(cen, members).scale
			n := float64(len(members))
			scale := math.Sqrt((n*gs*gs + ScreenShrink*pooled*pooled) / (n + ScreenShrink))
			mt, ms := medianOf(all, base, func(p pt) float64 { return p.t }), medianOf(all, base, func(p pt) float64 { return p.s })
			for _, k := range members {
				out[k] = cen[k] / scale
				ref[k] = [2]float64{mt, ms}
			}
		}
		return out
	}
	scores := scoresFor()
	if threshold <= 0 {
		threshold = ScreenThreshold
		if len(scores) >= 100 {
			sorted := slices.Clone(scores)
			slices.Sort(sorted)
			threshold = math.Max(threshold, -sorted[int(ScreenAlpha*float64(len(sorted)))])
		}
	}
	res.Threshold = finite(threshold)
	for k, p := range all {
		sc := ScreenScore{Index: p.i, ID: stationLabel(&stations[p.i], p.i), Group: stations[p.i].Group,
			Turnout: p.t, Share: p.s, GroupTurnout: ref[k][0], GroupShare: ref[k][1],
			LeaderPerRegistered: p.w, Score: finite(scores[k])}
		sc.Flagged = sc.Score >= threshold
		if sc.Flagged {
			res.Flagged++
		}
		res.Scores = append(res.Scores, sc)
	}
	return res
}

// robust is a median and a scale (1.4826 · MAD, floored so that a group of
// equal values does not divide by zero).
type robust struct{ med, scale float64 }

func centre(v []float64, idx []int) robust {
	x := make([]float64, len(idx))
	for i, k := range idx {
		x[i] = v[k]
	}
	med := median(x)
	for i := range x {
		x[i] = math.Abs(x[i] - med)
	}
	return robust{med, math.Max(1.4826*median(x), 1e-6)}
}

func medianOf[T any](ps []T, idx []int, f func(T) float64) float64 {
	x := make([]float64, len(idx))
	for i, k := range idx {
		x[i] = f(ps[k])
	}
	return median(x)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
