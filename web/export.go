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
//	GET /export/{assembly}/nist-1500-100.json   NIST SP 1500-100 v2 election results (nist.go)
func (x *site) routeExport(mux *http.ServeMux) {
	x.page(mux, "GET /export/{assembly}/{file}", x.export)
}

// snapshot is what the exports read: the definition and every contest's
// results with its stations.
type snapshot struct {
	def      *election.Definition
	assembly *election.Assembly
	contests []tally.ContestResult
	stations map[string]tally.StationResult // by ID, the assembly's stations
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
	sn := &snapshot{def: d, assembly: a, stations: map[string]tally.StationResult{}, applied: v.Size()}
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
	case "nist-1500-100.json":
		var err error
		body, err = nistJSON(sn, x.s.Meta.Origin, x.asOf())
		if err != nil {
			return textResponse(http.StatusInternalServerError, "could not encode the NIST report: "+err.Error()), st
		}
		ctype = "application/json"
	default:
		return textResponse(http.StatusNotFound, "no such download: the files are contests.csv, stations.csv and nist-1500-100.json"), st
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
		"sheets", "postal", "readmitted", "votes", "leading", "stations", "stations_in", "log_size")
	for _, c := range sn.contests {
		for _, cand := range c.Candidates {
			leading := "no"
			if len(c.Winners) == 1 && c.Winners[0] == cand.ID {
				leading = "yes"
			} else if c.Tie && contains(c.Winners, cand.ID) {
				leading = "tie"
			}
			out.row(sn.assembly.ID, c.Region, c.ID, cell(c.Name), cand.ID, cell(cand.Name), cand.Party,
				i64(cand.Sheets), i64(cand.Postal), i64(cand.Readmitted), i64(cand.Votes), leading,
				strconv.Itoa(c.Stations), strconv.Itoa(c.StationsIn), strconv.FormatUint(sn.applied, 10))
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
