package sim_test

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/sim"
)

// TestConfigRefused: bad settings are refused with the setting and the rule.
func TestConfigRefused(t *testing.T) {
	for _, c := range []struct {
		cfg  sim.Config
		want string
	}{
		{sim.Config{Stations: 100}, "stations: 100 is out of range: every constituency needs a station, so use 596 to 2000000"},
		{sim.Config{Stations: sim.MaxStations + 1}, "stations: 2000001 is out of range"},
		{sim.Config{Stations: -1}, "stations: -1 is out of range"},
		{sim.Config{Scenario: "karachi"}, `scenario: unknown scenario "karachi": use one of [clean rawalpindi]`},
		{sim.Config{Fraud: &sim.Fraud{Stuffing: 1.5}}, "fraud.stuffing: 1.5 is not a share of stations between 0 and 1"},
		{sim.Config{Fraud: &sim.Fraud{Stuffing: 0.3, Switching: 0.3, StuffingSizes: []float64{0.1}, SwitchingSizes: []float64{0.1}}}, "fraud: station-level shares add up to 0.600"},
		{sim.Config{Fraud: &sim.Fraud{Stuffing: 0.1}}, "fraud.stuffing_sizes: at least one size is needed"},
		{sim.Config{Fraud: &sim.Fraud{Switching: 0.1, SwitchingSizes: []float64{2}}}, "fraud.switching_sizes: 2 is not a size"},
		{sim.Config{Fraud: &sim.Fraud{CopyDiffers: 0.1}}, "fraud.copy_differs_size: 0 is not a size"},
		{sim.Config{Fraud: &sim.Fraud{Declarations: []string{"NA-57"}}}, "fraud.declaration_lead: 0 must be at least 1"},
		{sim.Config{Fraud: &sim.Fraud{Declarations: []string{"NA-57", "NA-999"}, DeclarationLead: 10}}, `fraud.declarations[1]: unknown contest "NA-999"`},
	} {
		_, err := sim.Generate(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.cfg, err, c.want)
		}
	}
}

// TestCustomFraud: a Fraud setting replaces the scenario's.
func TestCustomFraud(t *testing.T) {
	e, err := sim.Generate(sim.Config{Seed: 3, Stations: sim.MinStations, Scenario: "stuffing-only",
		Fraud: &sim.Fraud{Stuffing: 0.1, StuffingSizes: []float64{0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	counts := e.Truth.Count()
	if len(counts) != 1 || counts[sim.KindBallotStuffing] < 60 || e.Truth.Scenario != "stuffing-only" {
		t.Fatalf("got %v", counts)
	}
}
