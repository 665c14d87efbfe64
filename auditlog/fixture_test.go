package auditlog

import (
	"testing"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// fixture is a test log: the registry admits the election's ordinary
// records, the audit state its audit records, as the tally will combine
// them. sheets stands in for the tally's SheetSource: with no corrections
// in these tests, a station's current sheet is its only one.
type fixture struct {
	t      *testing.T
	e      *testelection.Election
	reg    *registry.Registry
	state  *State
	sheets *fakeSheets
}

type fakeSheets struct {
	size   uint64
	sheets map[string][]Sheet
	decls  map[string]Declaration
}

func (f *fakeSheets) Size() uint64                         { return f.size }
func (f *fakeSheets) CurrentSheets(contest string) []Sheet { return f.sheets[contest] }
func (f *fakeSheets) CurrentDeclaration(contest string) (Declaration, bool) {
	d, ok := f.decls[contest]
	return d, ok
}

const when = "2024-02-20T10:00:00Z"

// newFixture opens the test election's log and grants the audit board key
// "audit.NA-57" for NA-57 and "audit.all" for every contest.
func newFixture(t *testing.T) *fixture {
	e := testelection.New(t)
	f := &fixture{t: t, e: e, reg: e.Replay(t), state: New(e.Def),
		sheets: &fakeSheets{sheets: map[string][]Sheet{}, decls: map[string]Declaration{}}}
	f.sheets.size = f.reg.Size()
	var grants []record.Grant
	for _, g := range []struct{ name, scope string }{{"audit.NA-57", "NA-57"}, {"audit.all", "*"}} {
		e.Signers[g.name], e.VKeys[g.name] = testelection.Key(g.name)
		grants = append(grants, record.Grant{Role: "auditor", Scope: g.scope, Key: e.VKeys[g.name]})
	}
	f.mustLog("ecp", &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: grants})
	return f
}

// results logs a sheet for each station of the contest and a Form-47
// declaring their sum.
func (f *fixture) results(contest string, votes map[string][]int64) {
	total := make([]int64, 3)
	for _, station := range []string{"NA-57/PS-1", "NA-57/PS-2", "NA-57/PS-3"} {
		v, ok := votes[station]
		if !ok {
			continue
		}
		sheet := f.e.Sheet(contest, station, v...)
		index := f.mustLog(testelection.StationKey(station), sheet)
		f.sheets.sheets[contest] = append(f.sheets.sheets[contest], Sheet{Station: station, Index: index, Cast: sheet.Cast, Votes: v})
		for i := range total {
			total[i] += v[i]
		}
	}
	decl := &record.Declaration{Election: f.e.Def.ID, Log: f.e.Def.Origin, Contest: contest, Form: 47, Votes: testelection.Counts(total...), Declared: "2024-02-09T02:00:00Z"}
	index := f.mustLog("ro."+contest, decl)
	f.sheets.decls[contest] = Declaration{Index: index, Form: 47, Votes: total}
}

// log signs rec with the named key and offers it to the log, returning
// its index or the rejection.
func (f *fixture) log(key string, rec record.Record) (uint64, error) {
	f.t.Helper()
	env, err := record.Open(f.e.Sign(f.t, key, rec))
	if err != nil {
		f.t.Fatal(err)
	}
	index := f.reg.Size()
	if !IsAuditRecord(env) {
		if _, err := f.reg.Admit(env); err != nil {
			return 0, err
		}
	} else {
		signer, err := f.reg.Signer(env)
		if err != nil {
			f.t.Fatal(err)
		}
		if err := env.Verify(signer.Verifier); err != nil {
			f.t.Fatal(err)
		}
		if err := f.state.Check(env, signer, f.sheets); err != nil {
			return 0, err
		}
		f.state.Apply(index, env, f.sheets)
	}
	f.reg.Record(index, env)
	f.sheets.size = f.reg.Size()
	return index, nil
}

func (f *fixture) mustLog(key string, rec record.Record) uint64 {
	f.t.Helper()
	index, err := f.log(key, rec)
	if err != nil {
		f.t.Fatalf("%s: %v", rec.Type(), err)
	}
	return index
}

// commit logs a commitment to the contest's current frame and seed.
func (f *fixture) commit(contest, riskLimit, seed string, draws int64) (*record.AuditCommit, error) {
	c, _ := f.e.Def.Contest(contest)
	size := f.reg.Size()
	frame, err := BuildFrame(f.e.Def.ID, c, size, f.sheets)
	if err != nil {
		return nil, err
	}
	rec := &record.AuditCommit{Election: f.e.Def.ID, Log: f.e.Def.Origin, Contest: contest, RiskLimit: riskLimit, LogSize: int64(size),
		FrameSHA256: frame.SHA256, Stations: int64(len(frame.Contest.Stations)),
		SeedCommitment: record.SeedCommitment(f.e.Def.ID, contest, seed), Draws: draws, Committed: when}
	_, err = f.log("ecp", rec)
	return rec, err
}

func (f *fixture) reveal(contest, seed string) error {
	_, err := f.log("ecp", &record.AuditReveal{Election: f.e.Def.ID, Log: f.e.Def.Origin, Contest: contest, Seed: seed, Revealed: when})
	return err
}

func (f *fixture) count(key, contest, station string, round int64, ballots int64, votes ...int64) error {
	_, err := f.log(key, &record.AuditCount{Election: f.e.Def.ID, Log: f.e.Def.Origin, Contest: contest, Station: station, Round: round,
		Votes: testelection.Counts(votes...), Ballots: ballots, Captured: when})
	return err
}

// status returns the audit of one contest.
func (f *fixture) status(contest string) ContestAudit {
	for _, st := range f.state.Status() {
		if st.Contest == contest {
			return st
		}
	}
	f.t.Fatalf("no audit of %s", contest)
	return ContestAudit{}
}
