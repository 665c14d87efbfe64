package night

import (
	"fmt"
	"sort"

	"github.com/tallylog/tallylog/forensics"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
)

// ScreenSizeBand is the screen's recall on one kind of station fraud in one
// size band (Share from Min, inclusive, to Max, exclusive).
type ScreenSizeBand struct {
	Kind     string  `json:"kind"`
	Min      float64 `json:"min_share"`
	Max      float64 `json:"max_share"`
	Stations int     `json:"stations"`
	Flagged  int     `json:"flagged"`
	Recall   float64 `json:"recall"`
}

// ScreenMeasure is the station screen measured against a simulated
// election's ground truth: the false-alarm rate on the stations no fraud
// touched, and the recall per fraud kind and size.
type ScreenMeasure struct {
	Noise      float64          `json:"noise"` // the simulator setting (0 means 1)
	Threshold  float64          `json:"threshold"`
	Clean      int              `json:"clean_stations"`
	FalseAlarm int              `json:"false_alarms"`
	FalseRate  float64          `json:"false_alarm_rate"`
	Bands      []ScreenSizeBand `json:"bands"`
}

// sizeBands are the share bands recall is reported in: stuffing as a share
// of registered voters, switching as a share of the runner-up's votes.
var sizeBands = [][2]float64{{0, 0.10}, {0.10, 0.20}, {0.20, 1.01}}

// StationsFromSheets returns the National Assembly sheets among entries as
// forensic stations, the last sheet of each station winning (entries in log
// order), votes as [station leader, everyone else] and the constituency as
// the group, in first-seen order.
func StationsFromSheets(def interface{ IsNA(contest string) bool }, entries [][]byte) []forensics.Station {
	at := map[string]int{}
	var out []forensics.Station
	for _, e := range entries {
		env, err := record.Open(e)
		if err != nil {
			continue
		}
		sh, ok := env.Record.(*record.Sheet)
		if !ok || !def.IsNA(sh.Contest) {
			continue
		}
		votes := make([]int64, len(sh.Votes))
		for i, c := range sh.Votes {
			votes[i] = c.Votes
		}
		st := stationOf(sh.Station, sh.Contest, sh.Registered, sh.Cast, sh.Rejected, votes)
		if i, seen := at[sh.Station]; seen {
			out[i] = st
			continue
		}
		at[sh.Station] = len(out)
		out = append(out, st)
	}
	return out
}

// stationOf is one sheet as a forensic station: the leader's votes and
// everyone else's.
func stationOf(id, contest string, registered, cast, rejected int64, votes []int64) forensics.Station {
	return forensics.Station{ID: id, Group: contest, Registered: registered, Ballots: cast, Valid: max(cast-rejected, 0), Invalid: rejected,
		Votes: leaderAndRest(votes)}
}

// leaderAndRest collapses a sheet's votes to the station leader's and
// everyone else's, the two-way split the screens read.
func leaderAndRest(votes []int64) []int64 {
	v := append([]int64(nil), votes...)
	sort.Slice(v, func(i, j int) bool { return v[i] > v[j] })
	var rest int64
	for _, x := range v[1:] {
		rest += x
	}
	return []int64{v[0], rest}
}

type naContests map[string]bool

func (n naContests) IsNA(c string) bool { return n[c] }

// MeasureScreen runs the station screen over a simulated election's sheets
// and sets its flags beside the ground truth. Stations touched by any
// injected fraud are left out of the clean count.
func MeasureScreen(el *sim.Election) ScreenMeasure {
	na := naContests{}
	for _, c := range el.Def.Contests {
		if c.Assembly == "NA" {
			na[c.ID] = true
		}
	}
	var entries [][]byte
	for _, ev := range el.Events() {
		entries = append(entries, ev.Entry)
	}
	stations := StationsFromSheets(na, entries)
	res := forensics.Screen(stations, 0, 0)
	flagged := map[string]bool{}
	for _, s := range res.Scores {
		if s.Flagged {
			flagged[s.ID] = true
		}
	}
	touched := map[string]bool{}
	for _, in := range el.Truth.Injected {
		if in.Station != "" {
			touched[in.Station] = true
		}
	}
	m := ScreenMeasure{Noise: el.Config.Noise, Threshold: res.Threshold}
	for _, s := range res.Scores {
		if !touched[s.ID] {
			m.Clean++
			if s.Flagged {
				m.FalseAlarm++
			}
		}
	}
	if m.Clean > 0 {
		m.FalseRate = float64(m.FalseAlarm) / float64(m.Clean)
	}
	for _, kind := range []string{sim.KindBallotStuffing, sim.KindVoteSwitching} {
		for _, b := range sizeBands {
			band := ScreenSizeBand{Kind: kind, Min: b[0], Max: min(b[1], 1)}
			for _, in := range el.Truth.Injected {
				if in.Kind == kind && in.Contest != "" && na[in.Contest] && in.Share >= b[0] && in.Share < b[1] {
					band.Stations++
					if flagged[in.Station] {
						band.Flagged++
					}
				}
			}
			if band.Stations > 0 {
				band.Recall = float64(band.Flagged) / float64(band.Stations)
			}
			m.Bands = append(m.Bands, band)
		}
	}
	return m
}

// String is one line per band, for logs and the demo's summary.
func (m ScreenMeasure) String() string {
	s := fmt.Sprintf("station screen (threshold %.2f), noise %g: false alarms %d of %d clean stations (%.2f%%)", m.Threshold, max(m.Noise, 1), m.FalseAlarm, m.Clean, 100*m.FalseRate)
	for _, b := range m.Bands {
		s += fmt.Sprintf("\n  %s %.0f–%.0f%%: %d of %d flagged (recall %.0f%%)", b.Kind, 100*b.Min, 100*b.Max, b.Flagged, b.Stations, 100*b.Recall)
	}
	return s
}
