package web

import (
	"github.com/tallylog/tallylog/internal/testelection"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestForgivingAddresses checks that loose spellings of a constituency or
// station redirect to its page, and that the search finds contests,
// candidates (by English or Urdu name) and stations.
func TestForgivingAddresses(t *testing.T) {
	ts := newTestSite(t)
	ts.electionNight(t)
	noFollow := ts.HTTP.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, c := range []struct{ path, want string }{
		{"/contest/57", "/contest/NA-57"},
		{"/contest/na-57", "/contest/NA-57"},
		{"/contest/na57", "/contest/NA-57"},
		{"/contest/NA%2057", "/contest/NA-57"},
		{"/contest/pp-12", "/contest/PP-12"},
		{"/ur/contest/57", "/ur/contest/NA-57"},
		{"/station/na-57/ps-1", "/station/NA-57/PS-1"},
		{"/search?q=na-58", "/contest/NA-58"},
		{"/search?q=na-57%2Fps-2", "/station/NA-57/PS-2"},
		{"/search?q=" + url.QueryEscape("این اے ۵۸"), "/contest/NA-58"},
		{"/contest/99", ""},
		{"/contest/NA-57", ""},
	} {
		resp, err := noFollow.Get(ts.HTTP.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if c.want == "" {
			if loc != "" {
				t.Errorf("%s redirects to %s, want no redirect", c.path, loc)
			}
			continue
		}
		if resp.StatusCode/100 != 3 || loc != c.want {
			t.Errorf("%s: %d to %q, want a redirect to %s", c.path, resp.StatusCode, loc, c.want)
		}
	}
	for _, c := range []struct{ q, want string }{
		{"Candidate Two", `data-kind="candidate"`},
		{"امیدوار", `data-kind="candidate"`},
		{"Rawalpindi", `href="/contest/NA-57"`},
		{"ps-3", `href="/station/NA-57/PS-3"`},
		{"zzz", "Nothing matches"},
		// Constituencies by their Urdu names, as an Arabic keyboard types
		// them (ي for ی) and with Urdu digits; on the Urdu page the hit
		// is named in Urdu.
		{"/ur/search?q=چکوال", `<a href="/ur/contest/NA-58">NA-58 چکوال</a>`},
		{"راولپنڈي-۶", `href="/contest/NA-57"`},
		{"/ur/search?q=راولپنڈی", `href="/ur/contest/PP-12"`},
		{"/ur/search?q=امیدوار", `NA-57 راولپنڈی-6`},
	} {
		path := "/search?q=" + strings.ReplaceAll(c.q, " ", "+")
		if strings.HasPrefix(c.q, "/") {
			path = c.q
		}
		_, body := ts.get(t, path)
		if !strings.Contains(body, c.want) {
			t.Errorf("search %q: the page lacks %s", c.q, c.want)
		}
	}
}

// FuzzFoldQuery: folding a search query never fails, is idempotent, and
// searching the test definition with any query stays within its bounds.
func FuzzFoldQuery(f *testing.F) {
	for _, q := range []string{"این اے ۵۴", "راولپنڈي-۶", "na-57", "حیدر آباد", "\u064bلاہور", "پی پی 12", "", "۰"} {
		f.Add(q)
	}
	d := testelection.NewWith(f, urduContestNames).Def
	f.Fuzz(func(t *testing.T, q string) {
		once := foldQuery(q)
		if twice := foldQuery(once); twice != once {
			t.Fatalf("foldQuery(%q) = %q, folded again %q", q, once, twice)
		}
		_, hits := searchDefinition(d, q)
		if len(hits) > 3*maxSearchResults {
			t.Fatalf("%d hits", len(hits))
		}
	})
}
