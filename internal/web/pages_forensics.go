package web

import (
	"bytes"
	"cmp"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/tallylog/tallylog/forensics"
	"github.com/tallylog/tallylog/tally"
)

// forensicCharts are the charts of a scope, by file name.
var forensicCharts = map[string]func(t forensics.ChartText, w io.Writer, rep *forensics.Report) error{
	"fingerprint.svg":  forensics.ChartText.WriteFingerprintSVG,
	"turnout.svg":      forensics.ChartText.WriteTurnoutSVG,
	"leader-share.svg": forensics.ChartText.WriteLeaderShareSVG,
}

// chartText is the forensics charts' words in lang: English, or the
// catalogue's phrases (right to left in Urdu).
func chartText(lang string) forensics.ChartText {
	if lang == "en" {
		return forensics.English
	}
	t := forensics.English.Translate(func(s string) string { return tr(lang, s) })
	t.Lang, t.RTL = lang, lang == "ur"
	return t
}

// scopeOf reads /forensics[/{scope}/{id}]: the first assembly by default.
func (x *site) scopeOf(r *http.Request) (scope, id string, ok bool) {
	scope, id = r.PathValue("scope"), r.PathValue("id")
	if scope == "" {
		x.s.Tally.Read(func(v *tally.View) {
			if d := v.Definition(); d != nil && len(d.Assemblies) > 0 {
				scope, id = "assembly", d.Assemblies[0].ID
			}
		})
	}
	return scope, id, scope == "assembly" || scope == "contest"
}

// forensicsPage serves /forensics and /forensics/{assembly|contest}/{id}.
func (x *site) forensicsPage(r *http.Request) (*response, state) {
	scope, id, ok := x.scopeOf(r)
	if !ok {
		return x.notFoundPage(r, "No such screening", "Screenings are at /forensics/assembly/{id} and /forensics/contest/{id}.")
	}
	rep, current, ok := x.report(scope, id)
	if !ok {
		return x.notFoundPage(r, "No "+scope+" "+id, "See the assembly pages for the identifiers.")
	}
	rep = x.scopeIn(langOf(r), rep)
	var common pageCommon
	st := x.read(func(v *tally.View) {
		common = x.common(r, v, tr(langOf(r), "Forensic screening:")+" "+tr(langOf(r), rep.Name))
	})
	var charts []string
	if rep.Report != nil {
		charts = []string{"fingerprint.svg", "turnout.svg", "leader-share.svg"}
	}
	resp := htmlResponse(http.StatusOK, "forensics", struct {
		pageCommon
		R      *scopeReport
		Base   string
		Charts []string
	}{common, rep, langPrefix(r) + "/forensics/" + scope + "/" + id + "/", charts})
	resp.noStore = !current
	return resp, st
}

// forensicsChart serves /forensics/{scope}/{id}/{chart}.svg, and under
// /ur/ the same chart in Urdu.
func (x *site) forensicsChart(r *http.Request) (*response, state) {
	st := x.current()
	draw, ok := forensicCharts[r.PathValue("chart")]
	scope, id, okScope := x.scopeOf(r)
	if !ok || !okScope {
		return textResponse(http.StatusNotFound, "no such chart: the charts are "+strings.Join([]string{"fingerprint.svg", "turnout.svg", "leader-share.svg"}, ", ")), st
	}
	rep, current, ok := x.report(scope, id)
	if !ok || rep.Report == nil {
		return textResponse(http.StatusNotFound, "no screening of "+scope+" "+id+" yet: no station has reported"), st
	}
	var buf bytes.Buffer
	if err := draw(chartText(langOf(r)), &buf, x.scopeIn(langOf(r), rep).Report); err != nil {
		return textResponse(http.StatusInternalServerError, "could not draw the chart: "+err.Error()), st
	}
	return &response{status: http.StatusOK, ctype: "image/svg+xml", body: buf.Bytes(), noStore: !current}, st
}

// scopeIn returns rep in lang: its columns' names (parties of an assembly,
// candidates of a contest), the leader's and a contest's name where the
// definition has them, and its explanations (findings, group reasons, the
// station screen's, station signals) said through the catalogue; rep,
// which the cache shares, is not changed.
func (x *site) scopeIn(lang string, rep *scopeReport) *scopeReport {
	if lang != "ur" || rep.Report == nil {
		return rep
	}
	out := *rep
	local := map[string]string{"Independent": tr(lang, "Independent")}
	x.s.Tally.Read(func(v *tally.View) {
		d := v.Definition()
		if d == nil {
			return
		}
		if rep.Scope == "contest" {
			if c, ok := d.Contest(rep.ID); ok {
				if c.LocalName != "" {
					out.Name = c.ID + " " + c.LocalName
				}
				for _, cd := range c.Candidates {
					local[cd.Name] = cmp.Or(cd.LocalName, cd.Name)
				}
			}
			return
		}
		for _, p := range d.Parties {
			local[p.Name] = cmp.Or(p.LocalName, p.Name)
		}
	})
	fr := *rep.Report
	fr.Candidates = make([]string, len(rep.Report.Candidates))
	for i, n := range rep.Report.Candidates {
		fr.Candidates[i] = cmp.Or(local[n], n)
	}
	fr.Leader = cmp.Or(local[fr.Leader], fr.Leader)
	// say says m, or keeps the English of a report that has no messages
	// (one read back from its JSON).
	say := func(m forensics.Message, english string) string {
		if m.Format == "" {
			return english
		}
		return sayIn(lang, m, local)
	}
	fr.Findings = slices.Clone(fr.Findings)
	for i := range fr.Findings {
		fr.Findings[i].Explanation = say(fr.Findings[i].Message, fr.Findings[i].Explanation)
	}
	fr.Groups = slices.Clone(fr.Groups)
	for i := range fr.Groups {
		g := &fr.Groups[i]
		if len(g.Messages) != len(g.Reasons) {
			continue
		}
		g.Reasons = make([]string, len(g.Messages))
		for j, m := range g.Messages {
			g.Reasons[j] = say(m, "")
		}
	}
	fr.Screen.Top = slices.Clone(fr.Screen.Top)
	for i := range fr.Screen.Top {
		fr.Screen.Top[i].Explanation = say(fr.Screen.Top[i].Message, fr.Screen.Top[i].Explanation)
	}
	fr.Flagged = slices.Clone(fr.Flagged)
	for i := range fr.Flagged {
		f := &fr.Flagged[i]
		f.Signals = slices.Clone(f.Signals)
		for j := range f.Signals {
			f.Signals[j].Explanation = say(f.Signals[j].Message, f.Signals[j].Explanation)
		}
	}
	out.Report = &fr
	return &out
}

// sayIn says a forensics message in lang: its format through the
// catalogue (English when it has no entry), names through local (the
// definition's names in lang; others, such as station and constituency
// identifiers, as they are), nested messages the same way.
func sayIn(lang string, m forensics.Message, local map[string]string) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch a := a.(type) {
		case forensics.Message:
			args[i] = sayIn(lang, a, local)
		case string:
			args[i] = cmp.Or(local[a], a)
		default:
			args[i] = a
		}
	}
	return tr(lang, m.Format, args...)
}
