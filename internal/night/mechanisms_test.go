package night

import (
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/sim"
)

func TestTable(t *testing.T) {
	det := []Detection{
		{Kind: sim.KindDeclarationTampering, Detected: true, By: "winner-changed", SecondsToFlag: 0.4},
		{Kind: sim.KindDeclarationTampering, Detected: true, By: "winner-changed", SecondsToFlag: 1.2},
		{Kind: sim.KindBallotStuffing, Share: 0.05},
		{Kind: sim.KindBallotStuffing, Share: 0.25, Detected: true, By: "station-screen", SecondsToFlag: 9},
		{Kind: sim.KindBallotStuffing, Share: 0.30, Detected: true, By: "forensics", SecondsToFlag: 3},
		{Kind: sim.KindVoteSwitching, Share: 0.5, Detected: true, By: "audit", SecondsToFlag: 20},
		{Kind: "made-up-kind"},
	}
	fa := FalseAlarms{Flags: map[string]int{"station-screen": 3, "forensics": 100, "winner-changed": 1},
		Honest: map[string]int{"station-screen": 300, "forensics": 300, "winner-changed": 50, "declaration-mismatch": 50}}
	rows := Table(det, fa)
	want := []struct {
		kind        string
		inj, det    int
		fa, slowest float64
		mechanism   string
	}{
		{sim.KindDeclarationTampering, 2, 2, 0.02, 1.2, "tally rule"},
		{sim.KindBallotStuffing, 1, 0, 0.01, 0, "station screen"},
		{sim.KindBallotStuffing, 2, 2, 0.01, 9, "station screen"},
		{sim.KindVoteSwitching, 1, 1, -1, 20, "audit"},
		{"made-up-kind", 1, 0, -1, 0, "none"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, w := range want {
		r := rows[i]
		if r.Kind != w.kind || r.Injected != w.inj || r.Detected != w.det || r.FalseAlarm != w.fa || r.SlowestSeconds != w.slowest || r.Mechanism != w.mechanism {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
	}
	if rows[2].CaughtBy["forensics"] != 1 || rows[2].CaughtBy["station-screen"] != 1 {
		t.Errorf("caught by %v", rows[2].CaughtBy)
	}
}

func TestWithAudit(t *testing.T) {
	det := []Detection{
		{Kind: sim.KindVoteSwitching, Contest: "NA-1", Station: "S1"},
		{Kind: sim.KindVoteSwitching, Contest: "NA-1", Station: "S2"},
		{Kind: sim.KindCopyDiffers, Contest: "NA-1", Station: "S3", Detected: true, By: "copy-differs"},
		{Kind: sim.KindVoteSwitching, Contest: "PP-1", Station: "S1"}, // the same station's other contest: not audited
	}
	rep := &AuditReport{Contests: []AuditedContest{{Counted: 10}}, Found: []AuditFinding{
		{"NA-1", "S1", sim.KindVoteSwitching}, {"NA-1", "S3", sim.KindCopyDiffers}, {"NA-1", "S9", ""}}}
	var fa FalseAlarms
	out := WithAudit(det, rep, func(int) (time.Time, bool) { return time.Time{}, false }, time.Unix(0, 0), &fa)
	if !out[0].Detected || out[0].By != "audit" || out[1].Detected || out[2].By != "copy-differs" || out[3].Detected {
		t.Errorf("detections %+v", out)
	}
	if fa.Flags["audit"] != 1 || fa.Honest["audit"] != 8 {
		t.Errorf("audit false alarms %d of %d, want 1 of 8", fa.Flags["audit"], fa.Honest["audit"])
	}
	if det[0].Detected {
		t.Error("WithAudit changed its input")
	}
}
