package forensics

import (
	"errors"
	"fmt"
)

// Station is the result sheet of one polling station.
//
// Ballots is the number of ballots issued (the turnout numerator); Valid and
// Invalid are the ballots found in the boxes, so Valid+Invalid is the leader
// share's denominator, as in Kobak et al. Votes holds one count per
// candidate, in the same order for every station of a data set.
type Station struct {
	ID         string  `json:"id"`
	Group      string  `json:"group,omitempty"` // constituency or region
	Registered int64   `json:"registered"`
	Ballots    int64   `json:"ballots"`
	Valid      int64   `json:"valid"`
	Invalid    int64   `json:"invalid"`
	Votes      []int64 `json:"votes"`
}

// InBox returns the ballots found in the boxes: Valid + Invalid.
func (s *Station) InBox() int64 { return s.Valid + s.Invalid }

// Exclusion reasons. A station with any of these is left out of the
// statistics (it cannot be placed on a turnout or share axis) and is
// counted in [Report.Excluded]; sheet-arithmetic failures are also flagged.
const (
	ExcludeNegative        = "negative count"
	ExcludeVotesAboveValid = "candidate votes add up to more than the valid ballots"
	ExcludeWrongVotes      = "wrong number of candidate columns"
)

// ErrNoStations is returned by Analyze when no station can be analysed.
var ErrNoStations = errors.New("forensics: no station to analyse")

// checkStation returns "" for a usable station or the reason to exclude it.
func checkStation(s *Station, ncand int) string {
	if len(s.Votes) != ncand {
		return ExcludeWrongVotes
	}
	if s.Registered < 0 || s.Ballots < 0 || s.Valid < 0 || s.Invalid < 0 {
		return ExcludeNegative
	}
	var sum int64
	for _, v := range s.Votes {
		if v < 0 {
			return ExcludeNegative
		}
		sum += v
	}
	if sum > s.Valid {
		return ExcludeVotesAboveValid
	}
	return ""
}

// ExclusionCount is how many stations were left out for one reason, with
// the first few station IDs as examples.
type ExclusionCount struct {
	Reason   string   `json:"reason"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
}

// exclusions accumulates ExclusionCounts in first-seen order.
type exclusions struct {
	list []ExclusionCount
}

func (e *exclusions) add(reason, example string) {
	for i := range e.list {
		if e.list[i].Reason == reason {
			e.list[i].Count++
			if len(e.list[i].Examples) < 5 {
				e.list[i].Examples = append(e.list[i].Examples, example)
			}
			return
		}
	}
	e.list = append(e.list, ExclusionCount{Reason: reason, Count: 1, Examples: []string{example}})
}

func (e *exclusions) total() int {
	n := 0
	for _, x := range e.list {
		n += x.Count
	}
	return n
}

func stationLabel(s *Station, i int) string {
	if s.ID != "" {
		return s.ID
	}
	return fmt.Sprintf("#%d", i+1)
}
