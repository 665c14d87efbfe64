package auditlog

// The rules of each audit record against the log (docs/audit.md, "Who may
// sign what"). Each check is a pure function of the state and the record.

import (
	"fmt"
	"math/big"

	"github.com/tallylog/tallylog/audit"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

func (s *State) checkCommit(rec *record.AuditCommit, key *registry.Key, sheets SheetSource) (*contestAudit, error) {
	if err := commission(key, "audit commitments"); err != nil {
		return nil, err
	}
	if _, ok := s.def.Contest(rec.Contest); !ok {
		return nil, reject("contest", "unknown contest %q", rec.Contest)
	}
	if old, ok := s.contests[rec.Contest]; ok {
		return nil, reject("contest", "the audit of contest %s was committed at index %d; a contest is audited once", rec.Contest, old.commitIndex)
	}
	if size := sheets.Size(); uint64(rec.LogSize) > size {
		return nil, reject("log-size", "%d is beyond the %d entries logged before this record", rec.LogSize, size)
	}
	return s.prepare(rec, sheets)
}

// prepare builds the audit a commitment opens and checks the commitment's
// frame, risk limit and first-round size against it.
func (s *State) prepare(rec *record.AuditCommit, sheets SheetSource) (*contestAudit, error) {
	c, _ := s.def.Contest(rec.Contest)
	frame, err := BuildFrame(s.def.ID, c, uint64(rec.LogSize), sheets)
	if err != nil {
		return nil, err
	}
	if frame.SHA256 != rec.FrameSHA256 {
		return nil, reject("frame-sha256", "%s is not the frame of contest %s at log-size %d, which hashes to %s: recompute it with tallylog audit frame", rec.FrameSHA256, rec.Contest, rec.LogSize, frame.SHA256)
	}
	if n := int64(len(frame.Contest.Stations)); rec.Stations != n {
		return nil, reject("stations", "the frame has %d stations, not %d", n, rec.Stations)
	}
	m, err := audit.Prepare(frame.Contest)
	if err != nil {
		return nil, reject("frame-sha256", "the frame of contest %s cannot be audited: %v", rec.Contest, err)
	}
	alpha, err := audit.ParseRiskLimit(rec.RiskLimit)
	if err != nil {
		return nil, reject("risk-limit", "%v", err)
	}
	plan, _ := m.Plan(alpha)
	switch {
	case m.FullHandCountRequired() && rec.Draws != rec.Stations:
		return nil, reject("draws", "a margin of contest %s is zero or negative, so only a full hand count settles it: draws must be the frame's %d stations", rec.Contest, rec.Stations)
	case rec.Draws < int64(plan):
		return nil, reject("draws", "%d draws are fewer than the %d that risk limit %s needs in round 1; draw at least %d", rec.Draws, plan, rec.RiskLimit, plan)
	}
	ca := &contestAudit{def: c, alpha: alpha, math: m, cast: map[string]int64{}, drawn: map[string]int{}, counts: map[string]count{}}
	for _, st := range frame.Contest.Stations {
		ca.cast[st.ID] = st.Ballots
	}
	return ca, nil
}

func (s *State) checkReveal(rec *record.AuditReveal, key *registry.Key) error {
	if err := commission(key, "audit seeds"); err != nil {
		return err
	}
	ca, err := s.contest(rec.Contest)
	if err != nil {
		return err
	}
	if ca.revealIndex != 0 {
		return reject("seed", "the seed of contest %s's audit was revealed at index %d; a seed is revealed once", rec.Contest, ca.revealIndex)
	}
	if got := record.SeedCommitment(s.def.ID, rec.Contest, rec.Seed); got != ca.commit.SeedCommitment {
		return reject("seed", "does not match the commitment logged at index %d: this seed commits to %s, the commitment is %s", ca.commitIndex, got, ca.commit.SeedCommitment)
	}
	return nil
}

func (s *State) checkCount(rec *record.AuditCount, key *registry.Key) error {
	if !key.May("auditor", rec.Contest) {
		return reject("signature", "key %s may not sign this record: a hand count is signed by an audit board key granted for contest %s or \"*\"", key.Verifier.Name(), rec.Contest)
	}
	ca, err := s.running(rec.Contest)
	if err != nil {
		return err
	}
	if open := ca.round(); rec.Round != open {
		return reject("round", "round %d of contest %s's audit is open, not round %d", open, rec.Contest, rec.Round)
	}
	cast, inFrame := ca.cast[rec.Station]
	if !inFrame {
		return reject("station", "station %q is not in the frame of contest %s's audit (it had no current sheet when the audit was committed)", rec.Station, rec.Contest)
	}
	if _, drawn := ca.drawn[rec.Station]; !drawn && !ca.full {
		return reject("station", "station %s is not in the sample of contest %s (draws 1 to %d): only drawn stations are hand-counted", rec.Station, rec.Contest, len(ca.draws))
	}
	if old, dup := ca.counts[rec.Station]; dup {
		return reject("station", "station %s was hand-counted for contest %s at index %d; a station is counted once, however often it is drawn", rec.Station, rec.Contest, old.index)
	}
	if len(rec.Votes) != len(ca.def.Candidates) {
		return reject("votes", "%d candidates listed, contest %s has %d: list every candidate, in ballot order, zeros included", len(rec.Votes), rec.Contest, len(ca.def.Candidates))
	}
	var sum int64
	for i, v := range rec.Votes {
		if v.Candidate != ca.def.Candidates[i].ID {
			return reject("votes", "line %d names candidate %q where contest %s has %q: list candidates in ballot order", i+1, v.Candidate, rec.Contest, ca.def.Candidates[i].ID)
		}
		sum += v.Votes
	}
	if rec.Ballots > cast {
		return reject("ballots", "the hand count found %d ballots but station %s's sheet says %d were cast: recount the bag; if the excess is real the station's error bound does not hold and the contest needs a full hand count", rec.Ballots, rec.Station, cast)
	}
	if sum > rec.Ballots {
		return reject("votes", "the votes sum to %d, more than the %d ballots counted (one vote per ballot)", sum, rec.Ballots)
	}
	return nil
}

func handCount(rec *record.AuditCount) audit.HandCount {
	hc := audit.HandCount{Station: rec.Station, Ballots: rec.Ballots}
	for _, v := range rec.Votes {
		hc.Votes = append(hc.Votes, v.Votes)
	}
	return hc
}

func (s *State) checkRound(rec *record.AuditRound, key *registry.Key) error {
	if err := commission(key, "audit rounds"); err != nil {
		return err
	}
	ca, err := s.running(rec.Contest)
	if err != nil {
		return err
	}
	if open := ca.round(); rec.Round != open {
		return reject("round", "round %d of contest %s's audit is open, not round %d", open, rec.Contest, rec.Round)
	}
	if st, ok := ca.uncounted(); ok {
		return reject("round", "station %s of round %d has no hand count yet: a round closes when every station it drew is counted", st, rec.Round)
	}
	o, err := ca.outcome()
	if err != nil {
		return reject("round", "the risk cannot be measured: %v", err)
	}
	switch {
	case rec.Draws != int64(len(ca.draws)):
		return reject("draws", "the audit of contest %s has made %d draws, not %d", rec.Contest, len(ca.draws), rec.Draws)
	case rec.Counted != int64(len(ca.counts)):
		return reject("counted", "%d stations of contest %s are hand-counted, not %d", len(ca.counts), rec.Contest, rec.Counted)
	case rec.Risk != o.risk:
		return reject("risk", "the logged counts give risk %s, not %s", o.risk, rec.Risk)
	case rec.Decision != o.decision:
		return reject("decision", "risk %s at limit %s means %s, not %s", o.risk, ca.commit.RiskLimit, o.decision, rec.Decision)
	case rec.NextDraws < int64(o.next):
		return reject("next-draws", "%d draws are fewer than the %d the next round needs", rec.NextDraws, o.next)
	case int64(len(ca.draws))+rec.NextDraws > audit.MaxDraws:
		return reject("next-draws", "%d draws in all would exceed %d", int64(len(ca.draws))+rec.NextDraws, audit.MaxDraws)
	}
	return nil
}

// uncounted returns a station the open round must count and has not.
func (ca *contestAudit) uncounted() (string, bool) {
	if ca.full {
		for _, id := range ca.math.StationIDs() {
			if _, ok := ca.counts[id]; !ok {
				return id, true
			}
		}
		return "", false
	}
	for _, d := range ca.draws {
		if _, ok := ca.counts[d.Station]; !ok {
			return d.Station, true
		}
	}
	return "", false
}

// outcome is what the counts so far give: the risk as an AuditRound
// carries it, the decision, and the least size of a next round.
type outcome struct {
	risk     string
	decision string
	next     int
	p        *big.Rat
}

func (ca *contestAudit) outcome() (outcome, error) {
	counts := make([]audit.HandCount, 0, len(ca.order))
	for _, id := range ca.order {
		counts = append(counts, ca.counts[id].hc)
	}
	var r *audit.Risk
	var err error
	if ca.full {
		r, err = ca.math.FullCount(counts)
	} else {
		sample := make([]string, len(ca.draws))
		for i, d := range ca.draws {
			sample[i] = d.Station
		}
		r, err = ca.math.Measure(ca.alpha, sample, counts)
	}
	if err != nil {
		return outcome{}, err
	}
	o := outcome{risk: RiskString(r.P), p: r.P}
	o.decision, o.next = Decide(r)
	return o, nil
}

// Decide is the decision an audit-round record must carry for a measured
// risk, and the least next-draws with "continue" (0 otherwise).
func Decide(r *audit.Risk) (decision string, next int) {
	switch {
	case r.Stop && r.Confirmed:
		return record.DecisionConfirmed, 0
	case r.Stop:
		return record.DecisionNotConfirmed, 0
	case r.FullHandCount:
		return record.DecisionEscalate, 0
	}
	return record.DecisionContinue, r.NextSize
}

// RiskString formats a P-value as an audit-round record carries it: rounded
// up to 9 decimals, "0.231377403". With a risk limit of at most 9 decimals,
// P ≤ α exactly when RiskString(P) ≤ α.
func RiskString(p *big.Rat) string {
	scaled := new(big.Int).Mul(p.Num(), big.NewInt(1_000_000_000))
	q, m := new(big.Int).QuoRem(scaled, p.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	n := q.Int64()
	return fmt.Sprintf("%d.%09d", n/1_000_000_000, n%1_000_000_000)
}
