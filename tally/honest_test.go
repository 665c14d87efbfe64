package tally_test

import (
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
					t.Fatalf("seed %d run %d: index %d refused: %v", cfg.Seed, run, i, err)
				}
				i++
			}
			tl.Read(func(v *tally.View) {
				for _, asOf := range []int{0, 24} {
					clock := tl.Latest().Add(timeHours(asOf))
					for _, f := range v.Flags(tally.Filter{Resolved: true, Severity: tally.High, AsOf: clock}) {
						t.Errorf("seed %d, %d stations, order %d: honest election accused (raised at %d, resolved at %d): %s %s: %s",
							cfg.Seed, cfg.Stations, run, f.Raised, f.Resolved, f.Severity, f.ID, f.Message)
					}
				}
				if testing.Verbose() {
					n := map[string]int{}
					for _, f := range v.Flags(tally.Filter{Resolved: true}) {
						n[f.Kind]++
					}
					t.Logf("seed %d order %d: %d entries, flags raised %v", cfg.Seed, run, i, n)
				}
			})
		}
	}
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
