package forensics

// Shpilkin's excess-votes estimate (S. Shpilkin and A. Pshenichnikov,
// 2011–; see Lyubarev, Russian Analytical Digest 108, 2012, for the Duma
// 2011 figure of about 15 million extra votes).
//
// Stations are binned by turnout in 1-point bins and each bin sums the
// leader's votes W_b and everyone else's valid votes O_b. The "clean peak"
// τ* is the bin where O_b is largest among the bins below the official
// turnout (O_b smoothed over three bins). Assuming that without fraud the
// leader-to-others ratio would stay at its value around the peak (bins
// τ*−1…τ*+1 pooled) at every higher turnout, the leader's expected votes in
// a bin above are O_b·W/O and the excess is Σ_{b>τ*+1} (W_b − O_b·W/O).
//
// Known criticism: the method assumes vote share does not depend on
// turnout. Where high-turnout areas genuinely prefer the leader (rural
// regions, ethnic republics: A. Karlin 2011–12), it counts honest votes as
// excess. The choice of peak dominates the estimate, so the sensitivity to
// moving the peak by up to two bins is reported with it.

// ShpilkinCriticism is printed with every estimate.
const ShpilkinCriticism = "the estimate assumes that the leader's share does not depend on turnout; " +
	"where high-turnout areas genuinely prefer the leader (for example rural regions), it counts honest votes as excess " +
	"(Karlin 2011), and it moves with the choice of the clean peak (see the sensitivity)"

// Shpilkin is the excess-votes estimate.
type Shpilkin struct {
	PeakTurnout float64 `json:"peak_turnout"` // centre of the clean-peak bin
	Ratio       float64 `json:"ratio"`        // leader / others at the peak
	Excess      float64 `json:"excess_votes"`
	// ExcessShare is Excess over the leader's votes.
	ExcessShare float64 `json:"excess_share"`
	// CorrectedShare is the leader's share of valid votes with the excess
	// removed, beside OfficialShare.
	CorrectedShare float64 `json:"corrected_share"`
	OfficialShare  float64 `json:"official_share"`
	// Sensitivity is the excess with the peak moved by −2…+2 bins.
	Sensitivity []float64 `json:"sensitivity"`
	Criticism   string    `json:"criticism"`
}

func runShpilkin(d *dataset, opt *Options) Shpilkin {
	var W, O [101]float64
	var B, N, totW, totV float64
	for i := range d.st {
		s := &d.st[i]
		if !placed(s, opt.MinRegistered) {
			continue
		}
		b := bin(float64(s.Ballots)/float64(s.Registered), 100, 100)
		w := float64(s.Votes[d.leader])
		W[b] += w
		O[b] += float64(s.Valid) - w
		B += float64(s.Ballots)
		N += float64(s.Registered)
		totW += w
		totV += float64(s.Valid)
	}
	out := Shpilkin{Criticism: ShpilkinCriticism}
	if N == 0 || totV == 0 {
		return out
	}
	out.OfficialShare = totW / totV
	official := B / N
	peak, best := -1, -1.0
	for b := 1; b < 100 && float64(b) < official*100; b++ {
		sm := O[b-1] + O[b] + O[b+1]
		if sm > best {
			peak, best = b, sm
		}
	}
	if peak < 0 {
		return out
	}
	excess := func(p int) (float64, float64) {
		p = min(max(p, 1), 99)
		w, o := W[p-1]+W[p]+W[p+1], O[p-1]+O[p]+O[p+1]
		if o == 0 {
			return 0, 0
		}
		r := w / o
		var e float64
		for b := p + 2; b <= 100; b++ {
			e += W[b] - O[b]*r
		}
		return e, r
	}
	out.PeakTurnout = float64(peak) / 100
	out.Excess, out.Ratio = excess(peak)
	out.ExcessShare = finite(out.Excess / totW)
	out.CorrectedShare = finite((totW - out.Excess) / (totV - out.Excess))
	for dp := -2; dp <= 2; dp++ {
		e, _ := excess(peak + dp)
		out.Sensitivity = append(out.Sensitivity, e)
	}
	return out
}

func describeShpilkin(s Shpilkin) Message {
	lo, hi := s.Excess, s.Excess
	for _, e := range s.Sensitivity {
		lo, hi = min(lo, e), max(hi, e)
	}
	return say(msgShpilkin, 100*s.PeakTurnout, s.Excess, 100*s.ExcessShare, lo, hi, 100*s.OfficialShare, 100*s.CorrectedShare,
		say(msgShpilkinCriticism), caveat())
}
