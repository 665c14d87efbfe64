package web

import (
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/forensics"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// TestUrduCatalogue checks that every message a template passes to t or
// th has an Urdu entry with the same fmt verbs, and that every flag kind,
// severity and built-in assembly has its Urdu words: the Urdu site has no
// English left but names, identifiers and what records themselves say.
func TestUrduCatalogue(t *testing.T) {
	msg := regexp.MustCompile(`\{\{-? ?th? ("(?:[^"\\]|\\.)*")`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msg.FindAllStringSubmatch(string(b), -1) {
			key, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("%s: %s: %v", f, m[1], err)
			}
			n++
			ur, ok := urdu[key]
			if !ok {
				t.Errorf("%s: no Urdu for %q", f, key)
				continue
			}
			if verbs(key) != verbs(ur) {
				t.Errorf("%s: the Urdu of %q has verbs %q, want %q", f, key, verbs(ur), verbs(key))
			}
		}
	}
	if n < 100 {
		t.Errorf("found only %d messages in the templates: is the pattern still right?", n)
	}
	for _, k := range append(append([]string{}, tally.Kinds...), "grave", "high", "medium", "low",
		record.DecisionContinue, record.DecisionConfirmed, record.DecisionEscalate, record.DecisionNotConfirmed,
		"National Assembly", "Provincial Assembly of the Punjab", "Provincial Assembly of Sindh",
		"Provincial Assembly of Khyber Pakhtunkhwa", "Provincial Assembly of Balochistan") {
		if _, ok := urdu[k]; !ok {
			t.Errorf("no Urdu for %q", k)
		}
	}
	// The flags page's filter lists the kinds side by side: each has its
	// own Urdu name.
	kindOf := map[string]string{}
	for _, k := range tally.Kinds {
		if other, dup := kindOf[urdu[k]]; dup && urdu[k] != "" {
			t.Errorf("flag kinds %s and %s have the same Urdu name %q", other, k, urdu[k])
		}
		kindOf[urdu[k]] = k
	}
	for _, k := range tally.Kinds {
		if _, ok := urdu["flag:"+k]; !ok {
			t.Errorf("no Urdu sentence for flags of kind %s", k)
		}
	}
	for _, k := range append(append(forensics.English.Phrases(), contestDescriptionMessages...), forensics.Formats()...) {
		ur, ok := urdu[k]
		if !ok {
			t.Errorf("no Urdu for %q (the forensics charts' words or a contest's description)", k)
		} else if verbs(k) != verbs(ur) {
			t.Errorf("the Urdu of %q has verbs %q, want %q", k, verbs(ur), verbs(k))
		}
	}
}

// TestUrduForensicsCharts: the charts under /ur/ carry, for every phrase
// the English chart shows, the Urdu phrase and none of the English words,
// drawn right to left; the Urdu screening page embeds the Urdu charts.
func TestUrduForensicsCharts(t *testing.T) {
	ts := newTestSite(t)
	ts.electionNight(t)
	verb := regexp.MustCompile(`%(\[\d+\])?[sdv]|%%`)
	letter := regexp.MustCompile(`\pL\pL`)
	// pattern matches the whole text of an element drawn from phrase.
	pattern := func(phrase string) *regexp.Regexp {
		var re strings.Builder
		last := 0
		for _, m := range verb.FindAllStringIndex(phrase, -1) {
			re.WriteString(regexp.QuoteMeta(phrase[last:m[0]]))
			if phrase[m[0]:m[1]] == "%%" {
				re.WriteString("%")
			} else {
				re.WriteString("(.+)")
			}
			last = m[1]
		}
		re.WriteString(regexp.QuoteMeta(phrase[last:]))
		return regexp.MustCompile("^" + re.String() + "$")
	}
	// texts are the texts of an SVG's elements.
	texts := func(svg string) []string {
		var out []string
		dec := xml.NewDecoder(strings.NewReader(svg))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				return out
			} else if err != nil {
				t.Fatalf("the chart is not XML: %v", err)
			}
			if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) != "" {
				out = append(out, string(cd))
			}
		}
	}
	shows := func(texts []string, phrase string) bool {
		re := pattern(phrase)
		for _, s := range texts {
			if re.MatchString(s) {
				return true
			}
		}
		return false
	}
	en, ur := forensics.English.Phrases(), chartText("ur").Phrases()
	for chart := range forensicCharts {
		_, enSVG := ts.get(t, "/forensics/assembly/NA/"+chart)
		_, urSVG := ts.get(t, "/ur/forensics/assembly/NA/"+chart)
		enTexts, urTexts := texts(enSVG), texts(urSVG)
		shown := 0
		for i, phrase := range en {
			if !shows(enTexts, phrase) {
				continue
			}
			shown++
			if !shows(urTexts, ur[i]) {
				t.Errorf("the Urdu %s lacks %q (for %q)", chart, ur[i], phrase)
			}
			for _, w := range verb.Split(phrase, -1) {
				if w = strings.TrimSpace(w); letter.MatchString(w) && strings.Contains(urSVG, w) {
					t.Errorf("the Urdu %s has the English %q", chart, w)
				}
			}
		}
		if shown < 4 {
			t.Errorf("the English %s shows only %d of the phrases: is the test still reading it right?", chart, shown)
		}
		if !strings.Contains(urSVG, `xml:lang="ur"`) || !strings.Contains(urSVG, `direction="rtl"`) {
			t.Errorf("the Urdu %s is not marked as Urdu drawn right to left", chart)
		}
		if strings.Contains(enSVG, `direction="rtl"`) || strings.Contains(enSVG, "xml:lang") {
			t.Errorf("the English %s is marked right to left or with a language", chart)
		}
	}
	// Parties by their Urdu names, in the charts and in the page's
	// summary (the findings' explanations are the forensics package's
	// English sentences, names included).
	if _, body := ts.get(t, "/ur/forensics/assembly/NA/leader-share.svg"); !strings.Contains(body, "پاکستان مسلم لیگ (ن)") || strings.Contains(body, "Pakistan Muslim League") {
		t.Errorf("the Urdu leader-share chart does not name the leading party in Urdu only")
	}
	if _, body := ts.get(t, "/ur/forensics/assembly/NA"); !strings.Contains(body, "کا تجزیہ؛ برتری پاکستان مسلم لیگ (ن) کو") {
		t.Errorf("the Urdu screening page's summary does not name the leading party in Urdu")
	}
	if _, body := ts.get(t, "/forensics/assembly/NA/leader-share.svg"); !strings.Contains(body, "Pakistan Muslim League (N) share") {
		t.Errorf("the English chart does not name the leading party in English")
	}
	_, page := ts.get(t, "/ur/forensics/assembly/NA")
	if !strings.Contains(page, `<img src="/ur/forensics/assembly/NA/turnout.svg"`) {
		t.Errorf("the Urdu screening page does not embed the Urdu charts")
	}
}

// verbs lists a format's verbs without their explicit argument indexes,
// sorted by the argument they take.
func verbs(s string) string {
	// An argument index stands before the verb or, for s, d and v, before
	// the flags too.
	re := regexp.MustCompile(`%%|%(\[(\d+)\])?([-+# 0]*\d*(?:\.\d+)?)(?:\[(\d+)\])?([a-zA-Z])`)
	var ms [][]string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		if m[0] != "%%" {
			ms = append(ms, m)
		}
	}
	out := make([]string, len(ms))
	next := 1
	for _, m := range ms {
		i := next
		if n := m[2] + m[4]; n != "" {
			i, _ = strconv.Atoi(n)
		}
		next = i + 1
		if i-1 < len(out) && i >= 1 {
			out[i-1] = m[3] + m[5]
		}
	}
	return strings.Join(out, ",")
}

// TestLocalLinks checks which links keep the Urdu prefix.
func TestLocalLinks(t *testing.T) {
	in := `<a href="/">x</a><a href="/contest/NA-57#form-47">x</a><a href="/static/site.css">x</a><a href="/api/v1/summary">x</a>` +
		`<img src="/forensics/assembly/NA/turnout.svg"><a href="/forensics/assembly/NA">x</a><a href="/forensics/assembly/NA/turnout.svg">x</a>` +
		`<form action="/search"></form><a href="/log">x</a><a href="/export/NA/contests.csv">x</a><a data-lang-switch href="/contest/NA-57">English</a>`
	want := `<a href="/ur/">x</a><a href="/ur/contest/NA-57#form-47">x</a><a href="/static/site.css">x</a><a href="/api/v1/summary">x</a>` +
		`<img src="/forensics/assembly/NA/turnout.svg"><a href="/ur/forensics/assembly/NA">x</a><a href="/forensics/assembly/NA/turnout.svg">x</a>` +
		`<form action="/ur/search"></form><a href="/ur/log">x</a><a href="/export/NA/contests.csv">x</a><a data-lang-switch href="/contest/NA-57">English</a>`
	if got := string(localLinks([]byte(in), "/ur")); got != want {
		t.Errorf("localLinks:\n got %s\nwant %s", got, want)
	}
}

// TestUrduConstituencyNames: every Urdu page that names a constituency
// names it in Urdu (the definition's local_name), and the English pages
// keep the English name.
func TestUrduConstituencyNames(t *testing.T) {
	ts := newTestSite(t)
	sc := ts.electionNight(t)
	for _, c := range []struct{ path, want, not string }{
		{"/ur/", `<span class="sub">راولپنڈی-6</span>`, `<span class="sub">Rawalpindi-VI</span>`},
		{"/ur/assembly/NA", "چکوال", `<span class="sub">Chakwal</span>`},
		{"/ur/assembly/NA", `امیدوار ایک <span class="sub">830</span>`, `Candidate One <span class="sub">830</span>`},
		{"/assembly/NA", `Candidate One <span class="sub">830</span>`, ""},
		{"/ur/contest/NA-57", `<h1 id="top">NA-57 راولپنڈی-6</h1>`, "Rawalpindi-VI</h1>"},
		{"/ur/contest/NA-57", `<title>NA-57 راولپنڈی-6`, ""},
		// Candidates by their Urdu names in the declared-vs-sheets table.
		{"/ur/contest/NA-57", `<tr class="differs"><td>امیدوار ایک</td>`, `<td>Candidate One</td>`},
		{"/contest/NA-57", `<tr class="differs"><td>Candidate One</td>`, ""},
		{"/ur/station/NA-57/PS-1", "NA-57</a> راولپنڈی-6 <a", ""},
		{"/ur/station/NA-57/PS-1", "PP-12</a> راولپنڈی-6، صوبائی <a", ""},
		{"/ur/entry/" + fmt.Sprint(sc.Tampered), `NA-57</a> راولپنڈی-6`, ""},
		{"/", `<span class="sub">Rawalpindi-VI</span>`, "راولپنڈی-6"},
		{"/contest/NA-57", `<h1 id="top">NA-57 Rawalpindi-VI</h1>`, ""},
		// Each language names the other's address as its alternate.
		{"/ur/contest/NA-57", `hreflang="en" data-lang-switch href="/contest/NA-57"`, `hreflang="en" data-lang-switch href="/ur/`},
		{"/contest/NA-57", `hreflang="ur" href="/ur/contest/NA-57"`, ""},
	} {
		_, body := ts.get(t, c.path)
		if !strings.Contains(body, c.want) {
			t.Errorf("%s lacks %s", c.path, c.want)
		}
		if c.not != "" && strings.Contains(body, c.not) {
			t.Errorf("%s has %s", c.path, c.not)
		}
	}
	// The share description and the titles of other pages are in Urdu.
	for _, c := range []struct{ path, want, not string }{
		{"/ur/contest/NA-57", `<meta property="og:description" content="NA-57 راولپنڈی-6: 3 میں سے 3 اسٹیشن موصول؛ امیدوار ایک (`, "stations in"},
		{"/ur/contest/NA-57", `<meta name="description" content="NA-57 راولپنڈی-6:`, "the declared result"},
		{"/contest/NA-57", `<meta property="og:description" content="NA-57 Rawalpindi-VI: 3 of 3 stations in; leading Candidate One (Pakistan Muslim League (N)) by 160 votes; the declared result disagrees with the logged sheets.">`, ""},
		{"/ur/forensics/assembly/NA", `<meta property="og:title" content="فرانزک جانچ: قومی اسمبلی`, "Forensic screening"},
		{"/ur/station/NA-57/PS-1", `<meta property="og:title" content="اسٹیشن NA-57/PS-1`, ""},
	} {
		_, body := ts.get(t, c.path)
		if !strings.Contains(body, c.want) {
			t.Errorf("%s lacks %s", c.path, c.want)
		}
		if c.not != "" && strings.Contains(body, c.not) {
			t.Errorf("%s has %s", c.path, c.not)
		}
	}
	_, body := ts.get(t, "/api/v1/assemblies/NA")
	if !strings.Contains(strings.ReplaceAll(body, " ", ""), `"local_name":"چکوال"`) {
		t.Errorf("the assembly's API answer lacks the contests' Urdu names")
	}
}
