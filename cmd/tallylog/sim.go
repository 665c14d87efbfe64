package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tallylog/tallylog/internal/sim"
)

const simUsage = `--out DIR [--stations N] [--seed S] [--scenario NAME] [--json]

Generates a simulated election (Pakistan 2024's constituencies, the given
number of polling stations spread over them) with signed station sheets,
attestations and declarations, injects the scenario's fraud, and writes the
definition, keys, log entries and ground truth to DIR. The same flags always
write the same bytes. See docs/sim.md for the model and the file formats.`

// simSummary is what --json prints.
type simSummary struct {
	Dir         string         `json:"dir"`
	Election    string         `json:"election"`
	Origin      string         `json:"origin"`
	Seed        uint64         `json:"seed"`
	Scenario    string         `json:"scenario"`
	Stations    int            `json:"stations"`
	Contests    int            `json:"contests"`
	Keys        int            `json:"keys"`
	Genesis     int            `json:"genesis_entries"`
	Records     int            `json:"records"`
	Injected    map[string]int `json:"injected"`
	LastArrival int64          `json:"last_arrival"` // seconds after polls close
}

func runSim(st *State, args []string) error {
	fs := newFlagSet(st, "sim", simUsage)
	out := fs.String("out", "", "directory to write the election to (required)")
	stations := fs.Int("stations", sim.DefaultStations, fmt.Sprintf("number of polling stations, %d to %d", sim.MinStations, sim.MaxStations))
	seed := fs.Uint64("seed", 1, "seed: the same seed gives the same bytes")
	scenario := fs.String("scenario", sim.DefaultScenario, "fraud to inject: "+strings.Join(sim.ScenarioNames(), " or "))
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected argument %q: sim takes only flags", fs.Arg(0))}
	case *out == "":
		return usageError{"--out is required: name the directory to write the election to"}
	case *stations < sim.MinStations || *stations > sim.MaxStations:
		return usageError{fmt.Sprintf("--stations %d is out of range: every constituency needs a station, so use %d to %d", *stations, sim.MinStations, sim.MaxStations)}
	}
	if _, ok := sim.Scenarios[*scenario]; !ok {
		return usageError{fmt.Sprintf("--scenario %q is unknown: use %s", *scenario, strings.Join(sim.ScenarioNames(), " or "))}
	}
	say := func(format string, a ...any) {
		if stderrIsTerminal(st) {
			fmt.Fprintf(st.Stderr, format, a...)
		}
	}
	start := time.Now()
	say("sim: generating %d stations (seed %d, scenario %s)...\n", *stations, *seed, *scenario)
	e, err := sim.Generate(sim.Config{Seed: *seed, Stations: *stations, Scenario: *scenario})
	if err != nil {
		return err
	}
	say("sim: writing %s...\n", *out)
	if err := e.WriteDir(*out); err != nil {
		return err
	}
	say("sim: done in %v\n", time.Since(start).Round(time.Millisecond))
	sum := simSummary{
		Dir: *out, Election: e.Def.ID, Origin: e.Def.Origin, Seed: *seed, Scenario: e.Config.Scenario,
		Stations: len(e.Def.Stations), Contests: len(e.Def.Contests), Keys: len(e.Keys),
		Genesis: len(e.Genesis), Records: len(e.Records), Injected: e.Truth.Count(),
	}
	if n := len(e.Records); n > 0 {
		sum.LastArrival = int64(e.Records[n-1].Arrival / time.Second)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(sum, "", "  ")
		_, err := fmt.Fprintf(st.Stdout, "%s\n", b)
		return err
	}
	injected := 0
	for _, n := range sum.Injected {
		injected += n
	}
	_, err = fmt.Fprintf(st.Stdout, "wrote %s: %s, %d stations, %d contests, %d keys, %d genesis entries, %d records, %d injected frauds (scenario %s, seed %d)\n",
		*out, sum.Election, sum.Stations, sum.Contests, sum.Keys, sum.Genesis, sum.Records, injected, sum.Scenario, *seed)
	return err
}
