package audit

// This file holds the error bounds of Stark's MACRO as Arlo applies it to one
// contest (votingworks/arlo, server/audit_math/macro.py): the reported margin
// V_wl of every (winner, loser) pair, each station's maximum relative
// overstatement u_p, their total U, and the taint of a hand-counted station.
// All of it is exact: bounds are integers over one common denominator D.

import (
	"fmt"
	"math/big"
	"math/bits"
	"slices"
	"strings"
)

// An Audit is a Contest prepared for a batch-comparison audit: validated,
// its stations sorted by ID, its error bounds computed. It is immutable and
// safe for concurrent use; every method is a pure function of the contest
// and its arguments.
type Audit struct {
	id          string
	candidates  []string
	stations    []Station // sorted by ID; the PPEB order
	pairs       []pair
	unauditable int64
	pending     int64
	fullCount   bool    // some V_wl ≤ 0: the bounds are infinite
	denom       big.Int // D, the lcm of the margins V_wl
	cum         []big.Int
}

// A pair is one (winner, loser) assertion with its margin V_wl and D / V_wl.
type pair struct {
	w, l   int
	margin int64
	coef   big.Int
}

// A Margin is the reported margin V_wl of one (winner, loser) pair, after the
// ballots that cannot be audited and the pending ballots are taken off it.
type Margin struct {
	Winner, Loser string
	V             int64
}

// Prepare validates the contest and computes its MACRO error bounds.
//
// With S the sums of the stations' reported votes, T the declared totals,
// unauditable = ΣT − ΣS (ballots outside every station, such as postal
// ballots; negative is rejected as ErrInconsistentFrame) and pending as given,
//
//	V_wl = min(T_w − T_l, S_w − S_l) − unauditable − pending
//	u_p  = max over (w, l) of (v_wp − v_lp + b_p) / V_wl
//	U    = Σ_p u_p
//
// V_wl is Arlo's margin when the declaration is the sum of its stations and
// never larger otherwise (see docs/audit.md). If any V_wl ≤ 0 no sample can
// confirm the outcome: Prepare succeeds, FullHandCountRequired reports true,
// Plan returns the number of stations and Draw fails with ErrFullHandCount.
//
// The Audit keeps the contest's vote slices; do not modify them afterwards.
func Prepare(c Contest) (*Audit, error) {
	if err := validateContest(&c); err != nil {
		return nil, err
	}
	stations, err := sortedStations(c.Stations)
	if err != nil {
		return nil, err
	}
	a := &Audit{id: c.ID, candidates: slices.Clone(c.Candidates), stations: stations}
	if err := a.setMargins(&c); err != nil {
		return nil, err
	}
	if !a.fullCount {
		a.setBounds()
	}
	return a, nil
}

func (a *Audit) setMargins(c *Contest) error {
	n := len(c.Candidates)
	frame := make([]int64, n)
	var frameVotes, declared int64
	for _, s := range a.stations {
		for j, v := range s.Votes {
			frame[j] += v
			frameVotes += v
		}
	}
	for _, t := range c.Totals {
		declared += t
	}
	a.unauditable, a.pending = declared-frameVotes, c.Pending
	if a.unauditable < 0 {
		return &InputError{
			Field: "contest.totals",
			Rule:  fmt.Sprintf("the declared totals sum to %d votes but the stations report %d; a declaration cannot hold fewer votes than its stations", declared, frameVotes),
			Hint:  "audit the declaration only after the frame and the declared totals agree (the tally flags this mismatch)",
			Kind:  ErrInconsistentFrame,
		}
	}
	winner := make([]bool, n)
	for _, w := range c.Winners {
		winner[slices.Index(c.Candidates, w)] = true
	}
	a.denom.SetInt64(1)
	var g big.Int
	for w := range n {
		if !winner[w] {
			continue
		}
		for l := range n {
			if winner[l] {
				continue
			}
			v := min(c.Totals[w]-c.Totals[l], frame[w]-frame[l]) - a.unauditable - c.Pending
			a.pairs = append(a.pairs, pair{w: w, l: l, margin: v})
			if v <= 0 {
				a.fullCount = true
				continue
			}
			bv := big.NewInt(v) // D = lcm(D, v)
			g.GCD(nil, nil, &a.denom, bv)
			a.denom.Mul(&a.denom, bv.Quo(bv, &g))
		}
	}
	for i := range a.pairs {
		if p := &a.pairs[i]; p.margin > 0 {
			p.coef.Quo(&a.denom, big.NewInt(p.margin))
		}
	}
	return nil
}

// setBounds fills cum with the running sums of w_p = u_p · D, an integer.
func (a *Audit) setBounds() {
	a.cum = make([]big.Int, len(a.stations))
	var w big.Int
	for i, s := range a.stations {
		a.weight(&w, s)
		if i == 0 {
			a.cum[i].Set(&w)
		} else {
			a.cum[i].Add(&a.cum[i-1], &w)
		}
	}
}

// weight sets z to u_p · D for station s. The maximising pair is found by
// comparing x/V exactly in 128 bits (x < 2^33, V < 2^63), then scaled once.
func (a *Audit) weight(z *big.Int, s Station) {
	best, bestX := 0, int64(-1)
	for i, p := range a.pairs {
		x := s.Votes[p.w] - s.Votes[p.l] + s.Ballots // ≥ 0: v_l ≤ b_p
		if bestX < 0 || greater(x, p.margin, bestX, a.pairs[best].margin) {
			best, bestX = i, x
		}
	}
	z.SetInt64(bestX)
	z.Mul(z, &a.pairs[best].coef)
}

// greater reports x1/v1 > x2/v2 for non-negative x and positive v.
func greater(x1, v1, x2, v2 int64) bool {
	h1, l1 := bits.Mul64(uint64(x1), uint64(v2))
	h2, l2 := bits.Mul64(uint64(x2), uint64(v1))
	return h1 > h2 || (h1 == h2 && l1 > l2)
}

// taintNumerator returns E_p = e_p · D for a hand count of station s, where
// e_p = max(0, max over (w, l) of ((v_wp − v_lp) − (a_wp − a_lp)) / V_wl):
// understatements count as zero, to be conservative. E_p ≤ w_p whenever the
// hand count holds no more ballots than the station issued.
func (a *Audit) taintNumerator(s Station, hc HandCount) *big.Int {
	e := new(big.Int)
	var t big.Int
	for _, p := range a.pairs {
		err := (s.Votes[p.w] - s.Votes[p.l]) - (hc.Votes[p.w] - hc.Votes[p.l])
		t.SetInt64(err)
		t.Mul(&t, &p.coef)
		if t.Cmp(e) > 0 {
			e.Set(&t)
		}
	}
	return e
}

// stationWeight returns w_p = u_p · D of the station at sorted index i.
func (a *Audit) stationWeight(i int) *big.Int {
	w := new(big.Int).Set(&a.cum[i])
	if i > 0 {
		w.Sub(w, &a.cum[i-1])
	}
	return w
}

// find returns the sorted index of the station with the given ID.
func (a *Audit) find(id string) (int, bool) {
	return slices.BinarySearchFunc(a.stations, id, func(s Station, id string) int { return strings.Compare(s.ID, id) })
}

// ContestID returns the contest's ID, which names its draws (see DrawID).
func (a *Audit) ContestID() string { return a.id }

// Stations returns the number of stations in the frame.
func (a *Audit) Stations() int { return len(a.stations) }

// StationIDs returns the stations' IDs in PPEB order (increasing, bytewise).
func (a *Audit) StationIDs() []string {
	ids := make([]string, len(a.stations))
	for i, s := range a.stations {
		ids[i] = s.ID
	}
	return ids
}

// FullHandCountRequired reports whether some margin V_wl is zero or
// negative, so that only a full hand count can settle the outcome.
func (a *Audit) FullHandCountRequired() bool { return a.fullCount }

// Unauditable returns the number of declared votes outside every station.
func (a *Audit) Unauditable() int64 { return a.unauditable }

// Margins returns V_wl for every (winner, loser) pair, winners in candidate
// order and, for each, losers in candidate order.
func (a *Audit) Margins() []Margin {
	out := make([]Margin, len(a.pairs))
	for i, p := range a.pairs {
		out[i] = Margin{Winner: a.candidates[p.w], Loser: a.candidates[p.l], V: p.margin}
	}
	return out
}

// U returns the total error bound U = Σ u_p, or nil if FullHandCountRequired.
func (a *Audit) U() *big.Rat {
	if a.fullCount {
		return nil
	}
	return new(big.Rat).SetFrac(&a.cum[len(a.cum)-1], &a.denom)
}

// ErrorBound returns u_p of the station with the given ID, or nil if the
// station is not in the frame or FullHandCountRequired.
func (a *Audit) ErrorBound(station string) *big.Rat {
	i, ok := a.find(station)
	if !ok || a.fullCount {
		return nil
	}
	return new(big.Rat).SetFrac(a.stationWeight(i), &a.denom)
}
