package tally

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
)

// This file names the station behind a declaration's mismatch when the
// difference is exactly one sheet: a counted station's sheet left out, or
// a sheet of a station of another constituency added in.

// sheetRef is one logged sheet: a slot and a position in its versions.
type sheetRef struct {
	slot, version int32
}

// votesIndex finds the sheets logged with a vote list. It is keyed by a
// hash of the list (8 bytes a sheet, not the list spelled out): sheets
// whose lists merely share the hash are told apart by comparing the
// lists. The hash's seed is random, so the lists that share one cannot be
// chosen; what the index finds does not depend on it.
type votesIndex struct {
	seed  maphash.Seed
	first map[uint64]sheetRef   // the first sheet logged with the hash
	more  map[uint64][]sheetRef // the later ones, in log order
}

func (x *votesIndex) hash(v []int64) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	var b [8]byte
	for _, n := range v {
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	return h.Sum64()
}

// add remembers a sheet by its votes.
func (x *votesIndex) add(r sheetRef, votes []int64) {
	if x.first == nil {
		x.seed, x.first, x.more = maphash.MakeSeed(), map[uint64]sheetRef{}, map[uint64][]sheetRef{}
	}
	h := x.hash(votes)
	if _, ok := x.first[h]; !ok {
		x.first[h] = r
	} else {
		x.more[h] = append(x.more[h], r)
	}
}

// lookup returns the sheets whose votes hash as votes do, in log order
// (the caller compares the votes).
func (x *votesIndex) lookup(votes []int64) []sheetRef {
	if x.first == nil {
		return nil
	}
	h := x.hash(votes)
	r, ok := x.first[h]
	if !ok {
		return nil
	}
	return append([]sheetRef{r}, x.more[h]...)
}

// indexVotes remembers a sheet by its votes. The index only grows, so
// what a check finds in it depends only on the entries logged before the
// declaration it checks (see foreignSheets).
func (t *Tally) indexVotes(s *slot, version int32, votes []int64) {
	t.byVotes.add(sheetRef{s.id, version}, votes)
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
		for _, r := range t.byVotes.lookup(delta) {
			s := &t.slots[r.slot]
			v := &s.versions[r.version]
			if s.contest == c.index || v.index >= d.index || len(names) >= maxNamed || !slices.Equal(v.votes, delta) {
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
