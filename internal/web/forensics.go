package web

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/forensics"
	"github.com/tallylog/tallylog/tally"
)

// Forensic screening (package forensics) of the current sheets, per
// assembly (stations' votes summed by party) and per contest (by
// candidate). An analysis resamples the data and costs far more than a
// page, so a scope is analysed again at most every forensicsEvery, and
// only when the log has grown: pages may lag the log by that much, and say
// at which log size they were computed.

const forensicsEvery = 10 * time.Second

// forensicsOptions keep an analysis to a fraction of a second per
// thousand stations on one core, whatever the machine.
var forensicsOptions = forensics.Options{Seed: 1, Resamples: 200, SkipKlimekFit: true, MaxFlagged: 100, Workers: 1}

type forensicsCache struct {
	mu sync.Mutex
	m  map[string]*forensicsEntry
}

type forensicsEntry struct {
	mu  sync.Mutex // held while analysing: one analysis per scope at a time
	rep *scopeReport
	at  time.Time
}

func newForensicsCache() *forensicsCache { return &forensicsCache{m: map[string]*forensicsEntry{}} }

// report returns the scope's analysis and whether it is current (read at
// the tally's present size). ok is false for an unknown scope.
func (x *site) report(scope, id string) (rep *scopeReport, current, ok bool) {
	key := scope + "/" + id
	fc := x.forensics
	fc.mu.Lock()
	e := fc.m[key]
	if e == nil {
		if !x.scopeExists(scope, id) {
			fc.mu.Unlock()
			return nil, false, false
		}
		e = &forensicsEntry{}
		fc.m[key] = e
	}
	fc.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	size := x.s.Tally.Size()
	if e.rep == nil || e.rep.Applied != size && time.Since(e.at) >= forensicsEvery {
		e.rep, e.at = x.analyse(scope, id), time.Now()
	}
	return e.rep, e.rep.Applied == x.s.Tally.Size(), true
}

func (x *site) scopeExists(scope, id string) (ok bool) {
	x.s.Tally.Read(func(v *tally.View) {
		d := v.Definition()
		if d == nil {
			return
		}
		switch scope {
		case "assembly":
			_, ok = d.Assembly(id)
		case "contest":
			_, ok = d.Contest(id)
		}
	})
	return ok
}

// analyse reads the scope's current sheets, one contest per read lock so
// that the tally is never held for long, and screens them.
func (x *site) analyse(scope, id string) *scopeReport {
	out := &scopeReport{Scope: scope, ID: id}
	var contests []string
	var columns []string
	var column func(c *election.Contest, candidate string) int
	x.s.Tally.Read(func(v *tally.View) {
		out.Applied = v.Size()
		d := v.Definition()
		if scope == "contest" {
			c, _ := d.Contest(id)
			out.Name = c.ID + " " + c.Name
			contests = []string{c.ID}
			for _, cd := range c.Candidates {
				columns = append(columns, cd.Name)
			}
			column = func(c *election.Contest, candidate string) int { i, _ := c.CandidateIndex(candidate); return i }
			return
		}
		a, _ := d.Assembly(id)
		out.Name = a.Name
		party := map[string]int{}
		for _, p := range d.Parties {
			party[p.ID] = len(columns)
			columns = append(columns, p.Name)
		}
		columns = append(columns, "Independent")
		for _, c := range d.Contests {
			if c.Assembly == id {
				contests = append(contests, c.ID)
			}
		}
		column = func(c *election.Contest, candidate string) int {
			i, _ := c.CandidateIndex(candidate)
			if j, ok := party[c.Candidates[i].Party]; ok {
				return j
			}
			return len(columns) - 1
		}
	})
	var stations []forensics.Station
	for _, cid := range contests {
		x.s.Tally.Read(func(v *tally.View) {
			d := v.Definition()
			c, _ := d.Contest(cid)
			for _, i := range d.StationsOf(cid) {
				sr, _ := v.Station(d.Stations[i].ID)
				for _, sc := range sr.Contests {
					if sc.Contest != cid || sc.Current == nil {
						continue
					}
					votes := make([]int64, len(columns))
					for _, vc := range sc.Current.Votes {
						votes[column(c, vc.Candidate)] += vc.Votes
					}
					if fs, ok := tally.ForensicStation(&sr, &sc, votes); ok {
						stations = append(stations, fs)
					}
				}
			}
		})
	}
	rep, err := forensics.Analyze(stations, columns, forensicsOptions)
	switch {
	case errors.Is(err, forensics.ErrNoStations):
		out.Error = "no station of this scope has reported a sheet that can be screened yet"
	case err != nil:
		out.Error = fmt.Sprintf("the screening failed: %v", err)
	default:
		out.Report = rep
	}
	return out
}
