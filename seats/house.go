package seats

import "sort"

// Member is one party's seats in the house.
type Member struct {
	Party     string `json:"party"`
	General   int    `json:"general"`
	Women     int    `json:"women"`
	NonMuslim int    `json:"non_muslim"`
	// Total is General + Women + NonMuslim: the seats the party fills.
	Total int `json:"total"`
	// Pending counts reserved seats the party is entitled to but cannot
	// fill from its lists; they are not in Total.
	Pending int `json:"pending,omitempty"`
	// InLot counts the lots the party takes part in.
	InLot int `json:"in_lot,omitempty"`
}

// Coalition is a set of parties (largest first) and the seats they fill.
type Coalition struct {
	Parties []string `json:"parties"`
	Seats   int      `json:"seats"`
}

// Line is a majority line and the minimal coalitions that reach it.
type Line struct {
	Seats int `json:"seats"`
	// Coalitions are minimal: together the parties fill at least Seats, and
	// without any one of them they do not. A single party that reaches the
	// line alone is a coalition of one.
	Coalitions []Coalition `json:"coalitions"`
	// Truncated reports that more coalitions exist than were enumerated
	// (see MaxCoalitions and maxSearchSteps).
	Truncated bool `json:"truncated,omitempty"`
}

// House is the membership that results from an allocation.
type House struct {
	// Seats is the membership of the house in the table: general, women's
	// and non-Muslim seats, filled or not.
	Seats int `json:"seats"`
	// Members lists the parties with at least one seat filled or pending,
	// most seats first, then by name.
	Members []Member `json:"members"`
	// Independents counts the independents who joined no party in time.
	Independents int `json:"independents"`
	// Vacant counts general seats without a reported result; Pending,
	// InLot and Unallocated count reserved seats that are not filled
	// (short lists, awaiting a lot, no eligible party).
	Vacant      int `json:"vacant,omitempty"`
	Pending     int `json:"pending,omitempty"`
	InLot       int `json:"in_lot,omitempty"`
	Unallocated int `json:"unallocated,omitempty"`
	// Simple is the simple majority of the total membership (Art. 91(4)):
	// floor(Seats/2)+1. TwoThirds is two-thirds of the total membership
	// (Art. 239(1)): ceil(2×Seats/3).
	Simple    Line `json:"simple_majority"`
	TwoThirds Line `json:"two_thirds"`
}

// MajorityLines returns the simple majority floor(n/2)+1 and the
// two-thirds line ceil(2n/3) of a house of n members: 169 and 224 of 336,
// 172 and 228 of 342.
func MajorityLines(n int) (simple, twoThirds int) {
	return n/2 + 1, (2*n + 2) / 3
}

// MaxCoalitions bounds the coalitions listed per line.
const MaxCoalitions = 50

// maxSearchSteps bounds the work of the coalition search, so that a house
// of many small parties cannot make it run for long.
const maxSearchSteps = 1_000_000

// NewHouse adds up the seats of r per party and finds, for each majority
// line, the minimal winning coalitions of parties. Seats awaiting a lot,
// pending or unallocated count for no one; independents are counted apart
// and take part in no coalition, since each votes alone.
func NewHouse(r *Result) House {
	h := House{Seats: r.Table.Total()}
	members := map[string]*Member{}
	get := func(p string) *Member {
		if members[p] == nil {
			members[p] = &Member{Party: p}
		}
		return members[p]
	}
	for _, w := range r.General {
		if w.Party == Independent {
			h.Independents += w.Seats
			continue
		}
		get(w.Party).General += w.Seats
	}
	for _, v := range r.Vacant {
		h.Vacant += v.Seats
	}
	for _, res := range append(append([]Reserved(nil), r.Women...), r.NonMuslim) {
		h.Unallocated += res.Unallocated
		if res.Lot != nil {
			h.InLot += res.Lot.Seats
		}
		for _, s := range res.Shares {
			if s.Seats == 0 && !s.InLot {
				continue
			}
			m := get(s.Party)
			if res.Kind == Women {
				m.Women += s.Filled()
			} else {
				m.NonMuslim += s.Filled()
			}
			m.Pending += s.Pending
			h.Pending += s.Pending
			if s.InLot {
				m.InLot++
			}
		}
	}
	for _, m := range members {
		m.Total = m.General + m.Women + m.NonMuslim
		h.Members = append(h.Members, *m)
	}
	sort.Slice(h.Members, func(i, j int) bool {
		a, b := h.Members[i], h.Members[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.Party < b.Party
	})
	simple, twoThirds := MajorityLines(h.Seats)
	h.Simple = MinimalCoalitions(h.Members, simple)
	h.TwoThirds = MinimalCoalitions(h.Members, twoThirds)
	return h
}

// MinimalCoalitions lists the minimal sets of members whose Totals reach
// line. Members must be sorted by Total, largest first (as House.Members
// is); members with no seat are ignored.
//
// The search adds members in that order and stops a branch as soon as it
// reaches the line. The member added last is then the smallest and the set
// without it was below the line, so without any member it is below the
// line: every set found is minimal, and each is found once. Branches
// that cannot reach the line even with every member left are cut. The
// result is in search order: coalitions with the largest parties first. At
// most MaxCoalitions are listed and at most maxSearchSteps branches are
// tried; Truncated reports that either bound was hit.
func MinimalCoalitions(members []Member, line int) Line {
	out := Line{Seats: line, Coalitions: []Coalition{}}
	var seats []int
	var names []string
	for _, m := range members {
		if m.Total > 0 {
			seats = append(seats, m.Total)
			names = append(names, m.Party)
		}
	}
	suffix := make([]int, len(seats)+1)
	for i := len(seats) - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] + seats[i]
	}
	steps := 0
	var chosen []int
	var search func(from, total int)
	search = func(from, total int) {
		for i := from; i < len(seats); i++ {
			if out.Truncated {
				return
			}
			if total+suffix[i] < line {
				return // not even every member left reaches the line
			}
			if steps++; steps > maxSearchSteps {
				out.Truncated = true
				return
			}
			sum := total + seats[i]
			if sum < line {
				chosen = append(chosen, i)
				search(i+1, sum)
				chosen = chosen[:len(chosen)-1]
				continue
			}
			// total < line, and member i is the smallest chosen: the set
			// is minimal.
			if len(out.Coalitions) == MaxCoalitions {
				out.Truncated = true
				return
			}
			c := Coalition{Seats: sum}
			for _, j := range chosen {
				c.Parties = append(c.Parties, names[j])
			}
			c.Parties = append(c.Parties, names[i])
			out.Coalitions = append(out.Coalitions, c)
		}
	}
	search(0, 0)
	return out
}
