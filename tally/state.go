package tally

import (
	"strings"

	"github.com/tallylog/tallylog/election"
)

// This file holds the tally's internal state: one slot per (contest,
// station) pair, holding the station's sheets for that contest, and one
// contest record holding running sums, declarations and affiliations. Every
// field is updated in place by Apply; nothing is ever deleted.

// version is one logged sheet of a slot. A national tally holds one for
// every station, so its fields are ordered to pack: 192 bytes.
type version struct {
	index      uint64
	hash       [32]byte
	revision   int64
	registered int64
	cast       int64
	rejected   int64
	votes      []int64 // ballot order
	image      string
	captured   string
	reason     string
	// Who stands behind it (authority.go).
	key          string // the signer's verifier key: its name (signer) is the key's first field
	granted      uint64 // index of the keys record that granted the signer its role here
	supersedes   int32  // position in slot.versions of the sheet it names, or -1
	supersededBy int32  // first later version that names it, or -1
	order        int32  // position in Tally.orders of the order it carries out, or -1
	role         sheetRole
	rekeyed      bool // the key was granted for the station after the station reported
}

// signer returns the name of the sheet's signer: the name of its key.
func (v *version) signer() string {
	name, _, _ := strings.Cut(v.key, "+")
	return name
}

// sheetRole is the role a sheet's signer holds for the station: none,
// presiding or returning.
type sheetRole uint8

const (
	noRole sheetRole = iota
	presidingRole
	returningRole
)

// sheetRoles are the roles a sheet may be signed in, in the order a
// signer's grants are searched for one.
var sheetRoles = []string{"presiding", "returning"}

func (r sheetRole) String() string {
	if r == noRole {
		return ""
	}
	return sheetRoles[r-1]
}

// roleOf is the sheetRole named role (one of sheetRoles, or none).
func roleOf(role string) sheetRole {
	for i, r := range sheetRoles {
		if r == role {
			return sheetRole(i + 1)
		}
	}
	return noRole
}

// sameNumbers reports whether two sheets carry the same count.
func (v *version) sameNumbers(w *version) bool {
	if v.registered != w.registered || v.cast != w.cast || v.rejected != w.rejected {
		return false
	}
	for i := range v.votes {
		if v.votes[i] != w.votes[i] {
			return false
		}
	}
	return true
}

// attestation is an agent's or observer's countersignature or copy.
type attestation struct {
	index    uint64
	hash     [32]byte
	signer   string
	copy     bool
	sheet    int32 // countersign: position of the sheet in slot.versions
	captured string
	// copy numbers
	registered, cast, rejected int64
	votes                      []int64
	image                      string
}

// slot is one station's part in one contest.
type slot struct {
	id       int32 // position in Tally.slots
	contest  int32
	station  int32
	versions []version
	current  int32  // position in versions, or -1 before the first sheet
	firstAt  string // the log's clock (Tally.latest) when its first sheet was applied
	attest   []attestation
	// Its standing flags and the keys granted for the station after it
	// reported are in Tally.standing and Tally.rekeys: few slots have any.
}

// declaration is one logged declaration of a contest.
type declaration struct {
	index      uint64
	hash       [32]byte
	signer     string
	form       int64
	votes      []int64
	postal     []int64 // nil for form 47
	readmitted []int64 // nil for form 47
	rejected   int64
	missing    []int32 // slots listed missing
	declared   string
	late       bool
	supersedes int32 // position in contest.decls, or -1
}

// affiliation is an independent's signed joining of a party.
type affiliation struct {
	index     uint64
	hash      [32]byte
	candidate int
	party     string
	joined    string // YYYY-MM-DD
}

// contest is the running state of one contest.
type contest struct {
	def       *election.Contest
	index     int32 // position in the definition's contests
	assembly  int
	firstSlot int32 // the contest's slots are firstSlot..firstSlot+stations-1
	stations  int32
	// Running sums over the current sheets of the contest's stations.
	sum        []int64
	rejected   int64
	cast       int64
	registered int64 // registered voters of the stations in the definition
	regIn      int64 // registered voters (definition) of the stations with a current sheet
	in         int32 // stations with a current sheet
	// revised is set once any station has a second sheet: only then can a
	// declaration's basis have changed since it was declared.
	revised  bool
	decls    []declaration
	current  [2]int32 // current form 47 and form 49 in decls, or -1
	affils   []affiliation
	flags    []Flag          // standing flags of this contest
	accounts []postalAccount // postal-ballot accounts in log order; the first counts
	// due is the log time (record.TimeLayout) at which the contest's flags
	// next change with the clock alone, or "" (see clock.go).
	due string
}

// formSlot maps a declaration form to its place in contest.current.
func formSlot(form int64) int {
	if form == 49 {
		return 1
	}
	return 0
}

// establish builds the slots and contests once the definition is logged.
func (t *Tally) establish(def *election.Definition) {
	t.def = def
	defer t.startAudit()
	t.deadline = def.Deadline()
	asm := map[string]int{}
	for i, a := range def.Assemblies {
		asm[a.ID] = i
	}
	t.contests = make([]contest, len(def.Contests))
	total := 0
	for i := range def.Contests {
		total += len(def.StationsOf(def.Contests[i].ID))
	}
	t.slots = make([]slot, 0, total)
	perStation := make([]int32, len(def.Stations)+1)
	for i := range def.Contests {
		c := &def.Contests[i]
		st := def.StationsOf(c.ID)
		cs := &t.contests[i]
		*cs = contest{def: c, index: int32(i), assembly: asm[c.Assembly], firstSlot: int32(len(t.slots)), stations: int32(len(st)),
			sum: make([]int64, len(c.Candidates)), current: [2]int32{-1, -1}}
		for _, s := range st {
			t.slots = append(t.slots, slot{id: int32(len(t.slots)), contest: int32(i), station: int32(s), current: -1})
			cs.registered += def.Stations[s].Registered
			perStation[s+1]++
		}
	}
	// stationSlots[stationStart[s]:stationStart[s+1]] are station s's slots.
	for s := 1; s < len(perStation); s++ {
		perStation[s] += perStation[s-1]
	}
	t.stationStart = perStation
	t.stationSlots = make([]int32, total)
	fill := append([]int32(nil), perStation[:len(def.Stations)]...)
	for i := range t.slots {
		s := t.slots[i].station
		t.stationSlots[fill[s]] = int32(i)
		fill[s]++
	}
}

// slotID returns the position in t.slots of a station's slot in a contest;
// the registry has already checked that the station votes there.
func (t *Tally) slotID(contestID, stationID string) int32 {
	s, _ := t.def.StationIndex(stationID)
	ci, _ := t.def.ContestIndex(contestID)
	for _, id := range t.stationSlots[t.stationStart[s]:t.stationStart[s+1]] {
		if t.slots[id].contest == int32(ci) {
			return id
		}
	}
	panic("tally: station " + stationID + " has no slot in contest " + contestID + ": the registry admitted it")
}

// contestSlots returns the slots of contest c in definition order.
func (t *Tally) contestSlots(c *contest) []slot {
	return t.slots[c.firstSlot : c.firstSlot+c.stations]
}
