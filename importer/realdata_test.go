package importer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tallylog/tallylog/seats"
)

// sharedData is the project's shared data folder, relative to this package.
const sharedData = "../../shared/data"

func needData(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedData, dir)); err != nil {
		t.Skipf("skipping the real-data check: %s is absent (the shared data folder is not checked out)", filepath.Join(sharedData, dir))
	}
}

// TestReal2024 checks the 2024 import against facts of the data and the
// flip count against a second, simpler computation.
func TestReal2024(t *testing.T) {
	needData(t, AiwanDir)
	needData(t, DSMDir)
	src, err := Load2024(sharedData)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Declared) != 266 || len(src.Claims) != 266 || len(src.Form47) != 254 {
		t.Fatalf("%d declared seats, %d claims, %d Form-47 readings; want 266, 266, 254", len(src.Declared), len(src.Claims), len(src.Form47))
	}
	winners := map[string]string{}
	for _, s := range src.Declared {
		winners[s.Contest] = s.Candidates[0].Name
	}
	// Rank 1 in the data: NA-1 Abdul Latif; NA-130 Nawaz Sharif.
	if winners["NA-1"] != "Abdul Latif" || winners["NA-130"] != "Mian Muhammad Nawaz Sharif" {
		t.Errorf("winners NA-1 %q, NA-130 %q", winners["NA-1"], winners["NA-130"])
	}
	rep, err := Analyze2024(src, Options2024{})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Comparison
	// Second way: the claim's top candidate (most claimed votes), matched by
	// name, is not the declared rank-1 candidate. It relies on the source's
	// ranks, not on the comparison's vote arithmetic.
	flips := 0
	declared := map[string]Seat{}
	for _, s := range src.Declared {
		declared[s.Contest] = s
	}
	for _, cl := range src.Claims {
		s := declared[cl.Contest]
		top, tie := 0, false
		for i, cc := range cl.Candidates {
			if cc.Votes > cl.Candidates[top].Votes {
				top, tie = i, false
			} else if i != top && cc.Votes == cl.Candidates[top].Votes {
				tie = true
			}
		}
		if _, ok := Claimed(s, cl); !ok || tie || s.Candidates[0].Votes == s.Candidates[1].Votes {
			continue
		}
		if Match(s.Candidates, cl.Candidates[top].Name) != 0 {
			flips++
		}
	}
	if c.Flips != flips {
		t.Errorf("Compare counts %d flips, the second way %d", c.Flips, flips)
	}
	var general int
	for _, pt := range rep.Declared.Totals {
		general += pt.Seats
	}
	if general != 266 || rep.Declared.Allocation.House.Seats != 336 {
		t.Errorf("declared: %d general seats, house of %d; want 266, 336", general, rep.Declared.Allocation.House.Seats)
	}
	t.Logf("2024: %d seats differ, %d flips, %d unmatched; declared %v; claimed %v", c.Differs, c.Flips, c.Unmatched, rep.Declared.Totals, rep.Claimed.Totals)
}

// TestReal2018 checks the 2018 import: 272 National Assembly seats, two
// postponed, and the general seats the constituency file's winners give.
func TestReal2018(t *testing.T) {
	needData(t, CookmanDir)
	src, err := Load2018(sharedData)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze2018(src)
	if err != nil {
		t.Fatal(err)
	}
	na := rep.Assemblies[0]
	if na.Prefix != "NA" || na.Seats != 272 || len(na.Postponed) != 2 || na.Allocation.House.Seats != 342 {
		t.Fatalf("NA: %d seats, postponed %v, house %d; want 272, [NA-60 NA-103], 342", na.Seats, na.Postponed, na.Allocation.House.Seats)
	}
	got := map[string]int{}
	for _, pt := range na.Totals {
		got[pt.Party] = pt.Seats
	}
	// The 2018 general seats as reported: PTI 116, PML-N 64, PPP 43, 13
	// independents (the seats package's TestNA2018 derives the same).
	if got["pti"] != 116 || got["pmln"] != 64 || got["ppp"] != 43 || got[seats.Independent] != 13 {
		t.Errorf("NA general seats %v", got)
	}
}
