package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/tally"
)

// TestDemoHeadless plays a small election night as fast as possible and
// checks issue 4's promises: every tampered declaration is flagged within
// 60 seconds, and the verifier, run on the same log, reaches the same seats.
func TestDemoHeadless(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a whole election night; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "demo")
	out, errs, code := cli(t, ctx, nil, "demo", "--dir", dir, "--addr", "127.0.0.1:0", "--stations", "1200", "--seed", "7", "--speed", "max", "--audit", "2", "--exit", "--json")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errs)
	}
	var res DemoResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("demo --json: %v\n%s", err, out)
	}
	if res.Sheets == 0 || res.LogKey == "" || res.LogDir == "" {
		t.Fatalf("demo result lacks sheets, log_key or log_dir: %+v", res)
	}
	tampered := 0
	for _, x := range res.Injected {
		switch x.Kind {
		case sim.KindDeclarationTampering:
			tampered++
			if !x.Detected || x.SecondsToFlag > 60 {
				t.Errorf("tampered declaration of %s: detected %v after %.1fs", x.Contest, x.Detected, x.SecondsToFlag)
			}
		case sim.KindConflictingSheet, sim.KindCopyDiffers, sim.KindNonReporting, sim.KindPostalInflation, sim.KindStaleDeclaration:
			if !x.Detected {
				t.Errorf("%s at %s not detected", x.Kind, x.Station)
			}
		case sim.KindUnauthorisedCorrection, sim.KindRekeyReplace:
			want := map[string]string{sim.KindUnauthorisedCorrection: tally.KindUnorderedCorrection, sim.KindRekeyReplace: tally.KindRekeyReplace}[x.Kind]
			if !x.Detected || x.By != want || x.SecondsToFlag > 60 {
				t.Errorf("%s at %s: detected %v by %q after %.1fs, want by %s", x.Kind, x.Station, x.Detected, x.By, x.SecondsToFlag, want)
			}
		}
	}
	if tampered != 13 {
		t.Errorf("%d tampered declarations, want the 13 Rawalpindi seats", tampered)
	}
	// The end-of-night audit ran through the log: two contests, each ended
	// with a decision the verifier below recomputes.
	if res.Audit == nil || len(res.Audit.Contests) != 2 {
		t.Fatalf("audit: %+v", res.Audit)
	}
	for _, c := range res.Audit.Contests {
		if c.Decision != "confirmed" && c.Decision != "not-confirmed" || c.Counted == 0 {
			t.Errorf("audit of %s: %+v", c.Contest, c)
		}
	}
	// The detection table has a row per injected kind with a mechanism.
	kinds := map[string]bool{}
	for _, r := range res.Detection {
		kinds[r.Kind] = true
		if r.Mechanism == "" || r.Injected == 0 {
			t.Errorf("detection row %+v", r)
		}
	}
	for _, x := range res.Injected {
		if !kinds[x.Kind] {
			t.Errorf("no detection row for %s", x.Kind)
		}
	}

	vout, verrs, code := cli(t, ctx, nil, "verify", "--log", res.LogDir, "--log-key", res.LogKey, "--json")
	if code != 0 {
		t.Fatalf("verify: %s %s", vout, verrs)
	}
	var v struct {
		TreeSize uint64 `json:"tree_size"`
		Summary  struct {
			Assemblies []struct {
				Assembly string `json:"assembly"`
				Seats    struct {
					Parties []struct {
						Party string `json:"party"`
						Total int    `json:"total"`
					} `json:"parties"`
					Independents int `json:"independents"`
				} `json:"seats"`
			} `json:"assemblies"`
		} `json:"summary"`
	}
	json.Unmarshal([]byte(vout), &v)
	if v.TreeSize != res.Entries {
		t.Errorf("verifier saw %d entries, the demo logged %d", v.TreeSize, res.Entries)
	}
	for i, a := range v.Summary.Assemblies {
		got := map[string]int{}
		for _, p := range a.Seats.Parties {
			got[p.Party] = p.Total
		}
		if a.Seats.Independents > 0 {
			got["independents"] = a.Seats.Independents
		}
		want := res.Seats[i].Parties
		if len(got) != len(want) {
			t.Errorf("%s: verifier seats %v, demo seats %v", a.Assembly, got, want)
			continue
		}
		for p, n := range want {
			if got[p] != n {
				t.Errorf("%s: verifier gives %s %d seats, the demo %d", a.Assembly, p, got[p], n)
			}
		}
	}

	// An operator who runs the finished night again with --resume gets the
	// same log back: nothing is replayed or audited twice.
	out, errs, code = cli(t, ctx, nil, "demo", "--dir", dir, "--addr", "127.0.0.1:0", "--stations", "1200", "--seed", "7", "--speed", "max", "--audit", "2", "--exit", "--json", "--resume")
	if code != 0 {
		t.Fatalf("demo --resume of a finished night: exit %d\n%s\n%s", code, out, errs)
	}
	var again DemoResult
	if err := json.Unmarshal([]byte(out), &again); err != nil {
		t.Fatalf("demo --resume --json: %v\n%s", err, out)
	}
	if again.Entries != res.Entries {
		t.Errorf("the resumed night holds %d entries, the first run logged %d", again.Entries, res.Entries)
	}
}
