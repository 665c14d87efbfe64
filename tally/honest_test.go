package tally_test

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/night"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/tally"
)

// TestHonestElectionsNeverAccused replays honest simulated elections (the
// clean scenario: honest corrections, attestations and early declarations)
// in random arrival orders and requires that no high or grave flag is ever
// raised, at any step. The orders respect only what a record needs to be
// admitted (a correction after the sheet it names, a countersignature after
// its sheet) and that one officer's device sends its records in the order
// it signed them (a declaration after the corrections its officer made).
// Every flag ever raised is either standing or resolved, so checking both
// at the end covers every step; the clock flags are checked at the log's
// clock and a day later. TALLYLOG_HONEST_RUNS sets the number of orders
// of the first election (default 2; one fewer for the second).
func TestHonestElectionsNeverAccused(t *testing.T) {
	runs := 2
	if n, err := strconv.Atoi(os.Getenv("TALLYLOG_HONEST_RUNS")); err == nil && n > 0 {
		runs = n
	}
	elections := []sim.Config{{Seed: 1, Stations: sim.MinStations}, {Seed: 2, Stations: 1000}}
	if testing.Short() {
		elections = elections[:1]
	}
	for _, cfg := range elections {
		cfg.Scenario = "clean"
		el, err := sim.Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		deps := dependencies(el.Records)
		for run := range max(1, runs-int(cfg.Seed)+1) { // fewer orders of the larger election
			order := randomOrder(len(el.Records), deps, rand.New(rand.NewPCG(cfg.Seed, uint64(run))))
			what := fmt.Sprintf("seed %d, %d stations, order %d", cfg.Seed, cfg.Stations, run)
			tl := replayInOrder(t, el, order, what)
			if testing.Verbose() {
				tl.Read(func(v *tally.View) {
					n := map[string]int{}
					for _, f := range v.Flags(tally.Filter{Resolved: true}) {
						n[f.Kind]++
					}
					t.Logf("%s: %d entries, flags raised %v", what, tl.Size(), n)
				})
			}
		}
	}
}

// replayInOrder replays an election's genesis, then its records in order,
// and fails the test (naming what) on a refused entry or on any high or
// grave flag raised, standing or resolved, at the log's clock or a day
// later.
func replayInOrder(t *testing.T, el *sim.Election, order []int, what string) *tally.Tally {
	t.Helper()
	tl := tally.New(el.Def.Origin)
	i := uint64(0)
	for _, ev := range el.Genesis {
		if err := tl.Apply(i, ev.Entry); err != nil {
			t.Fatal(err)
		}
		i++
	}
	for _, k := range order {
		if err := tl.Apply(i, el.Records[k].Entry); err != nil {
			t.Fatalf("%s: index %d refused: %v", what, i, err)
		}
		i++
	}
	tl.Read(func(v *tally.View) {
		for _, asOf := range []int{0, 24} {
			for _, f := range v.Flags(tally.Filter{Resolved: true, Severity: tally.High, AsOf: tl.Latest().Add(timeHours(asOf))}) {
				t.Errorf("%s: honest election accused (raised at %d, resolved at %d): %s %s: %s", what, f.Raised, f.Resolved, f.Severity, f.ID, f.Message)
			}
		}
	})
	return tl
}

// TestHonestElectionsDelayed replays honest simulated elections in the
// order their records would reach the log if each were delayed in transit
// by up to a few minutes, or by hours (a mobile shutdown): each record
// arrives at its planned time plus a random delay, after what it needs to
// be admitted. Unlike a uniformly random order, the log's clock then keeps
// to the night, so the clock's flags (awaiting sheets overdue, stale
// declarations) are exercised as they would be: they may be medium (a
// sheet hours late is overdue), never high or grave.
func TestHonestElectionsDelayed(t *testing.T) {
	delays := []time.Duration{5 * time.Minute, 30 * time.Minute, 3 * time.Hour}
	if testing.Short() {
		delays = delays[1:2]
	}
	el, err := sim.Generate(sim.Config{Seed: 3, Stations: sim.MinStations, Scenario: "clean"})
	if err != nil {
		t.Fatal(err)
	}
	deps := dependencies(el.Records)
	for i, d := range delays {
		order := delayedOrder(el.Records, deps, rand.New(rand.NewPCG(3, uint64(i))), d)
		replayInOrder(t, el, order, fmt.Sprintf("delays up to %v", d))
	}
}

// delayedOrder returns the records in the order they arrive when each is
// delayed by up to maxDelay after its planned arrival, every record after
// those it depends on (Kahn's algorithm taking the earliest arrival).
func delayedOrder(events []sim.Event, deps [][]int, r *rand.Rand, maxDelay time.Duration) []int {
	arrive := make([]time.Duration, len(events))
	for i := range events {
		arrive[i] = events[i].Arrival + time.Duration(r.Int64N(int64(maxDelay)+1))
	}
	waiting := make([]int, len(events))
	next := make([][]int, len(events))
	for i, ds := range deps {
		waiting[i] = len(ds)
		for _, d := range ds {
			next[d] = append(next[d], i)
		}
	}
	ready := &arrivals{at: arrive}
	for i := range events {
		if waiting[i] == 0 {
			heap.Push(ready, i)
		}
	}
	var out []int
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		out = append(out, i)
		for _, j := range next[i] {
			if waiting[j]--; waiting[j] == 0 {
				heap.Push(ready, j)
			}
		}
	}
	return out
}

// arrivals is a heap of record positions, earliest arrival first.
type arrivals struct {
	at  []time.Duration
	pos []int
}

func (a *arrivals) Len() int           { return len(a.pos) }
func (a *arrivals) Less(i, j int) bool { return a.at[a.pos[i]] < a.at[a.pos[j]] }
func (a *arrivals) Swap(i, j int)      { a.pos[i], a.pos[j] = a.pos[j], a.pos[i] }
func (a *arrivals) Push(x any)         { a.pos = append(a.pos, x.(int)) }
func (a *arrivals) Pop() any {
	x := a.pos[len(a.pos)-1]
	a.pos = a.pos[:len(a.pos)-1]
	return x
}

// dependencies returns, per record, the records that must reach the log
// before it, as the election-night player waits for them
// (night.Dependencies): what it names, the keys that grant its signer, the
// sheets an order recounts, and for a declaration its signer's earlier
// records.
func dependencies(events []sim.Event) [][]int {
	pos := make(map[string]int, len(events))
	for i := range events {
		pos[events[i].HashHex()] = i
	}
	byHash := night.Dependencies(events)
	deps := make([][]int, len(events))
	for i := range events {
		for _, h := range byHash[events[i].HashHex()] {
			if j, ok := pos[h]; ok {
				deps[i] = append(deps[i], j)
			}
		}
	}
	return deps
}

// randomOrder returns a uniformly drawn order among the ready records at
// each step (Kahn's algorithm with a random choice).
func randomOrder(n int, deps [][]int, r *rand.Rand) []int {
	waiting := make([]int, n)
	next := make([][]int, n)
	for i, ds := range deps {
		waiting[i] = len(ds)
		for _, d := range ds {
			next[d] = append(next[d], i)
		}
	}
	var ready, out []int
	for i := range n {
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		k := r.IntN(len(ready))
		i := ready[k]
		ready[k] = ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		out = append(out, i)
		for _, j := range next[i] {
			if waiting[j]--; waiting[j] == 0 {
				ready = append(ready, j)
			}
		}
	}
	return out
}

func timeHours(h int) time.Duration { return time.Duration(h) * time.Hour }
