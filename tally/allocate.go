package tally

import (
	"fmt"
	"sort"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/seats"
)

// This file turns contest results into seats with package seats: first
// past the post per contest, the independents' affiliations that count,
// and the reserved seats and house of each assembly.

// AssemblySeats is one assembly's seats as the logged sheets give them.
type AssemblySeats struct {
	Assembly string `json:"assembly"` // assembly ID
	Name     string `json:"name"`
	// Won counts the general seats won or led per party, before any
	// independent joins a party: a contest counts once at least one of its
	// sheets is logged (Complete tells whether all are). Independents are
	// counted under seats.Independent. Sorted by seats, then party.
	Won []PartySeats `json:"won"`
	// Complete counts the contests whose every station has reported.
	Complete int `json:"complete"`
	// Ties lists the contests whose leaders are tied: the seat waits for
	// the lot the law requires and is counted as vacant.
	Ties []string `json:"ties,omitempty"`
	// Unreported counts the contests with no sheet logged (vacant seats).
	Unreported int `json:"unreported"`
	// Joins lists every independent winner's affiliation and whether it
	// counts (see Affiliation).
	Joins []Affiliation `json:"joins,omitempty"`
	// Allocation is the reserved-seat allocation (package seats), nil if
	// it was refused (see Error).
	Allocation *seats.Result `json:"allocation,omitempty"`
	// House is the resulting membership: seats per party (general,
	// women's, non-Muslim), and the simple and two-thirds majority lines
	// with the minimal coalitions that reach them.
	House *seats.House `json:"house,omitempty"`
	// Error is the seats package's refusal, naming the rule, if any.
	Error string `json:"error,omitempty"`
}

// PartySeats is a number of seats of one party.
type PartySeats struct {
	Party string `json:"party"`
	Seats int    `json:"seats"`
}

// Affiliation is an independent candidate's signed joining of a party.
type Affiliation struct {
	Contest   string `json:"contest"`
	Candidate string `json:"candidate"`
	Party     string `json:"party"`
	Joined    string `json:"joined"` // YYYY-MM-DD
	Index     uint64 `json:"index"`  // log index of the affiliation record
	Hash      string `json:"hash"`
	// Counted is true when the candidate won the contest and joined from
	// the gazette notification of the assembly to AffiliationDays days
	// after it, inclusive. Reason says why not otherwise.
	Counted bool   `json:"counted"`
	Reason  string `json:"reason,omitempty"`
}

// affiliations decides every affiliation of contest c, given its outcome.
// Only the first affiliation of a candidate is considered: a member
// returned as an independent joins one party.
func (t *Tally) affiliations(c *contest, o outcome) []Affiliation {
	var out []Affiliation
	joined := map[int]uint64{}
	g, notified := t.gazettes[c.def.Assembly]
	for _, a := range c.affils {
		af := Affiliation{Contest: c.def.ID, Candidate: c.def.Candidates[a.candidate].ID, Party: a.party,
			Joined: a.joined, Index: a.index, Hash: hexHash(a.hash)}
		if first, dup := joined[a.candidate]; dup {
			af.Reason = fmt.Sprintf("the candidate's affiliation at index %d came first", first)
			out = append(out, af)
			continue
		}
		joined[a.candidate] = a.index
		won := !o.tie && len(o.winners) == 1 && o.winners[0] == a.candidate && c.in > 0
		day, _ := time.Parse(record.DateLayout, a.joined)
		switch {
		case !won:
			af.Reason = "the candidate did not win the contest on the logged sheets"
		case !notified:
			af.Reason = "no gazette notification of assembly " + c.def.Assembly + " is logged yet"
		default:
			from, _ := time.Parse(record.DateLayout, g.notified)
			to := from.AddDate(0, 0, t.def.AffiliationDays)
			switch {
			case day.Before(from):
				af.Reason = "joined before the gazette notification of " + g.notified
			case day.After(to):
				af.Reason = fmt.Sprintf("joined more than %d days after the gazette notification of %s", t.def.AffiliationDays, g.notified)
			default:
				af.Counted = true
			}
		}
		out = append(out, af)
	}
	return out
}

// seatsOf allocates one assembly's seats.
func (t *Tally) seatsOf(ai int) AssemblySeats {
	a := &t.def.Assemblies[ai]
	out := AssemblySeats{Assembly: a.ID, Name: a.Name}
	won := map[string]map[string]int{}
	joins := map[[2]string]int{}
	total := map[string]int{}
	for i := range t.contests {
		c := &t.contests[i]
		if c.assembly != ai {
			continue
		}
		if c.in == 0 || len(c.sum) == 0 {
			out.Unreported++
			continue
		}
		if c.in == c.stations {
			out.Complete++
		}
		o := t.result(c)
		if o.tie {
			out.Ties = append(out.Ties, c.def.ID)
			continue
		}
		party := c.def.Candidates[o.winners[0]].Party
		if party == "" {
			party = seats.Independent
		}
		if won[c.def.Region] == nil {
			won[c.def.Region] = map[string]int{}
		}
		won[c.def.Region][party]++
		total[party]++
		for _, af := range t.affiliations(c, o) {
			out.Joins = append(out.Joins, af)
			if af.Counted {
				joins[[2]string{c.def.Region, af.Party}]++
			}
		}
	}
	for p, n := range total {
		out.Won = append(out.Won, PartySeats{Party: p, Seats: n})
	}
	sort.Slice(out.Won, func(i, j int) bool {
		if out.Won[i].Seats != out.Won[j].Seats {
			return out.Won[i].Seats > out.Won[j].Seats
		}
		return out.Won[i].Party < out.Won[j].Party
	})
	in := seats.Input{Table: table(a), Lists: lists(t.def, a)}
	for _, r := range a.Regions {
		for _, p := range sortedParties(won[r.Region]) {
			in.Won = append(in.Won, seats.Won{Region: r.Region, Party: p, Seats: won[r.Region][p]})
		}
	}
	if len(joins) > 0 {
		// The window has been applied above with the definition's
		// AffiliationDays; the counted joins are dated at the notification
		// so that the seats package counts them whatever its own window.
		in.Gazette = t.gazettes[a.ID].notified
		for _, r := range a.Regions {
			for _, p := range t.def.Parties {
				if n := joins[[2]string{r.Region, p.ID}]; n > 0 {
					in.Joins = append(in.Joins, seats.Join{Region: r.Region, Party: p.ID, Seats: n, Date: in.Gazette})
				}
			}
		}
	}
	res, err := seats.Allocate(in)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	h := seats.NewHouse(res)
	out.Allocation, out.House = res, &h
	return out
}

// table is an assembly's seat table in the seats package's terms.
func table(a *election.Assembly) seats.Table {
	tb := seats.Table{Name: a.ID, Assembly: a.Name, NonMuslim: a.NonMuslim}
	for _, r := range a.Regions {
		tb.Regions = append(tb.Regions, seats.Region{Name: r.Region, General: r.General, Women: r.Women})
	}
	return tb
}

// lists gives every party's list length for every reserved-seat kind of
// the assembly: 0 where the definition lists none, so that the party is
// left out of that allocation.
func lists(def *election.Definition, a *election.Assembly) []seats.List {
	var out []seats.List
	for _, p := range def.Parties {
		for _, r := range a.Regions {
			if r.Women > 0 {
				n, _ := p.HasList(a.ID, "women", r.Region)
				out = append(out, seats.List{Region: r.Region, Party: p.ID, Kind: seats.Women, Length: n})
			}
		}
		n, _ := p.HasList(a.ID, "non-muslim", "")
		out = append(out, seats.List{Party: p.ID, Kind: seats.NonMuslim, Length: n})
	}
	return out
}

func sortedParties(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
