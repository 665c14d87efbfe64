package audit

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// A Contest is one declared result to audit, with its frame: the polling
// stations whose paper ballots can be hand-counted.
//
// Candidate-indexed slices (Totals, Station.Votes, HandCount.Votes) are in
// the order of Candidates. Every ballot carries at most one vote in the
// contest (first past the post), so a station's votes sum to at most its
// ballots.
type Contest struct {
	ID         string   // names the contest in the draw; see DrawID
	Candidates []string // every candidate, distinct
	Winners    []string // the declared winners, a strict subset of Candidates
	Totals     []int64  // declared total votes per candidate (Form-47/49), postal votes included
	Pending    int64    // ballots not yet counted, assumed to go to the loser
	Stations   []Station
}

// A Station is one batch of the audit: its reported votes (Form-45) and the
// ballots it issued for this contest (b_p, from the ballot-paper account).
type Station struct {
	ID      string
	Votes   []int64
	Ballots int64
}

// A HandCount is the audit board's count of one drawn station's paper
// ballots for this contest.
type HandCount struct {
	Station string
	Votes   []int64
	Ballots int64 // ballots found in the station's bag
}

// Limits that keep every sum inside int64; real stations are far below them.
const (
	MaxCandidates   = 1024
	MaxStationCount = 1<<31 - 1 // per station: any vote count or ballots
	MaxTotal        = 1 << 48   // per candidate: a declared total or pending
)

func invalid(field, rule, hint string) error {
	return &InputError{Field: field, Rule: rule, Hint: hint, Kind: ErrInvalidInput}
}

// validName checks an identifier used in the draw or to match counts.
func validName(field, s string) error {
	if s == "" {
		return invalid(field, "must not be empty", "give it the identifier used in the published frame")
	}
	if !utf8.ValidString(s) {
		return invalid(field, fmt.Sprintf("%q is not valid UTF-8", s), "encode identifiers as UTF-8 text")
	}
	return nil
}

// validateContest checks every rule of Contest except the station order and
// uniqueness, which prepare checks after sorting.
func validateContest(c *Contest) error {
	if err := validName("contest.id", c.ID); err != nil {
		return err
	}
	n := len(c.Candidates)
	if n < 2 || n > MaxCandidates {
		return invalid("contest.candidates", fmt.Sprintf("has %d candidates; need 2 to %d", n, MaxCandidates), "list every candidate on the ballot")
	}
	index := make(map[string]int, n)
	for i, name := range c.Candidates {
		field := fmt.Sprintf("contest.candidates[%d]", i)
		if err := validName(field, name); err != nil {
			return err
		}
		if j, dup := index[name]; dup {
			return invalid(field, fmt.Sprintf("%q repeats candidates[%d]", name, j), "list each candidate once")
		}
		index[name] = i
	}
	if len(c.Winners) == 0 || len(c.Winners) >= n {
		return invalid("contest.winners", fmt.Sprintf("has %d winners for %d candidates; need at least one winner and one loser", len(c.Winners), n), "name the declared winners")
	}
	seen := map[string]bool{}
	for i, w := range c.Winners {
		field := fmt.Sprintf("contest.winners[%d]", i)
		if _, ok := index[w]; !ok {
			return invalid(field, fmt.Sprintf("%q is not a candidate", w), "use a name from contest.candidates")
		}
		if seen[w] {
			return invalid(field, fmt.Sprintf("%q is named twice", w), "name each winner once")
		}
		seen[w] = true
	}
	if len(c.Totals) != n {
		return invalid("contest.totals", fmt.Sprintf("has %d entries for %d candidates", len(c.Totals), n), "give one declared total per candidate, in candidate order")
	}
	for i, t := range c.Totals {
		if t < 0 || t > MaxTotal {
			return invalid(fmt.Sprintf("contest.totals[%d]", i), fmt.Sprintf("%d is outside 0..%d", t, int64(MaxTotal)), "give the declared vote total")
		}
	}
	if c.Pending < 0 || c.Pending > MaxTotal {
		return invalid("contest.pending", fmt.Sprintf("%d is outside 0..%d", c.Pending, int64(MaxTotal)), "give the number of ballots not yet counted, or 0")
	}
	if len(c.Stations) == 0 {
		return invalid("contest.stations", "is empty", "list every polling station of the contest")
	}
	for i := range c.Stations {
		s := &c.Stations[i]
		field := fmt.Sprintf("contest.stations[%d]", i)
		if err := validName(field+".id", s.ID); err != nil {
			return err
		}
		if err := checkTally(field, s.ID, s.Votes, s.Ballots, n, "reported"); err != nil {
			return err
		}
	}
	return nil
}

// checkTally applies the rules shared by reported and hand-counted tallies.
func checkTally(field, station string, votes []int64, ballots int64, n int, what string) error {
	if len(votes) != n {
		return invalid(field+".votes", fmt.Sprintf("station %q has %d entries for %d candidates", station, len(votes), n), "give one count per candidate, in contest.candidates order")
	}
	if ballots < 0 || ballots > MaxStationCount {
		return invalid(field+".ballots", fmt.Sprintf("station %q: %d is outside 0..%d", station, ballots, MaxStationCount), "give the number of ballots")
	}
	var sum int64
	for j, v := range votes {
		if v < 0 || v > MaxStationCount {
			return invalid(fmt.Sprintf("%s.votes[%d]", field, j), fmt.Sprintf("station %q: %d is outside 0..%d", station, v, MaxStationCount), "give the number of votes")
		}
		sum += v
	}
	if sum > ballots {
		return invalid(field+".votes", fmt.Sprintf("station %q: %s votes sum to %d, more than its %d ballots (one vote per ballot)", station, what, sum, ballots), "check the tally sheet: votes cannot exceed ballots")
	}
	return nil
}

// sortedStations returns the stations in increasing ID order (bytewise, which
// for UTF-8 is code-point order), rejecting duplicate IDs.
func sortedStations(stations []Station) ([]Station, error) {
	order := make([]int, len(stations))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(stations[a].ID, stations[b].ID) })
	out := make([]Station, len(stations))
	for k, i := range order {
		out[k] = stations[i]
		if k > 0 && out[k-1].ID == out[k].ID {
			return nil, invalid(fmt.Sprintf("contest.stations[%d].id", i), fmt.Sprintf("%q repeats contest.stations[%d]", out[k].ID, order[k-1]), "each station appears once in the frame")
		}
	}
	return out, nil
}
