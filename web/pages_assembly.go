package web

import (
	"html/template"
	"net/http"
	"slices"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/tally"
)

// const latestFlags is how many flags the assembly page lists.
const latestFlags = 10

// assemblyOf collects an assembly's data; ok is false if there is none
// with this ID (or no definition is logged yet).
func (x *site) assemblyOf(v *tally.View, id string) (assemblyData, bool) {
	d := v.Definition()
	if d == nil {
		return assemblyData{}, false
	}
	if id == "" && len(d.Assemblies) > 0 {
		id = d.Assemblies[0].ID
	}
	a, ok := d.Assembly(id)
	if !ok {
		return assemblyData{}, false
	}
	asOf := x.asOf()
	out := assemblyData{Assembly: a.ID, Name: a.Name, Seats: tableSeats(a)}
	for _, s := range v.Summary(asOf).Assemblies {
		if s.Assembly == a.ID {
			out.Summary = s
		}
	}
	seats := out.Summary.Seats
	out.Simple, out.TwoThirds = seats.Simple, seats.TwoThirds
	if out.Simple == 0 {
		out.Simple, out.TwoThirds = out.Seats/2+1, (2*out.Seats+2)/3
	}
	filled := 0
	for _, m := range seats.Parties {
		if m.Total == 0 && m.Pending == 0 {
			continue
		}
		out.Parties = append(out.Parties, partySeats{partyInfo: partyOf(d, m.Party), General: m.General, Women: m.Women,
			NonMuslim: m.NonMuslim, Total: m.Total, Pending: m.Pending})
		filled += m.Total
	}
	if seats.Independents > 0 {
		out.Parties = append(out.Parties, partySeats{partyInfo: partyOf(d, ""), General: seats.Independents, Total: seats.Independents})
		filled += seats.Independents
	}
	out.Unfilled = max(out.Seats-filled, 0)

	regions := map[string]*regionProgress{}
	for _, r := range a.Regions {
		out.Regions = append(out.Regions, regionProgress{Region: r.Region})
	}
	for i := range out.Regions {
		regions[out.Regions[i].Region] = &out.Regions[i]
	}
	for _, c := range v.Contests(asOf) {
		if c.Assembly != a.ID {
			continue
		}
		rp := regions[c.Region]
		if rp == nil {
			out.Regions = append(out.Regions, regionProgress{Region: c.Region})
			rp = &out.Regions[len(out.Regions)-1]
			regions = reindex(out.Regions)
		}
		rp.Stations += c.Stations
		rp.Reported += c.StationsIn
		rp.Contests++
		if c.Stations > 0 && c.StationsIn == c.Stations {
			rp.Complete++
		}
		if c.Provisional != nil {
			rp.Provisional++
		}
		if c.Final != nil {
			rp.Final++
		}
		out.Contests = append(out.Contests, briefOf(d, &c))
	}
	flags := v.Flags(tally.Filter{Assembly: a.ID, AsOf: asOf})
	slices.Reverse(flags)
	out.LatestFlags = flags[:min(len(flags), latestFlags)]
	return out, true
}

func reindex(rs []regionProgress) map[string]*regionProgress {
	m := map[string]*regionProgress{}
	for i := range rs {
		m[rs[i].Region] = &rs[i]
	}
	return m
}

// tableSeats is the assembly's membership per its seat table.
func tableSeats(a *election.Assembly) int {
	n := a.NonMuslim
	for _, r := range a.Regions {
		n += r.General + r.Women
	}
	return n
}

func briefOf(d *election.Definition, c *tally.ContestResult) contestBrief {
	b := contestBrief{ID: c.ID, Name: c.Name, Region: c.Region, Stations: c.Stations, StationsIn: c.StationsIn,
		Tie: c.Tie, Margin: c.Margin, LeaderParty: partyInfo{}}
	if len(c.Winners) == 1 {
		for _, cand := range c.Candidates {
			if cand.ID == c.Winners[0] {
				b.Leader, b.LeaderName, b.LeaderParty = cand.ID, cand.Name, partyOf(d, cand.Party)
			}
		}
	}
	for _, f := range c.Flags {
		if f.Resolved != 0 {
			continue
		}
		b.Flags++
		if b.Gravest == "" || severityRank(f.Severity) < severityRank(b.Gravest) {
			b.Gravest = f.Severity
		}
	}
	return b
}

// severityRank orders severities, gravest first (0).
func severityRank(s tally.Severity) int {
	switch s {
	case tally.Grave:
		return 0
	case tally.High:
		return 1
	case tally.Medium:
		return 2
	}
	return 3
}

// hemicycle draws the assembly's seats.
func (a *assemblyData) hemicycle() template.HTML {
	var groups []seatGroup
	for _, p := range a.Parties {
		groups = append(groups, seatGroup{ID: p.ID, Label: p.Name, Color: p.Color, Seats: p.Total})
	}
	if a.Unfilled > 0 {
		groups = append(groups, seatGroup{ID: "unfilled", Label: "Not yet filled", Color: colorUnfilled, Seats: a.Unfilled, Hollow: true})
	}
	lines := []seatLine{
		{a.Simple, formatCount(a.Simple) + " for a majority"},
		{a.TwoThirds, formatCount(a.TwoThirds) + " for two-thirds"},
	}
	return hemicycleSVG(a.Name+": seats by party", groups, lines)
}

// assemblyPage serves / and /assembly/{id}.
func (x *site) assemblyPage(r *http.Request) (*response, state) {
	id := r.PathValue("id")
	var data assemblyData
	var common pageCommon
	found := false
	st := x.read(func(v *tally.View) {
		data, found = x.assemblyOf(v, id)
		common = x.common(v, data.Name)
	})
	if !found {
		if id == "" {
			return htmlResponse(http.StatusServiceUnavailable, "notfound", struct {
				pageCommon
				What, Hint string
			}{common, "No results yet", "The election's definition is not logged yet; reload in a moment."}), st
		}
		return x.notFoundPage("No assembly "+id, "See the list of assemblies at the top of the page.")
	}
	return htmlResponse(http.StatusOK, "assembly", struct {
		pageCommon
		A         assemblyData
		Hemicycle template.HTML
	}{common, data, data.hemicycle()}), st
}
