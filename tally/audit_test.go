package tally

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/auditlog"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestAuditInReplay: audit records are ruled on and learnt by the tally,
// so replay (and therefore tallylog verify) recomputes the frame; a
// commitment to a frame the log does not give is refused and changes
// nothing.
func TestAuditInReplay(t *testing.T) {
	e := testelection.New(t)
	tl := New(testelection.Origin)
	apply := func(entry []byte) error { return tl.Apply(tl.Size(), entry) }
	for _, g := range e.Genesis {
		if err := apply(g); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range [][]int64{{300, 200, 10}, {250, 260, 5}, {400, 100, 20}} {
		st := "NA-57/PS-" + string(rune('1'+i))
		if err := apply(e.Sign(t, testelection.StationKey(st), e.Sheet("NA-57", st, v...))); err != nil {
			t.Fatal(err)
		}
	}
	decl := &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(950, 560, 35), Declared: "2024-02-08T20:00:00Z"}
	if err := apply(e.Sign(t, "ro.NA-57", decl)); err != nil {
		t.Fatal(err)
	}
	c, _ := e.Def.Contest("NA-57")
	frame, err := auditlog.BuildFrame(e.Def.ID, c, tl.Size(), auditSheets{tl})
	if err != nil {
		t.Fatal(err)
	}
	commit := &record.AuditCommit{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", RiskLimit: "0.1", LogSize: int64(tl.Size()),
		FrameSHA256: frame.SHA256, Stations: 3, SeedCommitment: record.SeedCommitment(e.Def.ID, "NA-57", "public dice: 3 1 4 1 5 9 2 6 5 3 5 8"),
		Draws: 3, Committed: "2024-02-10T09:00:00Z"}

	bad := *commit
	bad.FrameSHA256 = strings.Repeat("ab", 32)
	before := tl.Summary(record.Time("2024-02-10T10:00:00Z")).JSON()
	if err := apply(e.Sign(t, "ecp", &bad)); err == nil || !strings.Contains(err.Error(), "frame") {
		t.Fatalf("commitment to a wrong frame: %v", err)
	}
	if after := tl.Summary(record.Time("2024-02-10T10:00:00Z")).JSON(); string(after) != string(before) {
		t.Fatal("a refused audit record changed the tally")
	}
	if err := apply(e.Sign(t, "ro.NA-57", commit)); err == nil {
		t.Fatal("a returning officer's audit commitment was accepted")
	}
	if err := apply(e.Sign(t, "ecp", commit)); err != nil {
		t.Fatalf("valid commitment refused: %v", err)
	}
	var audits []auditlog.ContestAudit
	tl.Read(func(v *View) { audits = v.Audits() })
	if len(audits) != 1 || audits[0].Contest != "NA-57" || audits[0].FrameSHA256 != frame.SHA256 || audits[0].Stations != 3 {
		t.Fatalf("audit status %+v", audits)
	}
}
