package night

import (
	"fmt"
	"slices"

	"github.com/tallylog/tallylog/internal/sim"
)

// Mechanism says which part of tallylog is meant to catch one kind of
// injected fraud. Engineers adding a fraud kind to the simulator add one
// entry here (and a row to docs/detection.md): the demo's summary table is
// built from this list, so rows merge one line at a time.
type Mechanism struct {
	Kind string // sim.Kind*
	// By is the mechanism: "tally rule" (a flag the tally raises from the
	// records alone), "agents' copies" (a copy that disagrees with the
	// officer's sheet), "station screen" (forensics.Screen), "audit" (the
	// risk-limiting audit's hand counts).
	By string
	// Flags are the mechanism's own flag kinds (tally.Kind*, or
	// "station-screen", "forensics", "audit"): they count as catching it,
	// and their false-alarm rate is the row's. Also are other mechanisms'
	// flags that may catch it too.
	Flags []string
	Also  []string
	// Bands splits recall by Injection.Share (nil: one row for all sizes).
	Bands [][2]float64
}

// shareBands are the size bands of station frauds: stuffing as a share of
// registered voters, switching as a share of the runner-up's votes.
var shareBands = [][2]float64{{0, 0.10}, {0.10, 0.20}, {0.20, 1.01}}

// Mechanisms lists, per injected kind, the mechanism that catches it.
var Mechanisms = []Mechanism{
	{Kind: sim.KindDeclarationTampering, By: "tally rule", Flags: []string{"winner-changed", "declaration-mismatch"}},
	{Kind: sim.KindConflictingSheet, By: "tally rule", Flags: []string{"conflicting-versions"}},
	{Kind: sim.KindCopyDiffers, By: "agents' copies", Flags: []string{"copy-differs"}},
	{Kind: sim.KindNonReporting, By: "tally rule", Flags: []string{"missing-station"}},
	{Kind: sim.KindPostalInflation, By: "tally rule", Flags: []string{"postal-unaccounted", "postal-over-account"}},
	{Kind: sim.KindStaleDeclaration, By: "tally rule", Flags: []string{"declaration-stale"}, Also: []string{"missing-stations"}},
	{Kind: sim.KindBallotStuffing, By: "station screen", Flags: []string{"station-screen"}, Also: []string{"forensics", "audit"}, Bands: shareBands},
	{Kind: sim.KindVoteSwitching, By: "audit", Flags: []string{"audit"}, Also: []string{"station-screen", "forensics"}, Bands: shareBands},
	{Kind: sim.KindUnauthorisedCorrection, By: "tally rule", Flags: []string{"unordered-correction"}},
	{Kind: sim.KindRekeyReplace, By: "tally rule", Flags: []string{"rekey-replace"}, Also: []string{"unordered-correction"}},
}

// MechanismRow is one line of the demo's detection table: one kind of fraud
// in one size band, the mechanism meant to catch it, how much of it was
// caught, the false-alarm rate of that mechanism on honest records or
// stations (-1 where it was not measured), and the slowest time to flag.
type MechanismRow struct {
	Kind       string  `json:"kind"`
	MinShare   float64 `json:"min_share,omitempty"`
	MaxShare   float64 `json:"max_share,omitempty"`
	Mechanism  string  `json:"mechanism"`
	Injected   int     `json:"injected"`
	Detected   int     `json:"detected"`
	Recall     float64 `json:"recall"`
	FalseAlarm float64 `json:"false_alarm_rate"`
	// FalseAlarmOf says what the rate is over ("clean stations", "honest
	// records of the kind").
	FalseAlarmOf string `json:"false_alarm_of,omitempty"`
	// SlowestSeconds is the longest wall-clock time from the tampered
	// record's acknowledgement to its flag, over the detected ones.
	SlowestSeconds float64 `json:"slowest_seconds_to_flag"`
	// CaughtBy counts detections per flag kind.
	CaughtBy map[string]int `json:"caught_by,omitempty"`
}

// FalseAlarms is what the detector measured on the honest part of a night:
// per flag kind, flags that cite no injected record, over the records or
// stations that could have raised it.
type FalseAlarms struct {
	Flags  map[string]int `json:"flags"`  // flag kind -> honest flags
	Honest map[string]int `json:"honest"` // flag kind -> honest records or stations it ran over
}

// Rate returns the false-alarm rate of a mechanism's flags, -1 when none
// of them was measured.
func (f FalseAlarms) Rate(flags []string) (rate float64, over string) {
	var n, of int
	measured := false
	for _, k := range flags {
		if h, ok := f.Honest[k]; ok && h > 0 {
			measured = true
			n += f.Flags[k]
			of = max(of, h)
		}
	}
	if !measured {
		return -1, ""
	}
	return float64(n) / float64(of), fmt.Sprintf("%d honest", of)
}

// Table builds the detection table from the detections, in Mechanisms
// order; kinds injected but not in Mechanisms come last, with mechanism
// "none".
func Table(det []Detection, fa FalseAlarms) []MechanismRow {
	var rows []MechanismRow
	known := map[string]bool{}
	add := func(m Mechanism) {
		bands := m.Bands
		if bands == nil {
			bands = [][2]float64{{-1, 2}}
		}
		rate, over := fa.Rate(m.Flags)
		for _, b := range bands {
			r := MechanismRow{Kind: m.Kind, Mechanism: m.By, FalseAlarm: rate, FalseAlarmOf: over, CaughtBy: map[string]int{}}
			if m.Bands != nil {
				r.MinShare, r.MaxShare = b[0], min(b[1], 1)
			}
			for _, d := range det {
				if d.Kind != m.Kind || d.Share < b[0] || d.Share >= b[1] {
					continue
				}
				r.Injected++
				if d.Detected {
					r.Detected++
					r.CaughtBy[d.By]++
					r.SlowestSeconds = max(r.SlowestSeconds, d.SecondsToFlag)
				}
			}
			if r.Injected == 0 {
				continue
			}
			r.Recall = float64(r.Detected) / float64(r.Injected)
			rows = append(rows, r)
		}
	}
	for _, m := range Mechanisms {
		known[m.Kind] = true
		add(m)
	}
	var other []string
	for _, d := range det {
		if !known[d.Kind] && !slices.Contains(other, d.Kind) {
			other = append(other, d.Kind)
		}
	}
	slices.Sort(other)
	for _, k := range other {
		add(Mechanism{Kind: k, By: "none"})
	}
	return rows
}
