package web

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/tallylog/tallylog/forensics"
)

// words lowers s and splits it into its words (runs of letters).
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

// englishIn returns the runs of four English words of the explanations
// that the page's text holds: a sentence, or most of one, left in English.
func englishIn(page string, explanations []string) []string {
	text := " " + strings.Join(words(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " "))), " ") + " "
	seen := map[string]bool{}
	var out []string
	for _, e := range explanations {
		w := words(e)
		for i := 0; i+4 <= len(w); i++ {
			run := strings.Join(w[i:i+4], " ")
			if !seen[run] && strings.Contains(text, " "+run+" ") {
				seen[run] = true
				out = append(out, run)
			}
		}
	}
	return out
}

// TestUrduScreeningSaysNoEnglish: the Urdu screening pages (an assembly
// and its constituencies), and the flags page's forensic signals, say every explanation the English pages give —
// national findings, constituencies' reasons, the station screen's and
// the flagged stations' signals — in Urdu: no four English words of them
// in a row are left, no format is broken, names are the Urdu ones. Taking
// any one format's Urdu out of the catalogue leaves English on a page
// that shows it, so the test sees a missing translation.
func TestUrduScreeningSaysNoEnglish(t *testing.T) {
	ts := newTestSite(t)
	ts.electionNight(t)
	// More ballots than voters, all for one candidate: station signals.
	ts.sheet(t, "NA-58", "NA-58/PS-2", 900, 0, 0)

	scopes := []string{"assembly/NA", "contest/NA-57", "contest/NA-58"}
	var explanations []string
	for _, s := range scopes {
		_, body := ts.get(t, "/api/v1/forensics/"+s)
		var rep scopeReport
		if err := json.Unmarshal([]byte(body), &rep); err != nil || rep.Report == nil {
			t.Fatalf("%s: %v (%.200s)", s, err, body)
		}
		r := rep.Report
		for _, f := range r.Findings {
			explanations = append(explanations, f.Explanation)
		}
		for _, g := range r.Groups {
			explanations = append(explanations, g.Reasons...)
		}
		for _, f := range r.Screen.Top {
			explanations = append(explanations, f.Explanation)
		}
		for _, f := range r.Flagged {
			for _, sig := range f.Signals {
				explanations = append(explanations, sig.Explanation)
			}
		}
	}
	// The test election must give explanations of every kind to check.
	joined := strings.Join(explanations, "\n")
	for _, want := range []string{"binomial resampling", "registered voters (turnout", "stations flagged (see the station list)"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("no English explanation has %q: the test election no longer shows it", want)
		}
	}

	pages := map[string]string{}
	for _, s := range scopes {
		_, en := ts.get(t, "/forensics/"+s)
		_, ur := ts.get(t, "/ur/forensics/"+s)
		if got := englishIn(en, explanations); len(got) == 0 {
			t.Fatalf("the English page of %s shows none of its explanations: is englishIn still right?", s)
		}
		if got := englishIn(ur, explanations); len(got) > 0 {
			t.Errorf("the Urdu page of %s has English: %q", s, got)
		}
		for _, bad := range []string{"%!", "Candidate One", "Rawalpindi-VI"} {
			if strings.Contains(ur, bad) {
				t.Errorf("the Urdu page of %s has %q: %s", s, bad, ur[max(0, strings.Index(ur, bad)-300):][:400])
			}
		}
		pages[s] = ur
	}
	// The flags page lists the stations' signals too.
	_, enFlags := ts.get(t, "/flags?kind=forensic")
	_, urFlags := ts.get(t, "/ur/flags?kind=forensic")
	if len(englishIn(enFlags, explanations)) == 0 {
		t.Errorf("the English flags page shows no forensic signal")
	}
	if got := englishIn(urFlags, explanations); len(got) > 0 {
		t.Errorf("the Urdu flags page has English: %q", got)
	}
	if !strings.Contains(urFlags, "دھاندلی کا ثبوت نہیں") || strings.Contains(urFlags, "not proof of fraud") {
		t.Errorf("the Urdu flags page does not give the caveat in Urdu")
	}
	if !strings.Contains(pages["contest/NA-57"], "<h1>فرانزک جانچ: NA-57 راولپنڈی-6</h1>") ||
		!strings.Contains(pages["contest/NA-57"], "<title>فرانزک جانچ: NA-57 راولپنڈی-6") {
		t.Errorf("the Urdu screening of NA-57 is not titled by its Urdu name")
	}
	if !strings.Contains(pages["contest/NA-58"], "امیدوار ایک کو درست ووٹوں کا") {
		t.Errorf("the Urdu signal of NA-58/PS-2 does not name the candidate in Urdu")
	}

	// Each format's Urdu taken out in turn: a page that shows it changes,
	// and then has English.
	shown := 0
	for i, f := range forensics.Formats() {
		ur := urdu[f]
		delete(urdu, f)
		changed := false
		for _, s := range scopes {
			// page is a parameter the cache keys on and this page ignores
			// but for its links.
			query := fmt.Sprintf("?page=%d", 1000+i)
			_, page := ts.get(t, "/ur/forensics/"+s+query)
			if strings.ReplaceAll(page, query, "") == pages[s] {
				continue
			}
			changed = true
			if len(englishIn(page, explanations)) == 0 {
				t.Errorf("without the Urdu of %.60q the page of %s changes but the test sees no English", f, s)
			}
		}
		urdu[f] = ur
		if changed {
			shown++
		}
	}
	t.Logf("the pages show %d of the %d formats", shown, len(forensics.Formats()))
	if shown < 12 {
		t.Errorf("the pages show only %d of the %d formats", shown, len(forensics.Formats()))
	}
}

// TestUrduScreeningOfJSON: a report read back from its JSON has no
// messages, and its Urdu copy keeps the English explanations rather than
// empty ones.
func TestUrduScreeningOfJSON(t *testing.T) {
	ts := newTestSite(t)
	ts.electionNight(t)
	ts.sheet(t, "NA-58", "NA-58/PS-2", 900, 0, 0)
	_, body := ts.get(t, "/api/v1/forensics/contest/NA-58")
	var rep scopeReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil || rep.Report == nil || len(rep.Report.Flagged) == 0 {
		t.Fatalf("%v (%.200s)", err, body)
	}
	x := &site{s: ts.Srv, forensics: newForensicsCache()}
	ur := x.scopeIn("ur", &rep).Report
	if ur.Findings[0].Explanation != rep.Report.Findings[0].Explanation || ur.Flagged[0].Signals[0].Explanation != rep.Report.Flagged[0].Signals[0].Explanation {
		t.Errorf("the Urdu copy of a report without messages changed its explanations: %q", ur.Findings[0].Explanation)
	}
	if ur.Leader == rep.Report.Leader {
		t.Errorf("the Urdu copy kept the English leader %q", ur.Leader)
	}
}
