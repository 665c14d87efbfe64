package tally

import (
	"fmt"
	"strconv"
)

// This file names the station behind a declaration's mismatch when the
// difference is exactly one sheet: a counted station's sheet left out, or
// a sheet of a station of another constituency added in.

// sheetRef is one logged sheet: a slot and a position in its versions.
type sheetRef struct {
	slot, version int32
}

// votesKey is the map key of a vote list.
func votesKey(v []int64) string {
	b := make([]byte, 0, 8*len(v))
	for _, n := range v {
		b = strconv.AppendInt(b, n, 10)
		b = append(b, ',')
	}
	return string(b)
}

// indexVotes remembers a sheet by its votes. The index only grows, so
// what a check finds in it depends only on the entries logged before the
// declaration it checks (see foreignSheets).
func (t *Tally) indexVotes(s *slot, version int32, votes []int64) {
	if t.byVotes == nil {
		t.byVotes = map[string][]sheetRef{}
	}
	k := votesKey(votes)
	t.byVotes[k] = append(t.byVotes[k], sheetRef{s.id, version})
}

// maxNamed bounds the stations a flag names.
const maxNamed = 5

// nameStations explains a declaration's difference from its basis when it
// equals one sheet: a station it counts whose current sheet, left out,
// gives the declared votes; or a sheet of another contest, logged before
// the declaration, whose votes (candidates in ballot order) are the excess.
// It returns the stations and a sentence, or nothing.
func (t *Tally) nameStations(c *contest, d *declaration, diff []CandidateDiff) ([]string, string) {
	neg, pos := true, true
	var any bool
	delta := make([]int64, len(diff))
	for i, x := range diff {
		delta[i] = x.Delta
		neg, pos = neg && x.Delta <= 0, pos && x.Delta >= 0
		any = any || x.Delta != 0
	}
	if !any {
		return nil, ""
	}
	var names []string
	if neg {
		listed := map[int32]bool{}
		for _, id := range d.missing {
			listed[id] = true
		}
		for i := range c.stations {
			id := c.firstSlot + i
			s := &t.slots[id]
			if s.current < 0 || listed[id] {
				continue
			}
			v := &s.versions[s.current]
			same := true
			for j, n := range v.votes {
				same = same && n == -delta[j]
			}
			if same && len(names) < maxNamed {
				names = append(names, fmt.Sprintf("%s (index %d)", t.def.Stations[s.station].ID, v.index))
			}
		}
		if len(names) > 0 {
			return names, fmt.Sprintf("; the difference is exactly the sheet of %s, which the declaration leaves out", joinNames(names))
		}
	}
	if pos {
		for _, r := range t.byVotes[votesKey(delta)] {
			s := &t.slots[r.slot]
			v := &s.versions[r.version]
			if s.contest == c.index || v.index >= d.index || len(names) >= maxNamed {
				continue
			}
			names = append(names, fmt.Sprintf("%s (%s, index %d)", t.def.Stations[s.station].ID, t.contests[s.contest].def.ID, v.index))
		}
		if len(names) > 0 {
			return names, fmt.Sprintf("; the excess is exactly the sheet of %s, a station of another constituency", joinNames(names))
		}
	}
	return nil, ""
}

func joinNames(n []string) string {
	s := ""
	for i, x := range n {
		if i > 0 {
			s += " or "
		}
		s += x
	}
	return s
}
