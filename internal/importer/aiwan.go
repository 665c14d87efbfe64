package importer

import (
	"fmt"
	"io"
	"sort"
)

// Aiwan2024Files are the files of the aiwan-2024-na-results folder read.
const (
	AiwanCandidatesFile = "na_2024_candidates.csv"
	AiwanForm47File     = "na_2024_form47_official.csv"
)

// ParseAiwanCandidates reads na_2024_candidates.csv (columns na,
// candidate_name, party, votes, rank): every candidate of every 2024 National
// Assembly seat, as ElectionPakistani transcribed the declared results. Party
// "Independent" becomes an empty Party. Seats come out in the order they
// first appear, candidates in rank order; the ranks of a seat must be 1…n
// and agree with the votes (a higher rank never has more votes).
func ParseAiwanCandidates(r io.Reader, name string) ([]Seat, error) {
	t, err := readTable(r, name, "na", "candidate_name", "party", "votes", "rank")
	if err != nil {
		return nil, err
	}
	var seats []Seat
	at := map[string]int{}
	ranks := map[string][]int64{}
	for i := range t.rows {
		contest := t.get(i, "na")
		if !validContest(contest) {
			return nil, t.errorf(i, "na", "%q is not a constituency code such as NA-57", contest)
		}
		c := Candidate{Name: t.get(i, "candidate_name"), Party: t.get(i, "party")}
		if c.Name == "" {
			return nil, t.errorf(i, "candidate_name", "empty")
		}
		if c.Party == "Independent" {
			c.Party = ""
		}
		if c.Votes, err = t.count(i, "votes"); err != nil {
			return nil, err
		}
		rank, err := t.count(i, "rank")
		if err != nil {
			return nil, err
		}
		k, ok := at[contest]
		if !ok {
			k = len(seats)
			at[contest] = k
			seats = append(seats, Seat{Contest: contest, Status: Contested})
		}
		for _, r := range ranks[contest] {
			if r == rank {
				return nil, t.errorf(i, "rank", "rank %d appears twice in %s", rank, contest)
			}
		}
		ranks[contest] = append(ranks[contest], rank)
		seats[k].Candidates = append(seats[k].Candidates, c)
	}
	for k := range seats {
		s := &seats[k]
		rs := ranks[s.Contest]
		idx := make([]int, len(rs))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return rs[idx[a]] < rs[idx[b]] })
		sorted := make([]Candidate, len(idx))
		for i, j := range idx {
			if rs[j] != int64(i+1) {
				return nil, fmt.Errorf("%s: %s: ranks are not 1 to %d (rank %d is missing)", name, s.Contest, len(idx), i+1)
			}
			sorted[i] = s.Candidates[j]
			if i > 0 && sorted[i].Votes > sorted[i-1].Votes {
				return nil, fmt.Errorf("%s: %s: rank %d has more votes (%d) than rank %d (%d)", name, s.Contest, i+1, sorted[i].Votes, i, sorted[i-1].Votes)
			}
		}
		s.Candidates = sorted
	}
	return seats, nil
}

// Form47 is Aiwan-e-Jamhoor's reading of one official Form-47 scan. A count
// left empty in the file (illegible on the scan) is -1.
type Form47 struct {
	Contest    string `json:"contest"`
	Name       string `json:"name"`
	Registered int64  `json:"registered"`
	Polled     int64  `json:"polled"`
	Valid      int64  `json:"valid"`
	Rejected   int64  `json:"rejected"`
	Winner     string `json:"winner"`
	WinnerVote int64  `json:"winner_votes"`
	Flags      string `json:"flags,omitempty"` // illegible fields, printed inconsistencies
}

// ParseAiwanForm47 reads na_2024_form47_official.csv: the registered
// voters, votes polled, valid and rejected ballots and winner that the
// official Form-47 scans show, for the seats whose scan was found. A seat
// may appear once.
func ParseAiwanForm47(r io.Reader, name string) ([]Form47, error) {
	t, err := readTable(r, name, "na", "constituency_name", "reg_total", "polled_total", "valid_votes", "rejected_votes", "winner_name", "winner_votes", "flags")
	if err != nil {
		return nil, err
	}
	var out []Form47
	seen := map[string]bool{}
	for i := range t.rows {
		f := Form47{Contest: t.get(i, "na"), Name: t.get(i, "constituency_name"), Winner: t.get(i, "winner_name"), Flags: t.get(i, "flags")}
		if !validContest(f.Contest) {
			return nil, t.errorf(i, "na", "%q is not a constituency code such as NA-57", f.Contest)
		}
		if seen[f.Contest] {
			return nil, t.errorf(i, "na", "%s appears twice", f.Contest)
		}
		seen[f.Contest] = true
		for _, c := range []struct {
			col string
			n   *int64
		}{{"reg_total", &f.Registered}, {"polled_total", &f.Polled}, {"valid_votes", &f.Valid}, {"rejected_votes", &f.Rejected}, {"winner_votes", &f.WinnerVote}} {
			if *c.n = -1; t.get(i, c.col) == "" {
				continue
			}
			if *c.n, err = t.count(i, c.col); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// WithForm47 returns seats with the registered voters, rejected ballots and
// constituency names of the Form-47 readings filled in where a reading
// gives both (Known set). Other seats keep zeros, Known unset.
func WithForm47(seats []Seat, forms []Form47) []Seat {
	by := map[string]Form47{}
	for _, f := range forms {
		by[f.Contest] = f
	}
	out := append([]Seat(nil), seats...)
	for i := range out {
		if f, ok := by[out[i].Contest]; ok && f.Registered >= 0 && f.Rejected >= 0 {
			out[i].Registered, out[i].Rejected, out[i].Known = f.Registered, f.Rejected, true
			if out[i].Name == "" {
				out[i].Name = f.Name
			}
		}
	}
	return out
}
