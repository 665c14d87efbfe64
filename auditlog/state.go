package auditlog

import (
	"fmt"
	"math/big"

	"github.com/tallylog/tallylog/audit"
	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// State is the audit state of one election log: per contest, the
// commitment, the revealed seed, the draw, the hand counts and the rounds.
// It is built by Apply from the log's audit records in index order. Check
// and the read methods may run concurrently with each other, not with Apply.
type State struct {
	def      *election.Definition
	contests map[string]*contestAudit
}

// contestAudit is the audit of one contest.
type contestAudit struct {
	def         *election.Contest
	commit      *record.AuditCommit
	commitIndex uint64
	alpha       *big.Rat
	math        *audit.Audit
	cast        map[string]int64 // the frame's stations and their ballots cast

	seed        string
	revealIndex uint64 // 0: not revealed (index 0 is the election record)

	full   bool         // every station of the frame is to be counted
	draws  []audit.Draw // draws 1…n of every round opened so far
	drawn  map[string]int
	counts map[string]count // by station
	order  []string         // counted stations, in log order
	rounds []closedRound
	ended  bool
}

type count struct {
	index uint64
	round int64
	hc    audit.HandCount
}

type closedRound struct {
	index uint64
	rec   *record.AuditRound
}

// New returns the empty audit state of an election with the given
// definition.
func New(def *election.Definition) *State {
	return &State{def: def, contests: map[string]*contestAudit{}}
}

// reject returns the error type the registry returns, so the server
// answers 422 with the field and rule.
func reject(field, format string, args ...any) error {
	return &registry.Rejection{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// IsAuditRecord reports whether env holds one of the audit record types
// that Check and Apply handle.
func IsAuditRecord(env *record.Envelope) bool {
	switch env.Record.(type) {
	case *record.AuditCommit, *record.AuditReveal, *record.AuditCount, *record.AuditRound:
		return true
	}
	return false
}

// Check applies the log's rules to an audit record signed by key, whose
// signature the caller has verified, against the audit so far and the
// sheets as of the entries before it. It changes nothing. The error is a
// *registry.Rejection naming the field and the rule.
func (s *State) Check(env *record.Envelope, key *registry.Key, sheets SheetSource) error {
	switch rec := env.Record.(type) {
	case *record.AuditCommit:
		_, err := s.checkCommit(rec, key, sheets)
		return err
	case *record.AuditReveal:
		return s.checkReveal(rec, key)
	case *record.AuditCount:
		return s.checkCount(rec, key)
	case *record.AuditRound:
		return s.checkRound(rec, key)
	}
	return reject("type", "records of type %s are not audit records", env.Record.Type())
}

// Apply learns an audit record that Check accepted, logged at index.
// Records of other types are ignored.
func (s *State) Apply(index uint64, env *record.Envelope, sheets SheetSource) {
	switch rec := env.Record.(type) {
	case *record.AuditCommit:
		ca, err := s.prepare(rec, sheets)
		if err != nil {
			panic("auditlog: applying a commitment that Check refuses: " + err.Error())
		}
		ca.commit, ca.commitIndex = rec, index
		s.contests[rec.Contest] = ca
	case *record.AuditReveal:
		ca := s.contests[rec.Contest]
		ca.seed, ca.revealIndex = rec.Seed, index
		ca.openRound(int(ca.commit.Draws))
	case *record.AuditCount:
		ca := s.contests[rec.Contest]
		ca.counts[rec.Station] = count{index: index, round: rec.Round, hc: handCount(rec)}
		ca.order = append(ca.order, rec.Station)
	case *record.AuditRound:
		ca := s.contests[rec.Contest]
		ca.rounds = append(ca.rounds, closedRound{index: index, rec: rec})
		switch rec.Decision {
		case record.DecisionContinue:
			ca.openRound(int(rec.NextDraws))
		case record.DecisionEscalate:
			ca.full = true
		default:
			ca.ended = true
		}
	}
}

// openRound extends the draw by n draws, or opens a full count when the
// margins leave no sample that could confirm the outcome.
func (ca *contestAudit) openRound(n int) {
	if ca.math.FullHandCountRequired() {
		ca.full = true
		return
	}
	more, err := ca.math.Draw(ca.seed, len(ca.draws)+1, n)
	if err != nil {
		panic("auditlog: drawing a checked round: " + err.Error())
	}
	round := len(ca.rounds) + 1
	for _, d := range more {
		if _, ok := ca.drawn[d.Station]; !ok {
			ca.drawn[d.Station] = round
		}
	}
	ca.draws = append(ca.draws, more...)
}

// round returns the number of the open round (1 after the reveal).
func (ca *contestAudit) round() int64 { return int64(len(ca.rounds)) + 1 }

// contest returns the audit of a committed contest, or the reason there is
// none.
func (s *State) contest(id string) (*contestAudit, error) {
	if _, ok := s.def.Contest(id); !ok {
		return nil, reject("contest", "unknown contest %q", id)
	}
	ca, ok := s.contests[id]
	if !ok {
		return nil, reject("contest", "no audit of contest %s has been committed: log an audit-commit first", id)
	}
	return ca, nil
}

// running returns the audit of a contest whose seed is revealed and whose
// audit has not ended.
func (s *State) running(id string) (*contestAudit, error) {
	ca, err := s.contest(id)
	if err != nil {
		return nil, err
	}
	if ca.revealIndex == 0 {
		return nil, reject("contest", "the seed of contest %s's audit is not revealed yet: nothing is drawn until the audit-reveal is logged", id)
	}
	if ca.ended {
		last := ca.rounds[len(ca.rounds)-1]
		return nil, reject("contest", "the audit of contest %s ended at round %d (%s, index %d)", id, last.rec.Round, last.rec.Decision, last.index)
	}
	return ca, nil
}

func commission(key *registry.Key, what string) error {
	if !key.May("commission", "*") {
		return reject("signature", "key %s may not sign this record: the commission signs %s", key.Verifier.Name(), what)
	}
	return nil
}
