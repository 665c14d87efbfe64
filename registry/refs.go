package registry

import (
	"math"

	"github.com/tallylog/tallylog/record"
)

// refs holds what Lookup returns for every logged record, compactly: a
// registry keeps one for every entry of the log, a million and more for a
// national election, held by the tally and again by a server's intake. A
// Ref spelled out is 64 bytes of strings and numbers; a ref is 24, its
// strings the definition's or an interned few.
type refs struct {
	m    map[[32]byte]ref
	wide map[[32]byte]int64 // revisions that do not fit a ref (see wideRevision)
	strs []string           // interned strings: record types, and the rare name no definition holds
	idx  map[string]int32   // position in strs
}

// ref is a Ref with its strings as positions: contest and station in the
// definition when >= 0, "" when -1, strs[-n-2] when n <= -2; typ always
// in strs. revision is wideRevision for a revision kept in refs.wide.
type ref struct {
	index                           uint64
	typ, contest, station, revision int32
}

// wideRevision marks a revision outside int32's range (a record may
// carry any int64; none is that large in practice).
const wideRevision = math.MinInt32

func newRefs() refs {
	return refs{m: map[[32]byte]ref{}, wide: map[[32]byte]int64{}, idx: map[string]int32{}}
}

// intern returns s's code: -(position in strs)-2, or -1 for "".
func (x *refs) intern(s string) int32 {
	if s == "" {
		return -1
	}
	i, ok := x.idx[s]
	if !ok {
		i = int32(len(x.strs))
		s = string([]byte(s)) // a copy: s may be cut from a record's text
		x.strs = append(x.strs, s)
		x.idx[s] = i
	}
	return -i - 2
}

func (x *refs) str(n int32) string {
	if n == -1 {
		return ""
	}
	return x.strs[-n-2]
}

// contestCode and stationCode code an identifier by its position in the
// definition, or interned when the definition does not have it.
func (r *Registry) contestCode(id string) int32 {
	if r.def != nil {
		if i, ok := r.def.ContestIndex(id); ok {
			return int32(i)
		}
	}
	return r.records.intern(id)
}

func (r *Registry) stationCode(id string) int32 {
	if r.def != nil {
		if i, ok := r.def.StationIndex(id); ok {
			return int32(i)
		}
	}
	return r.records.intern(id)
}

// put records env's Ref at index.
func (r *Registry) put(index uint64, env *record.Envelope) {
	x := ref{index: index, typ: r.records.intern(env.Record.Type()), contest: -1, station: -1}
	switch rec := env.Record.(type) {
	case *record.Sheet:
		x.contest, x.station = r.contestCode(rec.Contest), r.stationCode(rec.Station)
		if rec.Revision > wideRevision && rec.Revision <= math.MaxInt32 {
			x.revision = int32(rec.Revision)
		} else {
			x.revision = wideRevision
			r.records.wide[env.Hash] = rec.Revision
		}
	case *record.Attestation:
		x.contest, x.station = r.contestCode(rec.Contest), r.stationCode(rec.Station)
	case *record.Declaration:
		x.contest = r.contestCode(rec.Contest)
	case *record.Order:
		x.contest = r.contestCode(rec.Contest)
	case *record.Affiliation:
		x.contest = r.contestCode(rec.Contest)
	case *record.PostalAccount:
		x.contest = r.contestCode(rec.Contest)
	}
	r.records.m[env.Hash] = x
}

// get returns the Ref of the record with hash h.
func (r *Registry) get(h [32]byte) (Ref, bool) {
	x, ok := r.records.m[h]
	if !ok {
		return Ref{}, false
	}
	ref := Ref{Index: x.index, Type: r.records.str(x.typ), Revision: int64(x.revision)}
	if x.revision == wideRevision {
		ref.Revision = r.records.wide[h]
	}
	switch {
	case x.contest >= 0:
		ref.Contest = r.def.Contests[x.contest].ID
	default:
		ref.Contest = r.records.str(x.contest)
	}
	switch {
	case x.station >= 0:
		ref.Station = r.def.Stations[x.station].ID
	default:
		ref.Station = r.records.str(x.station)
	}
	return ref, true
}
