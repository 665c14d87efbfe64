package tally

import "github.com/tallylog/tallylog/forensics"

// ForensicStation is a station's current sheet in one contest as
// forensic screening (package forensics) reads it, with votes already
// summed into the caller's columns (by candidate, by party, leader against
// the rest). Every screen of the tally builds its input here, so the
// screens agree on what a station reported.
//
// Registered is the definition's number of registered voters (r.Registered),
// never the sheet's own claim: a sheet that misstates it is flagged
// (KindRegisteredMismatch) and must not move its own turnout. Valid is the
// ballots cast less the rejected ones, never below zero (a sheet whose
// arithmetic fails is flagged too). It returns false when the station has
// no current sheet in the contest.
func ForensicStation(r *StationResult, sc *StationContest, votes []int64) (forensics.Station, bool) {
	cur := sc.Current
	if cur == nil {
		return forensics.Station{}, false
	}
	return forensics.Station{ID: r.ID, Group: sc.Contest, Registered: r.Registered, Ballots: cur.Cast,
		Valid: max(cur.Cast-cur.Rejected, 0), Invalid: cur.Rejected, Votes: votes}, true
}
