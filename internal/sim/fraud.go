package sim

import (
	"math"
	"math/rand/v2"
	"slices"
)

// fate is what happens to a station's sheets.
type fate uint8

const (
	honest       fate = iota
	corrected         // an honest recount corrects the NA sheet (revision 2, by the RO)
	stuffed           // ballot stuffing in every contest where there is room
	switched          // vote switching in every contest with a second candidate
	conflicting       // a second, different revision-1 NA sheet
	copyDiffers       // the NA sheet differs from the agent's true copy
	neverReports      // no sheet at all
	unauthorised      // the presiding officer replaces the NA sheet with no order, moving votes
	rekeyed           // a new key granted after the NA sheet is logged replaces it, moving votes, with no order
)

// replacedShare is the share of the runner-up's votes an unauthorised
// correction or a re-keyed replacement moves to the station's leader.
const replacedShare = 0.30

// correctionShare is the share of stations whose National Assembly sheet is
// honestly corrected after a recount. Corrections are not fraud: a tally
// must not flag them.
const correctionShare = 0.002

// minMoved is the fewest votes a station-level fraud must be able to move
// for the station to be chosen for it.
const minMoved = 10

// assignFates picks disjoint sets of stations for each kind of fraud and for
// the honest corrections, each station eligible for what it is given.
func assignFates(st []stationModel, cs []contestModel, f Fraud, r *rand.Rand) []fate {
	fates := make([]fate, len(st))
	perm := r.Perm(len(st))
	reporting := make([]int, len(cs)) // stations left reporting in each contest
	for i := range cs {
		reporting[i] = len(cs[i].stations)
	}
	pick := func(share float64, to fate, ok func(s *stationModel) bool) {
		want := int(math.Round(share * float64(len(st))))
		for _, i := range perm {
			if want == 0 {
				return
			}
			if fates[i] == honest && ok(&st[i]) {
				fates[i] = to
				want--
			}
		}
	}
	pick(f.NonReporting, neverReports, func(s *stationModel) bool {
		for _, c := range s.contests {
			if reporting[c] < 2 {
				return false
			}
		}
		for _, c := range s.contests {
			reporting[c]--
		}
		return true
	})
	pick(f.Conflicting, conflicting, func(s *stationModel) bool {
		v := s.counts[0].votes
		a, b := top2(v)
		return b >= 0 && v[a]-v[b] >= minMoved
	})
	pick(f.CopyDiffers, copyDiffers, func(s *stationModel) bool {
		c := &cs[s.contests[0]]
		return c.agent >= 0 && s.counts[0].votes[c.agent] >= minMoved
	})
	pick(f.Switching, switched, func(s *stationModel) bool {
		for _, c := range s.counts {
			if _, b := top2(c.votes); b >= 0 && c.votes[b] >= minMoved {
				return true
			}
		}
		return false
	})
	pick(f.Stuffing, stuffed, func(s *stationModel) bool {
		for _, c := range s.counts {
			if s.registered-c.cast >= minMoved {
				return true
			}
		}
		return false
	})
	pick(correctionShare, corrected, func(s *stationModel) bool { return s.counts[0].cast-s.counts[0].rejected >= minMoved })
	canMove := func(s *stationModel) bool {
		// A stale declaration is made early, and the log refuses an
		// unordered correction after a contest's first declaration.
		if slices.Contains(f.StaleDeclarations, cs[s.contests[0]].id) {
			return false
		}
		v := s.counts[0].votes
		_, b := top2(v)
		return b >= 0 && v[b] >= minMoved
	}
	pick(f.UnauthorisedCorrection, unauthorised, canMove)
	pick(f.RekeyReplace, rekeyed, canMove)
	return fates
}

// stuff adds share·registered ballots (at most up to full turnout) for the
// leader and returns how many were added.
func stuff(c *count, registered int64, share float64) int64 {
	k := min(int64(math.Round(share*float64(registered))), registered-c.cast)
	leader, _ := top2(c.votes)
	c.votes[leader] += k
	c.cast += k
	return k
}

// move moves share of from's votes (at least one, when it has any) to to
// and returns how many moved.
func move(c *count, from, to int, share float64) int64 {
	k := min(c.votes[from], max(1, int64(math.Round(share*float64(c.votes[from])))))
	c.votes[from] -= k
	c.votes[to] += k
	return k
}

// recount is an honest correction: a few ballots wrongly rejected are
// counted for a candidate, and a few votes miscounted between two candidates
// are put right. The result always differs from the original.
func recount(c *count, r *rand.Rand) {
	n := len(c.votes)
	if k := min(c.rejected, int64(between(r, 1, 12))); k > 0 {
		c.rejected -= k
		c.votes[r.IntN(n)] += k
	}
	from, _ := top2(c.votes)
	to := (from + 1 + r.IntN(n-1)) % n
	move(c, from, to, float64(between(r, 1, 6))/float64(max(1, c.votes[from])))
}

// tamperDeclaration moves votes in declared totals from the sheets' winner
// to the runner-up until the runner-up leads by lead (capped at half of the
// two candidates' votes). It returns the declared lead and the votes moved,
// or false if the contest has no two candidates with votes.
func tamperDeclaration(votes []int64, lead int64) (declaredLead, moved int64, ok bool) {
	w, r := top2(votes)
	if r < 0 || votes[w]+votes[r] == 0 {
		return 0, 0, false
	}
	lead = max(1, min(lead, (votes[w]+votes[r])/2))
	moved = (lead + votes[w] - votes[r] + 1) / 2
	votes[w] -= moved
	votes[r] += moved
	return votes[r] - votes[w], moved, true
}
