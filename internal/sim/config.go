package sim

import (
	"fmt"
	"slices"
)

// DefaultStations is the number of polling stations in Pakistan's 2024
// general election, the size Generate simulates unless told otherwise.
const DefaultStations = 90675

// MaxStations bounds Config.Stations: twice an India-sized election.
const MaxStations = 2_000_000

// DefaultScenario is the scenario Generate uses when Config.Scenario is empty.
const DefaultScenario = "rawalpindi"

// Config says what to simulate. The zero value (apart from Seed) simulates
// Pakistan 2024 at full size with the default scenario.
type Config struct {
	// Seed determines everything: the same Config gives the same election,
	// byte for byte.
	Seed uint64 `json:"seed"`
	// Stations is the number of polling stations (0 means DefaultStations).
	// Every constituency is kept at any size, so it must be at least
	// MinStations.
	Stations int `json:"stations"`
	// Scenario names the fraud injected: see Scenarios. Empty means
	// DefaultScenario.
	Scenario string `json:"scenario"`
	// Fraud, when not nil, replaces the scenario's fraud settings; Scenario
	// then only labels the run.
	Fraud *Fraud `json:"fraud,omitempty"`
	// Noise scales the station-to-station variation within a constituency:
	// the spread of turnout (sd 0.06 at 1) and of every bloc's local swing
	// (log-sd 0.18 at 1). 0 means 1; 0.25 to 4 otherwise. A second setting
	// shows that a detector does not merely learn the simulator's noise.
	Noise float64 `json:"noise,omitempty"`
}

// Fraud is what a scenario injects and at what size. Station shares are
// fractions of all polling stations; each station carries at most one kind
// of station-level fraud.
type Fraud struct {
	// Declarations are the contests whose returning officer declares the
	// sheets' runner-up the winner, by DeclarationLead votes.
	Declarations []string `json:"declarations,omitempty"`
	// DeclarationLead is the declared lead of the sheets' runner-up over the
	// sheets' winner. It is capped at half of the two candidates' combined
	// sheet votes, so small runs move votes rather than invent them.
	DeclarationLead int64 `json:"declaration_lead,omitempty"`
	// Stuffing is the share of stations where ballots are added for the
	// station's leader; StuffingSizes are the sizes drawn from, as a share of
	// the station's registered voters (capped at 100% turnout).
	Stuffing      float64   `json:"stuffing,omitempty"`
	StuffingSizes []float64 `json:"stuffing_sizes,omitempty"`
	// Switching is the share of stations where votes move from the second
	// candidate to the first; SwitchingSizes are the shares of the second's
	// votes moved.
	Switching      float64   `json:"switching,omitempty"`
	SwitchingSizes []float64 `json:"switching_sizes,omitempty"`
	// Conflicting is the share of stations whose presiding officer signs a
	// second revision-1 sheet for the National Assembly contest with the top
	// two candidates' votes swapped.
	Conflicting float64 `json:"conflicting,omitempty"`
	// CopyDiffers is the share of stations whose officer's National Assembly
	// sheet moves CopyDiffersSize of the agent's candidate's votes to another
	// candidate while the agent's copy keeps the true count.
	CopyDiffers     float64 `json:"copy_differs,omitempty"`
	CopyDiffersSize float64 `json:"copy_differs_size,omitempty"`
	// NonReporting is the share of stations that never send a sheet.
	NonReporting float64 `json:"non_reporting,omitempty"`
	// UnauthorisedCorrection is the share of stations whose presiding
	// officer replaces their own National Assembly sheet, before the
	// declaration and without an order, moving 30% of the runner-up's
	// votes to the leader.
	UnauthorisedCorrection float64 `json:"unauthorised_correction,omitempty"`
	// RekeyReplace is the share of stations for which the commission grants
	// a new presiding key after the station has reported, and the new key
	// replaces the National Assembly sheet without an order, moving 30% of
	// the runner-up's votes to the leader.
	RekeyReplace float64 `json:"rekey_replace,omitempty"`
	// PostalInflation are the contests whose returning officer logs no
	// postal-ballot account and then declares a final result (form 49)
	// whose postal ballots give the sheets' runner-up a lead of PostalLead
	// votes.
	PostalInflation []string `json:"postal_inflation,omitempty"`
	PostalLead      int64    `json:"postal_lead,omitempty"`
	// StaleDeclarations are the contests whose returning officer declares
	// early, with at least half the stations listed as missing, and never
	// makes a new declaration once they report.
	StaleDeclarations []string `json:"stale_declarations,omitempty"`
	// EarlyDeclarations is the share of the other contests whose honest
	// provisional declaration reaches the log before some of its sheets
	// (the returning officer has the paper; the stations' uploads lag). It
	// is not fraud: a tally must not accuse these officers.
	EarlyDeclarations float64 `json:"early_declarations,omitempty"`
}

// rawalpindiDivision are the 13 National Assembly seats of the Rawalpindi
// division in the 2024 delimitation (Attock, Rawalpindi, Murree, Chakwal,
// Talagang, Jhelum).
var rawalpindiDivision = []string{
	"NA-49", "NA-50", "NA-51", "NA-52", "NA-53", "NA-54", "NA-55",
	"NA-56", "NA-57", "NA-58", "NA-59", "NA-60", "NA-61",
}

// Scenarios are the named fraud settings.
//
//   - "rawalpindi": the 13 Rawalpindi-division declarations give the sheets'
//     runner-up a 50,000-vote lead; ballot stuffing at 2% of stations (+5% to
//     +30% of registered), vote switching at 1% (10% to 50% of the second's
//     votes), conflicting second sheets at 0.1%, differing agents' copies at
//     0.2% (40% of the agent's candidate's votes), non-reporting stations at
//     0.1%, presiding officers' unauthorised corrections at 0.1% and re-keyed
//     replacements at 0.1% (30% of the runner-up's votes each).
//     One Islamabad returning officer (NA-46) inflates the final result
//     with unaccounted postal ballots, another (NA-47) leaves a provisional
//     declaration stale; a fifth of the other declarations reach the log
//     before some of their sheets, honestly.
//   - "clean": no fraud at all (honest corrections, attestations and early
//     declarations remain).
var Scenarios = map[string]Fraud{
	"rawalpindi": {
		Declarations:      rawalpindiDivision,
		DeclarationLead:   50000,
		PostalInflation:   []string{"NA-46"},
		PostalLead:        2000,
		StaleDeclarations: []string{"NA-47"},
		EarlyDeclarations: 0.2,
		Stuffing:          0.02,
		StuffingSizes:     []float64{0.05, 0.10, 0.20, 0.30},
		Switching:         0.01,
		SwitchingSizes:    []float64{0.10, 0.25, 0.50},
		Conflicting:       0.001,
		CopyDiffers:       0.002,
		CopyDiffersSize:   0.40,
		NonReporting:      0.001,
		// The officials who know the rules (issue 13).
		UnauthorisedCorrection: 0.001,
		RekeyReplace:           0.001,
	},
	"clean": {EarlyDeclarations: 0.2},
}

// ScenarioNames returns the scenario names, sorted.
func ScenarioNames() []string {
	var names []string
	for n := range Scenarios {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// resolve fills in defaults and checks every setting. Errors name the
// setting and the rule.
func (c Config) resolve() (Config, Fraud, error) {
	if c.Stations == 0 {
		c.Stations = DefaultStations
	}
	if c.Scenario == "" {
		c.Scenario = DefaultScenario
	}
	if c.Stations < MinStations || c.Stations > MaxStations {
		return c, Fraud{}, fmt.Errorf("stations: %d is out of range: every constituency needs a station, so use %d to %d", c.Stations, MinStations, MaxStations)
	}
	f, ok := Scenarios[c.Scenario]
	if c.Noise != 0 && (c.Noise < 0.25 || c.Noise > 4) {
		return c, Fraud{}, fmt.Errorf("noise: %g is out of range: use 0 (the default, 1) or 0.25 to 4", c.Noise)
	}
	if c.Fraud != nil {
		f = *c.Fraud
	} else if !ok {
		return c, Fraud{}, fmt.Errorf("scenario: unknown scenario %q: use one of %v", c.Scenario, ScenarioNames())
	}
	return c, f, f.check()
}

func (f *Fraud) check() error {
	shares := []struct {
		name string
		v    float64
	}{{"stuffing", f.Stuffing}, {"switching", f.Switching}, {"conflicting", f.Conflicting},
		{"copy_differs", f.CopyDiffers}, {"non_reporting", f.NonReporting},
		{"unauthorised_correction", f.UnauthorisedCorrection}, {"rekey_replace", f.RekeyReplace}}
	total := 0.0
	for _, s := range shares {
		if !(s.v >= 0 && s.v <= 1) {
			return fmt.Errorf("fraud.%s: %v is not a share of stations between 0 and 1", s.name, s.v)
		}
		total += s.v
	}
	if total+correctionShare > 0.5 {
		return fmt.Errorf("fraud: station-level shares add up to %.3f; keep them under %.3f so that honest stations remain", total, 0.5-correctionShare)
	}
	for _, s := range []struct {
		name  string
		share float64
		sizes []float64
	}{{"stuffing_sizes", f.Stuffing, f.StuffingSizes}, {"switching_sizes", f.Switching, f.SwitchingSizes}} {
		if s.share > 0 && len(s.sizes) == 0 {
			return fmt.Errorf("fraud.%s: at least one size is needed when the share is above 0", s.name)
		}
		for _, v := range s.sizes {
			if !(v > 0 && v <= 1) {
				return fmt.Errorf("fraud.%s: %v is not a size between 0 (excluded) and 1", s.name, v)
			}
		}
	}
	if f.CopyDiffers > 0 && !(f.CopyDiffersSize > 0 && f.CopyDiffersSize <= 1) {
		return fmt.Errorf("fraud.copy_differs_size: %v is not a size between 0 (excluded) and 1", f.CopyDiffersSize)
	}
	if len(f.Declarations) > 0 && f.DeclarationLead < 1 {
		return fmt.Errorf("fraud.declaration_lead: %d must be at least 1 when declarations are tampered", f.DeclarationLead)
	}
	if len(f.PostalInflation) > 0 && f.PostalLead < 1 {
		return fmt.Errorf("fraud.postal_lead: %d must be at least 1 when postal ballots are inflated", f.PostalLead)
	}
	if !(f.EarlyDeclarations >= 0 && f.EarlyDeclarations <= 1) {
		return fmt.Errorf("fraud.early_declarations: %v is not a share of contests between 0 and 1", f.EarlyDeclarations)
	}
	return nil
}
