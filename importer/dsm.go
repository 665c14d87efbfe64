package importer

import (
	"fmt"

	"github.com/tallylog/tallylog/strictjson"
)

// DSMForm45File is the claimed Form-45 totals in the dsm-2024-form45-vs-form47
// folder.
const DSMForm45File = "form45data.json"

// dsmSeat is one element of form45data.json. The map-grid and summary
// fields are read (the decoding is strict) but not used; the summaries are
// numbers, "N/A" or absent, so they are decoded as any.
type dsmSeat struct {
	ID           int64       `json:"id"`
	XGrid        int64       `json:"xGrid"`
	YGrid        int64       `json:"yGrid"`
	Seat         string      `json:"seat"`
	Region       string      `json:"region"`
	Province     string      `json:"province"`
	Result       []dsmResult `json:"result"`
	VoteMargin   any         `json:"voteMargin"`
	TotalVotes   any         `json:"totalVotes"`
	VoterTurnout any         `json:"voterTurnout"`
}

type dsmResult struct {
	Candidate string `json:"candidate"`
	Party     string `json:"party"`
	Votes     int64  `json:"votes"`
}

// PTIBacked is the label form45data.json gives PTI-backed independents.
const PTIBacked = "PTI-IND"

// ParseDSMClaims reads form45data.json: per seat, the Form-45 totals PTI
// claimed from its agents' copies for the top two candidates. The party
// labels are kept as the file writes them ("PTI-IND" for a PTI-backed
// independent, "IND" for another independent). Decoding is strict (unknown
// or duplicate keys, wrong types are errors naming the JSON path); a seat
// must appear once, with at least one candidate, each named, votes 0 to
// 1,000,000,000.
func ParseDSMClaims(data []byte, name string) ([]Claim, error) {
	var raw []dsmSeat
	if err := strictjson.Decode(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	var out []Claim
	for i, s := range raw {
		at := fmt.Sprintf("%s: $[%d]", name, i)
		if !validContest(s.Seat) {
			return nil, fmt.Errorf("%s.seat: %q is not a constituency code such as NA-57", at, s.Seat)
		}
		if seen[s.Seat] {
			return nil, fmt.Errorf("%s.seat: %s appears twice", at, s.Seat)
		}
		seen[s.Seat] = true
		if len(s.Result) == 0 {
			return nil, fmt.Errorf("%s.result: %s has no candidate", at, s.Seat)
		}
		c := Claim{Contest: s.Seat}
		for j, r := range s.Result {
			if r.Candidate == "" {
				return nil, fmt.Errorf("%s.result[%d].candidate: empty", at, j)
			}
			if r.Votes < 0 || r.Votes > maxVotes {
				return nil, fmt.Errorf("%s.result[%d].votes: %d is out of range: counts are 0 to %d", at, j, r.Votes, maxVotes)
			}
			c.Candidates = append(c.Candidates, Candidate{Name: r.Candidate, Party: r.Party, Votes: r.Votes})
		}
		out = append(out, c)
	}
	return out, nil
}
