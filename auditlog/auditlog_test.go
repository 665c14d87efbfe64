package auditlog

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/audit"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// landslide gives every NA-57 station 500 votes for candidate 1 and none
// for the others: V = 1500, u_p = 2/3, U = 2, so three clean draws give
// P = (1/2)^3 = 0.125.
var landslide = map[string][]int64{"NA-57/PS-1": {500, 0, 0}, "NA-57/PS-2": {500, 0, 0}, "NA-57/PS-3": {500, 0, 0}}

// close gives candidate 1 a lead of 110 votes over 1,690: U is about 31, so
// no three-station sample can confirm it.
var close = map[string][]int64{"NA-57/PS-1": {300, 250, 0}, "NA-57/PS-2": {310, 260, 0}, "NA-57/PS-3": {290, 280, 0}}

// partialSeed returns the first seed in a fixed sequence whose first n
// draws leave a station of the contest undrawn, with the drawn stations
// (distinct, in draw order) and an undrawn one.
func partialSeed(t *testing.T, f *fixture, contest string, n int) (seed string, drawn []string, undrawn string) {
	c, _ := f.e.Def.Contest(contest)
	frame, err := BuildFrame(f.e.Def.ID, c, f.reg.Size(), f.sheets)
	if err != nil {
		t.Fatal(err)
	}
	a, err := audit.Prepare(frame.Contest)
	if err != nil {
		t.Fatal(err)
	}
	for k := range 100 {
		seed = fmt.Sprintf("%020d", 31415926535897932384%1000+k)
		draws, _ := a.Draw(seed, 1, n)
		drawn = nil
		for _, d := range draws {
			if !slices.Contains(drawn, d.Station) {
				drawn = append(drawn, d.Station)
			}
		}
		for _, id := range a.StationIDs() {
			if !slices.Contains(drawn, id) {
				return seed, drawn, id
			}
		}
	}
	t.Fatal("no seed leaves a station undrawn")
	return
}

func (f *fixture) round(contest string, round, draws, counted int64, risk, decision string, next int64) error {
	_, err := f.log("ecp", &record.AuditRound{Election: f.e.Def.ID, Log: f.e.Def.Origin, Contest: contest, Round: round, Draws: draws,
		Counted: counted, Risk: risk, Decision: decision, NextDraws: next, Ended: when})
	return err
}

func TestCeremonyConfirms(t *testing.T) {
	f := newFixture(t)
	f.results("NA-57", landslide)
	seed, drawn, _ := partialSeed(t, f, "NA-57", 3)
	if _, err := f.commit("NA-57", "0.2", seed, 3); err != nil {
		t.Fatal(err)
	}
	if err := f.reveal("NA-57", seed); err != nil {
		t.Fatal(err)
	}
	st := f.status("NA-57")
	if len(st.Draws) != 3 || st.Remaining != len(drawn) || st.Round != 1 || st.Seed != seed {
		t.Fatalf("after reveal: %+v", st)
	}
	for i, station := range drawn {
		key := []string{"audit.NA-57", "audit.all"}[i%2]
		if err := f.count(key, "NA-57", station, 1, 500, 500, 0, 0); err != nil {
			t.Fatalf("count %s: %v", station, err)
		}
	}
	// A wrong risk, decision or size is refused, naming the right value.
	for _, bad := range []struct {
		risk, decision string
		next           int64
		want           string
	}{
		{"0.125000001", "confirmed", 0, "risk: the logged counts give risk 0.125000000"},
		{"0.125000000", "continue", 2, "decision: risk 0.125000000 at limit 0.2 means confirmed"},
	} {
		if err := f.round("NA-57", 1, 3, int64(len(drawn)), bad.risk, bad.decision, bad.next); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("round with risk %s, %s: %v; want %q", bad.risk, bad.decision, err, bad.want)
		}
	}
	if err := f.round("NA-57", 1, 3, int64(len(drawn)), "0.125000000", "confirmed", 0); err != nil {
		t.Fatal(err)
	}
	st = f.status("NA-57")
	if !st.Ended || st.Decision != "confirmed" || st.Risk != "0.125000000" || st.Remaining != 0 || st.Round != 1 {
		t.Errorf("after round 1: %+v", st)
	}
	err := f.count("audit.all", "NA-57", drawn[0], 2, 500, 500, 0, 0)
	wantRejection(t, err, "contest", "ended at round 1 (confirmed")
}

// TestEscalation: a close contest escalates to a full hand count, which
// here contradicts the declared winner.
func TestEscalation(t *testing.T) {
	f := newFixture(t)
	f.results("NA-57", close)
	seed, drawn, undrawn := partialSeed(t, f, "NA-57", 3)
	if _, err := f.commit("NA-57", "0.05", seed, 2); err == nil || !strings.Contains(err.Error(), "draws: 2 draws are fewer than the 3") {
		t.Errorf("commit with 2 draws: %v; want a refusal naming 3", err)
	}
	if _, err := f.commit("NA-57", "0.05", seed, 3); err != nil {
		t.Fatal(err)
	}
	if err := f.reveal("NA-57", seed); err != nil {
		t.Fatal(err)
	}
	for _, station := range drawn {
		v := close[station]
		if err := f.count("audit.NA-57", "NA-57", station, 1, v[0]+v[1], v...); err != nil {
			t.Fatal(err)
		}
	}
	// P = (1 − 1/U)^3 with U = Σ (v_1 − v_2 + b) / 110 over the stations.
	u := new(big.Rat)
	for _, v := range close {
		u.Add(u, big.NewRat(2*v[0], 110))
	}
	q := new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Inv(u))
	p := new(big.Rat).Mul(q, new(big.Rat).Mul(q, q))
	risk := RiskString(p)
	if err := f.round("NA-57", 1, 3, int64(len(drawn)), risk, "continue", 3); err == nil || !strings.Contains(err.Error(), "means escalate") {
		t.Errorf("continuing a round that must escalate: %v", err)
	}
	if err := f.round("NA-57", 1, 3, int64(len(drawn)), risk, "escalate", 0); err != nil {
		t.Fatal(err)
	}
	if st := f.status("NA-57"); !st.FullCount || st.Remaining != 1 || st.Round != 2 {
		t.Fatalf("after escalation: %+v", st)
	}
	// The full count: the undrawn station's bag shows candidate 2 ahead.
	if err := f.count("audit.NA-57", "NA-57", undrawn, 2, 570, 100, 470, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.round("NA-57", 2, 3, 3, "0.000000000", "confirmed", 0); err == nil || !strings.Contains(err.Error(), "risk: the logged counts give risk 1.000000000") {
		t.Errorf("confirming a contradicted full count: %v", err)
	}
	if err := f.round("NA-57", 2, 3, 3, "1.000000000", "not-confirmed", 0); err != nil {
		t.Fatal(err)
	}
	if st := f.status("NA-57"); !st.Ended || st.Decision != "not-confirmed" {
		t.Errorf("after the full count: %+v", st)
	}
}

// TestBadInput: every refusal names the field and the rule and leaves the
// audit, its draw and its risk as they were.
func TestBadInput(t *testing.T) {
	f := newFixture(t)
	f.results("NA-57", landslide)
	f.results("PP-12", landslide)
	seed, drawn, undrawn := partialSeed(t, f, "NA-57", 3)
	const other = "27182818284590452353"

	wantRejection(t, f.reveal("NA-57", seed), "contest", "no audit of contest NA-57 has been committed")
	if _, err := f.commit("NA-57", "0.2", seed, 3); err != nil {
		t.Fatal(err)
	}
	before := f.state.Status()
	for _, tc := range []struct {
		name  string
		err   func() error
		field string
		rule  string
	}{
		{"count before the reveal", func() error { return f.count("audit.NA-57", "NA-57", drawn[0], 1, 500, 500, 0, 0) },
			"contest", "is not revealed yet"},
		{"reveal not matching the commitment", func() error { return f.reveal("NA-57", other) },
			"seed", "does not match the commitment logged at index"},
		{"reveal by a returning officer", func() error {
			_, err := f.log("ro.NA-57", &record.AuditReveal{Election: f.e.Def.ID, Log: f.e.Def.Origin, Contest: "NA-57", Seed: seed, Revealed: when})
			return err
		}, "signature", "the commission signs audit seeds"},
		{"second commitment", func() error { _, err := f.commit("NA-57", "0.2", seed, 3); return err },
			"contest", "was committed at index"},
		{"commitment beyond the log", func() error {
			rec := f.validCommit("PP-12", seed)
			rec.LogSize += 10
			_, err := f.log("ecp", rec)
			return err
		}, "log-size", "is beyond the"},
		{"commitment to another frame", func() error {
			rec := f.validCommit("PP-12", seed)
			rec.FrameSHA256 = strings.Repeat("0", 64)
			_, err := f.log("ecp", rec)
			return err
		}, "frame-sha256", "is not the frame of contest PP-12"},
		{"frame older than the declaration", func() error {
			rec := f.validCommit("PP-12", seed)
			rec.LogSize = int64(f.sheets.decls["PP-12"].Index)
			_, err := f.log("ecp", rec)
			return err
		}, "log-size", "was logged at index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRejection(t, tc.err(), tc.field, tc.rule)
			if after := f.state.Status(); !reflect.DeepEqual(after, before) {
				t.Errorf("the audit changed:\n%+v\nwant\n%+v", after, before)
			}
		})
	}

	if err := f.reveal("NA-57", seed); err != nil {
		t.Fatal(err)
	}
	if err := f.count("audit.NA-57", "NA-57", drawn[0], 1, 500, 500, 0, 0); err != nil {
		t.Fatal(err)
	}
	before = f.state.Status()
	for _, tc := range []struct {
		name  string
		err   func() error
		field string
		rule  string
	}{
		{"second reveal", func() error { return f.reveal("NA-57", seed) }, "seed", "was revealed at index"},
		{"count for a station not in the sample", func() error { return f.count("audit.NA-57", "NA-57", undrawn, 1, 500, 500, 0, 0) },
			"station", "station " + undrawn + " is not in the sample of contest NA-57 (draws 1 to 3)"},
		{"count with more ballots than cast", func() error { return f.count("audit.NA-57", "NA-57", drawn[1], 1, 501, 500, 0, 0) },
			"ballots", "found 501 ballots but station " + drawn[1] + "'s sheet says 500 were cast"},
		{"count with more votes than ballots", func() error { return f.count("audit.NA-57", "NA-57", drawn[1], 1, 400, 500, 0, 0) },
			"votes", "more than the 400 ballots"},
		{"second count of a station", func() error { return f.count("audit.NA-57", "NA-57", drawn[0], 1, 500, 500, 0, 0) },
			"station", "was hand-counted for contest NA-57 at index"},
		{"count for another round", func() error { return f.count("audit.NA-57", "NA-57", drawn[1], 2, 500, 500, 0, 0) },
			"round", "round 1 of contest NA-57's audit is open, not round 2"},
		{"count missing a candidate", func() error { return f.count("audit.NA-57", "NA-57", drawn[1], 1, 500, 500, 0) },
			"votes", "2 candidates listed, contest NA-57 has 3"},
		{"count by another contest's auditor", func() error {
			return f.count("audit.NA-57", "PP-12", drawn[1], 1, 500, 500, 0, 0)
		}, "signature", "granted for contest PP-12"},
		{"count by a presiding officer", func() error {
			return f.count("po.NA-57.PS-1", "NA-57", drawn[1], 1, 500, 500, 0, 0)
		}, "signature", "audit board key"},
		{"count for a contest not audited", func() error { return f.count("audit.all", "PP-12", drawn[1], 1, 500, 500, 0, 0) },
			"contest", "no audit of contest PP-12"},
		{"round before every drawn station is counted", func() error {
			return f.round("NA-57", 1, 3, 1, "0.125000000", "confirmed", 0)
		}, "round", "has no hand count yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRejection(t, tc.err(), tc.field, tc.rule)
			if after := f.state.Status(); !reflect.DeepEqual(after, before) {
				t.Errorf("the audit changed:\n%+v\nwant\n%+v", after, before)
			}
		})
	}
}

func (f *fixture) validCommit(contest, seed string) *record.AuditCommit {
	c, _ := f.e.Def.Contest(contest)
	frame, err := BuildFrame(f.e.Def.ID, c, f.reg.Size(), f.sheets)
	if err != nil {
		f.t.Fatal(err)
	}
	return &record.AuditCommit{Election: f.e.Def.ID, Log: f.e.Def.Origin, Contest: contest, RiskLimit: "0.2", LogSize: int64(f.reg.Size()),
		FrameSHA256: frame.SHA256, Stations: 3, SeedCommitment: record.SeedCommitment(f.e.Def.ID, contest, seed), Draws: 3, Committed: when}
}

func wantRejection(t *testing.T, err error, field, rule string) {
	t.Helper()
	var rej *registry.Rejection
	if !errors.As(err, &rej) {
		t.Fatalf("err = %v; want a *registry.Rejection", err)
	}
	if rej.Field != field || !strings.Contains(rej.Rule, rule) {
		t.Errorf("err = %q; want field %q and a rule saying %q", err, field, rule)
	}
}

// TestMultiContest: the National and Provincial Assembly contests of the
// same stations are audited separately, with their own draws from one seed.
func TestMultiContest(t *testing.T) {
	f := newFixture(t)
	f.results("NA-57", landslide)
	f.results("PP-12", landslide)
	const seed = "31415926535897932384"
	for _, c := range []string{"NA-57", "PP-12"} {
		if _, err := f.commit(c, "0.2", seed, 3); err != nil {
			t.Fatal(err)
		}
		if err := f.reveal(c, seed); err != nil {
			t.Fatal(err)
		}
	}
	na, pp := f.status("NA-57"), f.status("PP-12")
	for i := range na.Draws {
		if na.Draws[i].Ticket == pp.Draws[i].Ticket {
			t.Errorf("draw %d has the same ticket in both contests", i+1)
		}
	}
	if na.FrameSHA256 == pp.FrameSHA256 {
		t.Error("both contests have the same frame hash")
	}
}

// TestFrameEncoding pins the frame's canonical text (docs/audit.md).
func TestFrameEncoding(t *testing.T) {
	f := newFixture(t)
	f.results("NA-57", close)
	c, _ := f.e.Def.Contest("NA-57")
	frame, err := BuildFrame(f.e.Def.ID, c, f.reg.Size(), f.sheets)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`tallylog/v1 audit-frame
election pk-test
contest NA-57
log-size %d
candidates 1 2 3
declaration %d 47 900 790 0
station NA-57/PS-1 %d 550 300 250 0
station NA-57/PS-2 %d 570 310 260 0
station NA-57/PS-3 %d 570 290 280 0
`, f.reg.Size(), f.sheets.decls["NA-57"].Index, f.sheets.sheets["NA-57"][0].Index, f.sheets.sheets["NA-57"][1].Index, f.sheets.sheets["NA-57"][2].Index)
	if string(frame.Text) != want {
		t.Errorf("frame:\n%s\nwant\n%s", frame.Text, want)
	}
	if want := "4eae6f2131a9e194c3420fa1727d20304bff3b45dc5d36c1ad9471f2c5d9a0e1"; frame.SHA256 != want {
		t.Errorf("frame-sha256 %s, want %s (docs/audit.md)", frame.SHA256, want)
	}
	if _, err := BuildFrame(f.e.Def.ID, c, f.sheets.decls["NA-57"].Index, f.sheets); err == nil {
		t.Error("a frame before its declaration was built")
	}
	f.sheets.decls["NA-57"] = Declaration{Index: 1, Form: 47, Votes: []int64{900, 900, 0}}
	if _, err := BuildFrame(f.e.Def.ID, c, f.reg.Size(), f.sheets); err == nil || !strings.Contains(err.Error(), "tie for first place") {
		t.Errorf("a tied declaration: %v", err)
	}
}

func TestRiskString(t *testing.T) {
	for _, tc := range []struct {
		p    *big.Rat
		want string
	}{
		{big.NewRat(1, 4), "0.250000000"},
		{big.NewRat(1, 1), "1.000000000"},
		{big.NewRat(0, 1), "0.000000000"},
		{big.NewRat(1, 1_000_000_000_000), "0.000000001"},
		{big.NewRat(1, 3), "0.333333334"},
		{new(big.Rat).SetFrac(new(big.Int).Exp(big.NewInt(20), big.NewInt(30), nil), new(big.Int).Exp(big.NewInt(21), big.NewInt(30), nil)), "0.231377449"},
	} {
		if got := RiskString(tc.p); got != tc.want {
			t.Errorf("RiskString(%v) = %s, want %s", tc.p, got, tc.want)
		}
	}
}
