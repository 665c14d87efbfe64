package web

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nistXSD is NIST's SP 1500-100 v2 XML schema, kept beside the project
// (sharedFile).
var nistXSD = sharedFile("schemas/nist-1500-100-v2/NIST_V2_election_results_reporting.xsd")

// sharedFile is a file of the directory beside the project that holds
// schemas and data (../shared from the repository's root), or of
// $TALLYLOG_SHARED when set (from a git worktree elsewhere).
func sharedFile(rel string) string {
	if d := os.Getenv("TALLYLOG_SHARED"); d != "" {
		return filepath.Join(d, rel)
	}
	return filepath.Join("../../../shared", rel)
}

// TestExportGolden compares every download of the election-night
// scenario with its golden file (go test -run TestExportGolden -update
// rewrites them): the exports are a function of the log alone.
func TestExportGolden(t *testing.T) {
	ts := newTestSite(t)
	ts.electionNight(t)
	for _, f := range []struct{ path, golden string }{
		{"/export/NA/contests.csv", "export-contests.csv"},
		{"/export/NA/stations.csv", "export-stations.csv"},
		{"/export/NA/flags.csv", "export-flags.csv"},
		{"/export/flags.csv", "export-flags-all.csv"},
		{"/export/NA/nist-1500-100.json", "export-nist.json"},
		{"/export/NA/nist-1500-100.xml", "export-nist.xml"},
	} {
		resp, body := ts.get(t, f.path)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", f.path, resp.StatusCode, body)
		}
		if strings.HasSuffix(f.path, ".csv") {
			if !strings.HasPrefix(body, utf8BOM) {
				t.Errorf("%s does not start with the UTF-8 byte order mark spreadsheets need", f.path)
			}
			if _, err := csv.NewReader(strings.NewReader(body)).ReadAll(); err != nil {
				t.Errorf("%s: %v", f.path, err)
			}
		}
		golden(t, f.golden, body)
	}
	_, body := ts.get(t, "/export/NA/contests.csv")
	rows, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, utf8BOM))).ReadAll()
	// NA-57's Form-47 declared 600 and 900 for candidates 1 and 2.
	if got := rows[1][15] + "," + rows[2][15] + "," + rows[1][17] + "," + rows[1][18]; got != "600,900,no,leading" {
		t.Errorf("NA-57's declared columns: %s, want 600,900,no,leading", got)
	}
}

// TestNISTXML validates the XML export with xmllint against NIST's XSD
// (an independent validator), and checks that it carries the declared
// counts, the projected winner and station IDs that are XML IDs.
func TestNISTXML(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is required in CI: apt-get install libxml2-utils (as .ci/run does)")
		}
		t.Skip("xmllint not found: apt-get install libxml2-utils to validate the XML export")
	}
	if _, err := os.Stat(nistXSD); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("NIST's XSD is required in CI: %v", err)
		}
		t.Skipf("NIST's XSD is not beside the project (%v)", err)
	}
	ts := newTestSite(t)
	ts.electionNight(t)
	_, body := ts.get(t, "/export/NA/nist-1500-100.xml")
	file := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", nistXSD, file).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint refuses the NIST XML export: %v\n%s", err, out)
	}
	for _, want := range []string{`ObjectId="ru-station-NA-57_2FPS-1"`, "<OtherType>form-47-declared</OtherType>",
		"<PostElectionStatus>projected-winner</PostElectionStatus>"} {
		if !bytes.Contains([]byte(body), []byte(want)) {
			t.Errorf("the XML export lacks %s", want)
		}
	}
	// The JSON form carries the same identifiers.
	_, js := ts.get(t, "/export/NA/nist-1500-100.json")
	if strings.Contains(js, `"ru-station-NA-57/`) || !strings.Contains(js, `"ru-station-NA-57_2FPS-1"`) {
		t.Error("the JSON export's station IDs still contain '/'")
	}
}
