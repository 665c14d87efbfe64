package registry

import (
	"encoding/hex"
	"time"

	"github.com/tallylog/tallylog/record"
)

// This file holds the authority for corrections and recounts: who may
// order one (an order record), which sheets may carry one out, and what a
// presiding officer may still correct alone.

// OrderRoles are the roles whose keys may sign an order for a contest.
var OrderRoles = []string{"returning", "commission", "tribunal"}

// authority is what the registry keeps for the rules of this file.
type authority struct {
	orders    map[[32]byte]*record.Order
	sheets    map[slotKey]int32   // sheets logged per contest and station
	used      map[orderUse]uint64 // order and station -> index of the sheet that carried it out
	firstDecl map[string]uint64   // contest -> index of its first declaration
}

// slotKey is a contest and a station by their positions in the
// definition: 8 bytes a station rather than two strings.
type slotKey struct{ contest, station int32 }

// slotOf returns the key of a contest's station, or false when the
// definition has no such contest or station (no sheet of it is logged).
func (r *Registry) slotOf(contest, station string) (slotKey, bool) {
	if r.def == nil {
		return slotKey{}, false
	}
	c, ok := r.def.ContestIndex(contest)
	if !ok {
		return slotKey{}, false
	}
	s, ok := r.def.StationIndex(station)
	if !ok {
		return slotKey{}, false
	}
	return slotKey{int32(c), int32(s)}, true
}

type orderUse struct {
	order   [32]byte
	station string
}

func newAuthority() authority {
	return authority{orders: map[[32]byte]*record.Order{}, sheets: map[slotKey]int32{}, used: map[orderUse]uint64{}, firstDecl: map[string]uint64{}}
}

// Order returns a logged order by hash.
func (r *Registry) Order(hash [32]byte) (*record.Order, bool) {
	o, ok := r.auth.orders[hash]
	return o, ok
}

// FirstDeclaration returns the index of the contest's first declaration.
func (r *Registry) FirstDeclaration(contest string) (uint64, bool) {
	i, ok := r.auth.firstDecl[contest]
	return i, ok
}

// SheetsLogged returns how many sheets of the station are logged in the
// contest (every revision and version).
func (r *Registry) SheetsLogged(contest, station string) int {
	if k, ok := r.slotOf(contest, station); ok {
		return int(r.auth.sheets[k])
	}
	return 0
}

// MayOrder reports whether key may sign an order for the contest, and the
// role it orders as.
func (k *Key) MayOrder(contest string) (string, bool) {
	for _, role := range OrderRoles {
		if k.may(role, contest) {
			return role, true
		}
	}
	return "", false
}

// authorizeOrder: an order is signed by the contest's returning officer,
// the commission or a tribunal, for stations of the contest that have
// reported (there is nothing to recount or correct before a sheet).
func (r *Registry) authorizeOrder(key *Key, o *record.Order) error {
	if _, ok := r.def.Contest(o.Contest); !ok {
		return reject("contest", "unknown contest %q", o.Contest)
	}
	if _, ok := key.MayOrder(o.Contest); !ok {
		return notAllowed(key, "a recount or correction of contest "+o.Contest+" is ordered by its returning officer, the commission or a tribunal the commission registered")
	}
	for _, st := range o.Stations {
		if _, err := r.stationIn(o.Contest, st); err != nil {
			return err
		}
		if k, ok := r.slotOf(o.Contest, st); !ok || r.auth.sheets[k] == 0 {
			return reject("station", "station %s has no sheet logged in contest %s: there is nothing to %s yet", st, o.Contest, o.Kind)
		}
	}
	return nil
}

// authorizeCorrection applies the rules of a sheet s that supersedes the
// logged sheet old, signed by key:
//
//   - its revision is exactly one more than old's;
//   - with an order: the order is logged, of the same contest, names the
//     station, has not been carried out for the station before, and is
//     dated no later than the sheet (give or take ClockSkew);
//   - without one: only the station's own presiding officer corrects
//     alone, and only before the contest's first declaration (after it,
//     the returning officer has relied on the sheet).
func (r *Registry) authorizeCorrection(key *Key, s *record.Sheet, old Ref) error {
	if s.Revision != old.Revision+1 {
		return reject("revision", "revision %d does not follow the superseded revision %d: a correction's revision is exactly one more than the sheet it supersedes (%d)",
			s.Revision, old.Revision, old.Revision+1)
	}
	if s.Order == "" {
		if !key.may("presiding", s.Station) {
			return reject("order", "a returning officer's correction or recount names the order record that ordered it: log an order for station %s (signed by the returning officer, the commission or a tribunal) and name its hash", s.Station)
		}
		if at, ok := r.auth.firstDecl[s.Contest]; ok {
			return reject("order", "contest %s was declared at index %d: after its first declaration a presiding officer corrects a sheet only on an order of the returning officer, the commission or a tribunal; name that order record's hash", s.Contest, at)
		}
		return nil
	}
	h, ok := hexHash(s.Order)
	if !ok {
		return reject("order", "%q is not a record hash", s.Order)
	}
	o, ok := r.auth.orders[h]
	if !ok {
		if ref, logged := r.get(h); logged {
			return reject("order", "record %s is a %s, not an order", s.Order, ref.Type)
		}
		return reject("order", "no order with hash %s is in the log: log the order first", s.Order)
	}
	if o.Contest != s.Contest || !o.Names(s.Station) {
		return reject("order", "order %s is for %s, not for station %s in contest %s", s.Order, o, s.Station, s.Contest)
	}
	if at, done := r.auth.used[orderUse{h, s.Station}]; done {
		return reject("order", "order %s was carried out for station %s by the sheet at index %d: a further change needs a new order", s.Order, s.Station, at)
	}
	if captured, ordered := record.Time(s.Captured), record.Time(o.Ordered); captured.Before(ordered.Add(-ClockSkew)) {
		return reject("captured", "%s is before the order it carries out was made (%s): the sheet names the order's hash, so it was signed after it; sign it with the time the recount or correction was made",
			s.Captured, o.Ordered)
	}
	return nil
}

// ClockSkew is how far apart two signers' clocks may be: a sheet that
// carries out an order may be dated this much before the order's time (a
// presiding officer's phone a few minutes slow), and no more.
const ClockSkew = 15 * time.Minute

// recordAuthority learns an appended entry for the rules of this file.
func (r *Registry) recordAuthority(index uint64, env *record.Envelope) {
	switch rec := env.Record.(type) {
	case *record.Order:
		r.auth.orders[env.Hash] = rec
	case *record.Sheet:
		if k, ok := r.slotOf(rec.Contest, rec.Station); ok {
			r.auth.sheets[k]++
		}
		if rec.Order != "" {
			h, _ := hexHash(rec.Order)
			u := orderUse{h, rec.Station}
			if at, ok := r.auth.used[u]; !ok || index < at {
				r.auth.used[u] = index
			}
		}
	case *record.Declaration:
		if at, ok := r.auth.firstDecl[rec.Contest]; !ok || index < at {
			r.auth.firstDecl[rec.Contest] = index
		}
	}
}

func hexHash(s string) (h [32]byte, ok bool) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return h, false
	}
	copy(h[:], b)
	return h, true
}
