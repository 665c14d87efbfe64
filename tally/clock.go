package tally

import (
	"fmt"
	"time"

	"github.com/tallylog/tallylog/record"
)

// This file holds the checks that depend on time: how long a declaration
// may count stations whose sheets are not logged ("awaiting sheets"), and
// how soon a new declaration is due once stations a declaration listed as
// missing have reported ("declaration-stale"). Both run on the log's own
// clock, Tally.latest (the latest captured, declared or accounted time of
// any record applied), so replaying the same entries raises the same flags
// at the same indexes; a reader's later clock (asOf) is applied when flags
// are read (see clockFlags).

// grace returns the definition's redeclaration period.
func (t *Tally) grace() time.Duration { return t.def.Redeclare() }

// after returns the record time d later than ts.
func after(ts string, d time.Duration) string { return record.FormatTime(record.Time(ts).Add(d)) }

// tick rechecks the contests whose due time the log's clock has passed.
// It costs O(contests waiting on the clock).
func (t *Tally) tick(index uint64) {
	var passed []int32
	for _, ci := range t.pending {
		if c := &t.contests[ci]; c.due != "" && t.latest > c.due {
			passed = append(passed, ci)
		}
	}
	for _, ci := range passed {
		t.checkContest(&t.contests[ci], index) // sets its due time again, maybe to ""
	}
	if len(passed) == 0 {
		return
	}
	keep := t.pending[:0]
	for _, ci := range t.pending {
		if t.contests[ci].due != "" {
			keep = append(keep, ci)
		}
	}
	t.pending = keep
	t.updateNextDue()
}

// setDue records when a contest's flags next change with the clock alone.
func (t *Tally) setDue(c *contest, due string) {
	if c.due == due {
		return
	}
	c.due = due
	if due != "" && !containsContest(t.pending, c.index) {
		t.pending = append(t.pending, c.index)
	}
	t.updateNextDue()
}

// updateNextDue keeps NextDue's answer: the earliest due time pending.
func (t *Tally) updateNextDue() {
	next := ""
	for _, ci := range t.pending {
		if d := t.contests[ci].due; d != "" && (next == "" || d < next) {
			next = d
		}
	}
	if next == "" {
		t.nextDue.Store(0)
	} else {
		t.nextDue.Store(record.Time(next).Unix())
	}
}

// NextDue returns the earliest time at which a flag changes with the
// clock alone (a stale declaration, sheets overdue), or the zero time. It
// takes no lock: a server uses it to tell whether a page rendered earlier
// may have changed with the clock.
func (t *Tally) NextDue() time.Time {
	if n := t.nextDue.Load(); n != 0 {
		return time.Unix(n, 0).UTC()
	}
	return time.Time{}
}

func containsContest(list []int32, ci int32) bool {
	for _, x := range list {
		if x == ci {
			return true
		}
	}
	return false
}

// staleFlag checks a current provisional declaration (form 47) that listed
// stations as missing: once some of them have reported, a new declaration
// is due within the definition's redeclaration period of the last report
// (or of the declaration, for a sheet logged before it, which the
// declaration should have counted: missing-stations says so at once). Past it, with
// no newer declaration of the contest, the declaration is stale: medium,
// high if the sheets now name another winner. It returns the due time when
// it is still ahead of clock.
func (t *Tally) staleFlag(c *contest, cur int32, clock string, flag flagFunc) (due string) {
	d := &c.decls[cur]
	if d.form != 47 || c.current[1] >= 0 || len(d.missing) == 0 {
		return ""
	}
	var reported []int32
	last := d.declared
	for _, id := range d.missing {
		s := &t.slots[id]
		if s.current >= 0 {
			reported = append(reported, id)
			last = max(last, s.firstAt)
		}
	}
	if len(reported) == 0 {
		return ""
	}
	due = after(last, t.grace())
	if clock <= due {
		return due
	}
	sev, now := Medium, ""
	if !sameWinners(d.votes, c.sum) {
		sev = High
		top, _ := leadersAndMargin(c.sum)
		now = fmt.Sprintf("; the logged sheets now make %s the winner, not %s", t.names(c, top), t.names(c, topOf(d.votes)))
	}
	ev := []Evidence{evidence(d.index, d.hash, "declaration", fmt.Sprintf("form 47 by %s", d.signer))}
	var names []string
	for _, id := range reported {
		s := &t.slots[id]
		v := &s.versions[s.current]
		st := t.def.Stations[s.station].ID
		names = append(names, st)
		ev = append(ev, evidence(v.index, v.hash, "sheet", fmt.Sprintf("%s, listed missing by the declaration, reported", st)))
	}
	fl := flag(KindDeclarationStale, sev, d.index, true, fmt.Sprintf("the form 47 declaration listed %d station(s) as missing; %d of them have reported (the last by %s on the log's clock), and no new declaration followed by %s%s",
		len(d.missing), len(reported), last, due, now), ev...)
	fl.Stations = names
	return ""
}

// clockFlags returns a contest's flags as they stand at the reader's
// clock asOf when it is later than the log's: the standing flags, with
// those the clock alone changes recomputed. Flags raised by the reader's
// clock carry Raised = the last index read.
func (t *Tally) clockFlags(c *contest, asOf time.Time) []Flag {
	if c.due == "" || asOf.IsZero() {
		return c.flags
	}
	clock := record.FormatTime(asOf)
	if clock <= c.due || clock <= t.latest {
		return c.flags
	}
	next, _ := t.contestFlagsAt(c, clock)
	for i := range next {
		next[i].Raised = t.size - 1
		for _, o := range c.flags {
			if o.ID == next[i].ID {
				next[i].Raised = o.Raised
			}
		}
	}
	return next
}
