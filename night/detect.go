package night

import (
	"sort"
	"sync"
	"time"

	"github.com/tallylog/tallylog/forensics"
	"github.com/tallylog/tallylog/sim"
	"github.com/tallylog/tallylog/tally"
)

// Detection is what became of one injected fraud.
type Detection struct {
	Kind    string `json:"kind"`
	Contest string `json:"contest"`
	Station string `json:"station,omitempty"`
	Size    int64  `json:"size"`
	// Detected says whether tallylog flagged it; By names the flag kind, or
	// "forensics" for station-level statistical screening.
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
}

// watched are the kinds the tally flags from a single record.
var watched = map[string]bool{
	sim.KindDeclarationTampering: true,
	sim.KindConflictingSheet:     true,
	sim.KindCopyDiffers:          true,
	sim.KindPostalInflation:      true,
	sim.KindStaleDeclaration:     true, // on the log's clock, once the redeclaration period has passed
}

// expected names the flag that detects a kind when other flags may cite
// the same record first (a stale declaration is also short of stations;
// inflated postal ballots may also exceed the registered voters).
var expected = map[string]string{
	sim.KindPostalInflation:  tally.KindPostalUnaccounted,
	sim.KindStaleDeclaration: tally.KindDeclarationStale,
}

// NewDetector returns a detector for el's ground truth.
func NewDetector(el *sim.Election) *Detector {
	d := &Detector{inj: el.Truth.Injected, byHash: map[string][]int{}, acked: map[int]time.Time{}, found: map[int]Detection{}}
	for i, in := range d.inj {
		d.byHash[in.RecordHash] = append(d.byHash[in.RecordHash], i)
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
				if cites(f, in.RecordHash) && (expected[in.Kind] == "" || expected[in.Kind] == f.Kind) {
					d.found[i] = detection(in, true, f.Kind, now.Sub(at).Seconds())
					break
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
	return Detection{Kind: in.Kind, Contest: in.Contest, Station: in.Station, Size: in.Size,
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
	flagged := screen(t, seed)
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
				if flagged[in.Station] {
					secs := 0.0
					if at, ok := d.acked[i]; ok {
						secs = end.Sub(at).Seconds()
					}
					d.found[i] = detection(in, true, "forensics", secs)
				}
			}
		}
	})
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
// the stations it flags.
func screen(t *tally.Tally, seed uint64) map[string]bool {
	var stations []forensics.Station
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
				c, _ := def.Contest(sc.Contest)
				if sc.Current == nil || c.Assembly != "NA" {
					continue
				}
				votes := make([]int64, 0, len(sc.Current.Votes))
				for _, x := range sc.Current.Votes {
					votes = append(votes, x.Votes)
				}
				sort.Slice(votes, func(i, j int) bool { return votes[i] > votes[j] })
				var rest int64
				for _, x := range votes[1:] {
					rest += x
				}
				cur := sc.Current
				stations = append(stations, forensics.Station{ID: st.ID, Group: sc.Contest, Registered: cur.Registered,
					Ballots: cur.Cast, Valid: cur.Cast - cur.Rejected, Invalid: cur.Rejected, Votes: []int64{votes[0], rest}})
			}
		}
	})
	flagged := map[string]bool{}
	if len(stations) == 0 {
		return flagged
	}
	rep, err := forensics.Analyze(stations, []string{"station leader", "others"},
		forensics.Options{Seed: seed, Resamples: 200, SkipKlimekFit: true, MaxFlagged: len(stations)})
	if err != nil {
		return flagged
	}
	for _, f := range rep.Flagged {
		flagged[f.ID] = true
	}
	return flagged
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
