package importer

import (
	"fmt"
	"io"
	"sort"
)

// CookmanCandidatesFile is the 2018 candidate results in the
// cookman-2018-results folder, gzip-compressed.
const CookmanCandidatesFile = "pk_candidate_data_2018.csv.gz"

// ParseCookman2018 reads pk_candidate_data_2018.csv (uncompressed): one row
// per candidate of every 2018 National and provincial assembly seat, as the
// Election Commission's provisional results pages gave them. A postponed
// seat is one row with contest_status "Postponed" and no candidate; an
// uncontested one has contest_status "Uncontested" and its candidate's votes
// "NA". Candidates come out most votes first (ties in file order), party
// "Independent" as an empty Party; Registered and Rejected are the
// constituency's voter_reg and votes_disq, Known when both are counts.
func ParseCookman2018(r io.Reader, name string) ([]Seat, error) {
	t, err := readTable(r, name, "assembly", "province", "contest_status", "constituency_code", "constituency_name",
		"voter_reg", "votes_disq", "candidate_name", "candidate_party", "candidate_votes")
	if err != nil {
		return nil, err
	}
	var seats []Seat
	at := map[string]int{}
	for i := range t.rows {
		contest := t.get(i, "constituency_code")
		if !validContest(contest) {
			return nil, t.errorf(i, "constituency_code", "%q is not a constituency code such as NA-57", contest)
		}
		status := map[string]string{"Contested": Contested, "Postponed": Postponed, "Uncontested": Uncontested}[t.get(i, "contest_status")]
		if status == "" {
			return nil, t.errorf(i, "contest_status", "%q: want Contested, Postponed or Uncontested", t.get(i, "contest_status"))
		}
		k, ok := at[contest]
		if !ok {
			k = len(seats)
			at[contest] = k
			s := Seat{Contest: contest, Name: t.get(i, "constituency_name"), Province: t.get(i, "province"), Status: status}
			reg, err1 := parseCount(t.get(i, "voter_reg"))
			rej, err2 := parseCount(t.get(i, "votes_disq"))
			if err1 == nil && err2 == nil {
				s.Registered, s.Rejected, s.Known = reg, rej, true
			}
			seats = append(seats, s)
		}
		s := &seats[k]
		if s.Status != status {
			return nil, t.errorf(i, "contest_status", "%s is %s in an earlier row", contest, s.Status)
		}
		switch status {
		case Postponed:
			if len(s.Candidates) > 0 || ok {
				return nil, t.errorf(i, "contest_status", "postponed seat %s has more than one row", contest)
			}
			continue
		case Uncontested:
			if ok {
				return nil, t.errorf(i, "contest_status", "uncontested seat %s has more than one candidate", contest)
			}
		}
		c := Candidate{Name: t.get(i, "candidate_name"), Party: t.get(i, "candidate_party")}
		if c.Name == "" || c.Name == "NA" {
			return nil, t.errorf(i, "candidate_name", "no candidate named")
		}
		if c.Party == "Independent" {
			c.Party = ""
		}
		if status == Contested {
			if c.Votes, err = t.count(i, "candidate_votes"); err != nil {
				return nil, err
			}
		}
		s.Candidates = append(s.Candidates, c)
	}
	for k := range seats {
		cs := seats[k].Candidates
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].Votes > cs[b].Votes })
	}
	if len(seats) == 0 {
		return nil, fmt.Errorf("%s: no seats", name)
	}
	return seats, nil
}
