package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/seats"
)

// sharedData is the project's shared data folder, relative to this package
// (the checkout beside ../shared), or $TALLYLOG_SHARED_DATA (a worktree
// elsewhere).
var sharedData = func() string {
	if d := os.Getenv("TALLYLOG_SHARED_DATA"); d != "" {
		return d
	}
	return "../../../shared/data"
}()

func needData(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedData, dir)); err != nil {
		t.Skipf("skipping the real-data check: %s is absent (the shared data folder is not checked out)", filepath.Join(sharedData, dir))
	}
}

// TestReal2024 checks the 2024 import against facts of the data: the claim
// against the same source's declaration (recomputed here a second, simpler
// way), the postponed seat, the later changes, and the seat counts.
func TestReal2024(t *testing.T) {
	needData(t, AiwanDir)
	needData(t, DSMDir)
	src, err := Load2024(sharedData)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Declared) != 266 || len(src.DSM) != 266 || len(src.Form47) != 254 {
		t.Fatalf("%d declared seats, %d DSM seats, %d Form-47 readings; want 266, 266, 254", len(src.Declared), len(src.DSM), len(src.Form47))
	}
	winners := map[string]string{}
	for _, s := range src.Declared {
		winners[s.Contest] = s.Candidates[0].Name
	}
	if winners["NA-1"] != "Abdul Latif" || winners["NA-130"] != "Mian Muhammad Nawaz Sharif" {
		t.Errorf("winners NA-1 %q, NA-130 %q", winners["NA-1"], winners["NA-130"])
	}
	rep, err := Analyze2024(src, Options2024{})
	if err != nil {
		t.Fatal(err)
	}
	h := rep.Headline
	// Second way: a seat differs when any declaredVotes != actualVotes; it
	// flips when the order of the two candidates reverses strictly.
	differs, flips := 0, 0
	for _, d := range src.DSM {
		a, b := d.Candidates[0], d.Candidates[1]
		if a.Declared != a.Claimed || b.Declared != b.Claimed {
			differs++
		}
		if (a.Declared-b.Declared)*(a.Claimed-b.Claimed) < 0 {
			flips++
		}
	}
	if h.Differs != differs || h.Flips != flips {
		t.Errorf("headline differs %d, flips %d; the second way %d, %d", h.Differs, h.Flips, differs, flips)
	}
	if len(h.Postponed) != 1 || h.Postponed[0] != "NA-8" || h.Compared != 265 {
		t.Errorf("postponed %v, compared %d; want [NA-8], 265", h.Postponed, h.Compared)
	}
	// NA-1: the claim equals the declaration in the same source.
	if s := h.Seats[0]; s.Contest != "NA-1" || s.Differs {
		t.Errorf("NA-1 = %+v", s)
	}
	// NA-235 matches across transcriptions despite "S/O" (the claim's
	// winner there is a PTI-backed independent).
	for _, s := range rep.Transcriptions.Candidates.Seats {
		if s.Contest == "NA-235" && s.Unmatched {
			t.Errorf("NA-235 unmatched: %+v", s.Rows)
		}
	}
	tr := rep.Transcriptions
	later := map[string]bool{}
	for _, c := range tr.Later {
		later[c] = true
	}
	for _, l := range LaterChanges2024 {
		if !later[l.Contest] {
			t.Errorf("%s: a later change, but the transcriptions do not name different winners there", l.Contest)
		}
	}
	var general int
	for _, pt := range rep.Declared.Totals {
		general += pt.Seats
	}
	if general != 266 || rep.Declared.Allocation.House.Seats != 336 {
		t.Errorf("declared: %d general seats, house of %d; want 266, 336", general, rep.Declared.Allocation.House.Seats)
	}
	if p := rep.Claimed.Count.Postponed; len(p) != 1 || p[0] != "NA-8" {
		t.Errorf("claimed count: postponed %v, want [NA-8]", p)
	}
	t.Logf("2024: claim differs in %d seats, %d flips; transcriptions agree in %d, %d unmatched names; Form-47 winner votes differ in %d of %d",
		h.Differs, h.Flips, tr.Agree, tr.Candidates.Unmatched, len(tr.Form47Differ), tr.Form47Compared)
}

// TestLaterChangesFromData derives the later changes from the data: the
// seats where the Form-47 scan reading's winner is the candidate results'
// runner-up.
func TestLaterChangesFromData(t *testing.T) {
	needData(t, AiwanDir)
	needData(t, DSMDir)
	src, err := Load2024(sharedData)
	if err != nil {
		t.Fatal(err)
	}
	byContest := map[string]Seat{}
	for _, s := range src.Declared {
		byContest[s.Contest] = s
	}
	var got []string
	for _, f := range src.Form47 {
		s := byContest[f.Contest]
		// Matched among the later top two (the reading's transliterations
		// from Urdu match no one at times: those are not counted).
		if j := MatchParty(s.Candidates, f.Winner, "", 2, nil); j > 0 {
			got = append(got, f.Contest)
		}
	}
	var want []string
	for _, l := range LaterChanges2024 {
		want = append(want, l.Contest)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("seats whose Form-47 winner is not the later winner: %v; the table says %v", got, want)
	}
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
