package night

import (
	"testing"

	"github.com/tallylog/tallylog/internal/sim"
)

// TestScreenMeasured measures the station screen on two simulator settings
// (the default noise and 1.5×) with more stuffed and switched stations than
// the default scenario, so that each size band holds enough stations. The
// goal of issue 16: ≤ 1% false alarms on clean stations, ≥ 80% recall of
// stations stuffed with 20% or more of registered voters.
func TestScreenMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("generates two 3,000-station elections")
	}
	for _, noise := range []float64{0, 1.5} {
		el, err := sim.Generate(sim.Config{Seed: 7, Stations: 3000, Noise: noise, Scenario: "measure",
			Fraud: &sim.Fraud{Stuffing: 0.06, StuffingSizes: []float64{0.05, 0.10, 0.20, 0.30}, Switching: 0.04, SwitchingSizes: []float64{0.10, 0.25, 0.50}}})
		if err != nil {
			t.Fatal(err)
		}
		m := MeasureScreen(el)
		t.Log(m)
		if m.FalseRate > 0.01 {
			t.Errorf("noise %g: false-alarm rate %.3f above 1%%", noise, m.FalseRate)
		}
		for _, b := range m.Bands {
			if b.Kind == sim.KindBallotStuffing && b.Min >= 0.20 && (b.Stations < 20 || b.Recall < 0.8) {
				t.Errorf("noise %g: stuffing ≥ 20%%: recall %.2f over %d stations, want ≥ 0.8 over 20 or more", noise, b.Recall, b.Stations)
			}
		}
	}
}
