package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/tally"
)

// Search and forgiving addresses. People type what they remember: "54",
// "na54", "na-54", a candidate's name in English or Urdu, a station's ID
// in any case. The search page lists what matches; constituency and
// station addresses that name exactly one thing in another spelling
// redirect to its canonical address.
//
//	GET /search?q=...   constituencies, candidates and stations that match

// maxSearchResults bounds each kind of result on the search page.
const maxSearchResults = 50

// maxQuery bounds the query, in bytes (the cache keeps no more of it).
const maxQuery = maxParamBytes

// normID reduces an identifier to its letters and digits, upper case:
// "na-54", "NA 54" and "Na54" all become "NA54".
func normID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// urduPrefixes are the constituency prefixes as Urdu writes them ("این اے
// 54" is NA-54), longest first.
var urduPrefixes = []struct{ ur, id string }{
	{"این اے", "NA"}, {"پی پی", "PP"}, {"پی کے", "PK"}, {"پی ایس", "PS"}, {"پی بی", "PB"},
}

// foldQuery makes a query typed on an Urdu or Arabic keyboard comparable
// with the definition's names and identifiers: Urdu and Arabic-Indic
// digits become 0-9; the Arabic letters a keyboard may give for the Urdu
// ones (ي ى → ی, ك → ک, ه → ہ) become the Urdu ones; diacritics, the
// tatweel and zero-width joiners are dropped; a constituency prefix in
// Urdu becomes its code.
func foldQuery(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r == 'ي' || r == 'ى':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r == 'ه':
			r = 'ہ'
		case r >= '\u064b' && r <= '\u065f', r == '\u0670', r == 'ـ', r == '\u200c', r == '\u200d':
			continue
		}
		b.WriteRune(r)
	}
	q = strings.TrimSpace(b.String())
	for _, p := range urduPrefixes {
		if rest, ok := strings.CutPrefix(q, p.ur); ok {
			if n := strings.TrimLeft(rest, " -"); n != "" && n[0] >= '0' && n[0] <= '9' {
				return p.id + "-" + n
			}
		}
	}
	return q
}

// resolveContest finds the contest a loosely typed ID names: the exact
// ID, the same letters and digits in any case and punctuation, or a bare
// number, which means the first assembly's constituency of that number
// (NA-54 for "54"). ok is false when none or several match.
func resolveContest(d *election.Definition, id string) (string, bool) {
	if c, ok := d.Contest(id); ok {
		return c.ID, true
	}
	n := normID(id)
	if n == "" {
		return "", false
	}
	if _, err := strconv.Atoi(n); err == nil && len(d.Assemblies) > 0 {
		n = normID(d.Assemblies[0].ID) + strings.TrimLeft(n, "0")
	}
	found := ""
	for _, c := range d.Contests {
		if normID(c.ID) == n {
			if found != "" {
				return "", false
			}
			found = c.ID
		}
	}
	return found, found != ""
}

// resolveStation finds a station by its ID in any case; ok is false when
// none or several match.
func resolveStation(d *election.Definition, id string) (string, bool) {
	if s, ok := d.Station(id); ok {
		return s.ID, true
	}
	found := ""
	for _, s := range d.Stations {
		if strings.EqualFold(s.ID, id) {
			if found != "" {
				return "", false
			}
			found = s.ID
		}
	}
	return found, found != ""
}

// redirectTo answers with a redirect to path (absolute, on this site).
// The redirect is permanent: the loose spelling always names the same
// constituency or station.
func redirectTo(path string) *response {
	return &response{status: http.StatusMovedPermanently, ctype: "text/plain; charset=utf-8",
		body: []byte("See " + path + "\n"), header: map[string]string{"Location": path}}
}

// searchHit is one result on the search page.
type searchHit struct {
	Kind  string // "contest", "candidate", "station"
	Link  string // the page's path
	Title string
	Sub   string // what else identifies it
	Local string // an Urdu name, if any
	// A contest's ID and region; a candidate's contest and its Urdu
	// name, for the Urdu page.
	ID, Region, Contest, ContestLocal string
}

// searchDefinition lists the contests, candidates and stations that match
// q, at most maxSearchResults of each: identifiers by their letters and
// digits (a part of them), names by a case-insensitive substring.
func searchDefinition(d *election.Definition, q string) (exact string, hits []searchHit) {
	q = foldQuery(q)
	if q == "" {
		return "", nil
	}
	if id, ok := resolveContest(d, q); ok {
		exact = "/contest/" + id
	} else if id, ok := resolveStation(d, q); ok {
		exact = "/station/" + id
	}
	lq, nq := strings.ToLower(q), normID(q)
	matchName := func(s string) bool { return s != "" && strings.Contains(strings.ToLower(s), lq) }
	// Urdu names match with or without the spaces between words
	// ("حیدر آباد" finds "حیدرآباد").
	uq := strings.ReplaceAll(q, " ", "")
	matchLocal := func(s string) bool { return s != "" && strings.Contains(strings.ReplaceAll(s, " ", ""), uq) }
	matchID := func(s string) bool { return nq != "" && strings.Contains(normID(s), nq) }
	var contests, cands, stations int
	for _, c := range d.Contests {
		if contests < maxSearchResults && (matchID(c.ID) || matchName(c.Name) || matchLocal(c.LocalName)) {
			hits = append(hits, searchHit{Kind: "contest", Link: "/contest/" + c.ID, Title: c.ID + " " + c.Name, ID: c.ID, Region: c.Region, Local: c.LocalName})
			contests++
		}
		for _, cd := range c.Candidates {
			if cands < maxSearchResults && (matchName(cd.Name) || matchLocal(cd.LocalName)) {
				hits = append(hits, searchHit{Kind: "candidate", Link: "/contest/" + c.ID, Title: cd.Name, Sub: c.ID + " " + c.Name, Local: cd.LocalName,
					Contest: c.ID, ContestLocal: c.LocalName})
				cands++
			}
		}
	}
	for _, s := range d.Stations {
		if stations >= maxSearchResults {
			break
		}
		if matchID(s.ID) || matchName(s.Name) {
			hits = append(hits, searchHit{Kind: "station", Link: "/station/" + s.ID, Title: s.ID, Sub: s.Name})
			stations++
		}
	}
	return exact, hits
}

// searchPage serves /search?q=. A query that names exactly one
// constituency or station by its ID redirects there (302: the same query
// may find more once the definition grows).
func (x *site) searchPage(r *http.Request) (*response, state) {
	q := r.URL.Query().Get("q")
	if len(q) > maxQuery {
		q = q[:maxQuery]
	}
	var (
		common pageCommon
		exact  string
		hits   []searchHit
	)
	st := x.read(func(v *tally.View) {
		common = x.common(r, v, "Search")
		if d := v.Definition(); d != nil {
			exact, hits = searchDefinition(d, q)
		}
	})
	if exact != "" && r.URL.Query().Get("all") == "" {
		resp := redirectTo(langPrefix(r) + exact)
		resp.status = http.StatusFound
		return resp, st
	}
	return htmlResponse(http.StatusOK, "search", struct {
		pageCommon
		Q    string
		Hits []searchHit
		All  string // the address listing every match even for an exact one
	}{common, q, hits, "/search?all=1&q=" + url.QueryEscape(q)}), st
}
