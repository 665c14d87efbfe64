package tally

import (
	"encoding/hex"
	"fmt"
	"sort"
)

// This file holds the flag bookkeeping shared by every check: each scope
// (a slot, a contest) recomputes its standing flags after every change and
// settle carries their history forward.

// settle replaces the standing flags of one scope with next, the flags that
// hold after the entry at index. A flag that stood before keeps its Raised
// index; a new one is raised at index; one that no longer holds is kept in
// the tally's resolved list with Resolved = index. Flags are matched by ID.
func (t *Tally) settle(standing *[]Flag, next []Flag, index uint64) {
	if len(*standing) == 0 && len(next) == 0 {
		return
	}
	for i := range next {
		next[i].Raised = index
		for _, o := range *standing {
			if o.ID == next[i].ID {
				next[i].Raised = o.Raised
				break
			}
		}
	}
	for _, o := range *standing {
		if !hasID(next, o.ID) {
			o.Resolved = index
			by := t.cur
			o.ResolvedBy = &by
			if o.lazy != nil { // keep the evidence: the sheets as they stand now
				o.Evidence = append([]Evidence(nil), o.Evidence...)
				t.fillLazy(&o, o.lazy)
				o.lazy = nil
			}
			t.resolved = append(t.resolved, o)
		}
	}
	*standing = next
}

func hasID(flags []Flag, id string) bool {
	for _, f := range flags {
		if f.ID == id {
			return true
		}
	}
	return false
}

// flagID is the stable identity of a flag: kind/contest[/station][/index].
func flagID(kind, contest, station string, index uint64, hasIndex bool) string {
	id := kind + "/" + contest
	if station != "" {
		id += "/" + station
	}
	if hasIndex {
		id += fmt.Sprintf("/%d", index)
	}
	return id
}

// sortFlags orders flags as the log raised them: by Raised, then ID.
func sortFlags(fs []Flag) {
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].Raised != fs[j].Raised {
			return fs[i].Raised < fs[j].Raised
		}
		if fs[i].ID != fs[j].ID {
			return fs[i].ID < fs[j].ID
		}
		return fs[i].Resolved < fs[j].Resolved
	})
}

func hexHash(h [32]byte) string { return hex.EncodeToString(h[:]) }

// decodeHash decodes a hash the record package has checked.
func decodeHash(s string) (h [32]byte) {
	hex.Decode(h[:], []byte(s))
	return h
}

func evidence(index uint64, hash [32]byte, typ, note string) Evidence {
	return Evidence{Index: index, Hash: hexHash(hash), Type: typ, Note: note}
}
