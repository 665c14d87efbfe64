package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/auditlog"
	"github.com/tallylog/tallylog/record"
)

// TestAuditsPage checks the audits page and API on a log without audits,
// and the page's rendering of an audit in progress, in both languages.
func TestAuditsPage(t *testing.T) {
	ts := newTestSite(t)
	ts.electionNight(t)
	resp, body := ts.get(t, "/audits")
	if resp.StatusCode != 200 || !strings.Contains(body, `id="no-audits"`) {
		t.Errorf("/audits without audits: %d\n%s", resp.StatusCode, body)
	}
	resp, body = ts.get(t, "/api/v1/audits")
	var api auditsData
	if err := json.Unmarshal([]byte(body), &api); resp.StatusCode != 200 || err != nil || api.Audits == nil || len(api.Audits) != 0 {
		t.Errorf("/api/v1/audits without audits: %d %v %s", resp.StatusCode, err, body)
	}

	a := auditView{ContestAudit: auditlog.ContestAudit{Contest: "NA-57", RiskLimit: "0.05", Stations: 3, FrameSHA256: strings.Repeat("ab", 32),
		CommitIndex: 12, Seed: "dice 3 1 4", RevealIndex: 13, Round: 1, Counted: 1, Risk: "0.2", Decision: "escalate",
		Draws: []auditlog.Draw{{Index: 1, Station: "NA-57/PS-2", Round: 1, Counted: true}, {Index: 2, Station: "NA-57/PS-3", Round: 1}}},
		Name: "Rawalpindi-VI", Drawn: 2, Pending: 1}
	for _, lang := range []string{"en", "ur"} {
		page := string(htmlResponse(200, "audits", struct {
			pageCommon
			D auditsData
		}{pageCommon{Title: "Audits", Lang: lang}, auditsData{Audits: []auditView{a}}}).body)
		want := []string{`id="audit-NA-57"`, "Round 1: 2 drawn, 1 counted, 1 still to count.", "Measured risk 0.2.", "dice 3 1 4", `href="/station/NA-57/PS-3"`}
		if lang == "ur" {
			want = []string{`id="audit-NA-57"`, "مرحلہ 1: 2 منتخب، 1 گنے گئے، 1 ابھی گننے ہیں۔", "توسیع", `href="/ur/station/NA-57/PS-3"`, `dir="rtl"`}
		}
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("the %s audits page lacks %q", lang, w)
			}
		}
	}
}

// TestAuditOutcomeShown: an audit whose full hand count does not confirm
// the declared winner says so in words, on the audits page and on its
// contest's page, in both languages; another decision is named in the
// page's language.
func TestAuditOutcomeShown(t *testing.T) {
	a := auditView{ContestAudit: auditlog.ContestAudit{Contest: "NA-57", RiskLimit: "0.05", Stations: 3, FrameSHA256: strings.Repeat("ab", 32),
		CommitIndex: 12, Seed: "dice 3 1 4", RevealIndex: 13, Round: 2, FullCount: true, Counted: 3, Risk: "1.000000000",
		Decision: record.DecisionNotConfirmed, Ended: true}, Name: "Rawalpindi-VI", Drawn: 3}
	words := map[string]string{"en": "The full hand count of every station does not confirm the declared winner.",
		"ur": urdu["The full hand count of every station does not confirm the declared winner."]}
	for _, lang := range []string{"en", "ur"} {
		page := string(htmlResponse(200, "audits", struct {
			pageCommon
			D auditsData
		}{pageCommon{Title: "Audits", Lang: lang}, auditsData{Audits: []auditView{a}}}).body)
		if !strings.Contains(page, words[lang]) || lang == "ur" && strings.Contains(page, "not-confirmed") {
			t.Errorf("the %s audits page does not say in its words that the full count does not confirm the winner", lang)
		}
		for decision, want := range map[string]string{record.DecisionNotConfirmed: words[lang], record.DecisionConfirmed: tr(lang, "confirmed")} {
			ca := a.ContestAudit
			ca.Decision = decision
			var b strings.Builder
			if err := pagesIn(lang)["contest"].ExecuteTemplate(&b, "contest-audit", &ca); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), want) || !strings.Contains(b.String(), `href="/audits#audit-NA-57"`) {
				t.Errorf("the %s contest page shows a %s audit as %s", lang, decision, b.String())
			}
		}
	}
	if tr("ur", "confirmed") == "confirmed" {
		t.Error("no Urdu for the decision confirmed")
	}
}

// TestAPIDocComplete checks that the server serves docs/api.md and that
// it (or spec.md, for the submission API) names every API and download
// route the web package registers.
func TestAPIDocComplete(t *testing.T) {
	ts := newTestSite(t)
	resp, doc := ts.get(t, "/docs/api.md")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/markdown") || !strings.Contains(doc, "# tallylog read API") {
		t.Fatalf("/docs/api.md: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The submission API is documented in spec.md, which api.md points to.
	spec, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	route := regexp.MustCompile(`"(GET|POST) (/(?:api/v1|export)/[^"]*)"`)
	files, _ := filepath.Glob("*.go")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			n++
			path := m[2]
			if i := strings.Index(path, "{"); i > 0 {
				path = path[:i]
			}
			if !strings.Contains(doc, m[1]+" "+path) && !strings.Contains(string(spec), m[1]+" "+path) {
				t.Errorf("docs/api.md does not document %s %s (registered in %s)", m[1], m[2], f)
			}
		}
	}
	if n < 10 {
		t.Errorf("found %d routes: is the pattern still right?", n)
	}
}
