package web

import (
	"cmp"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"slices"

	"github.com/tallylog/tallylog/auditlog"
	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/tally"
)

// contestOf collects a contest's data.
func (x *site) contestOf(v *tally.View, id string) (contestData, bool) {
	d := v.Definition()
	if d == nil {
		return contestData{}, false
	}
	c, ok := v.Contest(id, x.asOf())
	if !ok {
		return contestData{}, false
	}
	out := contestData{Contest: c, Stations: []stationRow{}, Orders: v.Orders(id)}
	for _, f := range v.Flags(tally.Filter{Contest: id, Resolved: true}) {
		if f.Resolved != 0 {
			out.History = append(out.History, f)
		}
	}
	for _, i := range d.StationsOf(id) {
		ds := d.Stations[i]
		row := stationRow{ID: ds.ID, Name: ds.Name, Registered: ds.Registered, Status: "missing"}
		if sr, ok := v.Station(ds.ID); ok {
			for _, sc := range sr.Contests {
				if sc.Contest != id || sc.Current == nil {
					continue
				}
				cur := sc.Current
				row.Status, row.Revision, row.Cast, row.Rejected, row.Index = "in", cur.Revision, cur.Cast, cur.Rejected, cur.Index
				row.Image = cur.Image
				row.Scan = x.hasImage(cur.Image)
				for _, vc := range cur.Votes {
					row.Votes = append(row.Votes, vc.Votes)
				}
				for _, f := range sc.Flags {
					if f.Resolved == 0 {
						row.Status = "flagged"
						row.Flags = append(row.Flags, f.Kind)
					}
				}
			}
		}
		out.Stations = append(out.Stations, row)
	}
	return out, true
}

// candidateRow is a candidate's line on the contest page.
type candidateRow struct {
	tally.CandidateResult
	PartyInfo partyInfo
	Winner    bool
}

// declarationView sets a declaration beside the logged sheets.
type declarationView struct {
	Title string
	tally.DeclarationResult
	Rows []declRow
	// WinnerChanged is set when the declared winner is not the sheets'.
	WinnerChanged bool
	// DiffZero is set when every declared count equals the sheets'.
	DiffZero      bool
	Declared      []string // declared winners' names
	SheetsWinners []string
}

type declRow struct {
	Name                    string
	Declared, Sheets, Delta int64
	Differs                 bool
}

func candidateName(c *election.Contest, id string) string {
	if i, ok := c.CandidateIndex(id); ok {
		return c.Candidates[i].Name
	}
	return id
}

func names(c *election.Contest, ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, candidateName(c, id))
	}
	return out
}

func declarationOf(c *election.Contest, title string, dr *tally.DeclarationResult) *declarationView {
	if dr == nil {
		return nil
	}
	dv := &declarationView{Title: title, DeclarationResult: *dr, Declared: names(c, dr.Winners), SheetsWinners: names(c, dr.SheetsWinners)}
	for _, df := range dr.Diff {
		dv.Rows = append(dv.Rows, declRow{candidateName(c, df.Candidate), df.Declared, df.Sheets, df.Delta, df.Delta != 0})
	}
	dv.WinnerChanged = !sameSet(dr.Winners, dr.SheetsWinners)
	dv.DiffZero = true
	for _, df := range dr.Diff {
		dv.DiffZero = dv.DiffZero && df.Delta == 0
	}
	return dv
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, s := range a {
		seen[s] = true
	}
	for _, s := range b {
		if !seen[s] {
			return false
		}
	}
	return true
}

// contestPage serves /contest/{id}.
func (x *site) contestPage(r *http.Request) (*response, state) {
	id := r.PathValue("id")
	var (
		data   contestData
		common pageCommon
		def    *election.Contest
		cands  []candidateRow
		found  bool
		// canonical is the contest a loosely typed id names.
		canonical string
		won       bool
		// audit is the contest's risk-limiting audit, if the log holds one.
		audit *auditlog.ContestAudit
	)
	st := x.read(func(v *tally.View) {
		data, found = x.contestOf(v, id)
		if !found {
			if d := v.Definition(); d != nil {
				canonical, _ = resolveContest(d, id)
			}
			return
		}
		d := v.Definition()
		def, _ = d.Contest(id)
		def = inLanguage(def, langOf(r))
		c := data.Contest
		name := c.Name
		if langOf(r) == "ur" && def.LocalName != "" {
			name = def.LocalName
		}
		common = x.common(r, v, c.ID+" "+name)
		won = briefOf(d, &c).Status == "won"
		for _, a := range v.Audits() {
			if a.Contest == c.ID {
				audit = &a
			}
		}
		common.Description = contestDescription(langOf(r), &c, d)
		for _, cr := range c.Candidates {
			row := candidateRow{CandidateResult: cr, PartyInfo: partyOf(d, cr.Party)}
			row.Winner = !c.Tie && len(c.Winners) == 1 && c.Winners[0] == cr.ID
			cands = append(cands, row)
		}
	})
	if !found && canonical != "" {
		return redirectTo(langPrefix(r) + "/contest/" + canonical), st
	}
	if !found {
		return x.notFoundPage(r, "No constituency "+id, "Constituency identifiers look like NA-57; see the assembly pages for the list.")
	}
	scans := 0
	for _, sr := range data.Stations {
		if sr.Scan {
			scans++
		}
	}
	var bars []bar
	for _, c := range cands {
		name := c.Name
		if common.Lang == "ur" && c.LocalName != "" {
			name = c.LocalName
		}
		bars = append(bars, bar{Label: c.PartyInfo.Symbol + " · " + name, Value: c.Votes, Color: c.PartyInfo.Color, Shape: c.PartyInfo.Shape, Mark: c.Winner})
	}
	c := data.Contest
	return htmlResponse(http.StatusOK, "contest", struct {
		pageCommon
		C           contestData
		Candidates  []candidateRow
		Chart       template.HTML
		Provisional *declarationView
		Final       *declarationView
		Names       []string
		ScanCount   int
		Won         bool
		// LocalName is the constituency's name in Urdu, if any.
		LocalName string
		Audit     *auditlog.ContestAudit
	}{common, data, cands, barsSVG(tr(common.Lang, "Votes per candidate, %s", c.ID), bars),
		declarationOf(def, "Provisional result (Form-47)", c.Provisional),
		declarationOf(def, "Final result (Form-49)", c.Final), names(def, candidateIDs(def)), scans, won, def.LocalName, audit}), st
}

// inLanguage returns c with its candidates named in lang: on the Urdu
// pages, by their Urdu names where the definition has them, so that every
// table that names them (declared vs sheets, versions, copies) does. The
// definition itself is not changed.
func inLanguage(c *election.Contest, lang string) *election.Contest {
	if c == nil || lang != "ur" {
		return c
	}
	out := *c
	out.Candidates = slices.Clone(c.Candidates)
	for i := range out.Candidates {
		if l := out.Candidates[i].LocalName; l != "" {
			out.Candidates[i].Name = l
		}
	}
	return &out
}

func candidateIDs(c *election.Contest) []string {
	var ids []string
	for _, cd := range c.Candidates {
		ids = append(ids, cd.ID)
	}
	return ids
}

// hasImage reports whether the server holds the scan with this SHA-256.
func (x *site) hasImage(hash string) bool {
	if !hexHash.MatchString(hash) {
		return false
	}
	_, err := os.Stat(filepath.Join(x.s.Dir.ImagesDir(), hash))
	return err == nil
}

// contestDescriptionMessages are the formats of contestDescription, each
// with its entry in the Urdu catalogue (TestUrduCatalogue checks them).
var contestDescriptionMessages = []string{
	"%s %s: %d of %d stations in", "; %s %s (%s) by %s votes",
	"; the declared result disagrees with the logged sheets", ".",
}

// contestDescription is a contest's one-line summary for share cards, in
// lang with the contest's, candidate's and party's names in lang where
// the definition has them.
func contestDescription(lang string, c *tally.ContestResult, d *election.Definition) string {
	b := briefOf(d, c)
	name, leader, party := c.Name, b.LeaderName, b.LeaderParty.Name
	if lang == "ur" {
		name = cmp.Or(b.LocalName, name)
		party = cmp.Or(b.LeaderParty.LocalName, party)
		if def, ok := d.Contest(c.ID); ok {
			for _, cd := range def.Candidates {
				if cd.ID == b.Leader {
					leader = cmp.Or(cd.LocalName, leader)
				}
			}
		}
	}
	s := tr(lang, "%s %s: %d of %d stations in", c.ID, name, c.StationsIn, c.Stations)
	if b.Leader != "" {
		s += tr(lang, "; %s %s (%s) by %s votes", tr(lang, b.Status), leader, party, formatCount(c.Margin))
	}
	if b.Disputed {
		s += tr(lang, "; the declared result disagrees with the logged sheets")
	}
	return s + tr(lang, ".")
}
