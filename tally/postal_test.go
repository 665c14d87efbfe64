package tally

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestPostalChecks: the final result's postal ballots against the
// postal-ballot account and the sheets, one case per rule. NA-57's sheets
// give candidate 1 450 votes and candidate 2 390 (3,000 registered).
func TestPostalChecks(t *testing.T) {
	cases := []struct {
		name         string
		before       int64 // account issued, logged before the sheets (0: none)
		after        int64 // account issued, logged after the form 49 (0: none)
		postal       []int64
		kinds        string
		severity     Severity
		wantInMsg    string
		contestPolls int64 // ballots polled reported for the contest
		undisputed   bool  // the flag is on the account, not the form 49
	}{
		{name: "within the account, not decisive", before: 50, postal: []int64{20, 30, 0}, contestPolls: 855 + 50},
		{name: "within the account, decisive", before: 200, postal: []int64{0, 100, 0}, kinds: KindPostalDecisive, severity: Medium,
			wantInMsg: "100 postal ballots (candidate 2: 100); the logged sheets (3 of 3 stations) give candidate 1 a margin of 60; with the postal ballots candidate 2 lead instead"},
		{name: "no account", postal: []int64{5, 5, 0}, kinds: KindPostalUnaccounted, severity: Medium},
		{name: "no account, decisive", postal: []int64{0, 100, 0}, kinds: KindPostalUnaccounted, severity: High},
		{name: "account logged after a form 49 that exceeds it", after: 10, postal: []int64{0, 100, 0},
			kinds: KindPostalAccountLate + "," + KindPostalOverAccount, severity: High,
			wantInMsg: "counts 100 postal ballots; the postal-ballot account issued 10"},
		{name: "postal inflation beyond the registered voters", postal: []int64{0, 5000, 0},
			kinds: KindOverRegistered + "," + KindPostalUnaccounted, severity: High,
			wantInMsg: "855 ballots cast at the stations and 5000 postal ballots make 5855, more than the contest's 3000 registered voters"},
		{name: "a second account", before: 50, after: 70, postal: []int64{20, 30, 0}, kinds: KindConflictingSheets, severity: High, undisputed: true},
		{name: "account beyond the registered voters", before: 4000, postal: []int64{0, 0, 0}, kinds: KindOverRegistered, severity: High, undisputed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if tc.before > 0 {
				f.add(t, "ro.NA-57", f.e.PostalAccount("NA-57", tc.before))
			}
			f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			f.sheet(t, "NA-57", "NA-57/PS-2", 100, 150, 5)
			f.sheet(t, "NA-57", "NA-57/PS-3", 50, 40, 0)
			d := declare("NA-57", 49, onTime, 450+tc.postal[0], 390+tc.postal[1], 15+tc.postal[2])
			d.Postal, d.Readmitted = testelection.Counts(tc.postal...), testelection.Counts(0, 0, 0)
			_, dh := f.add(t, "ro.NA-57", d)
			if tc.after > 0 {
				a := f.e.PostalAccount("NA-57", tc.after)
				if tc.before == 0 {
					a.Accounted = "2024-02-08T19:00:00Z" // after the sheets were captured, at 18:00
				}
				f.add(t, "ro.NA-57", a)
			}
			got := flagsButMargin(f)
			if k := kinds(got); k != tc.kinds {
				t.Fatalf("flags %q, want %q: %+v", k, tc.kinds, got)
			}
			c := f.contest(t, "NA-57")
			if tc.kinds == "" {
				if !c.Final.Matches || c.Recount.Polled != tc.contestPolls {
					t.Fatalf("final %+v, polled %d", c.Final, c.Recount.Polled)
				}
				return
			}
			if c.Final.Matches != tc.undisputed {
				t.Fatalf("a disputed form 49 reported as matching: %+v", c.Final)
			}
			worst := got[0]
			for _, fl := range got {
				if fl.Severity.rank() < worst.Severity.rank() {
					worst = fl
				}
			}
			last := got[len(got)-1]
			if tc.after > 0 && tc.before == 0 {
				res := f.history(KindPostalUnaccounted)
				if last.Kind != KindPostalOverAccount || last.Severity != Grave || len(res) != 1 || res[0].ResolvedBy.Type != "postal-account" {
					t.Fatalf("over the account: %+v; history %+v", last, res)
				}
			}
			if (tc.after == 0 || tc.before > 0) && worst.Severity != tc.severity {
				t.Fatalf("severity %s, want %s: %+v", worst.Severity, tc.severity, got)
			}
			if tc.wantInMsg != "" && !strings.Contains(kindsMessages(got), tc.wantInMsg) {
				t.Fatalf("messages %q, want %q", kindsMessages(got), tc.wantInMsg)
			}
			if tc.before == 0 && tc.after == 0 && got[0].Evidence[0].Hash != dh {
				t.Fatalf("evidence %+v", got[0].Evidence)
			}
		})
	}
}

// flagsButMargin returns the standing flags but those on the margin
// (recount-eligible, rejected-above-margin), which these sheets raise.
func flagsButMargin(f *fixture) []Flag {
	var got []Flag
	for _, fl := range f.flags("") {
		if fl.Kind != KindRecountEligible && fl.Kind != KindRejectedAboveMargin {
			got = append(got, fl)
		}
	}
	return got
}

func kindsMessages(fs []Flag) string {
	var m []string
	for _, f := range fs {
		m = append(m, f.Message)
	}
	return strings.Join(m, " | ")
}

// TestReadmittedBallots: a form 49's re-admitted ballots are ballots the
// stations rejected that the returning officer counts after all, so they
// cannot exceed the rejected ballots on the current sheets (and, while
// stations have not reported, what those stations' registered voters could
// hold). Beyond that they are ballots from nowhere, added like postal
// ballots but under another heading that no account bounds. NA-57's
// sheets reject 10 + 5 + 0 ballots.
func TestReadmittedBallots(t *testing.T) {
	cases := []struct {
		name       string
		readmitted []int64
		absent     bool // PS-3's sheet arrives after the form 49
		kinds      string
		wantInMsg  string
	}{
		{name: "none re-admitted", readmitted: []int64{0, 0, 0}},
		{name: "within the rejected ballots", readmitted: []int64{4, 8, 3}},
		{name: "one more than the rejected ballots", readmitted: []int64{4, 8, 4}, kinds: KindReadmittedOverRejected,
			wantInMsg: "re-admits 16 ballots (candidate 1: 4, candidate 2: 8, candidate 3: 4); the current sheets of 3 of 3 stations reject 15"},
		{name: "thousands re-admitted for the runner-up", readmitted: []int64{0, 5000, 0}, kinds: KindReadmittedOverRejected,
			wantInMsg: "with them candidate 2 lead instead"},
		{name: "a station not yet logged could hold them", readmitted: []int64{0, 200, 0}, absent: true, kinds: KindAwaitingSheets},
		{name: "beyond what a station not yet logged could hold", readmitted: []int64{0, 1200, 0}, absent: true,
			kinds: KindAwaitingSheets + "," + KindReadmittedOverRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.add(t, "ro.NA-57", f.e.PostalAccount("NA-57", 50))
			sheet := func(station string, rejected int64, votes ...int64) *record.Sheet {
				s := f.e.Sheet("NA-57", station, votes...)
				s.Rejected, s.Cast = rejected, s.Cast+rejected
				return s
			}
			f.add(t, "po.NA-57.PS-1", sheet("NA-57/PS-1", 10, 300, 200, 10))
			f.add(t, "po.NA-57.PS-2", sheet("NA-57/PS-2", 5, 100, 150, 5))
			ps3 := sheet("NA-57/PS-3", 0, 50, 40, 0)
			if !tc.absent {
				f.add(t, "po.NA-57.PS-3", ps3)
			}
			r := tc.readmitted
			// The returning officer holds every paper sheet: the totals
			// count PS-3 whether or not its upload has reached the log.
			d := declare("NA-57", 49, onTime, 450+r[0], 390+r[1], 15+r[2])
			d.Postal, d.Readmitted = testelection.Counts(0, 0, 0), testelection.Counts(r...)
			_, dh := f.add(t, "ro.NA-57", d)
			got := flagsButMargin(f)
			if k := kinds(got); k != tc.kinds {
				t.Fatalf("flags %q, want %q: %+v", k, tc.kinds, got)
			}
			c := f.contest(t, "NA-57")
			if tc.kinds == "" && !c.Final.Matches {
				t.Fatalf("an honest form 49 is disputed: %+v", c.Final)
			}
			for _, fl := range got {
				if fl.Kind != KindReadmittedOverRejected {
					continue
				}
				if fl.Severity != Grave || fl.Evidence[0].Hash != dh || c.Final.Matches {
					t.Fatalf("flag %+v; final %+v", fl, c.Final)
				}
				if tc.wantInMsg != "" && !strings.Contains(fl.Message, tc.wantInMsg) {
					t.Fatalf("message %q, want %q", fl.Message, tc.wantInMsg)
				}
			}
			if tc.absent && tc.kinds == KindAwaitingSheets {
				// The station reports with no rejected ballots: the 200
				// re-admitted ballots now come from nowhere.
				f.add(t, "po.NA-57.PS-3", ps3)
				if k := kinds(f.flags(KindReadmittedOverRejected)); k != KindReadmittedOverRejected {
					t.Fatalf("after the last sheet: %q", kinds(f.flags("")))
				}
			}
		})
	}
}
