package forensics

import (
	"math"
	"slices"
	"sort"
)

// The station screen scores every station against the other stations of
// its group (constituency) on turnout and leader share jointly: ballot
// stuffing for the leader raises both at once (Klimek et al.'s incremental
// fraud; Jiménez, Hidalgo & Klimek compare a station with its neighbours).
// For station i in group g:
//
//	z_t = (t_i − median_g t) / (1.4826 · MAD_g t)
//	z_s = (s_i − median_g s) / (1.4826 · MAD_g s)
//	score = (z_t + z_s) / sqrt(2 + 2ρ)
//
// with t = ballots issued / registered, s = leader votes / ballots in the
// box, and ρ the correlation of z_t and z_s over all stations (each z
// clipped to ±3 so that frauds do not set it). Under a bivariate normal null
// the score is standard normal, but small groups and skewed shares fatten
// its tails, so the threshold is calibrated on the data itself: frauds that
// add ballots or votes for the leader push scores up only, so the lower
// tail of the scores is the clean stations' own; the threshold is the
// 0.8th-percentile score mirrored (−q₀.₀₀₈: the upper tail is a little heavier), at least ScreenThreshold (the
// normal 1% point). Each side of a symmetric null then holds ≤ 1%. The median and MAD are robust to the few stations a fraud touches;
// a group smaller than ScreenMinGroup is scored against all stations.
// Everything is a pure function of the stations: no randomness.
//
// Contract: what the screen states about its false-alarm rate is measured,
// not assumed: the simulator's clean stations at two noise settings (see
// docs/detection.md) and the flag rates on real elections are reported
// beside it. A flag is a reason to look (or to hand-count), never proof.
const (
	ScreenThreshold = 2.33
	ScreenAlpha     = 0.008
	ScreenMinGroup  = 8
)

// ScreenScore is one station's screen result.
type ScreenScore struct {
	Index    int     `json:"index"` // into the stations given
	ID       string  `json:"id"`
	Group    string  `json:"group,omitempty"`
	ZTurnout float64 `json:"z_turnout"`
	ZShare   float64 `json:"z_share"`
	Score    float64 `json:"score"`
	Flagged  bool    `json:"flagged"`
}

// ScreenResult is the screen over a set of stations.
type ScreenResult struct {
	Threshold float64       `json:"threshold"`
	Rho       float64       `json:"rho"`
	Scored    int           `json:"scored"` // stations with registered > 0 and ballots in the box > 0
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
// candidate whose share is screened (for a national leader, or 0 when every
// station's Votes lead with its own leader). threshold ≤ 0 means the
// calibrated threshold (see above). Stations with no registered voters, no ballots in the
// box or a leader index out of range are not scored.
func Screen(stations []Station, leader int, threshold float64) ScreenResult {
	res := ScreenResult{}
	type pt struct {
		i    int
		t, s float64
	}
	groups := map[string][]pt{}
	var all []pt
	var order []string
	for i := range stations {
		st := &stations[i]
		if st.Registered <= 0 || st.InBox() <= 0 || leader < 0 || leader >= len(st.Votes) {
			continue
		}
		p := pt{i, ratio(st.Ballots, st.Registered), ratio(st.Votes[leader], st.InBox())}
		if _, ok := groups[st.Group]; !ok {
			order = append(order, st.Group)
		}
		groups[st.Group] = append(groups[st.Group], p)
		all = append(all, p)
	}
	allT, allS := center(all, func(p pt) float64 { return p.t }), center(all, func(p pt) float64 { return p.s })
	z := make(map[int][2]float64, len(all))
	for _, g := range order {
		ps := groups[g]
		ct, cs := allT, allS
		if len(ps) >= ScreenMinGroup {
			ct, cs = center(ps, func(p pt) float64 { return p.t }), center(ps, func(p pt) float64 { return p.s })
		}
		for _, p := range ps {
			z[p.i] = [2]float64{ct.z(p.t), cs.z(p.s)}
		}
	}
	// ρ over clipped z, in input order (deterministic sums).
	var n, st, ss, stt, sss, sts float64
	for _, p := range all {
		a, b := clip3(z[p.i][0]), clip3(z[p.i][1])
		n++
		st, ss, stt, sss, sts = st+a, ss+b, stt+a*a, sss+b*b, sts+a*b
	}
	rho := 0.0
	if n > 2 {
		cov := sts/n - st/n*ss/n
		vt, vs := stt/n-st/n*st/n, sss/n-ss/n*ss/n
		if vt > 0 && vs > 0 {
			rho = math.Max(-0.9, math.Min(0.9, cov/math.Sqrt(vt*vs)))
		}
	}
	res.Rho = finite(rho)
	norm := math.Sqrt(2 + 2*rho)
	if threshold <= 0 {
		scores := make([]float64, len(all))
		for k, p := range all {
			scores[k] = (z[p.i][0] + z[p.i][1]) / norm
		}
		threshold = ScreenThreshold
		if len(scores) >= 100 {
			slices.Sort(scores)
			threshold = math.Max(threshold, -scores[int(ScreenAlpha*float64(len(scores)))])
		}
	}
	res.Threshold = finite(threshold)
	for _, p := range all {
		zz := z[p.i]
		sc := ScreenScore{Index: p.i, ID: stationLabel(&stations[p.i], p.i), Group: stations[p.i].Group,
			ZTurnout: finite(zz[0]), ZShare: finite(zz[1]), Score: finite((zz[0] + zz[1]) / norm)}
		sc.Flagged = sc.Score >= threshold
		if sc.Flagged {
			res.Flagged++
		}
		res.Scores = append(res.Scores, sc)
	}
	res.Scored = len(res.Scores)
	sort.SliceStable(res.Scores, func(a, b int) bool { return res.Scores[a].Index < res.Scores[b].Index })
	return res
}

// robust is a median and a scale (1.4826 · MAD, floored so that a group of
// equal values does not divide by zero).
type robust struct{ med, scale float64 }

func (r robust) z(x float64) float64 { return (x - r.med) / r.scale }

func center[T any](ps []T, f func(T) float64) robust {
	if len(ps) == 0 {
		return robust{0, 1}
	}
	v := make([]float64, len(ps))
	for i, p := range ps {
		v[i] = f(p)
	}
	med := median(v)
	for i := range v {
		v[i] = math.Abs(v[i] - med)
	}
	return robust{med, math.Max(1.4826*median(v), 0.005)}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func clip3(x float64) float64 { return math.Max(-3, math.Min(3, x)) }
