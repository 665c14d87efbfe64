package tally

import (
	"fmt"
	"strings"

	"github.com/tallylog/tallylog/record"
)

// This file holds a station's sheets: the version history, which version is
// current, the running sums that follow the current version, and the checks
// on one station: arithmetic, registered voters, conflicting versions and
// agents' copies.

// learnSheet adds a sheet to its slot's history, moves the contest's sums
// if the current version changed, and rechecks the station and the contest.
func (t *Tally) learnSheet(index uint64, env *record.Envelope, rec *record.Sheet) {
	s := &t.slots[t.slotID(rec.Contest, rec.Station)]
	v := version{
		index: index, hash: env.Hash, revision: rec.Revision,
		registered: rec.Registered, cast: rec.Cast, rejected: rec.Rejected, votes: counts(rec.Votes),
		image: strings.Clone(rec.Image), captured: strings.Clone(rec.Captured), supersedes: -1, supersededBy: -1, reason: strings.Clone(rec.Reason),
	}
	t.sheetAuthority(s, &v, rec)
	if rec.Supersedes != "" {
		h := decodeHash(rec.Supersedes)
		for i := range s.versions {
			if s.versions[i].hash == h {
				v.supersedes = int32(i)
				if s.versions[i].supersededBy < 0 {
					s.versions[i].supersededBy = int32(len(s.versions))
				}
			}
		}
	}
	if len(s.versions) == 0 {
		s.firstAt = t.latest
	}
	t.indexVotes(s, int32(len(s.versions)), v.votes)
	s.versions = append(s.versions, v)
	old := s.current
	s.current = currentVersion(s.versions)
	c := &t.contests[s.contest]
	c.revised = c.revised || len(s.versions) > 1
	if s.current != old {
		if old < 0 {
			c.regIn += t.def.Stations[s.station].Registered
		}
		moveSums(c, s, old)
	}
	t.checkSlot(s, index)
	t.checkContest(c, index)
}

// currentVersion chooses the version the tally counts: among the versions
// no other version supersedes, the one with the highest revision, the
// earliest logged on a tie. A correction (a higher revision naming the
// sheet it replaces) therefore always takes over; a second revision-1
// sheet never displaces the first.
func currentVersion(vs []version) int32 {
	best := int32(-1)
	for i := range vs {
		if vs[i].supersededBy >= 0 {
			continue
		}
		if best < 0 || vs[i].revision > vs[best].revision {
			best = int32(i)
		}
	}
	return best
}

// versionAsOf returns the version that was current when the entry at
// index was logged: currentVersion over the versions logged before it. A
// station with no sheet logged before index gets its first sheet (a sheet
// logged late is still the one a declaration should have counted), and -1
// if it has none.
func versionAsOf(vs []version, index uint64) int32 {
	k := 0
	for k < len(vs) && vs[k].index < index {
		k++
	}
	if k == 0 {
		if len(vs) == 0 {
			return -1
		}
		return 0
	}
	best := int32(-1)
	for i := range k {
		if sb := vs[i].supersededBy; sb >= 0 && int(sb) < k {
			continue
		}
		if best < 0 || vs[i].revision > vs[best].revision {
			best = int32(i)
		}
	}
	return best
}

// moveSums replaces the slot's old current sheet (or none) by its new one
// in the contest's running sums.
func moveSums(c *contest, s *slot, old int32) {
	if old >= 0 {
		o := &s.versions[old]
		for i, n := range o.votes {
			c.sum[i] -= n
		}
		c.rejected -= o.rejected
		c.cast -= o.cast
	} else {
		c.in++
	}
	n := &s.versions[s.current]
	for i, v := range n.votes {
		c.sum[i] += v
	}
	c.rejected += n.rejected
	c.cast += n.cast
}

// conflicting reports whether head h competes with the current version cur:
// it carries other numbers, and no correction logged after it settled the
// matter (the current version is not a correction logged later than h).
func conflicting(vs []version, cur, h int32) bool {
	if h == cur || vs[h].supersededBy >= 0 || vs[h].sameNumbers(&vs[cur]) {
		return false
	}
	settled := vs[cur].supersedes >= 0 && vs[cur].index > vs[h].index
	return !settled
}

// checkSlot recomputes the standing flags of one station in one contest.
func (t *Tally) checkSlot(s *slot, index uint64) {
	fs := t.standing[s.id]
	t.settle(&fs, t.slotFlags(s), index)
	if len(fs) > 0 {
		t.standing[s.id] = fs
	} else {
		delete(t.standing, s.id)
	}
}

// slotFlags returns the flags that hold for one station in one contest.
// It costs O(versions + attestations) of the station.
func (t *Tally) slotFlags(s *slot) []Flag {
	if s.current < 0 {
		return nil // no sheet: nothing to check
	}
	c := &t.contests[s.contest]
	st := &t.def.Stations[s.station]
	v := &s.versions[s.current]
	var next []Flag
	flag := func(kind string, sev Severity, subject uint64, msg string, ev ...Evidence) *Flag {
		next = append(next, Flag{ID: flagID(kind, c.def.ID, st.ID, subject, true), Kind: kind, Severity: sev,
			Contest: c.def.ID, Region: c.def.Region, Station: st.ID, Message: msg, Evidence: ev})
		return &next[len(next)-1]
	}
	sheet := func() Evidence { return evidence(v.index, v.hash, "sheet", "current sheet") }

	valid := total(v.votes)
	if valid+v.rejected != v.cast {
		flag(KindArithmetic, Medium, v.index, fmt.Sprintf("votes for the candidates (%d) plus rejected ballots (%d) make %d, but the sheet says %d ballots were cast",
			valid, v.rejected, valid+v.rejected, v.cast), sheet())
	}
	if v.cast > st.Registered {
		flag(KindOverRegistered, Medium, v.index, fmt.Sprintf("%d ballots cast at a station with %d registered voters", v.cast, st.Registered), sheet())
	}
	if v.registered != st.Registered {
		flag(KindRegisteredMismatch, Medium, v.index, fmt.Sprintf("the sheet gives %d registered voters; the election's definition gives %d", v.registered, st.Registered), sheet())
	}
	for h := range s.versions {
		if conflicting(s.versions, s.current, int32(h)) {
			o := &s.versions[h]
			flag(KindConflictingSheets, High, o.index, fmt.Sprintf("two different sheets for this station: revision %d at index %d and revision %d at index %d, and no correction between them",
				v.revision, v.index, o.revision, o.index),
				evidence(v.index, v.hash, "sheet", "counted version"), evidence(o.index, o.hash, "sheet", "conflicting version"))
		}
	}
	next = append(next, t.authorityFlags(s)...)
	for i := range s.attest {
		a := &s.attest[i]
		if !a.copy {
			continue
		}
		diff, rej, differs := compareCopy(c, a, v)
		if differs {
			f := flag(KindCopyDiffers, Medium, a.index, fmt.Sprintf("the copy signed by %s differs from the presiding officer's sheet at index %d", a.signer, v.index),
				evidence(a.index, a.hash, "attestation", "copy by "+a.signer), sheet())
			f.Diff, f.RejectedDiff = diff, rej
		}
	}
	return next
}

// compareCopy sets an attestation copy beside the sheet: per candidate
// (copy in Declared), rejected ballots, and whether anything (cast
// included) differs.
func compareCopy(c *contest, a *attestation, v *version) ([]CandidateDiff, *CandidateDiff, bool) {
	differs := a.cast != v.cast || a.rejected != v.rejected
	diff := make([]CandidateDiff, len(v.votes))
	for i := range v.votes {
		diff[i] = CandidateDiff{Candidate: c.def.Candidates[i].ID, Declared: a.votes[i], Sheets: v.votes[i], Delta: a.votes[i] - v.votes[i]}
		differs = differs || diff[i].Delta != 0
	}
	var rej *CandidateDiff
	if a.rejected != v.rejected {
		rej = &CandidateDiff{Candidate: "rejected", Declared: a.rejected, Sheets: v.rejected, Delta: a.rejected - v.rejected}
	}
	return diff, rej, differs
}

// learnAttestation adds a countersignature or a copy to its station and
// rechecks the station.
func (t *Tally) learnAttestation(index uint64, env *record.Envelope, rec *record.Attestation) {
	s := &t.slots[t.slotID(rec.Contest, rec.Station)]
	a := attestation{index: index, hash: env.Hash, signer: t.signerName(env), copy: rec.Kind == "copy", sheet: -1, captured: strings.Clone(rec.Captured),
		registered: rec.Registered, cast: rec.Cast, rejected: rec.Rejected, votes: counts(rec.Votes), image: strings.Clone(rec.Image)}
	if !a.copy {
		h := decodeHash(rec.Sheet)
		for i := range s.versions {
			if s.versions[i].hash == h {
				a.sheet = int32(i)
			}
		}
	}
	s.attest = append(s.attest, a)
	t.checkSlot(s, index)
}
