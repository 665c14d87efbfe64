package tally

import (
	"github.com/tallylog/tallylog/auditlog"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// This file connects the risk-limiting audits (package auditlog) to the
// tally: the audit's frame is the tally's current sheets and declaration,
// and the audit records are ruled on and learnt in log order with the rest,
// so `tallylog verify` recomputes every draw and every round's risk.

// startAudit creates the audit state once the definition is logged and lets
// the registry rule on audit records through it.
func (t *Tally) startAudit() {
	t.audit = auditlog.New(t.def)
	t.reg.SetExtension(func(env *record.Envelope, key *registry.Key) error {
		return t.audit.Check(env, key, auditSheets{t})
	})
}

// CheckAudit rules on an audit record as if it were appended next, under
// the read lock. A server calls it once its tally has caught up with the
// log (audit records are appended alone).
func (t *Tally) CheckAudit(env *record.Envelope, key *registry.Key) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.audit == nil {
		return &registry.Rejection{Field: "type", Rule: "the election's definition is not logged yet"}
	}
	return t.audit.Check(env, key, auditSheets{t})
}

// Audits returns each audited contest's progress: commitment, draw, hand
// counts and the risk after each round.
func (v *View) Audits() []auditlog.ContestAudit {
	if v.t.audit == nil {
		return nil
	}
	return v.t.audit.Status()
}

// auditSheets answers the audit's questions from the tally's state. It
// takes no lock: it runs inside Apply (under the write lock) or CheckAudit
// (under the read lock).
type auditSheets struct{ t *Tally }

func (a auditSheets) Size() uint64 { return a.t.size }

func (a auditSheets) CurrentSheets(contest string) []auditlog.Sheet {
	ci, ok := a.t.def.ContestIndex(contest)
	if !ok {
		return nil
	}
	c := &a.t.contests[ci]
	var out []auditlog.Sheet
	for i := c.firstSlot; i < c.firstSlot+c.stations; i++ {
		sl := &a.t.slots[i]
		if sl.current < 0 {
			continue
		}
		v := &sl.versions[sl.current]
		out = append(out, auditlog.Sheet{Station: a.t.def.Stations[sl.station].ID, Index: v.index, Cast: v.cast, Votes: v.votes})
	}
	return out
}

func (a auditSheets) CurrentDeclaration(contest string) (auditlog.Declaration, bool) {
	ci, ok := a.t.def.ContestIndex(contest)
	if !ok {
		return auditlog.Declaration{}, false
	}
	c := &a.t.contests[ci]
	di := c.current[1]
	if di < 0 {
		di = c.current[0]
	}
	if di < 0 {
		return auditlog.Declaration{}, false
	}
	d := &c.decls[di]
	return auditlog.Declaration{Index: d.index, Form: d.form, Votes: d.votes, Missing: len(d.missing)}, true
}

// AuditFrame returns the audit frame of a contest at the tally's present
// size: what an audit-commit logged next must bind (auditlog.BuildFrame),
// or the reason the contest cannot be audited now.
func (v *View) AuditFrame(contest string) (*auditlog.Frame, error) {
	c, ok := v.t.def.Contest(contest)
	if !ok {
		return nil, &registry.Rejection{Field: "contest", Rule: "unknown contest " + contest}
	}
	return auditlog.BuildFrame(v.t.def.ID, c, v.t.size, auditSheets{v.t})
}
