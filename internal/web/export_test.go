package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// nistSchema is NIST's SP 1500-100 v2 JSON schema, kept beside the project.
var nistSchema = sharedFile("schemas/nist-1500-100-v2/NIST_V2_election_results_reporting.json")

func loadSchema(t *testing.T) *schemaDoc {
	t.Helper()
	data, err := os.ReadFile(nistSchema)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("NIST's schema is required in CI: %v", err)
		}
		t.Skipf("NIST's schema is not beside the project (%v): skipping", err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	return &schemaDoc{root: root}
}

func decodeNumbers(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestNIST validates the NIST export against NIST's schema, checks the
// references the schema cannot, and checks its numbers against the sheets.
func TestNIST(t *testing.T) {
	schema := loadSchema(t)
	ts := newTestSite(t)
	ts.electionNight(t)
	resp, body := ts.get(t, "/export/NA/nist-1500-100.json")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	doc := decodeNumbers(t, []byte(body))
	top := map[string]any{"$ref": schema.root["$ref"]}
	for _, e := range schema.validate(top, doc, "$") {
		t.Error(e)
	}
	for _, e := range schema.refIntegrity(doc) {
		t.Error(e)
	}

	var rep nistReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	places := map[string]nistUnit{}
	for _, u := range rep.GpUnit {
		if u.UnitType == "polling-place" {
			places[u.ID] = u
		}
	}
	if len(places) != 5 {
		t.Errorf("%d polling places, want the 5 NA stations", len(places))
	}
	ps1 := places["ru-station-NA-57_2FPS-1"]
	if len(ps1.ExternalIdentifier) != 2 || ps1.ExternalIdentifier[1].Value != "ocd-division/country:pk/province:punjab/constituency:na-57/polling_station:na-57~ps-1" {
		t.Errorf("NA-57/PS-1's identifiers: %+v", ps1.ExternalIdentifier)
	}
	var na57 *nistContest
	for i, c := range rep.Election[0].Contest {
		if c.ID == "contest-NA-57" {
			na57 = &rep.Election[0].Contest[i]
		}
	}
	if na57 == nil {
		t.Fatal("no contest-NA-57")
	}
	counts := map[string]int64{}
	for _, vc := range na57.ContestSelection[0].VoteCounts {
		counts[vc.CountType+vc.OtherType+" "+vc.GpUnitID] = vc.Count
	}
	if counts["election-day ru-station-NA-57_2FPS-1"] != 300 || counts["election-day ru-station-NA-57_2FPS-2"] != 250 || counts["total ru-contest-NA-57"] != 830 ||
		counts["otherform-47-declared ru-contest-NA-57"] != 600 {
		t.Errorf("candidate 1's counts in NA-57: %v", counts)
	}
	// The sheets' leader of NA-57 is only projected: the declaration is
	// disputed.
	if c := rep.Election[0].Candidate[0]; c.ID != "cand-NA-57_2F1" || c.PostElectionStatus != "projected-winner" {
		t.Errorf("NA-57's first candidate %s has status %q, want projected-winner", c.ID, c.PostElectionStatus)
	}
	if rep.Status != "unofficial-partial" {
		t.Errorf("status %s, want unofficial-partial (NA-58 is incomplete)", rep.Status)
	}
}

// TestSchemaCatches checks that the schema and reference checks fail on a
// broken report, so that TestNIST can fail.
func TestSchemaCatches(t *testing.T) {
	schema := loadSchema(t)
	ts := newTestSite(t)
	ts.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 50)
	_, body := ts.get(t, "/export/NA/nist-1500-100.json")
	top := map[string]any{"$ref": schema.root["$ref"]}
	for name, breakIt := range map[string]func(s string) string{
		"unknown field": func(s string) string { return strings.Replace(s, `"Format"`, `"Fromat"`, 1) },
		"enum":          func(s string) string { return strings.Replace(s, `"polling-place"`, `"polling-station"`, 1) },
		"missing @type": func(s string) string { return strings.Replace(s, `"@type": "ElectionResults.Party",`, ``, 1) },
		"dangling GpUnit": func(s string) string {
			return strings.Replace(s, `"GpUnitId": "ru-station-NA-57_2FPS-1"`, `"GpUnitId": "ru-station-nowhere"`, 1)
		},
		"wrong ref type": func(s string) string {
			return strings.Replace(s, `"ElectionScopeId": "ru-country"`, `"ElectionScopeId": "party-pmln"`, 1)
		},
	} {
		broken := breakIt(body)
		if broken == body {
			t.Fatalf("%s: the mutation did not apply", name)
		}
		doc := decodeNumbers(t, []byte(broken))
		if errs := append(schema.validate(top, doc, "$"), schema.refIntegrity(doc)...); len(errs) == 0 {
			t.Errorf("%s: the checks accept the broken report", name)
		}
	}
}

// TestCSV checks both CSV downloads against the sheets, and that a name
// that would run as a spreadsheet formula is defused.
func TestCSV(t *testing.T) {
	ts := newTestSite(t)
	ts.electionNight(t)
	resp, body := ts.get(t, "/export/NA/contests.csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("contests.csv: %d %v", resp.StatusCode, resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+6 || strings.Join(rows[1][:11], ",") != "NA,punjab,NA-57,Rawalpindi-VI,1,Candidate One,pmln,830,0,0,830" || rows[1][11] != "yes" {
		t.Errorf("contests.csv:\n%s", body)
	}
	_, body = ts.get(t, "/export/NA/stations.csv")
	rows, err = csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// NA-57: 3 stations × 3 candidates; NA-58: one station in (3 rows), one missing (1 row).
	if len(rows) != 1+9+3+1 {
		t.Errorf("stations.csv has %d rows:\n%s", len(rows), body)
	}
	if got := strings.Join(rows[4][:8], ","); got != "NA,punjab,NA-57,NA-57/PS-2,1000,in,2,550" {
		t.Errorf("the recounted station's row: %s", got)
	}
	if last := rows[len(rows)-1]; last[3] != "NA-58/PS-2" || last[5] != "missing" {
		t.Errorf("the missing station's row: %v", last)
	}
	for _, s := range []string{"=1+1", "+cmd", "-2", "@x", "Ali"} {
		if got := cell(s); got[0] == '=' || got[0] == '+' || got[0] == '-' || got[0] == '@' {
			t.Errorf("cell(%q) = %q runs as a formula", s, got)
		}
	}
	if resp, _ := ts.get(t, "/export/XX/contests.csv"); resp.StatusCode != 404 {
		t.Errorf("an unknown assembly's download: %d", resp.StatusCode)
	}
}
