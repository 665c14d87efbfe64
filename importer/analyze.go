package importer

import (
	"fmt"
	"strings"
)

// Options2024 are the choices the 2024 analysis leaves to its caller.
type Options2024 struct {
	// JoinParty, if set, makes the independents the claim labels PTI-backed
	// ("PTI-IND") join that party in time to count for reserved seats, under
	// each source. Empty: every independent stays independent.
	JoinParty string
}

// NoList2024 are the parties that filed no priority list in 2024: the Sunni
// Ittehad Council, which PTI-backed independents joined.
var NoList2024 = []string{"sic"}

// gazette2024 dates the joins JoinGroup makes; see JoinGroup.
const gazette2024 = "2024-02-08"

// Report2024 is the 2024 National Assembly under both sources.
type Report2024 struct {
	Source     *Source2024 `json:"sources"`
	Comparison Comparison  `json:"comparison"`
	JoinParty  string      `json:"join_party,omitempty"`
	Declared   Outcome     `json:"declared"`
	Claimed    Outcome     `json:"claimed"`
}

// Outcome is what one source's results give: general seats and the house.
type Outcome struct {
	Count      Count        `json:"count"`
	Totals     []PartyTotal `json:"totals"`
	Allocation *Allocation  `json:"allocation"`
}

// Analyze2024 compares the claim with the declared results and computes the
// seats each implies. Under the claim, a seat goes to the claimed candidate
// with the most claimed votes; a seat whose claim has an unmatched name keeps
// its declared result (Comparison says which).
func Analyze2024(src *Source2024, opt Options2024) (*Report2024, error) {
	rep := &Report2024{Source: src, Comparison: Compare(src.Declared, src.Claims), JoinParty: opt.JoinParty}
	claims := map[string]Claim{}
	for _, c := range src.Claims {
		claims[c.Contest] = c
	}
	claimed := make([]Seat, len(src.Declared))
	for i, s := range src.Declared {
		claimed[i] = s
		if c, ok := claims[s.Contest]; ok {
			if cands, ok := Claimed(s, c); ok {
				claimed[i].Candidates = cands
			}
		}
	}
	for _, o := range []struct {
		seats []Seat
		out   *Outcome
		name  string
	}{{src.Declared, &rep.Declared, "declared"}, {claimed, &rep.Claimed, "claimed"}} {
		c, err := CountSeats(o.seats, Region2024(), PartyID)
		if err != nil {
			return nil, fmt.Errorf("%s results: %w", o.name, err)
		}
		labelGroups(&c, src.Declared, claims)
		o.out.Count, o.out.Totals = c, c.Totals()
		var joins = JoinGroup(c, PTIBacked, opt.JoinParty, gazette2024)
		if opt.JoinParty == "" {
			joins = nil
		}
		if o.out.Allocation, err = Allocate("pk-na-2024", c, joins, gazette2024, NoList2024); err != nil {
			return nil, fmt.Errorf("%s results: %w", o.name, err)
		}
	}
	return rep, nil
}

// labelGroups sets each returned independent's Group to the party label the
// claim gives the same candidate.
func labelGroups(c *Count, declared []Seat, claims map[string]Claim) {
	for i := range c.Returned {
		r := &c.Returned[i]
		cl, ok := claims[r.Contest]
		if !ok {
			continue
		}
		for _, s := range declared {
			if s.Contest != r.Contest {
				continue
			}
			for _, cc := range cl.Candidates {
				if j := Match(s.Candidates, cc.Name); j >= 0 && s.Candidates[j].Name == r.Name {
					r.Group = cc.Party
				}
			}
		}
	}
}

// Report2018 is the 2018 National and provincial assemblies.
type Report2018 struct {
	Source     *Source2018  `json:"source"`
	Assemblies []Assembly18 `json:"assemblies"`
}

// Assembly18 is one 2018 assembly's seats.
type Assembly18 struct {
	Prefix     string       `json:"prefix"` // NA, PP, PS, PK, PB
	Seats      int          `json:"seats"`  // constituencies in the source
	Postponed  []string     `json:"postponed,omitempty"`
	Count      Count        `json:"count"`
	Totals     []PartyTotal `json:"totals"`
	Allocation *Allocation  `json:"allocation"`
}

// Analyze2018 counts each 2018 assembly's general seats and allocates its
// reserved seats with the 2018 tables. Independents stay independent: the
// joins of 2018 are not in the data (see docs/import.md).
func Analyze2018(src *Source2018) (*Report2018, error) {
	rep := &Report2018{Source: src}
	for _, t := range Tables2018 {
		var ss []Seat
		a := Assembly18{Prefix: t.Prefix}
		for _, s := range src.Seats {
			if strings.HasPrefix(s.Contest, t.Prefix+"-") {
				ss = append(ss, s)
				if s.Status == Postponed {
					a.Postponed = append(a.Postponed, s.Contest)
				}
			}
		}
		a.Seats = len(ss)
		c, err := CountSeats(ss, Region2018, PartyID)
		if err != nil {
			return nil, err
		}
		a.Count, a.Totals = c, c.Totals()
		if a.Allocation, err = Allocate(t.Table, c, nil, "", nil); err != nil {
			return nil, err
		}
		rep.Assemblies = append(rep.Assemblies, a)
	}
	return rep, nil
}
