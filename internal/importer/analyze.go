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

// Report2024 is the 2024 National Assembly under each source.
type Report2024 struct {
	Source *Source2024 `json:"sources"`
	// Headline is the claim against the declaration from the same source
	// (the DSM table's actualVotes beside its declaredVotes).
	Headline ClaimComparison `json:"headline"`
	// Transcriptions sets the DSM table's declared figures beside
	// Aiwan-e-Jamhoor's: disagreements of transcription or later results,
	// not of the claim.
	Transcriptions Transcriptions `json:"transcriptions"`
	// LaterChanges are the seats whose winner changed after election day.
	LaterChanges []LaterChange `json:"later_changes"`
	JoinParty    string        `json:"join_party,omitempty"`
	// Declared is Aiwan-e-Jamhoor's results (later results included);
	// DeclaredForm47 the DSM table's election-day figures; Claimed the DSM
	// table's claimed Form-45 totals.
	Declared       Outcome `json:"declared"`
	DeclaredForm47 Outcome `json:"declared_form47"`
	Claimed        Outcome `json:"claimed"`
}

// Outcome is what one source's results give: general seats and the house.
type Outcome struct {
	Count      Count        `json:"count"`
	Totals     []PartyTotal `json:"totals"`
	Allocation *Allocation  `json:"allocation"`
}

// Analyze2024 compares the claim with the declaration of the same source,
// the transcriptions of the declaration with each other, and computes the
// seats each source implies. Under the DSM table's figures a seat goes to
// the one of its two candidates with the most votes; a postponed seat is
// postponed under every source that says so.
func Analyze2024(src *Source2024, opt Options2024) (*Report2024, error) {
	rep := &Report2024{Source: src, Headline: CompareClaims(src.DSM),
		Transcriptions: CompareTranscriptions(src.DSM, src.Declared, src.Form47),
		LaterChanges:   LaterChanges2024, JoinParty: opt.JoinParty}
	labels := map[string]Claim{} // the DSM table's party labels, PTI-IND kept
	dsmDeclared, dsmClaimed := make([]Seat, len(src.DSM)), make([]Seat, len(src.DSM))
	for i, d := range src.DSM {
		dsmDeclared[i], dsmClaimed[i] = d.Seat(false), d.Seat(true)
		c := Claim{Contest: d.Contest}
		for _, cd := range d.Candidates {
			c.Candidates = append(c.Candidates, Candidate{Name: cd.Name, Party: cd.Party})
		}
		labels[d.Contest] = c
	}
	for _, o := range []struct {
		seats []Seat
		out   *Outcome
		name  string
	}{{src.Declared, &rep.Declared, "declared"}, {dsmDeclared, &rep.DeclaredForm47, "declared (DSM Form 47)"}, {dsmClaimed, &rep.Claimed, "claimed"}} {
		c, err := CountSeats(o.seats, Region2024(), PartyID)
		if err != nil {
			return nil, fmt.Errorf("%s results: %w", o.name, err)
		}
		labelGroups(&c, o.seats, labels)
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
// DSM table gives the same candidate (matched by name).
func labelGroups(c *Count, seats []Seat, labels map[string]Claim) {
	by := map[string]Seat{}
	for _, s := range seats {
		by[s.Contest] = s
	}
	for i := range c.Returned {
		r := &c.Returned[i]
		cl, ok := labels[r.Contest]
		if !ok {
			continue
		}
		s := by[r.Contest]
		for _, cc := range cl.Candidates {
			if j := Match(s.Candidates, cc.Name); j >= 0 && s.Candidates[j].Name == r.Name {
				r.Group = cc.Party
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
			}
		}
		a.Seats = len(ss)
		c, err := CountSeats(ss, Region2018, PartyID)
		if err != nil {
			return nil, err
		}
		a.Count, a.Totals, a.Postponed = c, c.Totals(), c.Postponed
		if a.Allocation, err = Allocate(t.Table, c, nil, "", nil); err != nil {
			return nil, err
		}
		rep.Assemblies = append(rep.Assemblies, a)
	}
	return rep, nil
}
