package forensics

import "math"

// Turnout and share distributions.
//
// Shares of small integers pile up on simple fractions (1/2, 2/3) by
// arithmetic alone. Following Kobak et al. (Significance 2016, 2018), each
// numerator gets uniform noise in (−½, ½) before binning, which spreads
// those artefacts without moving any station by more than half a vote.
// Bins are centred: bin k of width w covers [(k−½)w, (k+½)w), so the 0.1%
// histograms show integer percentages as the centres of their own bins.
// Values of 100% or more go to the last bin.

// Distributions holds the jittered histograms of the placed stations
// (registered ≥ MinRegistered, ballots in the boxes > 0).
type Distributions struct {
	Stations int `json:"stations"`
	// TurnoutFine and LeaderFine have 1001 bins of 0.1 percentage point.
	TurnoutFine []int `json:"turnout_fine"`
	LeaderFine  []int `json:"leader_fine"`
	// Turnout and Shares (one per candidate) have 101 bins of 1 point.
	Turnout []int   `json:"turnout"`
	Shares  [][]int `json:"shares"`
	// Fingerprint is the Klimek et al. 2-D histogram: Fingerprint[t][s]
	// counts stations with turnout bin t and leader-share bin s (1 point).
	Fingerprint [][]int `json:"fingerprint"`
}

// FingerprintSummary gives numbers that describe the fingerprint's shape.
type FingerprintSummary struct {
	// ExtremeCluster is the share of placed stations with turnout and
	// leader share both ≥ 95%, where Klimek's extreme fraud puts a second
	// cluster.
	ExtremeCluster float64 `json:"extreme_cluster"`
	// LogRateSkewness and LogRateKurtosis are the moments of the
	// logarithmic vote rate ln((valid − leader)/leader) (excess kurtosis; 0
	// for a Gaussian). Klimek et al. report kurtosis far from 0 under fraud.
	LogRateSkewness float64 `json:"log_rate_skewness"`
	LogRateKurtosis float64 `json:"log_rate_kurtosis"`
}

// placed reports whether a station has a turnout and a share to plot.
func placed(s *Station, minReg int64) bool {
	return s.Registered >= minReg && s.Registered > 0 && s.InBox() > 0
}

func bin(x float64, perUnit float64, last int) int {
	k := int(math.Floor(x*perUnit + 0.5))
	return min(max(k, 0), last)
}

func distributions(d *dataset, opt *Options) (Distributions, FingerprintSummary) {
	workers := numWorkers(opt.Workers)
	type acc struct {
		tf, lf, t []int
		sh        [][]int
		fp        []int
		n, ext    int
	}
	accs := make([]acc, workers)
	for w := range accs {
		a := &accs[w]
		a.tf, a.lf, a.t = make([]int, 1001), make([]int, 1001), make([]int, 101)
		a.fp = make([]int, 101*101)
		a.sh = make([][]int, d.ncand)
		for j := range a.sh {
			a.sh[j] = make([]int, 101)
		}
	}
	forChunks(len(d.st), opt.Workers, func(w, c, lo, hi int) {
		a := &accs[w]
		g := newPCG(opt.Seed, streamJitter, uint64(c))
		for i := lo; i < hi; i++ {
			s := &d.st[i]
			if !placed(s, opt.MinRegistered) {
				continue
			}
			a.n++
			N, R := float64(s.Registered), float64(s.InBox())
			t := (float64(s.Ballots) + uniform(g) - 0.5) / N
			l := (float64(s.Votes[d.leader]) + uniform(g) - 0.5) / R
			a.tf[bin(t, 1000, 1000)]++
			a.lf[bin(l, 1000, 1000)]++
			tb, lb := bin(t, 100, 100), bin(l, 100, 100)
			a.t[tb]++
			a.fp[tb*101+lb]++
			for j, v := range s.Votes {
				a.sh[j][bin((float64(v)+uniform(g)-0.5)/R, 100, 100)]++
			}
			if float64(s.Ballots) >= 0.95*N && float64(s.Votes[d.leader]) >= 0.95*R {
				a.ext++
			}
		}
	})
	var out Distributions
	out.TurnoutFine, out.LeaderFine, out.Turnout = make([]int, 1001), make([]int, 1001), make([]int, 101)
	out.Shares = make([][]int, d.ncand)
	for j := range out.Shares {
		out.Shares[j] = make([]int, 101)
	}
	fp := make([]int, 101*101)
	ext := 0
	for _, a := range accs {
		out.Stations += a.n
		ext += a.ext
		addInts(out.TurnoutFine, a.tf)
		addInts(out.LeaderFine, a.lf)
		addInts(out.Turnout, a.t)
		addInts(fp, a.fp)
		for j := range a.sh {
			addInts(out.Shares[j], a.sh[j])
		}
	}
	out.Fingerprint = make([][]int, 101)
	for t := range out.Fingerprint {
		out.Fingerprint[t] = fp[t*101 : (t+1)*101]
	}
	var sum FingerprintSummary
	sum.ExtremeCluster = ratio(int64(ext), int64(out.Stations))
	sum.LogRateSkewness, sum.LogRateKurtosis = logRateMoments(d, opt)
	return out, sum
}

func addInts(dst, src []int) {
	for i, v := range src {
		dst[i] += v
	}
}

// logRateMoments returns the skewness and excess kurtosis of
// ln((valid − leader)/leader) over placed stations with 0 < leader < valid.
func logRateMoments(d *dataset, opt *Options) (skew, kurt float64) {
	var x []float64
	for i := range d.st {
		s := &d.st[i]
		w := s.Votes[d.leader]
		if !placed(s, opt.MinRegistered) || w <= 0 || w >= s.Valid {
			continue
		}
		x = append(x, math.Log(float64(s.Valid-w)/float64(w)))
	}
	if len(x) < 4 {
		return 0, 0
	}
	m := mean(x)
	var m2, m3, m4 float64
	for _, v := range x {
		dv := v - m
		m2 += dv * dv
		m3 += dv * dv * dv
		m4 += dv * dv * dv * dv
	}
	n := float64(len(x))
	m2, m3, m4 = m2/n, m3/n, m4/n
	if m2 == 0 {
		return 0, 0
	}
	return m3 / math.Pow(m2, 1.5), m4/(m2*m2) - 3
}
