package seats

import (
	"fmt"
	"sort"
)

// Candidate is one candidate's votes in a constituency.
type Candidate struct {
	Name  string `json:"name"`
	Party string `json:"party"`
	Votes int64  `json:"votes"`
}

// Outcome is the result of a first-past-the-post contest.
type Outcome struct {
	// Winners holds the candidate with the most votes, or, when several
	// share the most votes, all of them (sorted by name) and Tie is set.
	// A tie is reported, never broken: the law decides it (usually by
	// lot), not this package.
	Winners []Candidate `json:"winners"`
	Tie     bool        `json:"tie,omitempty"`
	// RunnersUp holds the candidates with the next-highest votes (sorted by
	// name); empty when every candidate is a winner.
	RunnersUp []Candidate `json:"runners_up,omitempty"`
	// Margin is the winners' votes less the runners-up's: 0 on a tie, the
	// winner's votes when there is no runner-up.
	Margin int64 `json:"margin"`
	// Uncontested reports a single candidate.
	Uncontested bool `json:"uncontested,omitempty"`
}

// FirstPastThePost returns the winner of a constituency from the candidates'
// votes. Candidates must have distinct non-empty names and non-negative
// votes; there must be at least one. The outcome does not depend on the
// order of the candidates.
func FirstPastThePost(candidates []Candidate) (Outcome, error) {
	if len(candidates) == 0 {
		return Outcome{}, fmt.Errorf("candidates: none given; a contest needs at least one candidate")
	}
	seen := make(map[string]bool, len(candidates))
	for i, c := range candidates {
		switch {
		case c.Name == "":
			return Outcome{}, fmt.Errorf("candidates[%d].name: must not be empty", i)
		case seen[c.Name]:
			return Outcome{}, fmt.Errorf("candidates[%d].name: %q appears twice; give each candidate once", i, c.Name)
		case c.Votes < 0:
			return Outcome{}, fmt.Errorf("candidates[%d].votes: %s has %d; votes cannot be negative", i, c.Name, c.Votes)
		}
		seen[c.Name] = true
	}
	sorted := append([]Candidate(nil), candidates...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Votes != sorted[j].Votes {
			return sorted[i].Votes > sorted[j].Votes
		}
		return sorted[i].Name < sorted[j].Name
	})
	top := run(sorted)
	o := Outcome{Winners: sorted[:top], Tie: top > 1, Uncontested: len(sorted) == 1}
	if rest := sorted[top:]; len(rest) > 0 {
		o.RunnersUp = rest[:run(rest)]
	}
	switch {
	case o.Tie:
		o.Margin = 0
	case len(o.RunnersUp) > 0:
		o.Margin = o.Winners[0].Votes - o.RunnersUp[0].Votes
	default:
		o.Margin = o.Winners[0].Votes
	}
	return o, nil
}

// run returns how many candidates at the head of c (sorted by votes,
// largest first) share the first one's votes.
func run(c []Candidate) int {
	n := 1
	for n < len(c) && c[n].Votes == c[0].Votes {
		n++
	}
	return n
}
