package web

import (
	"net/http"

	"github.com/tallylog/tallylog/auditlog"
	"github.com/tallylog/tallylog/docs"
	"github.com/tallylog/tallylog/tally"
)

// The risk-limiting audits the log holds (docs/audit.md): for each audited
// contest its commitment, seed, rounds, the stations drawn and counted,
// the risk measured and the decision.
//
//	GET /audits          the page
//	GET /api/v1/audits   the same as JSON
func (x *site) routeAudits(mux *http.ServeMux) {
	x.htmlPage(mux, "GET /audits", x.auditsPage)
	x.page(mux, "GET /api/v1/audits", x.apiAudits)
}

// auditsData is the audits page and its API answer.
type auditsData struct {
	Audits []auditView `json:"audits"`
}

// auditView is one contest's audit with its contest's name.
type auditView struct {
	auditlog.ContestAudit
	Name      string `json:"name,omitempty"`
	LocalName string `json:"local_name,omitempty"`
	// Drawn counts the draws, Pending those not counted yet.
	Drawn   int `json:"drawn"`
	Pending int `json:"pending"`
}

// auditsOf collects every audit, in definition order.
func auditsOf(v *tally.View) auditsData {
	out := auditsData{Audits: []auditView{}}
	d := v.Definition()
	for _, a := range v.Audits() {
		av := auditView{ContestAudit: a, Drawn: len(a.Draws)}
		if d != nil {
			if c, ok := d.Contest(a.Contest); ok {
				av.Name, av.LocalName = c.Name, c.LocalName
			}
		}
		for _, dr := range a.Draws {
			if !dr.Counted {
				av.Pending++
			}
		}
		out.Audits = append(out.Audits, av)
	}
	return out
}

func (x *site) auditsPage(r *http.Request) (*response, state) {
	var (
		data   auditsData
		common pageCommon
	)
	st := x.read(func(v *tally.View) { data, common = auditsOf(v), x.common(r, v, "Audits") })
	return htmlResponse(http.StatusOK, "audits", struct {
		pageCommon
		D auditsData
	}{common, data}), st
}

func (x *site) apiAudits(r *http.Request) (*response, state) {
	var data auditsData
	st := x.read(func(v *tally.View) { data = auditsOf(v) })
	return jsonResponse(http.StatusOK, data), st
}

// serveAPIDoc serves the read API's reference (docs/api.md) as Markdown.
func serveAPIDoc(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(docs.API)
}
