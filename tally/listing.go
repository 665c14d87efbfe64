package tally

import (
	"fmt"
	"time"
)

// This file lists flags across the tally and adds the one flag that depends
// on the clock: a provisional result still missing after the deadline.

// Filter selects flags. Zero fields select everything.
type Filter struct {
	Kind     string   // one of the Kind* constants
	Assembly string   // assembly ID
	Contest  string   // contest ID
	Station  string   // station ID
	Severity Severity // at least this grave
	// Resolved includes flags whose condition no longer holds.
	Resolved bool
	// AsOf is the reader's clock for missing-declaration flags; the zero
	// time leaves them out (the log itself has no clock).
	AsOf time.Time
}

func (f *Filter) match(t *Tally, fl *Flag) bool {
	switch {
	case f.Kind != "" && fl.Kind != f.Kind,
		f.Contest != "" && fl.Contest != f.Contest,
		f.Station != "" && fl.Station != f.Station,
		f.Severity != "" && fl.Severity.rank() > f.Severity.rank():
		return false
	case f.Assembly != "":
		c, ok := t.def.Contest(fl.Contest)
		return ok && c.Assembly == f.Assembly
	}
	return true
}

// Flags returns the flags the filter selects in log order (by Raised, then
// ID), with their evidence filled in.
func (v *View) Flags(f Filter) []Flag {
	out := v.t.materialize(v.t.collect(f))
	if out == nil {
		out = []Flag{}
	}
	sortFlags(out)
	return out
}

// collect gathers the flags f selects, in no particular order and without
// their lazy evidence.
func (t *Tally) collect(f Filter) []Flag {
	if t.def == nil {
		return nil
	}
	var out []Flag
	add := func(fs []Flag) {
		for i := range fs {
			if f.match(t, &fs[i]) {
				out = append(out, fs[i])
			}
		}
	}
	for i := range t.contests {
		c := &t.contests[i]
		if (f.Contest != "" && c.def.ID != f.Contest) || (f.Assembly != "" && c.def.Assembly != f.Assembly) {
			continue
		}
		add(t.clockFlags(c, f.AsOf))
		if fl, ok := t.missingDeclaration(c, f.AsOf); ok {
			add([]Flag{fl})
		}
	}
	for _, fs := range t.standing {
		add(fs)
	}
	if f.Resolved {
		add(t.resolved)
	}
	return out
}

// flagsOf returns a contest's standing flags and its stations', in log
// order.
func (t *Tally) flagsOf(c *contest, asOf time.Time) []Flag {
	fs := append([]Flag(nil), t.clockFlags(c, asOf)...)
	for _, s := range t.contestSlots(c) {
		fs = append(fs, t.standing[s.id]...)
	}
	if fl, ok := t.missingDeclaration(c, asOf); ok {
		fs = append(fs, fl)
	}
	fs = t.materialize(fs)
	sortFlags(fs)
	return fs
}

// missingDeclaration returns the flag of a contest with no provisional
// result (form 47) logged when asOf is past the deadline, naming the
// stations still missing. Its evidence is the last entry read: the log up
// to it holds no form 47 for the contest.
func (t *Tally) missingDeclaration(c *contest, asOf time.Time) (Flag, bool) {
	if asOf.IsZero() || !asOf.After(t.deadline) || c.current[0] >= 0 || t.size == 0 {
		return Flag{}, false
	}
	last := t.size - 1
	return Flag{
		ID: flagID(KindMissingDeclaration, c.def.ID, "", 0, false), Kind: KindMissingDeclaration, Severity: Low,
		Contest: c.def.ID, Region: c.def.Region, Raised: last, Stations: t.missing(c),
		Message: fmt.Sprintf("no provisional result (form 47) logged by the deadline of %s; %d of %d stations still missing",
			t.deadline.Format(time.RFC3339), int(c.stations-c.in), c.stations),
		Evidence: []Evidence{evidence(last, t.last, t.lastTyp, fmt.Sprintf("entries 0 to %d hold no form 47 for %s", last, c.def.ID))},
	}, true
}
