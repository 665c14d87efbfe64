package forensics

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
)

// TestKobakGoldenRussia checks the integer-percentage test against the
// authors' published excess (reference-2011-2012.csv, kobak_* columns):
// the excess must land within two Monte Carlo standard deviations.
func TestKobakGoldenRussia(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the Russia golden test in -short mode")
	}
	ref := readReference(t)
	for _, year := range []string{"2011", "2012"} {
		t.Run(year, func(t *testing.T) {
			in := readPreset(t, "russia-kobak/"+year+".csv.gz", "russia-kobak")
			d, _, err := prepare(in.Stations, in.Candidates, &Options{MinRegistered: 100, Resamples: 1000})
			if err != nil {
				t.Fatal(err)
			}
			opt := Options{Seed: 42, Resamples: 1000, MinRegistered: 100}
			got, _, _ := runKobak(d, &opt)
			r := ref[year]
			if got.Included != int(r["int_included"]) {
				t.Errorf("included stations = %d, reference %v", got.Included, r["int_included"])
			}
			obs := []struct {
				name string
				got  float64
				col  string
			}{{"either", got.Observed.Either, "int_obs_either"}, {"leader", got.Observed.Leader, "int_obs_result"}, {"turnout", got.Observed.Turnout, "int_obs_turnout"}}
			for _, o := range obs {
				if o.got != r[o.col] {
					t.Errorf("observed %s = %v, reference %v", o.name, o.got, r[o.col])
				}
			}
			sd := r["kobak_sd_either"]
			ex := []struct {
				name     string
				got, sdv float64
				col      string
			}{
				{"either", got.Excess.Either, got.SD.Either, "kobak_excess_either"},
				{"leader", got.Excess.Leader, got.SD.Leader, "kobak_excess_result"},
				{"turnout", got.Excess.Turnout, got.SD.Turnout, "kobak_excess_turnout"},
			}
			for _, e := range ex {
				if math.Abs(e.got-r[e.col]) > 2*e.sdv {
					t.Errorf("excess %s = %.1f, published %.1f: more than 2 MC sd (%.1f) apart", e.name, e.got, r[e.col], e.sdv)
				}
			}
			if math.Abs(got.SD.Either-sd) > 0.15*sd {
				t.Errorf("MC sd = %.1f, published %.1f", got.SD.Either, sd)
			}
			// The sampler's Monte Carlo mean must agree with the exact
			// expectation of the same null.
			if math.Abs(got.Expected.Either-got.Exact.Either) > 4*got.SD.Either/math.Sqrt(1000) {
				t.Errorf("MC mean %.1f vs exact expectation %.1f", got.Expected.Either, got.Exact.Either)
			}
			t.Logf("%s: excess either %.1f (published %.1f ± %.1f), leader %.1f (%.1f), turnout %.1f (%.1f)", year,
				got.Excess.Either, r["kobak_excess_either"], sd, got.Excess.Leader, r["kobak_excess_result"], got.Excess.Turnout, r["kobak_excess_turnout"])
		})
	}
}

func readReference(t *testing.T) map[string]map[string]float64 {
	f, err := os.Open(sharedData(t, "russia-kobak/reference-2011-2012.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for _, row := range rows[1:] {
		m := map[string]float64{}
		for i, h := range rows[0] {
			v, err := strconv.ParseFloat(row[i], 64)
			if err != nil {
				t.Fatalf("reference %s: %v", h, err)
			}
			m[h] = v
		}
		out[row[0]] = m
	}
	return out
}

// TestKlimekInitialRussia checks the initial parameters against the values
// Kobak reproduced for Klimek et al. (reference/forensics-methods.md §1.1).
func TestKlimekInitialRussia(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode")
	}
	want := map[string][5]float64{
		"2007": {0.561, 0.610, 0.069873, 0.098875, 0.425573},
		"2011": {0.529, 0.324, 0.081381, 0.069723, 0.559001},
		"2012": {0.605, 0.600, 0.069407, 0.091970, 0.418900},
	}
	for year, w := range want {
		t.Run(year, func(t *testing.T) {
			in := readPreset(t, "russia-kobak/"+year+".csv.gz", "russia-kobak")
			d, _, err := prepare(in.Stations, in.Candidates, &Options{})
			if err != nil {
				t.Fatal(err)
			}
			k := runKlimek(d, &Options{MinRegistered: 100, SkipKlimekFit: true})
			got := [5]float64{k.Tau, k.Nu, k.SigmaTau, k.SigmaNu, k.Theta}
			names := [5]string{"tau", "nu", "sigma_tau", "sigma_nu", "theta"}
			for i := range got {
				if math.Abs(got[i]-w[i]) > 5e-7 {
					t.Errorf("%s = %.6f, published %.6f", names[i], got[i], w[i])
				}
			}
		})
	}
}

// TestKlimekFitRussia2011 compares the simulated fit with the paper's
// f_i = 0.64, f_e = 0.033, α = 2.3. The fit uses another distance and grid
// than the paper: f_i and α must agree within one coarse grid step, f_e
// within a factor of two (this fit gives about 0.023).
func TestKlimekFitRussia2011(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode")
	}
	in := readPreset(t, "russia-kobak/2011.csv.gz", "russia-kobak")
	d, _, err := prepare(in.Stations, in.Candidates, &Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := runKlimek(d, &Options{MinRegistered: 100, Seed: 1})
	if math.Abs(k.Fi-0.64) > 0.1 || k.Fe < 0.033/2 || k.Fe > 0.033*2 || math.Abs(k.AlphaFit-2.3) > 0.5 {
		t.Errorf("fit f_i=%.3f f_e=%.4f α=%.2f; paper 0.64, 0.033, 2.3", k.Fi, k.Fe, k.AlphaFit)
	}
	t.Logf("fit f_i=%.3f f_e=%.4f α=%.2f; paper 0.64, 0.033, 2.3", k.Fi, k.Fe, k.AlphaFit)
}
