package evidence

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/tally"
)

// TestDeclarationStatements: a declaration is described by what its
// author could see. An honest one overtaken by a recount is not called a
// discrepancy; a false one that later corrections make true is.
func TestDeclarationStatements(t *testing.T) {
	r := &replayed{pos: []uint64{10, 11, 12, 13}}
	names := map[string]string{"1": "One", "2": "Two"}
	diff := func(d1, s1, d2, s2 int64) []tally.CandidateDiff {
		return []tally.CandidateDiff{{Candidate: "1", Declared: d1, Sheets: s1, Delta: d1 - s1}, {Candidate: "2", Declared: d2, Sheets: s2, Delta: d2 - s2}}
	}
	base := tally.DeclarationResult{Index: 3, Form: 47, Signer: "ro.NA-57", Declared: "2024-02-08T20:00:00Z", Current: true, Winners: []string{"1"}}
	for _, tc := range []struct {
		name     string
		edit     func(d *tally.DeclarationResult)
		severity string
		phrase   string
	}{
		{"matches", func(d *tally.DeclarationResult) { d.Matches, d.SheetsWinners = true, []string{"1"} }, "info", "The returning officer's key ro.NA-57 signed a form 47 (provisional) declaration dated 2024-02-08T20:00:00Z, logged at index 13; what it declares agrees with the sum"},
		{"disputed (postal ballots beyond the account)", func(d *tally.DeclarationResult) {
			d.Form, d.Diff, d.SheetsWinners, d.Disputed = 49, diff(500, 500, 300, 300), []string{"1"}, []string{tally.KindPostalOverAccount}
		}, "grave", "agrees with the sum of the logged sheets plus the postal and re-admitted ballots it itemises, but the tally disputes it: postal-over-account"},
		{"awaiting sheets", func(d *tally.DeclarationResult) {
			d.Diff, d.SheetsWinners, d.Awaiting = diff(500, 400, 300, 300), []string{"1"}, true
		}, "info", "counts stations whose sheets are not logged as of this checkpoint"},
		{"differs", func(d *tally.DeclarationResult) { d.Diff, d.SheetsWinners = diff(500, 400, 300, 300), []string{"1"} }, "high", "differs from the sum"},
		{"changes the winner", func(d *tally.DeclarationResult) { d.Diff, d.SheetsWinners = diff(500, 200, 300, 300), []string{"2"} }, "grave", "the sheets make candidate 2 (Two) the winner"},
		{"outdated by a recount", func(d *tally.DeclarationResult) {
			d.Diff, d.SheetsWinners = diff(500, 480, 300, 300), []string{"1"}
			d.AsDeclared = &tally.AsDeclared{Diff: diff(500, 500, 300, 300), Matches: true, SheetsWinners: []string{"1"}}
		}, "medium", "matched the logged sheets when it was declared"},
		{"outdated, recount changes the winner", func(d *tally.DeclarationResult) {
			d.Diff, d.SheetsWinners = diff(500, 200, 300, 300), []string{"2"}
			d.AsDeclared = &tally.AsDeclared{Diff: diff(500, 500, 300, 300), Matches: true, SheetsWinners: []string{"1"}}
		}, "high", "corrected sheets make candidate 2 (Two) the winner"},
		{"made true by later corrections", func(d *tally.DeclarationResult) {
			d.Matches, d.Diff, d.SheetsWinners = true, diff(500, 500, 300, 300), []string{"1"}
			d.AsDeclared = &tally.AsDeclared{Diff: diff(500, 200, 300, 300), Matches: false, SheetsWinners: []string{"2"}}
		}, "grave", "check those corrections"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := base
			tc.edit(&d)
			flags := []tally.Flag{{Kind: tally.KindPostalOverAccount, Severity: tally.Grave}}
			s := declarationStatement(r, d, names, []uint64{0, 1, 2}, flags)
			if strings.Contains(s.Text, " matches") {
				t.Fatalf("the statement asserts a match as fact: %q", s.Text)
			}
			if s.Severity != tc.severity || !strings.Contains(s.Text, tc.phrase) || s.Evidence[0] != 13 {
				t.Fatalf("got %s %q %v, want %s containing %q", s.Severity, s.Text, s.Evidence, tc.severity, tc.phrase)
			}
		})
	}
}
