package tally

import (
	"encoding/json"
	"time"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/seats"
)

// Seats returns every assembly's seats in definition order, from the
// logged sheets (see AssemblySeats).
func (v *View) Seats() []AssemblySeats {
	if v.t.def == nil {
		return nil
	}
	out := make([]AssemblySeats, len(v.t.def.Assemblies))
	for i := range out {
		out[i] = v.t.seatsOf(i)
	}
	return out
}

// Summary is the tally's deterministic digest: the same log and the same
// asOf give byte-identical JSON (Summary.JSON) on every machine.
type Summary struct {
	Election string `json:"election,omitempty"`
	Origin   string `json:"origin"`
	Entries  uint64 `json:"entries"` // entries applied
	// AsOf is the clock the missing-declaration flags were judged by;
	// Deadline is when provisional results were due. RFC 3339, UTC.
	AsOf       string            `json:"as_of"`
	Deadline   string            `json:"deadline,omitempty"`
	Assemblies []AssemblySummary `json:"assemblies"`
	// Flags counts the standing flags by kind (kinds with none left out),
	// gravest first; Resolved counts flags whose condition has gone.
	Flags    []KindCount `json:"flags"`
	Resolved int         `json:"resolved"`
}

// AssemblySummary is one assembly's totals.
type AssemblySummary struct {
	Assembly string `json:"assembly"`
	Name     string `json:"name"`
	// Stations counts station sheets expected (a station voting in one
	// contest of the assembly); Reported those with a current sheet.
	Stations int `json:"stations"`
	Reported int `json:"reported"`
	// Contests, those complete (every station in), and those with a
	// current provisional (form 47) and final (form 49) declaration.
	Contests    int `json:"contests"`
	Complete    int `json:"complete"`
	Provisional int `json:"provisional"`
	Final       int `json:"final"`
	// Flags counts the assembly's standing flags by kind.
	Flags []KindCount `json:"flags"`
	// Seats is the house the logged sheets elect.
	Seats SeatsSummary `json:"seats"`
}

// KindCount is a number of flags of one kind.
type KindCount struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// SeatsSummary is an assembly's membership per party and its majority
// lines (see seats.House for the coalitions).
type SeatsSummary struct {
	Total        int            `json:"total"`
	Parties      []seats.Member `json:"parties"`
	Independents int            `json:"independents"`
	Vacant       int            `json:"vacant"`
	Ties         int            `json:"ties"`
	Pending      int            `json:"pending,omitempty"`
	InLot        int            `json:"in_lot,omitempty"`
	Unallocated  int            `json:"unallocated,omitempty"`
	Simple       int            `json:"simple_majority"`
	TwoThirds    int            `json:"two_thirds"`
	// SimpleReached and TwoThirdsReached list the minimal coalitions that
	// reach each line, largest parties first (each a "+"-joined list).
	SimpleReached    []string `json:"simple_reached"`
	TwoThirdsReached []string `json:"two_thirds_reached"`
	Error            string   `json:"error,omitempty"`
}

// Summary returns the tally's digest, judging deadlines by asOf (the
// server's clock, the demo's simulated clock, or for the verifier Latest()).
func (t *Tally) Summary(asOf time.Time) *Summary {
	var s *Summary
	t.Read(func(v *View) { s = v.Summary(asOf) })
	return s
}

// Summary is Tally.Summary under a read lock the caller already holds.
func (v *View) Summary(asOf time.Time) *Summary {
	t := v.t
	s := &Summary{Origin: t.reg.Origin(), Entries: t.size, AsOf: asOf.UTC().Format(time.RFC3339), Assemblies: []AssemblySummary{}, Flags: []KindCount{}}
	if t.def == nil {
		return s
	}
	s.Election, s.Deadline = t.def.ID, record.FormatTime(t.deadline)
	all := t.collect(Filter{AsOf: asOf})
	s.Flags = t.countKinds(all, "")
	s.Resolved = len(t.resolved)
	for ai, a := range t.def.Assemblies {
		as := AssemblySummary{Assembly: a.ID, Name: a.Name}
		for i := range t.contests {
			c := &t.contests[i]
			if c.assembly != ai {
				continue
			}
			as.Contests++
			as.Stations += int(c.stations)
			as.Reported += int(c.in)
			if c.in == c.stations && c.stations > 0 {
				as.Complete++
			}
			if c.current[0] >= 0 {
				as.Provisional++
			}
			if c.current[1] >= 0 {
				as.Final++
			}
		}
		as.Flags = t.countKinds(all, a.ID)
		as.Seats = seatsSummary(t.seatsOf(ai))
		s.Assemblies = append(s.Assemblies, as)
	}
	return s
}

// countKinds counts flags per kind, in Kinds order, for one assembly (or
// all when assembly is empty).
func (t *Tally) countKinds(fs []Flag, assembly string) []KindCount {
	n := map[string]int{}
	for _, f := range fs {
		if c, _ := t.def.Contest(f.Contest); assembly == "" || c.Assembly == assembly {
			n[f.Kind]++
		}
	}
	out := []KindCount{}
	for _, k := range Kinds {
		if n[k] > 0 {
			out = append(out, KindCount{Kind: k, Count: n[k]})
		}
	}
	return out
}

func seatsSummary(a AssemblySeats) SeatsSummary {
	s := SeatsSummary{Ties: len(a.Ties), Error: a.Error, Parties: []seats.Member{}, SimpleReached: []string{}, TwoThirdsReached: []string{}}
	if a.House == nil {
		return s
	}
	h := a.House
	s.Total, s.Independents, s.Vacant = h.Seats, h.Independents, h.Vacant
	s.Parties = append(s.Parties, h.Members...)
	s.Pending, s.InLot, s.Unallocated = h.Pending, h.InLot, h.Unallocated
	s.Simple, s.TwoThirds = h.Simple.Seats, h.TwoThirds.Seats
	s.SimpleReached, s.TwoThirdsReached = coalitions(h.Simple), coalitions(h.TwoThirds)
	return s
}

func coalitions(l seats.Line) []string {
	out := []string{}
	for _, c := range l.Coalitions {
		name := ""
		for i, p := range c.Parties {
			if i > 0 {
				name += "+"
			}
			name += p
		}
		out = append(out, name)
	}
	if l.Truncated {
		out = append(out, "…")
	}
	return out
}

// JSON returns the summary's indented JSON, with a final newline.
func (s *Summary) JSON() []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic("tally: marshal summary: " + err.Error()) // plain data cannot fail
	}
	return append(b, '\n')
}
