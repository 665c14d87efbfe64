package forensics

import (
	"flag"
	"fmt"
	"math"
	"strings"
	"testing"
)

var calibrateFlag = flag.Bool("calibrate", false, "run the full calibration and power table (minutes) and print it as Markdown")

// scenario is one synthetic election design of the calibration table.
type scenario struct {
	name string
	cfg  GenConfig
}

// calibrationRow is the rejection rate of each test over the seeds.
type calibrationRow struct {
	name                                  string
	integer, last, second, corr, anyTest  float64
	stationFlagRate, shpilkinShare, fitFi float64
}

var testNames = []string{"integer", "last digit", "second digit", "correlation"}

// calibrate runs Analyze on seeds elections of a scenario.
func calibrate(sc scenario, seeds, stations, resamples int, alpha float64, fit bool) calibrationRow {
	row := calibrationRow{name: sc.name}
	for s := range seeds {
		cfg := sc.cfg
		cfg.Stations, cfg.Seed = stations, uint64(1000+s)
		st, names := Generate(cfg)
		rep, err := Analyze(st, names, Options{Seed: uint64(s), Resamples: resamples, Alpha: alpha, SkipKlimekFit: !fit})
		if err != nil {
			panic(err)
		}
		f := map[string]bool{}
		for _, x := range rep.Findings {
			f[x.Test] = x.Flagged
		}
		add := func(dst *float64, b bool) {
			if b {
				*dst += 1 / float64(seeds)
			}
		}
		add(&row.integer, f["integer percentages"])
		add(&row.last, f["last digit"])
		add(&row.second, f["second digit"])
		add(&row.corr, f["turnout-share correlation"])
		add(&row.anyTest, f["integer percentages"] || f["last digit"] || f["second digit"] || f["turnout-share correlation"])
		row.stationFlagRate += float64(rep.FlaggedTotal) / float64(stations) / float64(seeds)
		row.shpilkinShare += rep.Shpilkin.ExcessShare / float64(seeds)
		row.fitFi += rep.Klimek.Fi / float64(seeds)
	}
	return row
}

// TestCalibration checks that on clean synthetic elections every test's
// false-positive rate is at most its nominal α, up to two binomial
// standard errors of the rate measured over the seeds.
func TestCalibration(t *testing.T) {
	seeds, stations, resamples := 60, 2000, 200
	if testing.Short() {
		seeds = 20
	}
	const alpha = 0.05
	row := calibrate(scenario{"clean", GenConfig{}}, seeds, stations, resamples, alpha, false)
	limit := alpha + 2*math.Sqrt(alpha*(1-alpha)/float64(seeds))
	for i, rate := range []float64{row.integer, row.last, row.second, row.corr} {
		if rate > limit {
			t.Errorf("%s: false-positive rate %.3f over %d clean elections, above α = %.2f (+2 s.e. = %.3f)",
				testNames[i], rate, seeds, alpha, limit)
		}
	}
	if row.stationFlagRate > 0.001 {
		t.Errorf("%.4f of clean stations flagged", row.stationFlagRate)
	}
	t.Logf("clean: %+v", row)
}

// TestCalibrationTable prints the calibration and power table of
// docs/forensics.md. Run it with
//
//	go test ./forensics -run CalibrationTable -calibrate -timeout 60m -v
func TestCalibrationTable(t *testing.T) {
	if !*calibrateFlag {
		t.Skip("skipping the calibration table: run with -calibrate")
	}
	const seeds, stations, resamples, alpha = 100, 5000, 500, 0.05
	scenarios := []scenario{
		{"clean", GenConfig{}},
		{"stuffing 5% of stations, +20% of non-voters", GenConfig{StuffFraction: 0.05, StuffSize: 0.2}},
		{"stuffing 20% of stations, +20% of non-voters", GenConfig{StuffFraction: 0.2, StuffSize: 0.2}},
		{"stuffing 20% of stations, +50% of non-voters", GenConfig{StuffFraction: 0.2, StuffSize: 0.5}},
		{"switching 10% of stations, 20% of opponents' votes", GenConfig{SwitchFraction: 0.1, SwitchSize: 0.2}},
		{"switching 30% of stations, 20% of opponents' votes", GenConfig{SwitchFraction: 0.3, SwitchSize: 0.2}},
		{"round percentages in 2% of stations", GenConfig{RoundFraction: 0.02}},
		{"round percentages in 5% of stations", GenConfig{RoundFraction: 0.05}},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d synthetic elections of %d stations per row, %d resamples, α = %.2f; rates are the share of elections flagged.\n\n",
		seeds, stations, resamples, alpha)
	b.WriteString("| scenario | integer % | last digit | second digit | correlation | any of the four | stations flagged | Shpilkin excess / leader votes |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, sc := range scenarios {
		r := calibrate(sc, seeds, stations, resamples, alpha, false)
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.5f | %+.3f |\n",
			r.name, r.integer, r.last, r.second, r.corr, r.anyTest, r.stationFlagRate, r.shpilkinShare)
	}
	t.Log("\n" + b.String())
}
