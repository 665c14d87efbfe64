package tally

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// This file holds who stands behind each sheet: the order a correction
// carries out, the key that signed it and the keys record that granted
// that key, and the flags on authority: a presiding officer's correction
// without an order, a key granted for a station that has already
// reported, and a sheet from such a key that replaces a reported sheet
// without an order. The registry has already refused what no one may do
// (docs/spec.md); these are what the rules allow but a reader must see.

// Flag kinds on authority.
const (
	// KindRekeyReplace: a key granted for the station after it reported
	// replaced the station's sheet without a recount or correction order.
	KindRekeyReplace = "rekey-replace"
	// KindStationRekeyed: a new key was granted for a station that had
	// already reported; the flag names the old and the new keys.
	KindStationRekeyed = "station-rekeyed"
	// KindUnorderedCorrection: a presiding officer corrected their own
	// sheet without an order (allowed only before the contest's first
	// declaration).
	KindUnorderedCorrection = "unordered-correction"
)

// orderInfo is a logged order record.
type orderInfo struct {
	contest  string
	index    uint64
	hash     [32]byte
	signer   string // key name
	key      string // the signer's verifier key
	role     string // returning, commission or tribunal
	granted  uint64 // the keys record (or election record, 0) that granted the role
	kind     string
	reason   string
	ordered  string
	stations []string
}

// rekey is a key granted for a station after the station had reported.
type rekey struct {
	index   uint64   // the keys record
	hash    [32]byte // its hash
	newKeys []string // verifier keys granted
	oldKeys []string // verifier keys that had signed the station's sheets
}

// signerOf describes the key that signed the entry being learned, and the
// entry that granted it the role it signs with for scope.
func signerOf(k *registry.Key, roles []string, scopes ...string) (vkey string, granted uint64, role string) {
	if k == nil {
		return "", 0, ""
	}
	for _, r := range roles {
		for _, g := range k.Grants {
			if g.Role() != r {
				continue
			}
			for _, s := range scopes {
				if g.Scope == s || g.Scope == "*" {
					return k.VKey, g.At, r
				}
			}
		}
	}
	return k.VKey, 0, ""
}

// learnOrder keeps an order record; the sheets that carry it out name it.
func (t *Tally) learnOrder(index uint64, env *record.Envelope, rec *record.Order) {
	vkey, granted, role := signerOf(t.signer, registry.OrderRoles, rec.Contest)
	if t.orderIdx == nil {
		t.orderIdx = map[[32]byte]int32{}
	}
	t.orderIdx[env.Hash] = int32(len(t.orders))
	t.orders = append(t.orders, orderInfo{contest: rec.Contest, index: index, hash: env.Hash, signer: t.signerName(env), key: vkey, role: role, granted: granted,
		kind: rec.Kind, reason: rec.Reason, ordered: rec.Ordered, stations: rec.Stations})
}

// sheetAuthority fills in who stands behind a sheet about to be added to
// slot s: its order, its signer's key and grant, and whether that key was
// granted for the station after the station reported.
func (t *Tally) sheetAuthority(s *slot, v *version, rec *record.Sheet) {
	v.order = -1
	if rec.Order != "" {
		v.order = t.orderIdx[decodeHash(rec.Order)]
	}
	var role string
	v.key, v.granted, role = signerOf(t.signer, sheetRoles, rec.Station, rec.Contest)
	v.role = roleOf(role)
	if first, ok := t.firstSheet(s.station); ok && v.role == presidingRole && v.granted > first {
		v.rekeyed = true
	}
}

// firstSheet returns the log index of a station's first sheet in any
// contest.
func (t *Tally) firstSheet(station int32) (uint64, bool) {
	var first uint64
	found := false
	for _, id := range t.stationSlots[t.stationStart[station]:t.stationStart[station+1]] {
		if vs := t.slots[id].versions; len(vs) > 0 && (!found || vs[0].index < first) {
			first, found = vs[0].index, true
		}
	}
	return first, found
}

// learnKeys notes every presiding key granted for a station that has
// already reported, once per station: on the first of its slots (in
// definition order) with a sheet, which it rechecks.
func (t *Tally) learnKeys(index uint64, env *record.Envelope, rec *record.Keys) {
	if t.keysRecords == nil {
		t.keysRecords = map[uint64][32]byte{}
	}
	t.keysRecords[index] = env.Hash
	for _, g := range rec.Grants {
		if g.Role != "presiding" {
			continue
		}
		si, ok := t.def.StationIndex(g.Scope)
		if !ok {
			continue
		}
		slots := t.stationSlots[t.stationStart[si]:t.stationStart[si+1]]
		var old []string
		for _, id := range slots {
			old = signers(&t.slots[id], old)
		}
		if len(old) == 0 || slices.Contains(old, g.Key) {
			continue // the station has not reported, or the key signed there already
		}
		for _, id := range slots {
			s := &t.slots[id]
			if len(s.versions) == 0 {
				continue
			}
			rks := t.rekeys[s.id]
			if n := len(rks); n > 0 && rks[n-1].index == index {
				rks[n-1].newKeys = append(rks[n-1].newKeys, g.Key)
			} else {
				rks = append(rks, rekey{index: index, hash: env.Hash, newKeys: []string{g.Key}, oldKeys: old})
			}
			t.rekeys[s.id] = rks
			t.checkSlot(s, index)
			break
		}
	}
}

// signers adds to out the distinct keys that signed the slot's sheets, in
// log order.
func signers(s *slot, out []string) []string {
	for i := range s.versions {
		if k := s.versions[i].key; k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// authorityFlags returns the flags on authority that hold for one station
// in one contest: each correction without an order, each re-keying after
// the station reported. They never resolve: what was signed stays signed.
// Their messages name keys in full and no log index (the evidence carries
// those), so that an evidence pack, whose replay numbers entries its own
// way, can repeat them.
func (t *Tally) authorityFlags(s *slot) []Flag {
	c := &t.contests[s.contest]
	st := &t.def.Stations[s.station]
	var out []Flag
	flag := func(kind string, sev Severity, subject uint64, msg string, ev ...Evidence) {
		out = append(out, Flag{ID: flagID(kind, c.def.ID, st.ID, subject, true), Kind: kind, Severity: sev,
			Contest: c.def.ID, Region: c.def.Region, Station: st.ID, Message: msg, Evidence: ev})
	}
	for i := range s.versions {
		v := &s.versions[i]
		if v.supersedes < 0 || v.order >= 0 {
			continue
		}
		old := &s.versions[v.supersedes]
		ev := []Evidence{evidence(v.index, v.hash, "sheet", fmt.Sprintf("revision %d, signed by %s", v.revision, v.signer())),
			evidence(old.index, old.hash, "sheet", fmt.Sprintf("revision %d it replaces", old.revision))}
		if v.rekeyed {
			flag(KindRekeyReplace, High, v.index, fmt.Sprintf("revision %d of the sheet replaces the station's reported revision %d without a recount or correction order; it is signed by key %s, granted for this station after the station had reported with key %s",
				v.revision, old.revision, v.key, old.key), append(ev, evidence(v.granted, t.keysRecords[v.granted], "keys", "grant of the new key"))...)
			continue
		}
		flag(KindUnorderedCorrection, Medium, v.index, fmt.Sprintf("the presiding officer's key %s replaced revision %d of its sheet with revision %d on its own, without a recount or correction order, giving as its reason %q",
			v.key, old.revision, v.revision, v.reason), ev...)
	}
	for _, rk := range t.rekeys[s.id] {
		first := &s.versions[0]
		flag(KindStationRekeyed, Medium, rk.index, fmt.Sprintf("key %s was granted for this station after it had reported with key %s",
			strings.Join(rk.newKeys, " and "), strings.Join(rk.oldKeys, " and ")),
			evidence(rk.index, rk.hash, "keys", "grant of the new key"), evidence(first.index, first.hash, "sheet", "the station's first sheet"))
	}
	return out
}

// OrderRef is the order a correction or recount carries out, as logged.
type OrderRef struct {
	Index    uint64   `json:"index"`
	Hash     string   `json:"hash"`
	Signer   string   `json:"signer"`     // key name
	Key      string   `json:"signer_key"` // verifier key
	Role     string   `json:"role"`       // returning, commission or tribunal
	Granted  uint64   `json:"granted"`    // index of the keys record that granted the role (0: the election record)
	Kind     string   `json:"kind"`       // recount or correction
	Reason   string   `json:"reason"`
	Ordered  string   `json:"ordered"`
	Stations []string `json:"stations"`
}

// orderRef describes the order a version carries out, or nil.
func (t *Tally) orderRef(v *version) *OrderRef {
	if v.order < 0 {
		return nil
	}
	return t.orders[v.order].ref()
}

// Orders returns the recount and correction orders logged for a contest,
// in log order (none for an unknown contest). A station's history says
// which of them its sheets carried out.
func (v *View) Orders(contest string) []OrderRef {
	var out []OrderRef
	for i := range v.t.orders {
		if o := &v.t.orders[i]; o.contest == contest {
			out = append(out, *o.ref())
		}
	}
	return out
}

func (o *orderInfo) ref() *OrderRef {
	return &OrderRef{Index: o.index, Hash: hexHash(o.hash), Signer: o.signer, Key: o.key, Role: o.role, Granted: o.granted,
		Kind: o.kind, Reason: o.reason, Ordered: o.ordered, Stations: append([]string(nil), o.stations...)}
}
