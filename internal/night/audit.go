package night

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/tallylog/tallylog/audit"
	"github.com/tallylog/tallylog/auditlog"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
	"golang.org/x/mod/sumdb/note"
)

// AuditOptions choose the end-of-night audit.
type AuditOptions struct {
	// Contests is how many National Assembly contests are audited, among
	// those whose declaration lists no missing station and whose sheets
	// give the declared winner: half of them (rounded up) the closest by
	// declared margin (a share of the declared votes), the rest drawn from
	// the others with the consistent sampler under a seed of their own. 0
	// audits none.
	Contests int
	// RiskLimit is α as the records write it ("0.05").
	RiskLimit string
	// Seed makes the dice: each contest's seed is 20 digits derived from
	// it and the contest (a real ceremony rolls dice after the commitment).
	Seed uint64
	// Wait waits until the tally has applied n entries (the server's
	// WaitApplied); Now stamps the records.
	Wait func(ctx context.Context, n uint64) error
	Now  func() time.Time
}

// AuditedContest is what the audit of one contest did and found.
type AuditedContest struct {
	Contest   string  `json:"contest"`
	Margin    float64 `json:"margin"` // declared lead as a share of the declared votes
	Stations  int     `json:"stations"`
	Rounds    int     `json:"rounds"`
	Draws     int     `json:"draws"`
	Counted   int     `json:"counted"`
	FullCount bool    `json:"full_count"`
	// Risk and Decision are the last round's.
	Risk     string `json:"risk"`
	Decision string `json:"decision"`
	// Discrepancies lists the counted stations whose hand count differs
	// from their sheet; Switched the stations of the contest where the
	// simulator switched votes, and Reached those of them that were counted.
	Discrepancies []string `json:"discrepancies,omitempty"`
	Switched      []string `json:"switched,omitempty"`
	Reached       []string `json:"reached,omitempty"`
}

// AuditReport is the end-of-night audit.
type AuditReport struct {
	RiskLimit string           `json:"risk_limit"`
	Contests  []AuditedContest `json:"contests"`
	Records   int              `json:"records"`
	Seconds   float64          `json:"seconds"`
	// Switched counts the switched stations in the audited contests,
	// Reached those the audit counted; SwitchedAll every switched station.
	Switched    int `json:"switched_in_audited_contests"`
	Reached     int `json:"switched_reached"`
	SwitchedAll int `json:"switched_all"`
	// Found are the counted stations whose hand count differs from the
	// sheet, with the injected kind behind each ("" for none: a false
	// alarm).
	Found []AuditFinding `json:"found,omitempty"`
}

// AuditFinding is a hand count that differs from the station's sheet.
type AuditFinding struct {
	Contest string `json:"contest"`
	Station string `json:"station"`
	Kind    string `json:"kind,omitempty"`
}

// RunAudit runs risk-limiting audits at the end of the night through the
// server at base, as the real ceremony does, every step a signed record:
// the commission grants an audit board's key, then per contest commits to
// the frame and a seed, reveals the seed, the board hand-counts each drawn
// station (the simulator's paper count: sim.Election.Paper), and the
// commission closes each round with the risk the counts give, continuing or
// escalating to a full hand count as the method says. The tally and any
// verifier recompute every draw and risk from the log.
func RunAudit(ctx context.Context, base string, el *sim.Election, t *tally.Tally, opt AuditOptions) (*AuditReport, error) {
	start := time.Now()
	rep := &AuditReport{RiskLimit: opt.RiskLimit}
	if opt.Contests <= 0 {
		return rep, nil
	}
	alpha, err := audit.ParseRiskLimit(opt.RiskLimit)
	if err != nil {
		return nil, err
	}
	a := &auditor{ctx: ctx, base: base, t: t, wait: opt.Wait, client: &http.Client{Timeout: 60 * time.Second}}
	now := func() string { return record.FormatTime(opt.Now()) }
	// The audit board's key, granted by the commission.
	skey, vkey, err := note.GenerateKey(rand.Reader, "audit-board.demo")
	if err != nil {
		return nil, err
	}
	board, _ := note.NewSigner(skey)
	if err := a.log(el.CommissionSigner, &record.Keys{Election: el.Def.ID, Log: el.Def.Origin, Grants: []record.Grant{{Role: "auditor", Scope: "*", Key: vkey}}}); err != nil {
		return nil, fmt.Errorf("granting the audit board's key: %w", err)
	}
	switched := map[string][]string{} // contest -> switched stations
	kindOf := map[string]string{}     // station|contest -> injected kind
	for _, in := range el.Truth.Injected {
		if in.Station == "" {
			continue
		}
		kindOf[in.Station+"|"+in.Contest] = in.Kind
		if in.Kind == sim.KindVoteSwitching {
			switched[in.Contest] = append(switched[in.Contest], in.Station)
			rep.SwitchedAll++
		}
	}
	for _, c := range a.choose(opt.Contests, seedFor(opt.Seed, "contests")) {
		ac, err := a.contest(el, c, alpha, opt, board, now, switched[c.id], kindOf, rep)
		if err != nil {
			return nil, fmt.Errorf("audit of %s: %w", c.id, err)
		}
		rep.Contests = append(rep.Contests, *ac)
		rep.Switched += len(ac.Switched)
		rep.Reached += len(ac.Reached)
	}
	rep.Records, rep.Seconds = a.records, time.Since(start).Seconds()
	return rep, nil
}

type auditor struct {
	ctx     context.Context
	base    string
	t       *tally.Tally
	wait    func(ctx context.Context, n uint64) error
	client  *http.Client
	records int
}

// log signs and submits one record and waits until the tally has applied
// it (audit records are appended one at a time).
func (a *auditor) log(s note.Signer, r record.Record) error {
	entry, err := record.Sign(r, s)
	if err != nil {
		return err
	}
	ev := &sim.Event{Entry: entry, Hash: sha256.Sum256(entry)}
	var before uint64
	a.t.Read(func(v *tally.View) { before = v.Size() })
	if err := submit(a.ctx, a.client, a.base, ev); err != nil {
		return fmt.Errorf("%s: %w", r.Type(), err)
	}
	a.records++
	// Nothing else is being logged: the record is entry before, and the
	// next record is judged against a tally that has applied it.
	if a.wait != nil {
		return a.wait(a.ctx, before+1)
	}
	return nil
}

type candidateContest struct {
	id     string
	margin float64
}

// choose picks the contests to audit (see AuditOptions.Contests).
func (a *auditor) choose(n int, seed string) []candidateContest {
	var cs []candidateContest
	a.t.Read(func(v *tally.View) {
		for _, c := range v.Definition().Contests {
			if c.Assembly != "NA" {
				continue
			}
			fr, err := v.AuditFrame(c.ID)
			if err != nil {
				continue
			}
			if m, err := audit.Prepare(fr.Contest); err != nil || m.FullHandCountRequired() {
				continue // a declaration the sheets contradict: the tally's flags deal with it
			}
			tot := slices.Clone(fr.Contest.Totals)
			sort.Slice(tot, func(i, j int) bool { return tot[i] > tot[j] })
			var sum int64
			for _, x := range tot {
				sum += x
			}
			if len(tot) < 2 || sum == 0 {
				continue
			}
			cs = append(cs, candidateContest{c.ID, float64(tot[0]-tot[1]) / float64(sum)})
		}
	})
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].margin != cs[j].margin {
			return cs[i].margin < cs[j].margin
		}
		return cs[i].id < cs[j].id
	})
	closest := min((n+1)/2, len(cs))
	out := slices.Clone(cs[:closest])
	rest := cs[closest:]
	ids := make([]string, len(rest))
	byID := map[string]candidateContest{}
	for i, c := range rest {
		ids[i] = c.id
		byID[c.id] = c
	}
	if take := min(n-closest, len(rest)); take > 0 {
		tickets, err := audit.Sample(ids, seed, false, 0, take)
		if err == nil {
			for _, t := range tickets {
				out = append(out, byID[t.ID])
			}
		}
	}
	return out
}

// seedFor is a contest's 20-digit seed.
func seedFor(seed uint64, contest string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("tallylog demo audit %d %s", seed, contest)))
	return fmt.Sprintf("%010d%010d", binary.BigEndian.Uint64(h[:8])%1e10, binary.BigEndian.Uint64(h[8:16])%1e10)
}

func (a *auditor) contest(el *sim.Election, c candidateContest, alpha *big.Rat, opt AuditOptions, board note.Signer, now func() string,
	switched []string, kindOf map[string]string, rep *AuditReport) (*AuditedContest, error) {
	var fr *auditlog.Frame
	var size uint64
	var ferr error
	a.t.Read(func(v *tally.View) { fr, ferr = v.AuditFrame(c.id); size = v.Size() })
	if ferr != nil {
		return nil, ferr
	}
	m, err := audit.Prepare(fr.Contest)
	if err != nil {
		return nil, err
	}
	n, err := m.Plan(alpha)
	if err != nil {
		return nil, err
	}
	id := el.Def.ID
	seed := seedFor(opt.Seed, c.id)
	out := &AuditedContest{Contest: c.id, Margin: c.margin, Stations: m.Stations(), Switched: switched}
	if err := a.log(el.CommissionSigner, &record.AuditCommit{Election: id, Log: el.Def.Origin, Contest: c.id, RiskLimit: opt.RiskLimit, LogSize: int64(size),
		FrameSHA256: fr.SHA256, Stations: int64(m.Stations()), SeedCommitment: record.SeedCommitment(id, c.id, seed), Draws: int64(n), Committed: now()}); err != nil {
		return nil, err
	}
	if err := a.log(el.CommissionSigner, &record.AuditReveal{Election: id, Log: el.Def.Origin, Contest: c.id, Seed: seed, Revealed: now()}); err != nil {
		return nil, err
	}
	reported := map[string][]int64{}
	for _, s := range fr.Contest.Stations {
		reported[s.ID] = s.Votes
	}
	counted := map[string]bool{}
	var counts []audit.HandCount
	full := false
	for round := int64(1); ; round++ {
		var want []string
		var sample []string
		if full {
			want = m.StationIDs()
		} else {
			draws, err := m.Draw(seed, 1, n)
			if err != nil {
				return nil, err
			}
			for _, d := range draws {
				sample = append(sample, d.Station)
			}
			want = sample
		}
		for _, st := range want {
			if counted[st] {
				continue
			}
			counted[st] = true
			p, ok := el.Paper(st, c.id)
			if !ok {
				return nil, fmt.Errorf("station %s has no paper count", st)
			}
			votes := make([]record.Count, len(p.Votes))
			for i, v := range p.Votes {
				votes[i] = record.Count{Candidate: fr.Contest.Candidates[i], Votes: v}
			}
			if err := a.log(board, &record.AuditCount{Election: id, Log: el.Def.Origin, Contest: c.id, Station: st, Round: round, Votes: votes, Ballots: p.Ballots, Captured: now()}); err != nil {
				return nil, err
			}
			counts = append(counts, audit.HandCount{Station: st, Votes: p.Votes, Ballots: p.Ballots})
			if !slices.Equal(p.Votes, reported[st]) {
				out.Discrepancies = append(out.Discrepancies, st)
				rep.Found = append(rep.Found, AuditFinding{Contest: c.id, Station: st, Kind: kindOf[st+"|"+c.id]})
			}
			if slices.Contains(switched, st) {
				out.Reached = append(out.Reached, st)
			}
		}
		var r *audit.Risk
		if full {
			r, err = m.FullCount(counts)
		} else {
			r, err = m.Measure(alpha, sample, counts)
		}
		if err != nil {
			return nil, err
		}
		rec := &record.AuditRound{Election: id, Log: el.Def.Origin, Contest: c.id, Round: round, Draws: int64(n), Counted: int64(len(counted)),
			Risk: auditlog.RiskString(r.P), Ended: now()}
		decision, next := auditlog.Decide(r)
		rec.Decision, rec.NextDraws = decision, int64(next)
		if err := a.log(el.CommissionSigner, rec); err != nil {
			return nil, err
		}
		out.Rounds, out.Draws, out.Counted, out.Risk, out.Decision, out.FullCount = int(round), n, len(counted), rec.Risk, rec.Decision, full
		switch rec.Decision {
		case record.DecisionContinue:
			n += r.NextSize
		case record.DecisionEscalate:
			full = true
		default:
			return out, nil
		}
	}
}

// WithAudit marks the station frauds whose station the audit hand-counted
// and found to differ from its sheet as detected by "audit" (when nothing
// caught them before), timed to the end of the audit, and adds the audit's
// false alarms (counted stations no injection touched whose count differs)
// to fa.
func WithAudit(det []Detection, rep *AuditReport, acked func(i int) (time.Time, bool), end time.Time, fa *FalseAlarms) []Detection {
	found := map[string]bool{}
	honest := 0
	for _, f := range rep.Found {
		if f.Kind != "" {
			found[f.Station+"|"+f.Contest] = true
		} else {
			honest++
		}
	}
	out := slices.Clone(det)
	for i := range out {
		d := &out[i]
		if d.Detected || d.Station == "" || !found[d.Station+"|"+d.Contest] {
			continue
		}
		d.Detected, d.By = true, "audit"
		if at, ok := acked(i); ok {
			d.SecondsToFlag = end.Sub(at).Seconds()
		}
	}
	if fa != nil {
		var counted int
		for _, c := range rep.Contests {
			counted += c.Counted
		}
		if fa.Flags == nil {
			fa.Flags, fa.Honest = map[string]int{}, map[string]int{}
		}
		fa.Flags["audit"] = honest
		fa.Honest["audit"] = counted - len(found)
	}
	return out
}

// AckedAt returns when injection i's record was acknowledged.
func (d *Detector) AckedAt(i int) (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	at, ok := d.acked[i]
	return at, ok
}
