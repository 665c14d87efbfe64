package importer

import (
	"os"
	"strings"
	"testing"
)

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
}

func TestAnalyzeFixture(t *testing.T) {
	seats, claims := parseFixture(t)
	// The fixture's NA-1..3 are Khyber Pakhtunkhwa seats of pk-na-2024.
	rep, err := Analyze2024(&Source2024{Declared: seats, Claims: claims}, Options2024{})
	if err != nil {
		t.Fatal(err)
	}
	if got := totalsString(rep.Declared.Totals); got != "Independent 2, mwm 1" {
		t.Errorf("declared totals %s", got)
	}
	if got := totalsString(rep.Claimed.Totals); got != "Independent 1, mwm 1, pmln 1" {
		t.Errorf("claimed totals %s", got)
	}
	// Under the claim pmln and mwm share KP's 10 women's seats 5–5; the
	// declared count gives mwm all 10 (independents are out of the count).
	if w := rep.Declared.Allocation.House.Members[0]; w.Party != "mwm" || w.Women != 10 {
		t.Errorf("declared house %+v", rep.Declared.Allocation.House.Members)
	}
	rep, err = Analyze2024(&Source2024{Declared: seats, Claims: claims}, Options2024{JoinParty: "pti"})
	if err != nil {
		t.Fatal(err)
	}
	if j := rep.Declared.Allocation.Joins; len(j) != 1 || j[0].Party != "pti" || j[0].Seats != 2 {
		t.Errorf("joins %+v, want the 2 PTI-IND independents of KP joining pti", j)
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
	if got := totalsString(c.Totals()); got != "Independent 1, mma 1, ppp 1" || len(c.Vacant) != 1 {
		t.Errorf("totals %s, vacant %v", got, c.Vacant)
	}
}

func TestPartyID(t *testing.T) {
	for in, want := range map[string]string{"PML-N": "pmln", "": "", "PML-Z": "pml-z", "Jamhoori Wattan Party": "jamhoori-wattan-party", "BNP (A)": "bnp-a"} {
		if got := PartyID(in); got != want {
			t.Errorf("PartyID(%q) = %q, want %q", in, got, want)
		}
	}
}
