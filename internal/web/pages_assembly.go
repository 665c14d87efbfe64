package web

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/tally"
)

// provinceContests is one region's contests on the assembly page.
type provinceContests struct {
	Region            string
	Contests          []contestBrief
	Disputed, Flagged int
	// Open is set when the assembly has a single region: there is nothing
	// to choose from.
	Open bool
}

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
	out := assemblyData{Assembly: a.ID, Name: a.Name, Seats: tableSeats(a), Disputed: []disputedSeat{}}
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
	scans := x.scansOf(v)
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
		b := briefOf(d, &c)
		b.Scans = scans[c.ID]
		rp.Scans += b.Scans
		out.Scans += b.Scans
		out.Contests = append(out.Contests, b)
		if ds, ok := disputeOf(d, &c); ok {
			out.Disputed = append(out.Disputed, ds)
		}
		switch b.Status {
		case "won":
			out.Won++
		case "leading":
			out.Leading++
		}
	}
	out.Projection = out.Won < len(out.Contests)
	for _, ds := range out.Disputed {
		if ds.WinnerChanged {
			out.DisputedWinners++
		}
	}
	// Disputes that change the winner first, then the most votes moved.
	slices.SortStableFunc(out.Disputed, func(p, q disputedSeat) int {
		if p.WinnerChanged != q.WinnerChanged {
			if p.WinnerChanged {
				return -1
			}
			return 1
		}
		return cmp.Compare(q.Moved, p.Moved)
	})
	won, disputed := map[string]int{}, map[string]int{}
	for _, b := range out.Contests {
		if b.Status == "won" {
			won[b.SeatParty]++
		}
		if b.Disputed && b.Status != "tie" && b.Status != "none" {
			disputed[b.SeatParty]++
		}
	}
	for i := range out.Parties {
		p := &out.Parties[i]
		key := p.ID
		if key == "independent" {
			key = ""
		}
		p.Won = min(won[key], p.General)
		p.Leading = p.General - p.Won
		p.Disputed = min(disputed[key], p.General)
	}
	flags := v.Flags(tally.Filter{Assembly: a.ID, AsOf: asOf})
	slices.Reverse(flags)
	slices.SortStableFunc(flags, func(p, q tally.Flag) int {
		return cmp.Compare(severityRank(p.Severity), severityRank(q.Severity))
	})
	out.LatestFlags = flags[:min(len(flags), latestFlags)]
	return out, true
}

// currentDeclaration is the declaration a contest's result rests on: the
// final one if any, else the provisional one.
func currentDeclaration(c *tally.ContestResult) *tally.DeclarationResult {
	if c.Final != nil {
		return c.Final
	}
	return c.Provisional
}

// disputeOf reports whether c's current declaration disagrees with the
// logged sheets, and how.
func disputeOf(d *election.Definition, c *tally.ContestResult) (disputedSeat, bool) {
	dr := currentDeclaration(c)
	if dr == nil || dr.Matches {
		return disputedSeat{}, false
	}
	def, _ := d.Contest(c.ID)
	ds := disputedSeat{Contest: c.ID, Name: c.Name, Region: c.Region, Form: dr.Form, Index: dr.Index,
		WinnerChanged: !sameSet(dr.Winners, dr.SheetsWinners), DisputedBy: dr.Disputed}
	if def != nil {
		ds.LocalName = def.LocalName
		ds.Declared, ds.Sheets = names(def, dr.Winners), names(def, dr.SheetsWinners)
		ds.declaredIDs, ds.sheetsIDs = dr.Winners, dr.SheetsWinners
	}
	for _, df := range dr.Diff {
		if df.Delta > 0 {
			ds.Moved += df.Delta
		}
		if len(dr.Winners) > 0 && df.Candidate == dr.Winners[0] {
			ds.DeclaredVotes = df.Declared
		}
		if len(dr.SheetsWinners) > 0 && df.Candidate == dr.SheetsWinners[0] {
			ds.SheetsVotes = df.Sheets
		}
	}
	return ds, true
}

// groupByRegion groups contests by region, in order of first appearance.
func groupByRegion(cs []contestBrief) []provinceContests {
	var out []provinceContests
	at := map[string]int{}
	for _, c := range cs {
		i, ok := at[c.Region]
		if !ok {
			i = len(out)
			at[c.Region] = i
			out = append(out, provinceContests{Region: c.Region})
		}
		p := &out[i]
		p.Contests = append(p.Contests, c)
		if c.Disputed {
			p.Disputed++
		}
		if c.Flags > 0 {
			p.Flagged++
		}
	}
	if len(out) == 1 {
		out[0].Open = true
	}
	return out
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
		Tie: c.Tie, Margin: c.Margin, LeaderParty: partyInfo{}, Status: "none"}
	if def, ok := d.Contest(c.ID); ok {
		b.LocalName = def.LocalName
	}
	if len(c.Winners) == 1 {
		for _, cand := range c.Candidates {
			if cand.ID == c.Winners[0] {
				b.Leader, b.LeaderName, b.LeaderParty, b.SeatParty = cand.ID, cand.Name, partyOf(d, cand.Party), cand.Party
			}
		}
		if b.SeatParty == "" {
			for _, af := range c.Affiliations {
				if af.Candidate == b.Leader {
					b.SeatParty = af.Party
				}
			}
		}
	}
	if dr := currentDeclaration(c); dr != nil && !dr.Matches {
		b.Disputed = true
	}
	switch {
	case c.Tie:
		b.Status = "tie"
	case b.Leader == "":
	case c.Stations > 0 && c.StationsIn == c.Stations && !b.Disputed:
		b.Status = "won"
	default:
		b.Status = "leading"
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

// hemicycle draws the assembly's seats, its words in lang.
func (a *assemblyData) hemicycle(lang string) template.HTML {
	groups, lines := a.seatGroups(lang)
	return hemicycleSVGLabelled(tr(lang, a.Name)+": "+tr(lang, "seats by party"), tr(lang, "%d seats"), groups, lines)
}

// seatGroups are the assembly's seats by party and state, and its
// majority lines, as the hemicycle and the share card draw them.
func (a *assemblyData) seatGroups(lang string) ([]seatGroup, []seatLine) {
	var groups []seatGroup
	reserved := seatWon
	if a.Projection {
		reserved = seatProjected
	}
	for _, p := range a.Parties {
		name := p.Name
		if lang == "ur" && p.LocalName != "" {
			name = p.LocalName
		}
		g := seatGroup{ID: p.ID, Label: p.Symbol + " " + name, Color: p.Color, Shape: p.Shape, Seats: p.Total}
		led := p.Leading - p.Disputed
		g.Runs = []seatRun{{seatWon, p.Won}, {seatLeading, led}, {seatDisputed, p.Disputed},
			{reserved, p.Total - p.Won - led - p.Disputed}}
		groups = append(groups, g)
	}
	if a.Unfilled > 0 {
		groups = append(groups, seatGroup{ID: "unfilled", Label: tr(lang, "Not yet filled"), Color: colorUnfilled, Seats: a.Unfilled, Hollow: true})
	}
	lines := []seatLine{
		{a.Simple, tr(lang, "%s for a majority", formatCount(a.Simple))},
		{a.TwoThirds, tr(lang, "%s for two-thirds", formatCount(a.TwoThirds))},
	}
	return groups, lines
}

// assemblyPage serves / and /assembly/{id}.
func (x *site) assemblyPage(r *http.Request) (*response, state) {
	id := r.PathValue("id")
	var data assemblyData
	var common pageCommon
	found := false
	st := x.read(func(v *tally.View) {
		data, found = x.assemblyOf(v, id)
		common = x.common(r, v, data.Name)
		if d := v.Definition(); found && common.Lang != "en" {
			for i := range data.Disputed {
				ds := &data.Disputed[i]
				if c, ok := d.Contest(ds.Contest); ok {
					c = inLanguage(c, common.Lang)
					ds.Declared, ds.Sheets = names(c, ds.declaredIDs), names(c, ds.sheetsIDs)
				}
			}
		}
	})
	if !found {
		if id == "" {
			return htmlResponse(http.StatusServiceUnavailable, "notfound", struct {
				pageCommon
				What, Hint string
			}{common, "No results yet", "The election's definition is not logged yet; reload in a moment."}), st
		}
		return x.notFoundPage(r, "No assembly "+id, "See the list of assemblies at the top of the page.")
	}
	return htmlResponse(http.StatusOK, "assembly", struct {
		pageCommon
		A         assemblyData
		Hemicycle template.HTML
		// Provinces groups the contests by region, for the page only.
		Provinces []provinceContests
	}{common, data, data.hemicycle(common.Lang), groupByRegion(data.Contests)}), st
}
