package importer

import (
	"os"
	"strings"
	"testing"
)

// FuzzParsers feeds arbitrary bytes to every parser: none may panic, and
// whatever parses must respect the contracts (counts in range, codes valid,
// candidates named).
func FuzzParsers(f *testing.F) {
	for _, name := range []string{"candidates.csv", "form47.csv", "form45.json", "cookman.csv", "dsm.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(seats []Seat) {
			for _, s := range seats {
				if !validContest(s.Contest) {
					t.Fatalf("invalid contest %q accepted", s.Contest)
				}
				for _, c := range s.Candidates {
					if c.Votes < 0 || c.Votes > maxVotes || c.Name == "" {
						t.Fatalf("bad candidate %+v accepted", c)
					}
				}
			}
		}
		if s, err := ParseAiwanCandidates(strings.NewReader(string(data)), "f"); err == nil {
			check(s)
			Compare(s, nil)
		}
		if s, err := ParseCookman2018(strings.NewReader(string(data)), "f"); err == nil {
			check(s)
		}
		ParseAiwanForm47(strings.NewReader(string(data)), "f")
		if ds, err := ParseDSMSeats(data, "f"); err == nil {
			for _, d := range ds {
				check([]Seat{d.Seat(false), d.Seat(true)})
			}
			CompareClaims(ds)
		}
		if cl, err := ParseDSMClaims(data, "f"); err == nil {
			for _, c := range cl {
				check([]Seat{{Contest: c.Contest, Candidates: c.Candidates}})
			}
		}
	})
}
