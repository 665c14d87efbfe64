package evidence

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// reportInput is everything report.html depends on. Build and Verify fill
// it from the pack's own files, so that Verify recomputes the report and
// insists on the same bytes.
type reportInput struct {
	Contest    string
	Checkpoint checkpoint
	SinceSize  uint64
	Images     map[string]bool // image hash -> present in the pack
}

// report is the data report.html is rendered from.
type report struct {
	Origin, Election, Title string
	Contest, ContestName    string
	TreeSize                uint64
	Root                    string
	Signers                 []string
	SinceSize               uint64
	Candidates              []tally.CandidateResult
	Stations, StationsIn    int
	Findings                []Statement
	Rows                    []recordRow
	Missing                 []string // images named but not in the pack
}

type recordRow struct {
	Index               uint64
	Type, Signer, Dated string
	Hash, About, Image  string
	ImagePresent        bool
}

// buildReport computes the findings and the record table.
func buildReport(r *replayed, in reportInput) (*report, []Statement, error) {
	rep := &report{Origin: in.Checkpoint.Origin, Election: r.header.Election, Contest: in.Contest,
		TreeSize: in.Checkpoint.Size, Root: in.Checkpoint.Root.String(), Signers: in.Checkpoint.Signers, SinceSize: in.SinceSize}
	var c tally.ContestResult
	var stations []tally.StationResult
	var ok bool
	r.T.Read(func(v *tally.View) {
		def := v.Definition()
		if def == nil {
			return
		}
		rep.Title = def.Title
		if c, ok = v.Contest(in.Contest, noClock); !ok {
			return
		}
		for _, si := range def.StationsOf(in.Contest) {
			if st, found := v.Station(def.Stations[si].ID); found {
				stations = append(stations, st)
			}
		}
	})
	if !ok {
		return nil, nil, fmt.Errorf("the pack's definition has no contest %s", in.Contest)
	}
	rep.ContestName, rep.Candidates, rep.Stations, rep.StationsIn = c.Name, c.Candidates, c.Stations, c.StationsIn
	rep.Findings = statements(r, c, stations)
	for _, img := range r.namedImages() {
		if !in.Images[img.Hash] {
			rep.Missing = append(rep.Missing, fmt.Sprintf("image missing for %s (the %s at index %d names %s)", img.Station, img.Type, img.Index, img.Hash))
		}
	}
	for _, rec := range r.recs {
		row := recordRow{Index: rec.Index, Type: rec.Env.Record.Type(), Signer: rec.Env.KeyName, Dated: dated(rec.Env.Record), Hash: rec.Env.HashHex()}
		switch x := rec.Env.Record.(type) {
		case *record.Sheet:
			row.About, row.Image = fmt.Sprintf("%s revision %d", x.Station, x.Revision), x.Image
		case *record.Attestation:
			row.About, row.Image = x.Station+" "+x.Kind, x.Image
		case *record.Declaration:
			row.About = fmt.Sprintf("form %d", x.Form)
		case *record.DefinitionPart:
			row.About = fmt.Sprintf("part %d", x.Part)
		case *record.Keys:
			row.About = fmt.Sprintf("%d grants, %d revocations", len(x.Grants), len(x.Revoke))
		}
		row.ImagePresent = row.Image != "" && in.Images[row.Image]
		rep.Rows = append(rep.Rows, row)
	}
	return rep, rep.Findings, nil
}

// render writes report.html: one file, no scripts, no network, links only
// to the pack's own files (which open once the zip is extracted).
func (rep *report) render() []byte {
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, rep); err != nil {
		panic(err) // the template and its data are fixed
	}
	return b.Bytes()
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"rec":   recordPath,
	"proof": proofPath,
	"img":   imagePath,
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self'">
<title>Evidence: {{.Contest}} {{.ContestName}}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
.grave{border-left:6px solid #900;padding-left:8px}.high{border-left:6px solid #d60;padding-left:8px}
.medium{border-left:6px solid #db0;padding-left:8px}.low,.info{border-left:6px solid #aaa;padding-left:8px}
code{font-size:12px;word-break:break-all}:target{background:#ffc}
</style></head><body>
<h1>Evidence pack: {{.Contest}}{{with .ContestName}} ({{.}}){{end}}</h1>
<p>{{.Title}} — election <code>{{.Election}}</code>, log <code>{{.Origin}}</code>.</p>
<p>Every record below is in the log: its inclusion proof (in <code>proofs/</code>) ties it to the checkpoint of
tree size {{.TreeSize}}, root <code>{{.Root}}</code>, signed by {{range $i, $s := .Signers}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}.
{{if .SinceSize}}A consistency proof shows that the older checkpoint of size {{.SinceSize}} is a prefix of it.{{end}}
Check it offline with <code>tallylog verify-evidence PACK.zip --log-key KEY</code>. The log orders records; it has no clock:
"dated" is the time the signer wrote in the record.</p>

<h2>Results from the logged sheets</h2>
<p>{{.StationsIn}} of {{.Stations}} stations have a logged sheet.</p>
<table><tr><th>candidate</th><th>name</th><th>party</th><th>votes on the sheets</th></tr>
{{range .Candidates}}<tr><td>{{.ID}}</td><td>{{.Name}}</td><td>{{.Party}}</td><td>{{.Sheets}}</td></tr>
{{end}}</table>

<h2>Findings</h2>
{{range .Findings}}<p class="{{.Severity}}">{{.Text}}<br><small>Records:{{range .Evidence}} <a href="#r{{.}}">{{.}}</a>{{end}}</small></p>
{{else}}<p>No finding.</p>{{end}}
{{if .Missing}}<h2>Not in this pack</h2><ul>{{range .Missing}}<li>{{.}}</li>{{end}}</ul>{{end}}

<h2>Records</h2>
<table><tr><th>index</th><th>type</th><th>about</th><th>signed by</th><th>dated</th><th>record hash</th><th>files</th></tr>
{{range .Rows}}<tr id="r{{.Index}}"><td>{{.Index}}</td><td>{{.Type}}</td><td>{{.About}}</td><td>{{.Signer}}</td><td>{{.Dated}}</td><td><code>{{.Hash}}</code></td>
<td><a href="{{rec .Index}}">record</a> <a href="{{proof .Index}}">proof</a>{{if .Image}} {{if .ImagePresent}}<a href="{{img .Image}}">scan</a>{{else}}scan not in pack{{end}}{{end}}</td></tr>
{{end}}</table>
</body></html>
`))
