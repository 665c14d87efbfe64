package tally

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestRefusedEntriesChangeNothing is the catalogue of bad input: each entry
// is refused with an error naming the rule, and the tally is unchanged.
func TestRefusedEntriesChangeNothing(t *testing.T) {
	f := newFixture(t)
	_, h1 := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
	_, h58 := f.sheet(t, "NA-58", "NA-58/PS-1", 100, 90, 5)
	f.add(t, "ro.NA-57", declare("NA-57", 47, onTime, 300, 200, 10))
	bogus := strings.Repeat("ab", 32)

	cases := []struct {
		name  string
		entry func() []byte
		want  string
	}{
		{"declaration signed by another constituency's officer", func() []byte {
			return f.e.Sign(t, "ro.NA-58", declare("NA-57", 47, onTime, 1, 2, 3))
		}, "declaration refused: signature: key ro.NA-58 may not sign this record: a declaration is signed by the returning officer registered for contest NA-57"},
		{"declaration signed by a presiding officer", func() []byte {
			return f.e.Sign(t, "po.NA-57.PS-1", declare("NA-57", 47, onTime, 1, 2, 3))
		}, "may not sign this record"},
		{"correction naming a record that does not exist", func() []byte {
			return f.e.Sign(t, "ro.NA-57", f.correction("NA-57", "NA-57/PS-1", 2, bogus, 1, 2, 3))
		}, "sheet refused: supersedes: no record with hash " + bogus},
		{"correction superseding another station's sheet", func() []byte {
			return f.e.Sign(t, "ro.NA-57", f.correction("NA-57", "NA-57/PS-2", 2, h1, 1, 2, 3))
		}, "supersedes: record " + h1 + " is not a sheet of station NA-57/PS-2"},
		{"correction superseding another contest's sheet", func() []byte {
			return f.e.Sign(t, "ro.NA-57", f.correction("NA-57", "NA-57/PS-1", 2, h58, 1, 2, 3))
		}, "is not a sheet of station NA-57/PS-1 in contest NA-57"},
		{"declaration superseding a sheet", func() []byte {
			d := declare("NA-57", 47, onTime, 1, 2, 3)
			d.Supersedes = h1
			return f.e.Sign(t, "ro.NA-57", d)
		}, "is not a declaration of contest NA-57"},
		{"declaration naming a record that does not exist", func() []byte {
			d := declare("NA-57", 49, onTime, 1, 2, 3)
			d.Postal, d.Readmitted, d.Supersedes = testelection.Counts(0, 0, 0), testelection.Counts(0, 0, 0), bogus
			return f.e.Sign(t, "ro.NA-57", d)
		}, "supersedes: no record with hash"},
		{"unregistered key", func() []byte {
			s, _ := testelection.Key("ro.NA-57-impostor")
			entry, _ := record.Sign(declare("NA-57", 47, onTime, 1, 2, 3), s)
			return entry
		}, "is not registered in this log"},
		{"duplicate entry", func() []byte { return f.entries[len(f.entries)-1] }, "already in the log"},
		{"not a signed record", func() []byte { return []byte("tallylog/v1 sheet\n") }, "signature: missing"},
	}
	before := f.t.Summary(time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)).JSON()
	size := f.t.Size()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := f.t.Apply(size, c.entry())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			after := f.t.Summary(time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)).JSON()
			if !bytes.Equal(before, after) || f.t.Size() != size {
				t.Fatalf("a refused entry changed the tally:\n%s\n%s", before, after)
			}
		})
	}
	if err := f.t.Apply(size+1, f.e.Sign(t, "po.NA-57.PS-2", f.e.Sheet("NA-57", "NA-57/PS-2", 1, 2, 3))); err == nil ||
		!strings.Contains(err.Error(), "expected "+itoa(size)) {
		t.Fatalf("out-of-order index: got %v", err)
	}
}

func itoa(n uint64) string { return record.Itoa(int64(n)) }

// TestSheetArithmetic covers the checks on one sheet.
func TestSheetArithmetic(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(s *record.Sheet)
		kinds string
	}{
		{"consistent", func(s *record.Sheet) {}, ""},
		{"votes plus rejected differ from cast", func(s *record.Sheet) { s.Cast += 7 }, KindArithmetic},
		{"rejected not in cast", func(s *record.Sheet) { s.Rejected = 12 }, KindArithmetic},
		{"more ballots than voters", func(s *record.Sheet) { s.Votes[0].Votes += 600; s.Cast += 600 }, KindOverRegistered},
		{"registered differs from the definition", func(s *record.Sheet) { s.Registered = 1100 }, KindRegisteredMismatch},
		{"several at once", func(s *record.Sheet) { s.Registered, s.Cast = 900, 1200 }, KindArithmetic + "," + KindOverRegistered + "," + KindRegisteredMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.e.Sheet("NA-57", "NA-57/PS-1", 300, 200, 10)
			c.edit(s)
			i, h := f.add(t, "po.NA-57.PS-1", s)
			got := f.flags("")
			if kinds(got) != c.kinds {
				t.Fatalf("flags %q, want %q", kinds(got), c.kinds)
			}
			for _, fl := range got {
				if fl.Raised != i || fl.Station != "NA-57/PS-1" || len(fl.Evidence) != 1 || fl.Evidence[0].Hash != h || fl.Evidence[0].Index != i {
					t.Errorf("flag %+v: want raised at %d with the sheet %s as evidence", fl, i, h)
				}
			}
		})
	}
}

// TestCorrectionChain: a revision by the returning officer replaces the
// sheet, keeps the history and raises no conflict; a correction resolves
// the arithmetic flag of the sheet it replaces.
func TestCorrectionChain(t *testing.T) {
	f := newFixture(t)
	bad := f.e.Sheet("NA-57", "NA-57/PS-1", 300, 200, 10)
	bad.Cast = 520
	i1, h1 := f.add(t, "po.NA-57.PS-1", bad)
	if k := kinds(f.flags("")); k != KindArithmetic {
		t.Fatalf("flags %q", k)
	}
	i2, h2 := f.add(t, "ro.NA-57", f.recount(t, "NA-57", "NA-57/PS-1", 2, h1, 290, 210, 10))
	if k := kinds(f.flags("")); k != "" {
		t.Fatalf("flags after correction %q", k)
	}
	st := f.station(t, "NA-57/PS-1").Contests[0]
	if len(st.History) != 2 || st.Current == nil || st.Current.Hash != h2 || st.Current.Revision != 2 {
		t.Fatalf("history %+v", st)
	}
	old := st.History[0]
	if old.Current || old.SupersededBy == nil || old.SupersededBy.Index != i2 || old.SupersededBy.Order == nil || old.SupersededBy.Order.Signer != "ro.NA-57" || old.SupersededBy.Order.Role != "returning" ||
		!strings.Contains(old.SupersededBy.Reason, "recount") || st.Current.Supersedes != h1 || st.Current.Signer != "ro.NA-57" {
		t.Fatalf("supersession not recorded: %+v / %+v", old, st.Current)
	}
	c := f.contest(t, "NA-57")
	if c.Candidates[0].Sheets != 290 || c.Candidates[1].Sheets != 210 || c.StationsIn != 1 {
		t.Fatalf("sums do not follow the correction: %+v", c.Candidates)
	}
	var resolved []Flag
	f.t.Read(func(v *View) { resolved = v.Flags(Filter{Resolved: true}) })
	if len(resolved) != 1 || resolved[0].Raised != i1 || resolved[0].Resolved != i2 {
		t.Fatalf("resolved flags %+v", resolved)
	}
}

// TestConflictingVersions: two different revision-1 sheets for a station
// are flagged and both stay visible; the first is counted until a
// correction settles the matter.
func TestConflictingVersions(t *testing.T) {
	f := newFixture(t)
	i1, h1 := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
	other := f.e.Sheet("NA-57", "NA-57/PS-1", 200, 300, 10)
	other.Captured = "2024-02-08T19:00:00Z"
	i2, h2 := f.add(t, "po.NA-57.PS-1", other)
	got := f.flags(KindConflictingSheets)
	if len(got) != 1 || got[0].Raised != i2 || len(got[0].Evidence) != 2 || got[0].Evidence[0].Hash != h1 || got[0].Evidence[1].Hash != h2 || got[0].Severity != High {
		t.Fatalf("conflict flag %+v", got)
	}
	st := f.station(t, "NA-57/PS-1").Contests[0]
	if len(st.History) != 2 || st.Current.Index != i1 || !st.History[1].Conflicting || st.History[0].Conflicting {
		t.Fatalf("both versions must be visible, the first counted: %+v", st.History)
	}
	if c := f.contest(t, "NA-57"); c.Candidates[0].Sheets != 300 {
		t.Fatalf("counted %+v", c.Candidates)
	}
	// The same numbers signed again are not a conflict.
	same := f.e.Sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
	f.add(t, "po.NA-57.PS-2", same)
	same.Captured = "2024-02-08T19:30:00Z"
	f.add(t, "po.NA-57.PS-2", same)
	if n := len(f.flags(KindConflictingSheets)); n != 1 {
		t.Fatalf("%d conflict flags, want 1", n)
	}
	// A correction of the second version settles it.
	i3, _ := f.add(t, "ro.NA-57", f.recount(t, "NA-57", "NA-57/PS-1", 2, h2, 250, 250, 10))
	if n := len(f.flags(KindConflictingSheets)); n != 0 {
		t.Fatalf("conflict not settled by the correction")
	}
	if c := f.contest(t, "NA-57"); c.Candidates[0].Sheets != 251 {
		t.Fatalf("counted %+v", c.Candidates)
	}
	_ = i3
}

// TestCopyReconciliation: agents' and observers' copies and
// countersignatures against the officer's sheet.
func TestCopyReconciliation(t *testing.T) {
	f := newFixture(t)
	_, h := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
	copyOf := func(votes ...int64) *record.Attestation {
		a := &record.Attestation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy", Registered: 1000,
			Votes: testelection.Counts(votes...), Captured: "2024-02-08T18:30:00Z"}
		for _, v := range votes {
			a.Cast += v
		}
		return a
	}
	f.add(t, "agent.NA-57", &record.Attestation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "countersign", Sheet: h, Captured: "2024-02-08T18:10:00Z"})
	f.add(t, "observer", copyOf(300, 200, 10))
	if k := kinds(f.flags("")); k != "" {
		t.Fatalf("agreeing attestations flagged: %q", k)
	}
	ic, hc := f.add(t, "agent.NA-57", copyOf(200, 300, 10))
	got := f.flags(KindCopyDiffers)
	if len(got) != 1 || got[0].Raised != ic || got[0].Evidence[0].Hash != hc || got[0].Evidence[1].Hash != h {
		t.Fatalf("copy flag %+v", got)
	}
	if d := got[0].Diff; len(d) != 3 || d[0].Declared != 200 || d[0].Sheets != 300 || d[0].Delta != -100 || d[1].Delta != 100 {
		t.Fatalf("diff %+v", d)
	}
	st := f.station(t, "NA-57/PS-1").Contests[0]
	if len(st.Attestations) != 3 || !st.Attestations[0].Agrees || st.Attestations[0].Sheet != h || !st.Attestations[1].Agrees || st.Attestations[2].Agrees {
		t.Fatalf("attestations %+v", st.Attestations)
	}
	// A recount that finds the agent right resolves the flag.
	f.add(t, "ro.NA-57", f.recount(t, "NA-57", "NA-57/PS-1", 2, h, 200, 300, 10))
	if got := f.flags(KindCopyDiffers); len(got) != 1 || got[0].Evidence[0].Note != "copy by observer" {
		t.Fatalf("after recount the observer's copy differs instead: %+v", got)
	}
}
