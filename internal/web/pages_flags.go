package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tallylog/tallylog/tally"
)

// KindForensic selects forensic screening signals on the flags page and in
// the flags API, beside the tally's kinds.
const KindForensic = "forensic"

// flagsPerPage bounds one page of flags.
const flagsPerPage = 50

// flagQuery is a parsed flags filter.
type flagQuery struct {
	Kind, Region, Severity, Assembly, Contest string
	Resolved                                  bool
	Page                                      int // 1-based
}

// parseFlagQuery reads the filter; unknown values are errors that say what
// is accepted.
func parseFlagQuery(q url.Values) (flagQuery, error) {
	f := flagQuery{Kind: q.Get("kind"), Region: q.Get("region"), Severity: q.Get("severity"),
		Assembly: q.Get("assembly"), Contest: q.Get("contest"), Resolved: q.Get("resolved") == "1", Page: 1}
	if f.Kind != "" && f.Kind != KindForensic && !contains(tally.Kinds, f.Kind) {
		return f, fmt.Errorf("unknown kind %q: use one of %s, %s", f.Kind, strings.Join(tally.Kinds, ", "), KindForensic)
	}
	switch tally.Severity(f.Severity) {
	case "", tally.Grave, tally.High, tally.Medium, tally.Low:
	default:
		return f, fmt.Errorf("unknown severity %q: use grave, high, medium or low", f.Severity)
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			return f, fmt.Errorf("page must be a number from 1")
		}
		f.Page = n
	}
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// flagsOf selects the flags of the query: the tally's, then the forensic
// signals of each assembly's screening, said in lang (the API's in "en").
func (x *site) flagsOf(q flagQuery, lang string) (flagsData, bool, state) {
	var rows []flagRow
	var assemblies []string
	regionOf := map[string]string{}
	st := x.read(func(v *tally.View) {
		d := v.Definition()
		if d == nil {
			return
		}
		for _, a := range d.Assemblies {
			if q.Assembly == "" || q.Assembly == a.ID {
				assemblies = append(assemblies, a.ID)
			}
		}
		for _, c := range d.Contests {
			regionOf[c.ID] = c.Region
		}
		if q.Kind == KindForensic {
			return
		}
		for _, f := range v.Flags(tally.Filter{Kind: q.Kind, Assembly: q.Assembly, Contest: q.Contest,
			Severity: tally.Severity(q.Severity), Resolved: q.Resolved, AsOf: x.asOf()}) {
			if q.Region == "" || f.Region == q.Region {
				rows = append(rows, flagRow{Flag: f})
			}
		}
	})
	current := true
	var forensicsAt uint64
	// A snapshot (snapshot.go) lists the tally's flags only: the forensic
	// screening is of the live log.
	if (q.Kind == "" || q.Kind == KindForensic) && x.snap == nil {
		if q.Severity == "" || q.Severity == string(tally.Low) {
			for _, a := range assemblies {
				rep, cur, _ := x.report("assembly", a)
				current = current && cur
				forensicsAt = rep.Applied
				if rep.Report == nil {
					continue
				}
				rep = x.scopeIn(lang, rep)
				for _, sf := range rep.Report.Flagged {
					if q.Contest != "" && sf.Group != q.Contest || q.Region != "" && regionOf[sf.Group] != q.Region {
						continue
					}
					var why []string
					for _, sig := range sf.Signals {
						why = append(why, sig.Explanation)
					}
					sep := "; "
					if lang == "ur" {
						sep = "؛ "
					}
					rows = append(rows, flagRow{Forensic: true, Score: sf.Score,
						Flag: tally.Flag{ID: "forensic/" + a + "/" + sf.ID, Kind: KindForensic, Severity: tally.Low,
							Contest: sf.Group, Region: regionOf[sf.Group], Station: sf.ID,
							Message: strings.Join(why, sep) + " (" + tr(lang, rep.Report.Caveat) + ")", Evidence: []tally.Evidence{}}})
				}
			}
		}
	}
	out := flagsData{Total: len(rows), Page: q.Page, PerPage: flagsPerPage, Flags: []flagRow{}, ForensicsApplied: forensicsAt}
	from := (q.Page - 1) * flagsPerPage
	if from < len(rows) {
		out.Flags = rows[from:min(from+flagsPerPage, len(rows))]
	}
	return out, current, st
}

// ScopeLink is the page that explains a forensic signal's screening: its
// assembly's (the signal's ID is forensic/<assembly>/<station>).
func (f flagRow) ScopeLink() string {
	a, _, _ := strings.Cut(strings.TrimPrefix(f.ID, "forensic/"), "/")
	return "/forensics/assembly/" + a
}

// flagsPage serves /flags.
func (x *site) flagsPage(r *http.Request) (*response, state) {
	q, err := parseFlagQuery(r.URL.Query())
	if err != nil {
		return x.notFoundPage(r, "Cannot filter the flags", err.Error())
	}
	data, current, st := x.flagsOf(q, langOf(r))
	var common pageCommon
	var regions []string
	x.read(func(v *tally.View) {
		common = x.common(r, v, "Flags")
		if d := v.Definition(); d != nil {
			seen := map[string]bool{}
			for _, c := range d.Contests {
				if !seen[c.Region] {
					seen[c.Region] = true
					regions = append(regions, c.Region)
				}
			}
		}
	})
	pages := (data.Total + flagsPerPage - 1) / flagsPerPage
	link := func(page int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(page))
		return "/flags?" + v.Encode()
	}
	var prev, next string
	if q.Page > 1 {
		prev = link(q.Page - 1)
	}
	if q.Page < pages {
		next = link(q.Page + 1)
	}
	resp := htmlResponse(http.StatusOK, "flags", struct {
		pageCommon
		Q          flagQuery
		D          flagsData
		Kinds      []string
		Regions    []string
		Assemblies []navItem
		Pages      int
		Prev, Next string
	}{common, q, data, append(append([]string{}, tally.Kinds...), KindForensic), regions, common.Assemblies, pages, prev, next})
	resp.noStore = !current
	return resp, st
}
