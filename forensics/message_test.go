package forensics

import (
	"slices"
	"testing"
)

// TestMessagesSayTheExplanations: every explanation of a report (national
// findings, group reasons, station signals, the station screen) carries a
// Message whose English is the explanation byte for byte, and every
// Message, nested ones too, has one of Formats — so a translation of
// Formats covers everything a report says.
func TestMessagesSayTheExplanations(t *testing.T) {
	st, names := Generate(GenConfig{Stations: 1500, Groups: 10, Seed: 3, StuffFraction: 0.1, StuffSize: 0.5, RoundFraction: 0.3})
	// Sheets that raise the rules: more ballots than voters, more in the
	// box than issued, an impossible sheet, and two identical sheets.
	st[0].Ballots = st[0].Registered + 10
	st[1].Invalid = st[1].Registered + 5
	st[2].Valid = 1
	st[4] = st[3]
	st[4].ID = "copy"
	// Everyone voted, all for the leader.
	st[5].Ballots, st[5].Invalid, st[5].Valid = st[5].Registered, 0, st[5].Registered
	st[5].Votes = make([]int64, len(names))
	st[5].Votes[0] = st[5].Valid
	// Rejected ballots above the margin in one group.
	for i := range st {
		if st[i].Group == st[6].Group {
			st[i].Invalid += st[i].Valid
			st[i].Valid = 0
			clear(st[i].Votes)
		}
	}
	rep, err := Analyze(st, names, Options{Seed: 1, Resamples: 50, SkipKlimekFit: true, MaxFlagged: 1000, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	known := Formats()
	seen := map[string]bool{}
	var check func(where, english string, m Message)
	check = func(where, english string, m Message) {
		t.Helper()
		if !slices.Contains(known, m.Format) {
			t.Errorf("%s: format %q is not in Formats", where, m.Format)
		}
		seen[m.Format] = true
		if english != "" && m.String() != english {
			t.Errorf("%s: the message says\n%q\nbut the explanation is\n%q", where, m.String(), english)
		}
		for _, a := range m.Args {
			if n, ok := a.(Message); ok {
				check(where+" (argument)", "", n)
			}
		}
	}
	for _, f := range rep.Findings {
		check("finding "+f.Test, f.Explanation, f.Message)
	}
	for _, g := range rep.Groups {
		if len(g.Messages) != len(g.Reasons) {
			t.Fatalf("group %s: %d messages for %d reasons", g.Name, len(g.Messages), len(g.Reasons))
		}
		for i, m := range g.Messages {
			check("group "+g.Name, g.Reasons[i], m)
		}
	}
	for _, f := range rep.Flagged {
		for _, s := range f.Signals {
			check("station "+f.ID+" "+s.Code, s.Explanation, s.Message)
		}
	}
	for _, f := range rep.Screen.Top {
		check("screen "+f.ID, f.Explanation, f.Message)
		if f.Explain(rep.Leader)+"; "+Caveat+"." != f.Explanation {
			t.Errorf("screen %s: Explain gives %q", f.ID, f.Explain(rep.Leader))
		}
	}
	// The test must see most of the formats to mean anything.
	for _, f := range known {
		if !seen[f] {
			t.Logf("not said: %.60s", f)
		}
	}
	if len(seen) < len(known)*2/3 {
		t.Errorf("the report said only %d of the %d formats", len(seen), len(known))
	}
}
