package importer

import (
	"fmt"
	"sort"

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
		if err := checkDSMSeat(at, s.Seat, len(s.Result), seen); err != nil {
			return nil, err
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

// DSMSeatsFile is the seat table of the dsm-2024-form45-vs-form47 folder:
// per seat, the top two candidates with the ECP's Form-47 figure
// (declaredVotes) beside the Form-45 total PTI claimed (actualVotes).
const DSMSeatsFile = "elections2024ecp.json"

type dsmSeatFull struct {
	ID           int64           `json:"id"`
	XGrid        int64           `json:"xGrid"`
	YGrid        int64           `json:"yGrid"`
	Seat         string          `json:"seat"`
	Region       string          `json:"region"`
	Province     string          `json:"province"`
	Result       []dsmResultFull `json:"result"`
	VoteMargin   any             `json:"voteMargin"`
	TotalVotes   any             `json:"totalVotes"`
	VoterTurnout any             `json:"voterTurnout"`
}

type dsmResultFull struct {
	Candidate     string `json:"candidate"`
	Party         string `json:"party"`
	Votes         int64  `json:"votes"`
	DeclaredVotes int64  `json:"declaredVotes"`
	ActualVotes   int64  `json:"actualVotes"`
}

// DSMSeat is one seat of the DSM table: one source's transcription of the
// declared result (Form 47) and of the claim (Form 45) for the same two
// candidates, so the two are compared without matching names.
type DSMSeat struct {
	Contest  string `json:"contest"`
	Region   string `json:"region"`
	Province string `json:"province"`
	// Postponed is true when the table gives no poll: every count 0 and no
	// vote margin ("N/A"), as for NA-8, whose poll was postponed.
	Postponed  bool           `json:"postponed,omitempty"`
	Candidates []DSMCandidate `json:"candidates"`
	// Polled is the table's totalVotes, Turnout its voterTurnout in
	// percent; 0 when the table gives none.
	Polled  int64   `json:"polled,omitempty"`
	Turnout float64 `json:"turnout,omitempty"`
}

// DSMCandidate is one candidate's declared and claimed votes.
type DSMCandidate struct {
	Name     string `json:"name"`
	Party    string `json:"party"` // the table's label: PTI-IND, IND, PML-N, ...
	Declared int64  `json:"declared"`
	Claimed  int64  `json:"claimed"`
}

// ParseDSMSeats reads elections2024ecp.json. Decoding is strict; a seat
// must appear once, with one or more named candidates, every count 0 to
// 1,000,000,000. "votes" must equal "declaredVotes" (the file repeats it).
func ParseDSMSeats(data []byte, name string) ([]DSMSeat, error) {
	var raw []dsmSeatFull
	if err := strictjson.Decode(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	var out []DSMSeat
	for i, s := range raw {
		at := fmt.Sprintf("%s: $[%d]", name, i)
		if err := checkDSMSeat(at, s.Seat, len(s.Result), seen); err != nil {
			return nil, err
		}
		d := DSMSeat{Contest: s.Seat, Region: s.Region, Province: s.Province}
		if n, ok := s.TotalVotes.(float64); ok && n >= 0 && n <= maxVotes {
			d.Polled = int64(n)
		}
		if t, ok := s.VoterTurnout.(float64); ok && t > 0 && t <= 100 {
			d.Turnout = t
		}
		var sum int64
		for j, r := range s.Result {
			if r.Candidate == "" {
				return nil, fmt.Errorf("%s.result[%d].candidate: empty", at, j)
			}
			for _, n := range []struct {
				field string
				v     int64
			}{{"votes", r.Votes}, {"declaredVotes", r.DeclaredVotes}, {"actualVotes", r.ActualVotes}} {
				if n.v < 0 || n.v > maxVotes {
					return nil, fmt.Errorf("%s.result[%d].%s: %d is out of range: counts are 0 to %d", at, j, n.field, n.v, maxVotes)
				}
			}
			if r.Votes != r.DeclaredVotes {
				return nil, fmt.Errorf("%s.result[%d]: votes %d differs from declaredVotes %d; the file should repeat the declared figure", at, j, r.Votes, r.DeclaredVotes)
			}
			sum += r.DeclaredVotes + r.ActualVotes
			d.Candidates = append(d.Candidates, DSMCandidate{Name: r.Candidate, Party: r.Party, Declared: r.DeclaredVotes, Claimed: r.ActualVotes})
		}
		d.Postponed = sum == 0 && s.VoteMargin == "N/A"
		out = append(out, d)
	}
	return out, nil
}

// Seat returns the declared (claimed false) or claimed figures as a Seat,
// candidates most votes first, a postponed seat with none.
func (d DSMSeat) Seat(claimed bool) Seat {
	s := Seat{Contest: d.Contest, Province: d.Province, Status: Contested}
	if d.Postponed {
		s.Status = Postponed
		return s
	}
	for _, c := range d.Candidates {
		v := c.Declared
		if claimed {
			v = c.Claimed
		}
		p := c.Party
		if p == "IND" || p == PTIBacked {
			p = ""
		}
		s.Candidates = append(s.Candidates, Candidate{Name: c.Name, Party: p, Votes: v})
	}
	sort.SliceStable(s.Candidates, func(i, j int) bool { return s.Candidates[i].Votes > s.Candidates[j].Votes })
	return s
}

// checkDSMSeat checks one seat of a DSM file: a constituency code, seen
// once (seen records it), with a candidate.
func checkDSMSeat(at, seat string, results int, seen map[string]bool) error {
	if !validContest(seat) {
		return fmt.Errorf("%s.seat: %q is not a constituency code such as NA-57", at, seat)
	}
	if seen[seat] {
		return fmt.Errorf("%s.seat: %s appears twice", at, seat)
	}
	seen[seat] = true
	if results == 0 {
		return fmt.Errorf("%s.result: %s has no candidate", at, seat)
	}
	return nil
}
