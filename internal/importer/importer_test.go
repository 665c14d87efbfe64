package importer

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/election"
)

var update = flag.Bool("update", false, "rewrite golden files")

func parseFixture(t *testing.T) ([]Seat, []Claim) {
	t.Helper()
	f, err := os.Open("testdata/candidates.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seats, err := ParseAiwanCandidates(f, "candidates.csv")
	if err != nil {
		t.Fatal(err)
	}
	f47, err := os.Open("testdata/form47.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f47.Close()
	forms, err := ParseAiwanForm47(f47, "form47.csv")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/form45.json")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := ParseDSMClaims(data, "form45.json")
	if err != nil {
		t.Fatal(err)
	}
	return WithForm47(seats, forms), claims
}

func TestParseAiwan(t *testing.T) {
	seats, _ := parseFixture(t)
	if len(seats) != 3 {
		t.Fatalf("%d seats, want 3", len(seats))
	}
	s := seats[1] // NA-2: ranks given out of order
	if s.Contest != "NA-2" || s.Candidates[0].Name != "Sahibzada Sibghat Ullah" || s.Candidates[0].Party != "" || s.Candidates[1].Party != "PML-N" {
		t.Errorf("NA-2 = %+v", s)
	}
	if !seats[0].Known || seats[0].Registered != 1100 || seats[0].Rejected != 30 || seats[0].Name != "Chitral" {
		t.Errorf("NA-1 Form-47 figures = %+v", seats[0])
	}
	if !seats[1].Known || seats[1].Rejected != 12 { // polled illegible, registered and rejected read
		t.Errorf("NA-2 Form-47 figures = %+v", seats[1])
	}
	if seats[2].Known {
		t.Errorf("NA-3 has no Form-47 reading but is Known")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"na,candidate_name,party,votes\n", `row 1: no column "rank"`},
		{"na,candidate_name,party,votes,rank\nNA-1,A,PPP,12x,1\n", "row 2, column votes"},
		{"na,candidate_name,party,votes,rank\nNA-1,A,PPP,-1,1\n", "row 2, column votes"},
		{"na,candidate_name,party,votes,rank\nXX-1,A,PPP,1,1\n", "row 2, column na"},
		{"na,candidate_name,party,votes,rank\nNA-1,A,PPP,1,1\nNA-1,B,PPP,2,1\n", "row 3, column rank: rank 1 appears twice"},
		{"na,candidate_name,party,votes,rank\nNA-1,A,PPP,1,1\nNA-1,B,PPP,2,2\n", "rank 2 has more votes"},
		{"na,candidate_name,party,votes,rank\nNA-1,A,PPP,1,1\nNA-1,B,PPP,0,3\n", "rank 2 is missing"},
	} {
		_, err := ParseAiwanCandidates(strings.NewReader(tc.in), "x.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "x.csv") {
			t.Errorf("%q: error %v, want one naming x.csv and %q", tc.in, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{`[{"seat":"NA-1","result":[{"candidate":"A","party":"P","votes":1}],"extra":1}]`, "extra"},
		{`[{"seat":"NA-1","result":[{"candidate":"A","party":"P","votes":-1}]}]`, "$[0].result[0].votes"},
		{`[{"seat":"NA-1","result":[]}]`, "no candidate"},
		{`[{"seat":"NA-1","result":[{"candidate":"A","party":"P","votes":1}]},{"seat":"NA-1","result":[{"candidate":"A","party":"P","votes":1}]}]`, "$[1].seat: NA-1 appears twice"},
	} {
		_, err := ParseDSMClaims([]byte(tc.in), "c.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestCompare(t *testing.T) {
	seats, claims := parseFixture(t)
	c := Compare(seats, claims)
	if c.Compared != 3 || c.Differs != 2 || c.Flips != 1 || c.Unmatched != 1 {
		t.Fatalf("compared %d, differs %d, flips %d, unmatched %d; want 3, 2, 1, 1", c.Compared, c.Differs, c.Flips, c.Unmatched)
	}
	na1 := c.Seats[0]
	// "Suhail"/"Sohail" and "Ameer"/"Amir" match; the claim moves 200 from
	// the declared winner and adds 50 to the runner-up, who then wins.
	if !na1.Flip || na1.DeclaredWinner != 0 || na1.ClaimedWinner != 1 || na1.AbsDiff != 250 || na1.NetDiff != -150 {
		t.Errorf("NA-1 = %+v", na1)
	}
	if r := na1.Rows[0]; !r.Matched || r.Declared != "Sohail Sultan" || r.Diff != -200 || r.Label != "PTI-IND" {
		t.Errorf("NA-1 row 0 = %+v", r)
	}
	if na2 := c.Seats[1]; na2.Differs || na2.Flip || na2.Unmatched {
		t.Errorf("NA-2 (equal figures, names spelled apart) = %+v", na2)
	}
	if na3 := c.Seats[2]; !na3.Unmatched || na3.Flip || na3.ClaimedWinner != -1 {
		t.Errorf("NA-3 (a claimed name not declared) = %+v", na3)
	}
}

func TestMatch(t *testing.T) {
	cands := []Candidate{{Name: "Muhammad Ali Khan"}, {Name: "Muhammad Ali"}, {Name: "Dr. Yasmeen Rashid"}, {Name: "Khan"}}
	for name, want := range map[string]int{
		"Muhammad Ali Khan": 0, "Yasmin Rashid": 2, "Yasmeen Rashid": 2, "Ali Khan": 0, "Ali": 1, "Nobody Here": -1,
	} {
		if got := Match(cands, name); got != want {
			t.Errorf("Match(%q) = %d, want %d", name, got, want)
		}
	}
	// Relatives' names, namesakes told apart by party, then by rank.
	ecp := []Candidate{{Name: "Saif Ur Rehman S/O Taj Alam Khan"}, {Name: "Mufti Misbha Uddin S/O Ahmad Uddin", Party: "JUI-F"},
		{Name: "Misbah Uddin S/O Noor Ul Islam"}, {Name: "Misbah Uddin D/O Islam Gul"}, {Name: "Noor Ahmad Adil Baloch", Party: "BNP-A"},
		{Name: "Muhammad Noor", Party: "BNP-A"}, {Name: "Saif Ur Rehman W/O Khan"}}
	for _, c := range []struct {
		name, party string
		top, want   int
	}{
		{"Saif Ur Rahman", "PTI-IND", 0, -1},            // two namesakes, both independent
		{"Saif Ur Rahman", "PTI-IND", 2, 0},             // the one in the top two
		{"Misbah Uddin", "JUI-F", 0, 1},                 // the party tells them apart
		{"Misbah Uddin", "", 0, -1},                     // it does not
		{"Noor Ahmed Adil", "BNP-A", 0, 4},              // not the one-word "Noor"
		{"Noor Ahmad Adil son of Karim", "BNP-A", 0, 4}, // "son of" is a relation too
	} {
		if got := MatchParty(ecp, c.name, c.party, c.top, nil); got != c.want {
			t.Errorf("MatchParty(%q, %q, top %d) = %d, want %d", c.name, c.party, c.top, got, c.want)
		}
	}
}

func dsmFixture(t *testing.T) []DSMSeat {
	t.Helper()
	data, err := os.ReadFile("testdata/dsm.json")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ParseDSMSeats(data, "dsm.json")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestAnalyzeFixture(t *testing.T) {
	seats, _ := parseFixture(t)
	ds := dsmFixture(t)
	// The fixture's NA-1..3 and NA-8 are Khyber Pakhtunkhwa seats of pk-na-2024.
	rep, err := Analyze2024(&Source2024{Declared: seats, DSM: ds}, Options2024{})
	if err != nil {
		t.Fatal(err)
	}
	if got := totalsString(rep.Declared.Totals); got != "Independent 2, mwm 1" {
		t.Errorf("declared totals %s", got)
	}
	if got := totalsString(rep.Claimed.Totals); got != "Independent 2, pmln 1" || len(rep.Claimed.Count.Postponed) != 1 {
		t.Errorf("claimed totals %s, postponed %v", got, rep.Claimed.Count.Postponed)
	}
	if w := rep.Declared.Allocation.House.Members[0]; w.Party != "mwm" || w.Women != 10 {
		t.Errorf("declared house %+v", rep.Declared.Allocation.House.Members)
	}
	rep, err = Analyze2024(&Source2024{Declared: seats, DSM: ds}, Options2024{JoinParty: "pti"})
	if err != nil {
		t.Fatal(err)
	}
	if j := rep.Declared.Allocation.Joins; len(j) != 1 || j[0].Party != "pti" || j[0].Seats != 2 {
		t.Errorf("joins %+v, want the 2 PTI-IND independents of KP joining pti", j)
	}
}

// TestComparisonGolden pins the comparison summary of the fixture: the
// claim against the same source's declaration, the transcriptions against
// each other. go test ./importer -run Golden -update rewrites it.
func TestComparisonGolden(t *testing.T) {
	seats, forms := parseFixtureForms(t)
	ds := dsmFixture(t)
	got := struct {
		Headline       ClaimComparison `json:"headline"`
		Transcriptions Transcriptions  `json:"transcriptions"`
	}{CompareClaims(ds), CompareTranscriptions(ds, seats, forms)}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	const golden = "testdata/compare2024.golden.json"
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(want) {
		t.Errorf("comparison differs from %s (run with -update if the change is meant):\n%s", golden, b)
	}
	h := got.Headline
	if h.Compared != 3 || h.Differs != 2 || h.Flips != 2 || len(h.Postponed) != 1 || h.Postponed[0] != "NA-8" {
		t.Errorf("headline compared %d, differs %d, flips %d, postponed %v; want 3, 2, 2, [NA-8]", h.Compared, h.Differs, h.Flips, h.Postponed)
	}
	tr := got.Transcriptions
	if tr.Agree != 1 || tr.Candidates.Unmatched != 1 || tr.Candidates.Seats[2].Rows[1].Nearest != "Bilal Ahmad" {
		t.Errorf("transcriptions agree %d, unmatched %d, NA-3 rows %+v", tr.Agree, tr.Candidates.Unmatched, tr.Candidates.Seats[2].Rows)
	}
}

func parseFixtureForms(t *testing.T) ([]Seat, []Form47) {
	t.Helper()
	seats, _ := parseFixture(t)
	f, err := os.Open("testdata/form47.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	forms, err := ParseAiwanForm47(f, "form47.csv")
	if err != nil {
		t.Fatal(err)
	}
	return seats, forms
}

// TestRecords2024 checks that the log's records say what the comparison
// says: the sheet and declaration carry the declared figures, the copy the
// claimed ones, and a postponed seat has none.
func TestRecords2024(t *testing.T) {
	_, forms := parseFixtureForms(t)
	ds := dsmFixture(t)
	all := election.Pakistan2024()
	var full []DSMSeat
	for _, c := range all.Contests {
		if c.Assembly != "NA" {
			continue
		}
		d := DSMSeat{Contest: c.ID, Candidates: []DSMCandidate{{Name: "A", Party: "PPP", Declared: 1, Claimed: 1}, {Name: "B", Party: "IND", Declared: 2, Claimed: 2}}}
		for _, f := range ds {
			if f.Contest == c.ID {
				d = f
			}
		}
		full = append(full, d)
	}
	def, err := Definition2024(full, forms)
	if err != nil {
		t.Fatal(err)
	}
	cc := CompareClaims(full)
	for i, d := range full {
		sheet, decl, cp, ok := Records2024(def, d)
		if ok == d.Postponed {
			t.Fatalf("%s: records %v, postponed %v", d.Contest, ok, d.Postponed)
		}
		if !ok {
			continue
		}
		differs := cp.Cast != sheet.Cast
		for j := range sheet.Votes {
			if sheet.Votes[j] != decl.Votes[j] {
				t.Errorf("%s: sheet and declaration differ", d.Contest)
			}
			differs = differs || cp.Votes[j] != sheet.Votes[j]
		}
		if differs != cc.Seats[i].Differs {
			t.Errorf("%s: copy differs %v, comparison says %v", d.Contest, differs, cc.Seats[i].Differs)
		}
		if sheet.Registered < sheet.Cast || cp.Registered < cp.Cast {
			t.Errorf("%s: registered %d below cast %d/%d", d.Contest, sheet.Registered, sheet.Cast, cp.Cast)
		}
	}
}

func totalsString(ts []PartyTotal) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Party+" "+string(rune('0'+t.Seats)))
	}
	return strings.Join(s, ", ")
}

func TestParseCookman(t *testing.T) {
	f, err := os.Open("testdata/cookman.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seats, err := ParseCookman2018(f, "cookman.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(seats) != 4 {
		t.Fatalf("%d seats, want 4", len(seats))
	}
	if s := seats[0]; s.Candidates[0].Name != "B Shah" || !s.Known || s.Registered != 1000 || s.Rejected != 10 {
		t.Errorf("NA-1 = %+v", s)
	}
	if seats[1].Status != Postponed || len(seats[1].Candidates) != 0 {
		t.Errorf("NA-60 = %+v", seats[1])
	}
	if seats[2].Status != Uncontested || len(seats[2].Candidates) != 1 || seats[2].Known {
		t.Errorf("PS-6 = %+v", seats[2])
	}
	c, err := CountSeats(seats, Region2018, PartyID)
	if err != nil {
		t.Fatal(err)
	}
	if got := totalsString(c.Totals()); got != "Independent 1, mma 1, ppp 1" || len(c.Postponed) != 1 || len(c.Vacant) != 0 {
		t.Errorf("totals %s, postponed %v, vacant %v", got, c.Postponed, c.Vacant)
	}
}

func TestPartyID(t *testing.T) {
	for in, want := range map[string]string{"PML-N": "pmln", "": "", "PML-Z": "pml-z", "Jamhoori Wattan Party": "jamhoori-wattan-party", "BNP (A)": "bnp-a"} {
		if got := PartyID(in); got != want {
			t.Errorf("PartyID(%q) = %q, want %q", in, got, want)
		}
	}
}
