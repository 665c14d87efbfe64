package tally

import (
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestRawalpindi: the returning officer declares a result that gives the
// loser a 50,000-vote lead. It is the gravest flag, with the difference per
// candidate and every sheet behind the sum as evidence.
func TestRawalpindi(t *testing.T) {
	f := newFixture(t)
	var sheets []string
	for i, v := range [][]int64{{210, 640, 20}, {180, 700, 15}, {250, 610, 30}} {
		_, h := f.sheet(t, "NA-57", "NA-57/PS-"+itoa(uint64(i+1)), v...)
		sheets = append(sheets, h)
	}
	// The sheets give candidate 2 (pti) 1950 to candidate 1's 640.
	i, h := f.add(t, "ro.NA-57", declare("NA-57", 47, onTime, 52000, 2000, 65))
	got := f.flags("")
	if len(got) != 1 || got[0].Kind != KindWinnerChanged || got[0].Severity != Grave || got[0].Raised != i {
		t.Fatalf("flags %+v", got)
	}
	fl := got[0]
	want := []CandidateDiff{{"1", 52000, 640, 51360}, {"2", 2000, 1950, 50}, {"3", 65, 65, 0}}
	for k, d := range want {
		if fl.Diff[k] != d {
			t.Errorf("diff[%d] = %+v, want %+v", k, fl.Diff[k], d)
		}
	}
	if len(fl.Evidence) != 4 || fl.Evidence[0].Hash != h || fl.Evidence[0].Type != "declaration" {
		t.Fatalf("evidence %+v", fl.Evidence)
	}
	for k, s := range sheets {
		if e := fl.Evidence[k+1]; e.Hash != s || e.Type != "sheet" || !strings.HasPrefix(e.Note, "NA-57/PS-"+itoa(uint64(k+1))) {
			t.Errorf("evidence %d = %+v, want sheet %s", k+1, e, s)
		}
	}
	c := f.contest(t, "NA-57")
	if c.Provisional == nil || c.Provisional.Matches || c.Provisional.Winners[0] != "1" || c.Provisional.SheetsWinners[0] != "2" || c.Winners[0] != "2" {
		t.Fatalf("contest %+v", c.Provisional)
	}
	// A corrected declaration that agrees with the sheets resolves the flag;
	// the flag stays in the record as resolved.
	good := declare("NA-57", 47, onTime, 640, 1950, 65)
	good.Supersedes = h
	i2, _ := f.add(t, "ro.NA-57", good)
	if k := kinds(f.flags("")); k != "" {
		t.Fatalf("standing after correction: %q", k)
	}
	all := f.history(KindWinnerChanged)
	// It keeps its evidence (the declaration and the sheets) and names the
	// record that resolved it.
	if len(all) != 1 || all[0].Resolved != i2 || len(all[0].Evidence) != 4 || all[0].Evidence[0].Hash != h ||
		all[0].ResolvedBy == nil || all[0].ResolvedBy.Index != i2 || all[0].ResolvedBy.Type != "declaration" {
		t.Fatalf("resolved %+v", all)
	}
}

// TestDeclarationChecks covers each check on a declaration, one case each.
func TestDeclarationChecks(t *testing.T) {
	type step struct {
		station string // sheet for this station of NA-57 ...
		votes   []int64
	}
	base := []step{{"NA-57/PS-1", []int64{300, 200, 10}}, {"NA-57/PS-2", []int64{100, 150, 5}}}
	cases := []struct {
		name    string
		sheets  []step
		form    int64
		votes   []int64
		edit    func(f *fixture, d *recordDeclaration)
		kinds   string
		matches bool
		account int64 // postal ballots issued, when an account is logged
	}{
		{name: "provisional equal to the sheets it lists", sheets: base, form: 47, votes: []int64{400, 350, 15},
			edit: func(f *fixture, d *recordDeclaration) { d.Missing = []string{"NA-57/PS-3"} }, matches: true},
		{name: "provisional off by a few votes", sheets: base, form: 47, votes: []int64{410, 340, 15},
			edit: func(f *fixture, d *recordDeclaration) { d.Missing = []string{"NA-57/PS-3"} }, kinds: KindDeclarationMismatch},
		{name: "provisional with rejected ballots off", sheets: base, form: 47, votes: []int64{400, 350, 15},
			edit: func(f *fixture, d *recordDeclaration) { d.Missing = []string{"NA-57/PS-3"}; d.Rejected = 40 }, kinds: KindDeclarationMismatch},
		{name: "provisional counting a station with no sheet", sheets: base, form: 47, votes: []int64{400, 350, 15},
			kinds: KindAwaitingSheets, matches: true},
		{name: "provisional ahead of a sheet not yet logged", sheets: base, form: 47, votes: []int64{500, 450, 25},
			kinds: KindAwaitingSheets},
		{name: "provisional beyond what the unlogged station could hold", sheets: base, form: 47, votes: []int64{1401, 350, 15},
			kinds: KindDeclarationMismatch},
		{name: "provisional below the logged sheets, a station still unlogged", sheets: base, form: 47, votes: []int64{390, 350, 15},
			kinds: KindDeclarationMismatch},
		{name: "provisional listing a logged station as missing", sheets: base, form: 47, votes: []int64{300, 200, 10},
			edit: func(f *fixture, d *recordDeclaration) { d.Missing = []string{"NA-57/PS-2", "NA-57/PS-3"} }, kinds: KindMissingStations},
		{name: "provisional after the deadline", sheets: base, form: 47, votes: []int64{400, 350, 15},
			edit: func(f *fixture, d *recordDeclaration) { d.Missing = []string{"NA-57/PS-3"}; d.Declared = late }, kinds: KindLateDeclaration, matches: true},
		{name: "final with postal ballots", sheets: append(base, step{"NA-57/PS-3", []int64{50, 40, 0}}), form: 49, votes: []int64{458, 394, 15},
			edit: func(f *fixture, d *recordDeclaration) {
				// No re-admitted ballots: these sheets reject none
				// (TestReadmittedBallots).
				d.Postal, d.Readmitted = testelection.Counts(8, 4, 0), testelection.Counts(0, 0, 0)
			}, account: 20, matches: true},
		{name: "final with postal ballots and no account", sheets: append(base, step{"NA-57/PS-3", []int64{50, 40, 0}}), form: 49, votes: []int64{458, 394, 15},
			edit: func(f *fixture, d *recordDeclaration) {
				// No re-admitted ballots: these sheets reject none
				// (TestReadmittedBallots).
				d.Postal, d.Readmitted = testelection.Counts(8, 4, 0), testelection.Counts(0, 0, 0)
			}, kinds: KindPostalUnaccounted},
		{name: "final whose postal ballots decide the winner", sheets: append(base, step{"NA-57/PS-3", []int64{50, 40, 0}}), form: 49, votes: []int64{450, 490, 15},
			edit: func(f *fixture, d *recordDeclaration) {
				d.Postal, d.Readmitted = testelection.Counts(0, 100, 0), testelection.Counts(0, 0, 0)
			}, account: 100, kinds: KindPostalDecisive},
		{name: "final that changes the winner", sheets: append(base, step{"NA-57/PS-3", []int64{50, 40, 0}}), form: 49, votes: []int64{450, 490, 15},
			edit: func(f *fixture, d *recordDeclaration) {
				d.Postal, d.Readmitted = testelection.Counts(0, 0, 0), testelection.Counts(0, 0, 0)
			}, kinds: KindWinnerChanged},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.account > 0 { // the postal account comes before the polls close
				f.add(t, "ro.NA-57", f.e.PostalAccount("NA-57", c.account))
			}
			for _, s := range c.sheets {
				f.sheet(t, "NA-57", s.station, s.votes...)
			}
			d := declare("NA-57", c.form, onTime, c.votes...)
			if c.edit != nil {
				c.edit(f, d)
			}
			f.add(t, "ro.NA-57", d)
			got := f.flags("")
			var ks []string
			for _, fl := range got {
				if fl.Kind != KindRecountEligible && fl.Kind != KindRejectedAboveMargin {
					ks = append(ks, fl.Kind)
				}
			}
			if strings.Join(ks, ",") != c.kinds {
				t.Fatalf("flags %q, want %q: %+v", strings.Join(ks, ","), c.kinds, got)
			}
			cr := f.contest(t, "NA-57")
			dr := cr.Provisional
			if c.form == 49 {
				dr = cr.Final
			}
			if dr == nil || dr.Matches != c.matches {
				t.Fatalf("declaration %+v: matches want %v", dr, c.matches)
			}
		})
	}
}

type recordDeclaration = record.Declaration

// TestAwaitingSheets: a provisional result that counts stations whose
// sheets are not logged yet is awaiting them (low) while the logged sheets
// do not contradict it; the flag resolves, kept with what resolved it, when
// they arrive, and becomes missing-stations (medium) once the
// redeclaration period has passed on the log's clock.
func TestAwaitingSheets(t *testing.T) {
	f := newFixture(t)
	f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
	f.add(t, "ro.NA-57", declare("NA-57", 47, onTime, 400, 250, 10))
	got := f.flags("")
	if len(got) != 1 || got[0].Kind != KindAwaitingSheets || got[0].Severity != Low ||
		strings.Join(got[0].Stations, "|") != "NA-57/PS-2 (counted, no sheet logged)|NA-57/PS-3 (counted, no sheet logged)" {
		t.Fatalf("flags %+v", got)
	}
	if c := f.contest(t, "NA-57"); !c.Provisional.Awaiting || c.Provisional.Matches {
		t.Fatalf("declaration %+v", c.Provisional)
	}
	f.sheet(t, "NA-57", "NA-57/PS-2", 100, 0, 0)
	i, _ := f.sheet(t, "NA-57", "NA-57/PS-3", 0, 50, 0)
	if k := kinds(f.flags("")); k != "" {
		t.Fatalf("flags after the sheets arrived %q", k)
	}
	if res := f.history(""); len(res) != 1 || res[0].Resolved != i || res[0].ResolvedBy == nil || res[0].ResolvedBy.Type != "sheet" {
		t.Fatalf("history %+v", res)
	}

	// The sheets never come: 120 minutes after the declaration, on the
	// log's clock (a later record's time) or the reader's.
	f = newFixture(t)
	f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
	f.add(t, "ro.NA-57", declare("NA-57", 47, onTime, 400, 250, 10))
	var atReader []Flag
	f.t.Read(func(v *View) {
		atReader = v.Flags(Filter{Contest: "NA-57", AsOf: record.Time(onTime).Add(121 * time.Minute)})
	})
	if k := kinds(atReader); k != KindMissingStations {
		t.Fatalf("at the reader's clock: %q", k)
	}
	s := f.e.Sheet("NA-58", "NA-58/PS-1", 1, 2, 3)
	s.Captured = "2024-02-08T22:00:01Z" // 2 hours and a second after the declaration
	i, _ = f.add(t, testelection.StationKey(s.Station), s)
	got = f.flags("")
	if len(got) != 1 || got[0].Kind != KindMissingStations || got[0].Severity != Medium || got[0].Raised != i ||
		!strings.Contains(got[0].Message, "counts 2 station(s) whose sheets are still not logged, more than 120 minutes after") {
		t.Fatalf("overdue %+v", got)
	}
}

// TestStaleDeclaration: stations a form 47 listed as missing report; a new
// declaration is due within the redeclaration period of the last report.
// Past it the declaration is stale: medium, high when the sheets now name
// another winner; a new declaration resolves it and the flag stays in the
// history.
func TestStaleDeclaration(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ps3      []int64
		severity Severity
	}{
		{"same winner", []int64{10, 20, 0}, Medium},
		{"another winner", []int64{10, 900, 0}, High},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			f.sheet(t, "NA-57", "NA-57/PS-2", 100, 150, 5)
			d := declare("NA-57", 47, onTime, 400, 350, 15)
			d.Missing = []string{"NA-57/PS-3"}
			_, dh := f.add(t, "ro.NA-57", d)
			s := f.e.Sheet("NA-57", "NA-57/PS-3", tc.ps3...)
			s.Captured = "2024-02-08T20:30:00Z"
			f.add(t, testelection.StationKey(s.Station), s)
			if k := kinds(f.flags("")); k != "" {
				t.Fatalf("flags before the period is over: %q", k)
			}
			tick := f.e.Sheet("NA-58", "NA-58/PS-1", 1, 2, 3)
			tick.Captured = "2024-02-08T22:30:01Z"
			i, _ := f.add(t, testelection.StationKey(tick.Station), tick)
			got := f.flags(KindDeclarationStale)
			if len(got) != 1 || got[0].Severity != tc.severity || got[0].Raised != i || got[0].Evidence[0].Hash != dh ||
				strings.Join(got[0].Stations, ",") != "NA-57/PS-3" {
				t.Fatalf("stale %+v", got)
			}
			if c := f.contest(t, "NA-57"); c.Provisional.Matches || c.Provisional.Disputed[0] != KindDeclarationStale {
				t.Fatalf("the stale declaration is reported as %+v", c.Provisional)
			}
			nd := declare("NA-57", 47, "2024-02-08T22:40:00Z", 400+tc.ps3[0], 350+tc.ps3[1], 15)
			nd.Supersedes = dh
			j, _ := f.add(t, "ro.NA-57", nd)
			if k := kinds(f.flags("")); k != "" {
				t.Fatalf("after the new declaration: %q", k)
			}
			if res := f.history(KindDeclarationStale); len(res) != 1 || res[0].Resolved != j || res[0].ResolvedBy.Index != j {
				t.Fatalf("history %+v", res)
			}
		})
	}
}

// TestNameTheStation: a mismatch that is exactly one counted sheet left
// out, or one sheet of another constituency added in, names the station.
func TestNameTheStation(t *testing.T) {
	f := newFixture(t)
	f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
	f.sheet(t, "NA-57", "NA-57/PS-2", 100, 150, 5)
	f.sheet(t, "NA-57", "NA-57/PS-3", 120, 110, 4)
	f.sheet(t, "NA-58", "NA-58/PS-2", 77, 66, 5)
	_, h := f.add(t, "ro.NA-57", declare("NA-57", 47, onTime, 420, 310, 14)) // PS-2 left out
	got := f.flags("")
	if len(got) != 1 || got[0].Kind != KindDeclarationMismatch || len(got[0].Stations) != 1 ||
		!strings.HasPrefix(got[0].Stations[0], "NA-57/PS-2 (index ") || !strings.Contains(got[0].Message, "which the declaration leaves out") {
		t.Fatalf("omitted %+v", got)
	}
	d := declare("NA-57", 47, "2024-02-08T20:10:00Z", 597, 526, 24) // NA-58/PS-2 added in
	d.Supersedes = h
	f.add(t, "ro.NA-57", d)
	got = f.flags("")
	if len(got) != 1 || len(got[0].Stations) != 1 || !strings.HasPrefix(got[0].Stations[0], "NA-58/PS-2 (NA-58, index ") ||
		!strings.Contains(got[0].Message, "a station of another constituency") {
		t.Fatalf("foreign %+v", got)
	}
}

// TestDeclarationConflict: a second provisional result that does not
// supersede the first.
func TestDeclarationConflict(t *testing.T) {
	f := newFixture(t)
	f.add(t, "ro.NA-58", declare("NA-58", 47, onTime, 0, 0, 0))
	_, h := f.add(t, "ro.NA-58", declare("NA-58", 47, "2024-02-08T20:10:00Z", 1, 0, 0))
	got := f.flags(KindConflictingSheets)
	if len(got) != 1 || got[0].Station != "" || got[0].Evidence[1].Hash != h {
		t.Fatalf("flags %+v", got)
	}
}

// TestMarginFlags: once every station is in, rejected ballots above the
// margin and the recount threshold (5% of votes polled or 10,000 votes,
// whichever is less).
func TestMarginFlags(t *testing.T) {
	cases := []struct {
		name  string
		a, b  []int64 // NA-58's two stations: votes 1, 2, 3 and rejected
		kinds string
	}{
		{"clear winner", []int64{500, 100, 50, 0}, []int64{400, 100, 50, 0}, ""},
		{"margin below 5% of votes polled", []int64{300, 290, 10, 0}, []int64{300, 290, 10, 0}, KindRecountEligible},
		{"rejected ballots above the margin", []int64{300, 100, 0, 150}, []int64{100, 250, 0, 100}, KindRejectedAboveMargin},
		{"tie", []int64{300, 300, 0, 0}, []int64{300, 300, 0, 0}, KindRecountEligible},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			for i, v := range [][]int64{c.a, c.b} {
				s := f.e.Sheet("NA-58", "NA-58/PS-"+itoa(uint64(i+1)), v[:3]...)
				s.Rejected, s.Cast = v[3], s.Cast+v[3]
				f.add(t, testelection.StationKey(s.Station), s)
				if i == 0 && len(f.flags("")) != 0 {
					t.Fatal("margin flags raised before every station is in")
				}
			}
			if k := kinds(f.flags("")); k != c.kinds {
				t.Fatalf("flags %q, want %q", k, c.kinds)
			}
			cr := f.contest(t, "NA-58")
			if cr.Recount.Eligible != strings.Contains(c.kinds, KindRecountEligible) {
				t.Fatalf("recount %+v", cr.Recount)
			}
			if c.name == "tie" && (!cr.Tie || len(cr.Winners) != 2 || cr.Margin != 0) {
				t.Fatalf("tie not reported as a tie: %+v", cr)
			}
		})
	}
}

// TestDeadline: a missing provisional result depends on the reader's
// clock; a late one on the declaration's own time.
func TestDeadline(t *testing.T) {
	f := newFixture(t)
	f.sheet(t, "NA-57", "NA-57/PS-1", 3, 2, 1)
	before := time.Date(2024, 2, 8, 20, 59, 0, 0, time.UTC)
	after := time.Date(2024, 2, 8, 21, 1, 0, 0, time.UTC)
	count := func(asOf time.Time) []Flag {
		var fs []Flag
		f.t.Read(func(v *View) { fs = v.Flags(Filter{Kind: KindMissingDeclaration, AsOf: asOf}) })
		return fs
	}
	if n := len(count(before)); n != 0 {
		t.Fatalf("%d missing-declaration flags before the deadline", n)
	}
	got := count(after)
	if len(got) != 3 || got[0].Contest != "NA-57" || strings.Join(got[0].Stations, ",") != "NA-57/PS-2,NA-57/PS-3" {
		t.Fatalf("after the deadline: %+v", got)
	}
	if n := len(count(time.Time{})); n != 0 {
		t.Fatal("the zero clock must leave clock flags out")
	}
	f.add(t, "ro.NA-57", declare("NA-57", 47, late, 3, 2, 1))
	if got := count(after); len(got) != 2 || got[0].Contest != "NA-58" {
		t.Fatalf("after a declaration: %+v", got)
	}
	if got := f.flags(KindLateDeclaration); len(got) != 1 || got[0].Contest != "NA-57" {
		t.Fatalf("late flags %+v", got)
	}
}

// TestDeclarationAsDeclared: a declaration is judged by the sheets its
// author could see. An honest form 47 overtaken by a recount is outdated,
// not a mismatch, until the form 49 answers it; a false form 47 made true
// by corrections logged after it stays a mismatch, with the corrections as
// evidence.
func TestDeclarationAsDeclared(t *testing.T) {
	type sheets struct{ ps1, ps2, ps3 []int64 }
	init := sheets{[]int64{300, 200, 10}, []int64{100, 150, 5}, []int64{120, 110, 4}} // 520, 460, 19
	cases := []struct {
		name     string
		declared []int64 // form 47
		recount  []int64 // PS-1 revision 2
		form49   []int64 // nil: none
		kinds    string
		severity Severity
		evidence int // sheets in evidence: the replaced one and its replacement
	}{
		{name: "honest, recount changes the count", declared: []int64{520, 460, 19}, recount: []int64{290, 200, 10},
			kinds: KindDeclarationOutdated, severity: Medium, evidence: 2},
		{name: "honest, recount changes the winner", declared: []int64{520, 460, 19}, recount: []int64{200, 300, 10},
			kinds: KindDeclarationOutdated, severity: High, evidence: 2},
		{name: "honest, answered by form 49", declared: []int64{520, 460, 19}, recount: []int64{200, 300, 10},
			form49: []int64{420, 560, 19}, kinds: ""},
		{name: "false, corrections make the sheets agree", declared: []int64{420, 560, 19}, recount: []int64{200, 300, 10},
			kinds: KindWinnerChanged, severity: Grave, evidence: 2},
		{name: "false, recount unrelated", declared: []int64{420, 560, 19}, recount: []int64{290, 200, 10},
			kinds: KindWinnerChanged, severity: Grave, evidence: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			_, h1 := f.sheet(t, "NA-57", "NA-57/PS-1", init.ps1...)
			f.sheet(t, "NA-57", "NA-57/PS-2", init.ps2...)
			f.sheet(t, "NA-57", "NA-57/PS-3", init.ps3...)
			_, dh := f.add(t, "ro.NA-57", declare("NA-57", 47, onTime, tc.declared...))
			f.add(t, "ro.NA-57", f.recount(t, "NA-57", "NA-57/PS-1", 2, h1, tc.recount...))
			if tc.form49 != nil {
				d := declare("NA-57", 49, onTime, tc.form49...)
				d.Postal, d.Readmitted = testelection.Counts(0, 0, 0), testelection.Counts(0, 0, 0)
				f.add(t, "ro.NA-57", d)
			}
			got := f.flags("")
			if k := kinds(got); k != tc.kinds {
				t.Fatalf("flags %q, want %q: %+v", k, tc.kinds, got)
			}
			if tc.kinds == "" {
				return
			}
			fl := got[0]
			if fl.Severity != tc.severity || fl.Evidence[0].Hash != dh || len(fl.Evidence) != 1+tc.evidence {
				t.Fatalf("flag %+v", fl)
			}
			if tc.evidence == 2 && (fl.Evidence[1].Hash != h1 || !strings.Contains(fl.Evidence[2].Note, "revision 2, logged since")) {
				t.Fatalf("evidence %+v, want the replaced sheet and its replacement", fl.Evidence)
			}
		})
	}
}

// TestListedMissingByWhatItsAuthorSaw: a form 47 that lists as missing a
// station whose sheet was logged before it is missing-stations at once,
// unless that sheet was signed after the declaration was: a returning
// officer declaring at 20:00 could not count a sheet captured at 20:05,
// however fast it reached the log. The station's report then makes a new
// declaration due (declaration-stale), as for a sheet logged after it.
func TestListedMissingByWhatItsAuthorSaw(t *testing.T) {
	for _, tc := range []struct {
		name     string
		captured string
		kinds    string
	}{
		{"sheet captured before the declaration", "2024-02-08T19:55:00Z", KindMissingStations},
		{"sheet captured after the declaration", "2024-02-08T20:05:00Z", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			f.sheet(t, "NA-57", "NA-57/PS-2", 100, 150, 5)
			s := f.e.Sheet("NA-57", "NA-57/PS-3", 10, 20, 0)
			s.Captured = tc.captured
			f.add(t, "po.NA-57.PS-3", s)
			d := declare("NA-57", 47, onTime, 400, 350, 15)
			d.Missing = []string{"NA-57/PS-3"}
			f.add(t, "ro.NA-57", d)
			if k := kinds(f.flags("")); k != tc.kinds {
				t.Fatalf("flags %q, want %q", k, tc.kinds)
			}
			if tc.kinds != "" {
				return
			}
			tick := f.e.Sheet("NA-58", "NA-58/PS-1", 1, 2, 3)
			tick.Captured = "2024-02-08T22:05:01Z" // 120 minutes after the report
			f.add(t, testelection.StationKey(tick.Station), tick)
			if k := kinds(f.flags("")); k != KindDeclarationStale {
				t.Fatalf("no new declaration 120 minutes after the report: %q", k)
			}
		})
	}
}
