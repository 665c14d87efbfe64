package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/auditlog"
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
