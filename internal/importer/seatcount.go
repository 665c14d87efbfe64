package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tallylog/tallylog/seats"
)

// Returned is the candidate a source returns for one seat.
type Returned struct {
	Contest string `json:"contest"`
	Region  string `json:"region"` // as the seat table names it
	Party   string `json:"party"`  // party ID, seats.Independent for an independent
	Name    string `json:"name"`
	// Group is an independent's backing as a second source labels it
	// ("PTI-IND"), empty otherwise.
	Group string `json:"group,omitempty"`
}

// Count is a general-seat count: the seats a source returns, per region and
// party, and the seats it returns no one for.
type Count struct {
	Returned []Returned  `json:"returned"`
	Won      []seats.Won `json:"won"`
	// Postponed lists seats with no poll; Vacant seats with a tie at the
	// top (or no candidate).
	Postponed []string `json:"postponed,omitempty"`
	Vacant    []string `json:"vacant,omitempty"`
}

// CountSeats returns, for each seat, its winner: the candidate with the most
// votes (an uncontested seat's one candidate). region maps a contest to its
// seat-table region; partyID maps a source's party label to a party ID ("" for
// an independent). A seat whose region is unknown is an error.
func CountSeats(ss []Seat, region func(contest string) (string, bool), partyID func(label string) string) (Count, error) {
	var c Count
	for _, s := range ss {
		r, ok := region(s.Contest)
		if !ok {
			return Count{}, fmt.Errorf("%s: no region in the seat table for this constituency", s.Contest)
		}
		if s.Status == Postponed {
			c.Postponed = append(c.Postponed, s.Contest)
			continue
		}
		w := winner(votesOf(s.Candidates))
		if w < 0 {
			c.Vacant = append(c.Vacant, s.Contest)
			continue
		}
		p := partyID(s.Candidates[w].Party)
		if p == "" {
			p = seats.Independent
		}
		c.Returned = append(c.Returned, Returned{Contest: s.Contest, Region: r, Party: p, Name: s.Candidates[w].Name})
	}
	c.Won = wonOf(c.Returned)
	return c, nil
}

// wonOf sums returned candidates per region and party, sorted by region,
// then seats (most first), then party.
func wonOf(rs []Returned) []seats.Won {
	n := map[[2]string]int{}
	for _, r := range rs {
		n[[2]string{r.Region, r.Party}]++
	}
	var won []seats.Won
	for k, v := range n {
		won = append(won, seats.Won{Region: k[0], Party: k[1], Seats: v})
	}
	sort.Slice(won, func(i, j int) bool {
		a, b := won[i], won[j]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Seats != b.Seats {
			return a.Seats > b.Seats
		}
		return a.Party < b.Party
	})
	return won
}

// PartyTotal is one party's general seats over all regions.
type PartyTotal struct {
	Party string `json:"party"`
	Seats int    `json:"seats"`
}

// Totals sums a count's seats per party, most seats first, then by party.
func (c Count) Totals() []PartyTotal {
	n := map[string]int{}
	for _, w := range c.Won {
		n[w.Party] += w.Seats
	}
	var out []PartyTotal
	for p, s := range n {
		out = append(out, PartyTotal{p, s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Seats != out[j].Seats {
			return out[i].Seats > out[j].Seats
		}
		return out[i].Party < out[j].Party
	})
	return out
}

// Allocation is the reserved-seat allocation a count implies, and the house.
type Allocation struct {
	Table  string        `json:"table"`
	Joins  []seats.Join  `json:"joins,omitempty"`
	Result *seats.Result `json:"result"`
	House  seats.House   `json:"house"`
}

// JoinGroup makes the independents a count returns with the given Group
// label ("PTI-IND") join party, one Join per region. Their dates are the
// gazette date, inside any window: the joins say what follows if they
// counted, not when they happened.
func JoinGroup(c Count, group, party, gazette string) []seats.Join {
	n := map[string]int{}
	var regions []string
	for _, r := range c.Returned {
		if r.Party == seats.Independent && r.Group == group {
			if n[r.Region] == 0 {
				regions = append(regions, r.Region)
			}
			n[r.Region]++
		}
	}
	sort.Strings(regions)
	var joins []seats.Join
	for _, r := range regions {
		joins = append(joins, seats.Join{Region: r, Party: party, Seats: n[r], Date: gazette})
	}
	return joins
}

// Allocate shares out the reserved seats of the named built-in table over
// the count (package seats, Hamilton's largest remainder), with the given
// joins counted (dated on gazette) and the parties of noList left out as
// having filed no priority list. Independents who join no party stay out of
// the count.
func Allocate(tableName string, c Count, joins []seats.Join, gazette string, noList []string) (*Allocation, error) {
	tb, ok := seats.BuiltinTable(tableName)
	if !ok {
		return nil, fmt.Errorf("no built-in seat table %q (have %s)", tableName, strings.Join(seats.BuiltinTableNames(), ", "))
	}
	in := seats.Input{Table: tb, Won: c.Won, Joins: joins, NoList: noList}
	if len(joins) > 0 {
		in.Gazette = gazette
	}
	res, err := seats.Allocate(in)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", tableName, err)
	}
	return &Allocation{Table: tableName, Joins: joins, Result: res, House: seats.NewHouse(res)}, nil
}
