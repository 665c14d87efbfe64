package sim_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// small generates (once per test binary) an election of 3,000 stations with
// the default scenario.
var small = sync.OnceValues(func() (*sim.Election, error) {
	return sim.Generate(sim.Config{Seed: 7, Stations: 3000})
})

func smallElection(t *testing.T) *sim.Election {
	t.Helper()
	e, err := small()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestReplayAdmitsEverything appends the genesis and every record in
// arrival order through the log's rules: none may be refused.
func TestReplayAdmitsEverything(t *testing.T) {
	e := smallElection(t)
	r := registry.New(e.Def.Origin)
	all := append(append([]sim.Event{}, e.Genesis...), e.Events()...)
	types := map[string]int{}
	for i, ev := range all {
		env, err := record.Open(ev.Entry)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if _, err := r.Admit(env); err != nil {
			t.Fatalf("entry %d (%s, arrival %v): refused: %v\n%s", i, env.Record.Type(), ev.Arrival, err, ev.Entry)
		}
		r.Record(uint64(i), env)
		types[env.Record.Type()]++
	}
	t.Logf("%d entries: %v", len(all), types)
	inflated := len(e.Truth.Fraud.PostalInflation)
	if types["sheet"] < 2*2900 || types["declaration"] != len(e.Def.Contests)+inflated || types["postal-account"] != len(e.Def.Contests)-inflated {
		t.Fatalf("unexpected mix of records: %v", types)
	}
	if !strings.HasPrefix(e.LogVKey, e.Def.Origin+"+") || e.LogSigner.Name() != e.Def.Origin {
		t.Fatalf("log key %q is not named after the origin %q", e.LogVKey, e.Def.Origin)
	}
}
