package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/tally"
)

// routeExport serves the downloads, one consistent snapshot of the tally
// each (read under one lock, so every row is of the same log size, named
// in the ETag and in the X-Log-Size header):
//
//	GET /export/{assembly}/contests.csv         one row per contest and candidate
//	GET /export/{assembly}/stations.csv         one row per station, contest and candidate
//	GET /export/{assembly}/flags.csv            one row per standing flag of the assembly
//	GET /export/flags.csv                       one row per standing flag of the election
//	GET /export/{assembly}/nist-1500-100.json   NIST SP 1500-100 v2 election results (nist.go)
//	GET /export/{assembly}/nist-1500-100.xml    the same report in NIST's XML form
//
// CSV files start with a UTF-8 byte order mark, so that spreadsheet
// programs (Excel) read Urdu names as UTF-8; CSV readers that do not skip
// it see it at the start of the first header.
func (x *site) routeExport(mux *http.ServeMux) {
	x.page(mux, "GET /export/{assembly}/{file}", x.export)
	x.page(mux, "GET /export/flags.csv", x.exportFlags)
}

// utf8BOM starts every CSV download.
const utf8BOM = "\ufeff"

// snapshot is what the exports read: the definition and every contest's
// results with its stations.
type snapshot struct {
	def      *election.Definition
	assembly *election.Assembly
	contests []tally.ContestResult
	stations map[string]tally.StationResult // by ID, the assembly's stations
	flags    []tally.Flag                   // the assembly's standing flags, log order
	applied  uint64
}

func (x *site) snapshotOf(v *tally.View, assembly string) (*snapshot, bool) {
	d := v.Definition()
	if d == nil {
		return nil, false
	}
	a, ok := d.Assembly(assembly)
	if !ok {
		return nil, false
	}
	sn := &snapshot{def: d, assembly: a, stations: map[string]tally.StationResult{}, applied: v.Size(),
		flags: v.Flags(tally.Filter{Assembly: a.ID, AsOf: x.asOf()})}
	for _, c := range v.Contests(x.asOf()) {
		if c.Assembly != assembly {
			continue
		}
		sn.contests = append(sn.contests, c)
		for _, i := range d.StationsOf(c.ID) {
			id := d.Stations[i].ID
			if _, ok := sn.stations[id]; !ok {
				sn.stations[id], _ = v.Station(id)
			}
		}
	}
	return sn, true
}

func (x *site) export(r *http.Request) (*response, state) {
	assembly, file := r.PathValue("assembly"), r.PathValue("file")
	var sn *snapshot
	var ok bool
	st := x.read(func(v *tally.View) { sn, ok = x.snapshotOf(v, assembly) })
	if !ok {
		return textResponse(http.StatusNotFound, "no assembly "+assembly+": GET /api/v1/assemblies lists them"), st
	}
	var body []byte
	var ctype string
	switch file {
	case "contests.csv":
		body, ctype = contestsCSV(sn), "text/csv; charset=utf-8"
	case "stations.csv":
		body, ctype = stationsCSV(sn), "text/csv; charset=utf-8"
	case "flags.csv":
		body, ctype = flagsCSV(sn.flags), "text/csv; charset=utf-8"
	case "nist-1500-100.json", "nist-1500-100.xml":
		encode, err := nistJSON, error(nil)
		if ctype = "application/json"; strings.HasSuffix(file, ".xml") {
			encode, ctype = nistXML, "application/xml"
		}
		if body, err = encode(sn, x.s.Meta.Origin, x.asOf()); err != nil {
			return textResponse(http.StatusInternalServerError, "could not encode the NIST report: "+err.Error()), st
		}
	default:
		return textResponse(http.StatusNotFound, "no such download: the files are contests.csv, stations.csv, flags.csv, nist-1500-100.json and nist-1500-100.xml"), st
	}
	name := strings.ToLower(assembly) + "-" + strconv.FormatUint(sn.applied, 10) + "-" + file
	return &response{status: http.StatusOK, ctype: ctype, body: body, header: map[string]string{
		"Content-Disposition":         `attachment; filename="` + name + `"`,
		"X-Log-Size":                  strconv.FormatUint(sn.applied, 10),
		"Access-Control-Allow-Origin": "*",
	}}, st
}

// cell protects a text cell from spreadsheet formula injection: names are
// written by whoever holds a key, and a cell starting with = + - @ would
// run as a formula in a spreadsheet.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// csvOut writes rows as they are made, so that a download of every
// station costs its bytes, not a table of strings besides (a bytes.Buffer
// does not fail).
type csvOut struct {
	buf bytes.Buffer
	w   *csv.Writer
}

func newCSV(header ...string) *csvOut {
	o := &csvOut{}
	o.buf.WriteString(utf8BOM)
	o.w = csv.NewWriter(&o.buf)
	o.w.Write(header)
	return o
}

func (o *csvOut) row(cells ...string) { o.w.Write(cells) }

func (o *csvOut) bytes() []byte {
	o.w.Flush()
	return o.buf.Bytes()
}

// contestsCSV has one row per contest and candidate.
func contestsCSV(sn *snapshot) []byte {
	out := newCSV("assembly", "region", "contest", "contest_name", "candidate", "candidate_name", "party",
		"sheets", "postal", "readmitted", "votes", "leading", "stations", "stations_in", "log_size",
		"declared_47", "declared_49", "declaration_matches", "seat_status")
	for _, c := range sn.contests {
		// matches is "yes"/"no" for the current declaration (final, else
		// provisional), "" before one; status is contestBrief.Status.
		matches := ""
		if dr := currentDeclaration(&c); dr != nil {
			matches = map[bool]string{true: "yes", false: "no"}[dr.Matches]
		}
		status := briefOf(sn.def, &c).Status
		for _, cand := range c.Candidates {
			leading := "no"
			if len(c.Winners) == 1 && c.Winners[0] == cand.ID {
				leading = "yes"
			} else if c.Tie && contains(c.Winners, cand.ID) {
				leading = "tie"
			}
			out.row(sn.assembly.ID, c.Region, c.ID, cell(c.Name), cand.ID, cell(cand.Name), cand.Party,
				i64(cand.Sheets), i64(cand.Postal), i64(cand.Readmitted), i64(cand.Votes), leading,
				strconv.Itoa(c.Stations), strconv.Itoa(c.StationsIn), strconv.FormatUint(sn.applied, 10),
				declaredVotes(c.Provisional, cand.ID), declaredVotes(c.Final, cand.ID), matches, status)
		}
	}
	return out.bytes()
}

// stationsCSV has one row per station, contest and candidate, from the
// current sheet; a station without a sheet has one row with status
// "missing".
func stationsCSV(sn *snapshot) []byte {
	out := newCSV("assembly", "region", "contest", "station", "registered", "status", "revision", "cast", "rejected",
		"candidate", "candidate_name", "votes", "sheet_index", "sheet_hash", "image_sha256")
	for _, c := range sn.contests {
		dc, _ := sn.def.Contest(c.ID)
		for _, i := range sn.def.StationsOf(c.ID) {
			ds := sn.def.Stations[i]
			var cur *tally.SheetVersion
			status := "missing"
			for _, sc := range sn.stations[ds.ID].Contests {
				if sc.Contest == c.ID && sc.Current != nil {
					cur, status = sc.Current, "in"
					for _, f := range sc.Flags {
						if f.Resolved == 0 {
							status = "flagged"
						}
					}
				}
			}
			if cur == nil {
				out.row(sn.assembly.ID, c.Region, c.ID, ds.ID, i64(ds.Registered), status, "", "", "", "", "", "", "", "", "")
				continue
			}
			for _, vc := range cur.Votes {
				out.row(sn.assembly.ID, c.Region, c.ID, ds.ID, i64(ds.Registered), status,
					i64(cur.Revision), i64(cur.Cast), i64(cur.Rejected), vc.Candidate, cell(candidateName(dc, vc.Candidate)),
					i64(vc.Votes), strconv.FormatUint(cur.Index, 10), cur.Hash, cur.Image)
			}
		}
	}
	return out.bytes()
}

// declaredVotes is a candidate's declared votes in dr, "" without one.
func declaredVotes(dr *tally.DeclarationResult, candidate string) string {
	if dr == nil {
		return ""
	}
	for _, vc := range dr.Votes {
		if vc.Candidate == candidate {
			return i64(vc.Votes)
		}
	}
	return ""
}

// flagsCSV has one row per flag: its kind, severity, where, the log
// indexes of its evidence, and the sentence.
func flagsCSV(flags []tally.Flag) []byte {
	out := newCSV("id", "kind", "severity", "region", "contest", "station", "raised", "resolved", "evidence", "message")
	for _, f := range flags {
		var ev []string
		for _, e := range f.Evidence {
			ev = append(ev, e.Type+"#"+strconv.FormatUint(e.Index, 10))
		}
		resolved := ""
		if f.Resolved != 0 {
			resolved = strconv.FormatUint(f.Resolved, 10)
		}
		out.row(cell(f.ID), f.Kind, string(f.Severity), f.Region, f.Contest, f.Station,
			strconv.FormatUint(f.Raised, 10), resolved, strings.Join(ev, " "), cell(f.Message))
	}
	return out.bytes()
}

// exportFlags serves /export/flags.csv: every standing flag.
func (x *site) exportFlags(r *http.Request) (*response, state) {
	var flags []tally.Flag
	st := x.read(func(v *tally.View) { flags = v.Flags(tally.Filter{AsOf: x.asOf()}) })
	size := strconv.FormatUint(st.applied, 10)
	return &response{status: http.StatusOK, ctype: "text/csv; charset=utf-8", body: flagsCSV(flags), header: map[string]string{
		"Content-Disposition":         `attachment; filename="flags-` + size + `.csv"`,
		"X-Log-Size":                  size,
		"Access-Control-Allow-Origin": "*",
	}}, st
}
