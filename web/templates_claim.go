package web

import (
	"bytes"
	"html/template"
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
}

type claimCandidate struct{ ID, Name string }

// handleClaimPage serves the form (GET) and its answer (POST). Choosing a
// station (?station=ID) lists its contests and candidates.
func (s *Server) handleClaimPage(w http.ResponseWriter, r *http.Request) {
	p := &claimPage{}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		c, err := readClaim(w, r)
		if err == nil {
			p.Answer, err = s.checkClaim(c)
		}
		if c != nil {
			p.Station, p.Contest = c.Station, c.Contest
		}
		if err != nil {
			ce := asClaimError(err)
			status, p.Error = ce.Status, ce.Msg
		}
	} else {
		p.Station, p.Contest = strings.TrimSpace(r.URL.Query().Get("station")), r.URL.Query().Get("contest")
	}
	if p.Station != "" {
		s.Tally.Read(func(v *tally.View) { fillClaimForm(v, p) })
	}
	var b bytes.Buffer
	if err := claimTemplate.Execute(&b, p); err != nil {
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// fillClaimForm lists the station's contests and, for the chosen one (or
// the only one), its candidates.
func fillClaimForm(v *tally.View, p *claimPage) {
	st, ok := v.Station(p.Station)
	def := v.Definition()
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

var claimTemplate = template.Must(template.New("claim").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Is this sheet real? — tallylog</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48em;margin:2em auto;padding:0 1em}
label{display:block;margin:.4em 0}.same{color:#060}.different{color:#900}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style>
</head><body>
<p><a href="/">results</a></p>
<h1>Is this sheet real?</h1>
<p>Choose the polling station, then type the numbers you saw or upload the photograph (JPEG, PNG, WebP or PDF, at most 10 MiB).
The answer compares them with the log. Nothing you send is stored, and nothing you send changes the results.</p>
{{with .Error}}<p class="different"><strong>{{.}}</strong></p>{{end}}
<form method="get" action="/claim">
<label>Station <input name="station" value="{{.Station}}" placeholder="NA-57/PS-112" required></label>
{{if .Contests}}<label>Contest <select name="contest">{{range .Contests}}<option{{if eq . $.Contest}} selected{{end}}>{{.}}</option>{{end}}</select></label>{{end}}
<button>Choose</button></form>
{{if .Candidates}}
<form method="post" action="/claim" enctype="multipart/form-data">
<input type="hidden" name="station" value="{{.Station}}"><input type="hidden" name="contest" value="{{.Contest}}">
{{range .Candidates}}<label>{{.ID}} {{.Name}} <input name="votes.{{.ID}}" inputmode="numeric" pattern="[0-9]*"></label>{{end}}
<label>Photograph <input type="file" name="image" accept="image/jpeg,image/png,image/webp,application/pdf"></label>
<button>Check</button></form>
{{end}}
{{with .Answer}}
<h2 class="{{if eq .Verdict "different"}}different{{else}}same{{end}}">{{.Verdict}}</h2>
<p>{{.Message}}</p>
{{if .Differences}}<table><tr><th>candidate</th><th>you saw</th><th>logged</th></tr>
{{range .Differences}}<tr><td>{{index $.Answer.Names .Candidate}} ({{.Candidate}})</td><td>{{.Declared}}</td><td>{{.Sheets}}</td></tr>{{end}}</table>{{end}}
{{with .Scan}}<figure><img src="{{.}}" alt="The logged scan of this sheet" style="max-width:100%"><figcaption>The logged scan of the sheet, to set beside your photograph.</figcaption></figure>{{end}}
{{with .Submit}}<p>{{.}}</p>{{end}}
<h3>Logged versions of this sheet</h3>
<table><tr><th>index</th><th>revision</th><th>signed by</th><th>dated</th><th>votes</th><th>scan</th><th></th></tr>
{{range .Versions}}<tr><td>{{.Index}}</td><td>{{.Revision}}</td><td>{{.Signer}}</td><td>{{.Captured}}</td>
<td>{{range .Votes}}{{.Candidate}}: {{.Votes}} {{end}}</td><td>{{with .Image}}<a href="/images/{{.}}">scan</a>{{end}}</td><td>{{if .Current}}counted{{end}}</td></tr>{{end}}</table>
{{if .Attestations}}<h3>Attestations</h3><ul>{{range .Attestations}}<li>{{.Kind}} by {{.Signer}}, index {{.Index}}, dated {{.Captured}}{{if .Agrees}}: agrees{{else}}: does not agree{{end}}</li>{{end}}</ul>{{end}}
<p><a href="/api/v1/evidence/{{.Contest}}">Download the evidence pack of {{.Contest}}</a></p>
{{end}}
</body></html>
`))
