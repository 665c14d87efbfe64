package night

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tallylog/tallylog/forensics"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/tally"
)

// Detection is what became of one injected fraud.
type Detection struct {
	Kind    string `json:"kind"`
	Contest string `json:"contest"`
	Station string `json:"station,omitempty"`
	Size    int64  `json:"size"`
	// Share is the injection's size as a share (see sim.Injection).
	Share float64 `json:"share"`
	// Detected says whether tallylog flagged it; By names the flag kind,
	// "station-screen" for the station screen (forensics.Screen), or
	// "forensics" for the other station-level rules.
	Detected bool   `json:"detected"`
	By       string `json:"by,omitempty"`
	// SecondsToFlag runs from the tampered record's acknowledgement to the
	// first moment the flag was seen (wall-clock seconds). For stations
	// that never report it is 0: they are missing from the first sheet on.
	// For forensic detections it runs to the end of the night, when the
	// screening runs.
	SecondsToFlag float64 `json:"seconds_to_flag"`
	Description   string  `json:"description"`
}

// Detector watches the tally for the flags of a simulated election's
// injected frauds.
type Detector struct {
	mu     sync.Mutex
	inj    []sim.Injection
	byHash map[string][]int // record hash -> injections it carries
	acked  map[int]time.Time
	found  map[int]Detection
	// records counts the night's records by type (sheet, declaration,
	// attestation); fa is what Finish measured on the honest part.
	records map[string]int
	fa      FalseAlarms
}

// watched are the kinds the tally flags from a single record.
var watched = map[string]bool{
	sim.KindDeclarationTampering:   true,
	sim.KindConflictingSheet:       true,
	sim.KindCopyDiffers:            true,
	sim.KindUnauthorisedCorrection: true,
	sim.KindRekeyReplace:           true,
	sim.KindPostalInflation:        true,
	sim.KindStaleDeclaration:       true, // on the log's clock, once the redeclaration period has passed
}

// expected names the flag that detects a kind when other flags may cite
// the same record first (a stale declaration is also short of stations;
// inflated postal ballots may also exceed the registered voters). The
// player logs a declaration before the sheets of the stations it lists as
// missing (Dependencies), so a stale one is judged stale.
var expected = map[string][]string{
	sim.KindPostalInflation:  {tally.KindPostalUnaccounted},
	sim.KindStaleDeclaration: {tally.KindDeclarationStale},
}

// NewDetector returns a detector for el's ground truth.
func NewDetector(el *sim.Election) *Detector {
	d := &Detector{inj: el.Truth.Injected, byHash: map[string][]int{}, acked: map[int]time.Time{}, found: map[int]Detection{}, records: map[string]int{}}
	for i, in := range d.inj {
		d.byHash[in.RecordHash] = append(d.byHash[in.RecordHash], i)
	}
	for _, ev := range el.Records {
		typ, _, _ := strings.Cut(strings.TrimPrefix(string(ev.Entry[:min(len(ev.Entry), 40)]), "tallylog/v1 "), "\n")
		d.records[typ]++
	}
	return d
}

// Acked notes when a record was acknowledged.
func (d *Detector) Acked(ev *sim.Event, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, i := range d.byHash[ev.HashHex()] {
		d.acked[i] = at
	}
}

// Check looks for the flags of acknowledged, undetected injections.
func (d *Detector) Check(t *tally.Tally, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t.Read(func(v *tally.View) {
		for i, in := range d.inj {
			at, ok := d.acked[i]
			if _, done := d.found[i]; done || !ok || !watched[in.Kind] {
				continue
			}
			for _, f := range v.Flags(tally.Filter{Contest: in.Contest, Station: in.Station}) {
				if cites(f, in.RecordHash) && (expected[in.Kind] == nil || slices.Contains(expected[in.Kind], f.Kind)) {
					d.found[i] = detection(in, true, f.Kind, now.Sub(at).Seconds())
					break
				}
			}
		}
	})
}

// FalseAlarms returns what Finish measured on the honest part of the night.
func (d *Detector) FalseAlarms() FalseAlarms {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fa
}

// falseAlarms counts, per flag kind of Mechanisms, the standing flags at
// the end of the night that cite no injected record (or, for the station-level screens and missing stations,
// flag a station no injection touched), and the honest records or
// stations each ran over.
func (d *Detector) falseAlarms(t *tally.Tally, flagged, screened map[string]bool) FalseAlarms {
	fa := FalseAlarms{Flags: map[string]int{}, Honest: map[string]int{}}
	injected := map[string]bool{}
	touched := map[string]bool{}
	perKind := map[string]int{}
	for _, in := range d.inj {
		injected[in.RecordHash] = true
		if in.Witness != "" {
			injected[in.Witness] = true
		}
		if in.Station != "" {
			touched[in.Station] = true
		}
		perKind[in.Kind]++
	}
	honestOf := map[string]int{
		tally.KindWinnerChanged:       d.records["declaration"] - perKind[sim.KindDeclarationTampering],
		tally.KindDeclarationMismatch: d.records["declaration"] - perKind[sim.KindDeclarationTampering],
		tally.KindConflictingSheets:   d.records["sheet"] - perKind[sim.KindConflictingSheet],
		tally.KindCopyDiffers:         d.records["attestation"] - perKind[sim.KindCopyDiffers],
		tally.KindUnorderedCorrection: d.records["sheet"] - perKind[sim.KindUnauthorisedCorrection] - perKind[sim.KindRekeyReplace],
		tally.KindRekeyReplace:        d.records["sheet"] - perKind[sim.KindUnauthorisedCorrection] - perKind[sim.KindRekeyReplace],
		tally.KindPostalUnaccounted:   d.records["declaration"] - perKind[sim.KindPostalInflation],
		tally.KindPostalOverAccount:   d.records["declaration"] - perKind[sim.KindPostalInflation],
		tally.KindDeclarationStale:    d.records["declaration"] - perKind[sim.KindStaleDeclaration],
	}
	t.Read(func(v *tally.View) {
		for kind, n := range honestOf {
			fa.Honest[kind] = n
			// Standing flags only: at --speed max a declaration can reach
			// the tally before its sheets and be flagged until they land.
			for _, f := range v.Flags(tally.Filter{Kind: kind}) {
				honest := true
				for _, e := range f.Evidence {
					if injected[e.Hash] {
						honest = false
					}
				}
				if honest {
					fa.Flags[kind]++
				}
			}
		}
		def := v.Definition()
		if def == nil {
			return
		}
		var stations int
		for _, st := range def.Stations {
			if !touched[st.ID] {
				stations++
			}
		}
		fa.Honest["missing-station"] = stations
		for _, c := range v.Contests(time.Time{}) {
			for _, m := range c.Missing {
				if !touched[m] {
					fa.Flags["missing-station"]++
				}
			}
		}
	})
	var clean int
	for id := range d.naStations(t) {
		if touched[id] {
			continue
		}
		clean++
		if screened[id] {
			fa.Flags["station-screen"]++
		}
		if flagged[id] {
			fa.Flags["forensics"]++
		}
	}
	fa.Honest["station-screen"], fa.Honest["forensics"] = clean, clean
	return fa
}

// naStations returns the stations with a current National Assembly sheet.
func (d *Detector) naStations(t *tally.Tally) map[string]bool {
	out := map[string]bool{}
	eachNASheet(t, func(r *tally.StationResult, _ *tally.StationContest) { out[r.ID] = true })
	return out
}

// eachNASheet calls f with every station's current National Assembly
// sheet, in definition order, under one read of the tally.
func eachNASheet(t *tally.Tally, f func(r *tally.StationResult, sc *tally.StationContest)) {
	t.Read(func(v *tally.View) {
		def := v.Definition()
		if def == nil {
			return
		}
		for _, st := range def.Stations {
			r, ok := v.Station(st.ID)
			if !ok {
				continue
			}
			for _, sc := range r.Contests {
				if c, _ := def.Contest(sc.Contest); sc.Current != nil && c.Assembly == "NA" {
					f(&r, &sc)
				}
			}
		}
	})
}

func cites(f tally.Flag, hash string) bool {
	for _, e := range f.Evidence {
		if e.Hash == hash {
			return true
		}
	}
	return false
}

func detection(in sim.Injection, ok bool, by string, secs float64) Detection {
	return Detection{Kind: in.Kind, Contest: in.Contest, Station: in.Station, Size: in.Size, Share: in.Share,
		Detected: ok, By: by, SecondsToFlag: secs, Description: in.Description}
}

// Finish makes the last checks once every record is applied: stations that
// never reported must be listed as missing, and station-level stuffing and
// switching must stand out in forensic screening of the National Assembly
// sheets. It returns one Detection per injection, in ground-truth order.
func (d *Detector) Finish(t *tally.Tally, end time.Time, seed uint64) []Detection {
	d.Check(t, end)
	d.mu.Lock()
	defer d.mu.Unlock()
	flagged, screened := screen(t, seed)
	t.Read(func(v *tally.View) {
		for i, in := range d.inj {
			if _, done := d.found[i]; done {
				continue
			}
			switch in.Kind {
			case sim.KindNonReporting:
				if c, ok := v.Contest(in.Contest, time.Time{}); ok && contains(c.Missing, in.Station) {
					d.found[i] = detection(in, true, "missing-station", 0)
				}
			case sim.KindBallotStuffing, sim.KindVoteSwitching:
				by := ""
				switch {
				case screened[in.Station]:
					by = "station-screen"
				case flagged[in.Station]:
					by = "forensics"
				}
				if by != "" {
					secs := 0.0
					if at, ok := d.acked[i]; ok {
						secs = end.Sub(at).Seconds()
					}
					d.found[i] = detection(in, true, by, secs)
				}
			}
		}
	})
	d.fa = d.falseAlarms(t, flagged, screened)
	out := make([]Detection, len(d.inj))
	for i, in := range d.inj {
		if f, ok := d.found[i]; ok {
			out[i] = f
		} else {
			out[i] = detection(in, false, "", 0)
		}
	}
	return out
}

// screen runs forensic screening over every station's current National
// Assembly sheet (the station's leader against everyone else) and returns
// the stations the rules flag and those the station screen flags.
func screen(t *tally.Tally, seed uint64) (flagged, screened map[string]bool) {
	var stations []forensics.Station
	eachNASheet(t, func(r *tally.StationResult, sc *tally.StationContest) {
		votes := make([]int64, 0, len(sc.Current.Votes))
		for _, x := range sc.Current.Votes {
			votes = append(votes, x.Votes)
		}
		if fs, ok := tally.ForensicStation(r, sc, leaderAndRest(votes)); ok {
			stations = append(stations, fs)
		}
	})
	flagged, screened = map[string]bool{}, map[string]bool{}
	if len(stations) == 0 {
		return flagged, screened
	}
	for _, s := range forensics.Screen(stations, 0, 0).Scores {
		if s.Flagged {
			screened[s.ID] = true
		}
	}
	rep, err := forensics.Analyze(stations, []string{"station leader", "others"},
		forensics.Options{Seed: seed, Resamples: 200, SkipKlimekFit: true, MaxFlagged: len(stations)})
	if err != nil {
		return flagged, screened
	}
	for _, f := range rep.Flagged {
		flagged[f.ID] = true
	}
	return flagged, screened
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
