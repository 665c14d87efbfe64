package tally

import (
	"fmt"
	"strings"

	"github.com/tallylog/tallylog/record"
)

// This file holds a contest's declarations and the checks on a whole
// contest: each current declaration against the sum of the current sheets,
// the stations it says are missing, its deadline, and, once every station
// is in, the margin against rejected ballots and the recount threshold.

// lazyEvidence describes evidence filled in when a flag is read (see
// Flag.lazy): the current sheets a check summed, or the stations a
// missing-stations flag names.
type lazyEvidence struct {
	contest  int32
	decl     int32 // the declaration checked, or -1 for the whole contest
	stations bool  // fill Flag.Stations instead of Flag.Evidence
	// since: the sheets that replaced those current when the declaration
	// was logged, each beside the one it replaced.
	since bool
}

// learnDeclaration adds a declaration to its contest, makes it the current
// declaration of its form, and rechecks the contest.
func (t *Tally) learnDeclaration(index uint64, env *record.Envelope, rec *record.Declaration) {
	ci, _ := t.def.ContestIndex(rec.Contest)
	c := &t.contests[ci]
	d := declaration{index: index, hash: env.Hash, signer: t.signerName(env), form: rec.Form, votes: counts(rec.Votes),
		postal: counts(rec.Postal), readmitted: counts(rec.Readmitted), rejected: rec.Rejected,
		declared: strings.Clone(rec.Declared), supersedes: -1}
	for _, m := range rec.Missing {
		d.missing = append(d.missing, t.slotID(rec.Contest, m))
	}
	if rec.Supersedes != "" {
		h := decodeHash(rec.Supersedes)
		for i := range c.decls {
			if c.decls[i].hash == h {
				d.supersedes = int32(i)
			}
		}
	}
	if d.form == 47 && c.current[0] < 0 && record.Time(d.declared).After(t.deadline) {
		d.late = true
	}
	c.decls = append(c.decls, d)
	c.current[formSlot(d.form)] = int32(len(c.decls) - 1)
	t.checkContest(c, index)
}

// declaredBasis is what a declaration is compared with: the sum of the
// current sheets of the stations it does not list missing (plus, for form
// 49, the postal and re-admitted ballots it itemises).
type declaredBasis struct {
	votes         []int64
	rejected      int64
	listedLogged  []int32 // listed missing, but their sheet was logged before the declaration and captured by its declared time
	countedAbsent int32   // not listed missing, and no sheet is logged
	absentReg     int64   // registered voters (definition) of those stations
}

func (t *Tally) basis(c *contest, d *declaration) declaredBasis {
	b := declaredBasis{votes: append([]int64(nil), c.sum...), rejected: c.rejected}
	listedIn := int32(0)
	listedAbsentReg := int64(0)
	for _, id := range d.missing {
		s := &t.slots[id]
		if s.current < 0 {
			listedAbsentReg += t.def.Stations[s.station].Registered
			continue
		}
		listedIn++
		v := &s.versions[s.current]
		for i, n := range v.votes {
			b.votes[i] -= n
		}
		b.rejected -= v.rejected
		// Judged by what its author could see: a sheet logged before the
		// declaration but signed after it was declared could not be
		// counted (staleFlag makes a new declaration due instead).
		if first := &s.versions[0]; first.index < d.index && first.captured <= d.declared {
			b.listedLogged = append(b.listedLogged, id)
		}
	}
	b.countedAbsent = (c.stations - int32(len(d.missing))) - (c.in - listedIn)
	b.absentReg = c.registered - c.regIn - listedAbsentReg
	for i := range b.votes {
		if d.postal != nil {
			b.votes[i] += d.postal[i] + d.readmitted[i]
		}
	}
	return b
}

// awaitingSheets reports whether the sheets not yet logged could explain a
// declaration's difference from its basis: it counts stations with no
// logged sheet, it exceeds the logged sheets for no candidate by less than
// nothing, and the excess (votes and, for form 47, rejected ballots) fits
// within those stations' registered voters. Honest lag looks like this;
// logged sheets contradict a declaration only when it does not hold.
func awaitingSheets(b declaredBasis, diff []CandidateDiff, rej *CandidateDiff) bool {
	if b.countedAbsent == 0 {
		return false
	}
	var excess int64
	for _, x := range diff {
		if x.Delta < 0 {
			return false
		}
		excess += x.Delta
	}
	if rej != nil {
		if rej.Delta < 0 {
			return false
		}
		excess += rej.Delta
	}
	return excess <= b.absentReg
}

func excessOf(diff []CandidateDiff, rej *CandidateDiff) int64 {
	var n int64
	for _, x := range diff {
		n += x.Delta
	}
	if rej != nil {
		n += rej.Delta
	}
	return n
}

// basisAsOf is a declaration's basis as its author could see it: each
// station's sheet as it stood when the declaration was logged (see
// versionAsOf). changed reports whether any station's sheet has been
// replaced since.
func (t *Tally) basisAsOf(c *contest, d *declaration) (b declaredBasis, changed bool) {
	listed := map[int32]bool{}
	for _, id := range d.missing {
		listed[id] = true
	}
	b.votes = make([]int64, len(c.sum))
	for i := range c.stations {
		id := c.firstSlot + i
		s := &t.slots[id]
		then := versionAsOf(s.versions, d.index)
		changed = changed || then != s.current
		if then < 0 || listed[id] {
			continue
		}
		v := &s.versions[then]
		for j, n := range v.votes {
			b.votes[j] += n
		}
		b.rejected += v.rejected
	}
	for i := range b.votes {
		if d.postal != nil {
			b.votes[i] += d.postal[i] + d.readmitted[i]
		}
	}
	return b, changed
}

// checkContest recomputes the standing flags of one contest.
func (t *Tally) checkContest(c *contest, index uint64) {
	next, due := t.contestFlagsAt(c, t.latest)
	t.settle(&c.flags, next, index)
	t.setDue(c, due)
}

// flagFunc adds a flag of a contest: kind, severity, the log index of the
// record it is about (if hasSubject), the message and the evidence.
type flagFunc func(kind string, sev Severity, subject uint64, hasSubject bool, msg string, ev ...Evidence) *Flag

// contestFlags returns the flags that hold for a contest as a whole on the
// log's clock.
func (t *Tally) contestFlags(c *contest) []Flag {
	next, _ := t.contestFlagsAt(c, t.latest)
	return next
}

// contestFlagsAt returns the flags that hold for a contest as a whole when
// the clock (a record time) reads clock, and the next time, if any, at
// which the clock alone changes them. It costs O(candidates +
// declarations + stations the current declarations list missing), and
// O(stations of the contest) for a declaration that differs.
func (t *Tally) contestFlagsAt(c *contest, clock string) ([]Flag, string) {
	var next []Flag
	due := ""
	wake := func(ts string) {
		if ts != "" && (due == "" || ts < due) {
			due = ts
		}
	}
	ci := c.index
	flag := func(kind string, sev Severity, subject uint64, hasSubject bool, msg string, ev ...Evidence) *Flag {
		next = append(next, Flag{ID: flagID(kind, c.def.ID, "", subject, hasSubject), Kind: kind, Severity: sev,
			Contest: c.def.ID, Region: c.def.Region, Message: msg, Evidence: ev})
		return &next[len(next)-1]
	}
	for i := range c.decls {
		d := &c.decls[i]
		if d.late {
			flag(KindLateDeclaration, Low, d.index, true, fmt.Sprintf("provisional result declared at %s, after the deadline of %s",
				d.declared, record.FormatTime(t.deadline)), evidence(d.index, d.hash, "declaration", "form 47"))
		}
	}
	// mismatch raises winner-changed if the declared leaders are not those
	// of basis, else declaration-mismatch: "the form F declaration <verb><rest>".
	mismatch := func(d *declaration, dev Evidence, basis []int64, differs, changesWinner, rest string) *Flag {
		kind, sev, what := KindDeclarationMismatch, High, differs
		if !sameWinners(d.total(), basis) {
			kind, sev, what = KindWinnerChanged, Grave, changesWinner
		}
		return flag(kind, sev, d.index, true, fmt.Sprintf("the form %d declaration %s%s", d.form, what, rest), dev)
	}
	for _, cur := range c.current {
		if cur < 0 {
			continue
		}
		d := &c.decls[cur]
		dev := evidence(d.index, d.hash, "declaration", fmt.Sprintf("form %d by %s", d.form, d.signer))
		if prev := previousOfForm(c, cur); prev >= 0 && d.supersedes != prev {
			p := &c.decls[prev]
			flag(KindConflictingSheets, High, d.index, true, fmt.Sprintf("two form %d declarations, at index %d and %d, and the later does not supersede the earlier",
				d.form, p.index, d.index), evidence(p.index, p.hash, "declaration", "earlier"), dev)
		}
		b := t.basis(c, d)
		diff, rej, differs := compareDeclared(c, d, b)
		// A station's sheet may have been replaced since the declaration:
		// judge the declaration by the sheets its author could see, and say
		// what changed since.
		then, thenDiffers, revised := t.asDeclared(c, d)
		overdue := false
		switch {
		case awaitingSheets(b, diff, rej):
			// Honest lag: the sheets it counts have not all reached the log,
			// and those that have do not contradict it.
			until := after(d.declared, t.grace())
			if clock > until {
				overdue = true
				break
			}
			wake(until)
			fl := flag(KindAwaitingSheets, Low, d.index, true, fmt.Sprintf("the form %d declaration counts %d station(s) whose sheets are not logged yet; it exceeds the logged sheets by %d, within those stations' %d registered voters: awaiting their sheets until %s",
				d.form, b.countedAbsent, excessOf(diff, rej), b.absentReg, until), dev)
			fl.Diff, fl.RejectedDiff = diff, rej
			fl.lazy = &lazyEvidence{contest: ci, decl: cur, stations: true}
		case revised && !thenDiffers && differs:
			// An honest declaration overtaken by a recount or correction. A
			// form 47 is answered by the final form 49.
			if d.form == 47 && c.current[1] >= 0 {
				break
			}
			sev, what := Medium, ""
			if !sameWinners(d.total(), b.votes) {
				sev, what = High, ", and the winner"
			}
			fl := flag(KindDeclarationOutdated, sev, d.index, true, fmt.Sprintf("the form %d declaration matched the logged sheets when it was declared; sheets corrected since change the count%s: %s; a new declaration is due",
				d.form, what, describeDiff(diff, rej)), dev)
			fl.Diff, fl.RejectedDiff = diff, rej
			fl.lazy = &lazyEvidence{contest: ci, decl: cur, since: true}
		case revised && thenDiffers && !differs:
			// Sheets corrected after the declaration to agree with it.
			thenDiff, thenRej, _ := compareDeclared(c, d, then)
			fl := mismatch(d, dev, then.votes, "differed from", "changed the winner against",
				" the logged sheets when it was declared ("+describeDiff(thenDiff, thenRej)+"); sheets corrected since make them agree: check the corrections")
			fl.Diff, fl.RejectedDiff = thenDiff, thenRej
			fl.lazy = &lazyEvidence{contest: ci, decl: cur, since: true}
		case differs:
			rest := " the sum of the logged sheets: " + describeDiff(diff, rej)
			if b.countedAbsent > 0 {
				rest += fmt.Sprintf("; the %d counted station(s) whose sheets are not logged have %d registered voters and cannot make up the difference", b.countedAbsent, b.absentReg)
			}
			named, why := t.nameStations(c, d, diff)
			fl := mismatch(d, dev, b.votes, "differs from", "changes the winner against", rest+why)
			fl.Diff, fl.RejectedDiff, fl.Stations = diff, rej, named
			fl.lazy = &lazyEvidence{contest: ci, decl: cur}
		}
		if len(b.listedLogged) > 0 || overdue {
			var parts []string
			if len(b.listedLogged) > 0 {
				parts = append(parts, fmt.Sprintf("lists %d station(s) as missing whose sheets were logged before it", len(b.listedLogged)))
			}
			if overdue {
				parts = append(parts, fmt.Sprintf("counts %d station(s) whose sheets are still not logged, more than %d minutes after it was declared",
					b.countedAbsent, int(t.grace().Minutes())))
			}
			msg := fmt.Sprintf("the form %d declaration %s", d.form, strings.Join(parts, ", and "))
			fl := flag(KindMissingStations, Medium, d.index, true, msg, dev)
			fl.lazy = &lazyEvidence{contest: ci, decl: cur, stations: true}
		}
		wake(t.staleFlag(c, cur, clock, flag))
	}
	t.postalFlags(c, flag)
	if c.in == c.stations && c.stations > 0 && len(c.sum) > 1 {
		r := t.result(c)
		whole := &lazyEvidence{contest: ci, decl: -1}
		if c.rejected > r.margin {
			flag(KindRejectedAboveMargin, Medium, 0, false, fmt.Sprintf("%d rejected ballots, more than the winning margin of %d votes", c.rejected, r.margin)).lazy = whole
		}
		if r.recount {
			flag(KindRecountEligible, Low, 0, false, fmt.Sprintf("margin of %d votes is below the recount threshold of %d votes (%d%% of %d votes polled, at most %d)",
				r.margin, r.threshold, t.def.Recount.MarginPercent, r.polled, t.def.Recount.MarginVotes)).lazy = whole
		}
	}
	return next, due
}

// asDeclared returns a declaration's basis as it stood when the
// declaration was logged and whether the declaration differed from it;
// revised is false (and the rest unset) when no station's sheet has been
// replaced since. It costs O(stations of the contest), paid only in
// contests where some sheet was replaced.
func (t *Tally) asDeclared(c *contest, d *declaration) (then declaredBasis, differed, revised bool) {
	if !c.revised {
		return then, false, false
	}
	then, revised = t.basisAsOf(c, d)
	if !revised {
		return then, false, false
	}
	_, _, differed = compareDeclared(c, d, then)
	return then, differed, true
}

// previousOfForm returns the latest declaration of the same form logged
// before decls[cur], or -1.
func previousOfForm(c *contest, cur int32) int32 {
	for i := cur - 1; i >= 0; i-- {
		if c.decls[i].form == c.decls[cur].form {
			return i
		}
	}
	return -1
}

// total returns the declared totals per candidate. A form 49's votes lines
// already include the postal and re-admitted ballots it itemises.
func (d *declaration) total() []int64 { return d.votes }

// compareDeclared sets a declaration beside its basis.
func compareDeclared(c *contest, d *declaration, b declaredBasis) ([]CandidateDiff, *CandidateDiff, bool) {
	differs := false
	diff := make([]CandidateDiff, len(d.votes))
	for i, n := range d.votes {
		diff[i] = CandidateDiff{Candidate: c.def.Candidates[i].ID, Declared: n, Sheets: b.votes[i], Delta: n - b.votes[i]}
		differs = differs || diff[i].Delta != 0
	}
	var rej *CandidateDiff
	if d.form == 47 && d.rejected != b.rejected {
		rej = &CandidateDiff{Candidate: "rejected", Declared: d.rejected, Sheets: b.rejected, Delta: d.rejected - b.rejected}
		differs = true
	}
	return diff, rej, differs
}

// describeDiff names the candidates whose counts differ.
func describeDiff(diff []CandidateDiff, rej *CandidateDiff) string {
	var parts []string
	for _, d := range diff {
		if d.Delta != 0 {
			parts = append(parts, fmt.Sprintf("candidate %s declared %d, sheets %d (%+d)", d.Candidate, d.Declared, d.Sheets, d.Delta))
		}
	}
	if rej != nil {
		parts = append(parts, fmt.Sprintf("rejected declared %d, sheets %d (%+d)", rej.Declared, rej.Sheets, rej.Delta))
	}
	return strings.Join(parts, "; ")
}

// sameWinners reports whether two count lists have the same set of
// candidates at the top.
func sameWinners(a, b []int64) bool {
	ma, mb := maxOf(a), maxOf(b)
	for i := range a {
		if (a[i] == ma) != (b[i] == mb) {
			return false
		}
	}
	return true
}

func maxOf(v []int64) int64 {
	m := int64(-1)
	for _, n := range v {
		m = max(m, n)
	}
	return m
}

// learnAffiliation keeps an independent's joining of a party; the seats
// read it against the assembly's gazette notification.
func (t *Tally) learnAffiliation(index uint64, env *record.Envelope, rec *record.Affiliation) {
	ci, _ := t.def.ContestIndex(rec.Contest)
	c := &t.contests[ci]
	cand, _ := c.def.CandidateIndex(rec.Candidate)
	c.affils = append(c.affils, affiliation{index: index, hash: env.Hash, candidate: cand, party: rec.Party, joined: rec.Joined})
}
