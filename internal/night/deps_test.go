package night

import (
	"slices"
	"testing"

	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
)

// TestDependencies: on a simulated night with honest recounts and both
// authority frauds, every record waits for what its signer would: each
// dependency comes earlier, an order follows its station's sheet, a
// correction its order, a declaration its contest's corrections, a
// replacement the grant of its key.
func TestDependencies(t *testing.T) {
	el, err := sim.Generate(sim.Config{Seed: 5, Stations: sim.MinStations,
		Fraud: &sim.Fraud{UnauthorisedCorrection: 0.005, RekeyReplace: 0.005}})
	if err != nil {
		t.Fatal(err)
	}
	events := el.Events()
	deps := dependencies(events, openAll(events))
	pos := map[string]int{}
	for i := range events {
		pos[events[i].HashHex()] = i
	}
	kinds := map[string]int{}
	for i, env := range openAll(events) {
		h := events[i].HashHex()
		for _, d := range deps[h] {
			if p, ok := pos[d]; !ok || p >= i {
				t.Fatalf("event %d depends on %s, which does not come before it", i, d)
			}
		}
		switch r := env.Record.(type) {
		case *record.Order:
			kinds["order"]++
			if len(deps[h]) == 0 {
				t.Errorf("order %d waits for no sheet", i)
			}
		case *record.Sheet:
			if r.Order != "" && !slices.Contains(deps[h], r.Order) {
				t.Errorf("recount %d does not wait for its order", i)
			}
			if r.Supersedes != "" {
				kinds["correction"]++
			}
		case *record.Keys:
			kinds["keys"]++
			if len(deps[h]) == 0 {
				t.Errorf("re-keying %d waits for no report", i)
			}
		}
	}
	for _, in := range el.Truth.Injected {
		if in.Kind == sim.KindRekeyReplace && !slices.Contains(deps[in.RecordHash], in.Witness) {
			t.Errorf("replacement %s does not wait for the grant of its key", in.RecordHash)
		}
	}
	corrections := map[string][]string{} // per contest, so far
	for i, env := range openAll(events) {
		h := events[i].HashHex()
		switch r := env.Record.(type) {
		case *record.Sheet:
			if r.Supersedes != "" {
				corrections[r.Contest] = append(corrections[r.Contest], h)
			}
		case *record.Declaration:
			for _, c := range corrections[r.Contest] {
				if !slices.Contains(deps[h], c) {
					t.Errorf("declaration of %s does not wait for the correction %s", r.Contest, c)
				}
			}
		}
	}
	if kinds["order"] == 0 || kinds["keys"] == 0 || kinds["correction"] <= kinds["order"] {
		t.Errorf("the night lacks orders, re-keyings or unordered corrections: %v", kinds)
	}
}
