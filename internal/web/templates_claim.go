package web

import (
	"net/http"
	"strings"

	"github.com/tallylog/tallylog/tally"
)

// claimPage is the data of the claim checker's page.
type claimPage struct {
	Station, Contest string
	Contests         []string
	Candidates       []claimCandidate
	Answer           *ClaimAnswer
	Error            string
	// Message and Submit are the answer's in the page's language.
	Message, Submit string
}

type claimCandidate struct{ ID, Name string }

// claimGet renders the form: choosing a station (?station=ID) lists its
// contests and candidates. It is a page like the others, on the shared
// layout and cached per state.
func (x *site) claimGet(r *http.Request) (*response, state) {
	p := &claimPage{Station: strings.TrimSpace(r.URL.Query().Get("station")), Contest: r.URL.Query().Get("contest")}
	return x.claimRender(r, http.StatusOK, p)
}

// claimPost checks a claim posted from the form and renders the answer,
// never cached: it depends on what was posted.
func (x *site) claimPost(w http.ResponseWriter, r *http.Request) {
	p := &claimPage{}
	status := http.StatusOK
	c, err := x.s.readClaim(w, r)
	if err == nil {
		p.Answer, err = x.s.checkClaim(c)
	}
	if c != nil {
		p.Station, p.Contest = c.Station, c.Contest
	}
	if p.Answer != nil { // the station and contest as the answer resolved them
		p.Station, p.Contest = p.Answer.Station, p.Answer.Contest
		p.Message, p.Submit = sentencesIn(langOf(r), p.Answer.message), sentencesIn(langOf(r), p.Answer.submit)
	}
	if err != nil {
		ce := asClaimError(err)
		status, p.Error = ce.Status, ce.Msg
	}
	resp, _ := x.claimRender(r, status, p)
	resp.noStore = true
	resp.write(w, r)
}

// claimRender fills the form's choices from the tally and renders the page.
func (x *site) claimRender(r *http.Request, status int, p *claimPage) (*response, state) {
	var common pageCommon
	st := x.read(func(v *tally.View) {
		common = x.common(r, v, "Is this sheet real?")
		if p.Station != "" {
			fillClaimForm(v, p)
		}
	})
	return htmlResponse(status, "claim", struct {
		pageCommon
		D *claimPage
	}{common, p}), st
}

// fillClaimForm lists the station's contests and, for the chosen one (or
// the only one), its candidates.
func fillClaimForm(v *tally.View, p *claimPage) {
	def := v.Definition()
	if def != nil { // in any case, as the answer and the API take it
		if id, found := resolveStation(def, p.Station); found {
			p.Station = id
		}
	}
	st, ok := v.Station(p.Station)
	if !ok || def == nil {
		if p.Error == "" {
			p.Error = "there is no polling station " + p.Station + " in this election: check the station ID"
		}
		return
	}
	for _, sc := range st.Contests {
		p.Contests = append(p.Contests, sc.Contest)
	}
	if p.Contest == "" && len(p.Contests) == 1 {
		p.Contest = p.Contests[0]
	}
	if c, ok := def.Contest(p.Contest); ok {
		for _, cand := range c.Candidates {
			p.Candidates = append(p.Candidates, claimCandidate{cand.ID, cand.Name})
		}
	}
}
