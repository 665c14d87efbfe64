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
// replacement the grant of its key, a sheet the declarations that list its
// station missing.
func TestDependencies(t *testing.T) {
	el, err := sim.Generate(sim.Config{Seed: 5, Stations: sim.MinStations,
		Fraud: &sim.Fraud{UnauthorisedCorrection: 0.005, RekeyReplace: 0.005, StaleDeclarations: []string{"NA-256"}}})
	if err != nil {
		t.Fatal(err)
	}
	events := el.Events()
	deps, _ := dependencies(events, openAll(events))
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
	listed := map[string][]string{}      // declarations so far listing a contest's station missing
	waited := 0
	for i, env := range openAll(events) {
		h := events[i].HashHex()
		switch r := env.Record.(type) {
		case *record.Sheet:
			if r.Supersedes != "" {
				corrections[r.Contest] = append(corrections[r.Contest], h)
			}
			for _, d := range listed[r.Contest+"/"+r.Station] {
				if !slices.Contains(deps[h], d) {
					t.Errorf("sheet %d of %s/%s does not wait for the declaration %s that lists it missing", i, r.Contest, r.Station, d)
				}
				waited++
			}
		case *record.Declaration:
			for _, st := range r.Missing {
				listed[r.Contest+"/"+st] = append(listed[r.Contest+"/"+st], h)
			}
			for _, c := range corrections[r.Contest] {
				if !slices.Contains(deps[h], c) {
					t.Errorf("declaration of %s does not wait for the correction %s", r.Contest, c)
				}
			}
		}
	}
	if waited == 0 {
		t.Errorf("no sheet came after a declaration listing its station missing")
	}
	if kinds["order"] == 0 || kinds["keys"] == 0 || kinds["correction"] <= kinds["order"] {
		t.Errorf("the night lacks orders, re-keyings or unordered corrections: %v", kinds)
	}
}

// TestStages: a batch goes in requests such that the server, which logs a
// request's records in no set order except after the records they name,
// logs every record after those it depends on.
func TestStages(t *testing.T) {
	ev := func(b byte) *sim.Event { return &sim.Event{Hash: [32]byte{b}} }
	decl, sheet, att, other, outside, waiter, late := ev(1), ev(2), ev(3), ev(4), ev(5), ev(6), ev(7)
	deps := map[string][]string{
		sheet.HashHex():  {decl.HashHex()},                   // listed missing by decl: not named
		att.HashHex():    {sheet.HashHex()},                  // countersigns sheet: named
		waiter.HashHex(): {outside.HashHex()},                // another worker is sending outside
		late.HashHex():   {waiter.HashHex(), decl.HashHex()}, // names waiter
	}
	named := map[string][]string{att.HashHex(): {sheet.HashHex()}, late.HashHex(): {waiter.HashHex()}}
	acked := map[string]chan struct{}{}
	for _, e := range []*sim.Event{decl, sheet, att, other, outside, waiter, late} {
		acked[e.HashHex()] = make(chan struct{})
	}
	got := stages([]*sim.Event{decl, sheet, att, other, waiter, late}, deps, named, acked)
	want := [][]*sim.Event{{decl, other}, {sheet, att, waiter, late}}
	if !slices.EqualFunc(got, want, func(a, b []*sim.Event) bool { return slices.Equal(a, b) }) {
		t.Errorf("stages = %v, want %v", got, want)
	}
	// Once outside is acknowledged, waiter goes at once; late still after decl.
	close(acked[outside.HashHex()])
	got = stages([]*sim.Event{decl, waiter, late}, deps, named, acked)
	want = [][]*sim.Event{{decl, waiter}, {late}}
	if !slices.EqualFunc(got, want, func(a, b []*sim.Event) bool { return slices.Equal(a, b) }) {
		t.Errorf("after the ack: stages = %v, want %v", got, want)
	}
}
