package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
)

// item is one record to sign: who signs it, when it arrives, the item
// whose hash it names (a correction's superseded sheet, a countersigned
// sheet), or -1, and the order a correction carries out, or -1.
type item struct {
	at    int64 // seconds after polls close
	key   int
	rec   record.Record
	dep   int
	order int
	entry []byte
	hash  [32]byte
}

// Shares of honest stations whose sheets the agents and observers attest.
const (
	countersignShare = 0.30 // the agent countersigns the officer's sheet
	agentCopyShare   = 0.05 // the agent submits their own copy of the count
	observerShare    = 0.005
)

// planner turns the model into records: every station's sheets with the
// injected frauds, the attestations, corrections and declarations.
type planner struct {
	def    *election.Definition
	cs     []contestModel
	st     []stationModel
	fates  []fate
	fraud  Fraud
	close  time.Time
	clock  clock
	r      *rand.Rand // attestations, fraud sizes, recounts
	dr     *rand.Rand // postal accounts, early and stale declarations (declare.go)
	items  []item
	truth  []pending
	sums   []count          // per contest: the sum of the current sheets
	last   []int64          // per contest: the last sheet's arrival
	missed [][]int          // per contest: injections waiting for the declaration's hash
	miss   [][]string       // per contest: stations that never reported
	paper  map[[2]int]count // per (station, contest slot): the ballots in the bag
	keys   []Key            // every key, for the verifier keys a keys record grants
	// per contest: the latest capture time of a counted sheet, and each
	// reporting station's counted sheet with its arrival (declare.go)
	lastCap []int64
	reports [][]report
}

func (p *planner) add(at int64, key int, rec record.Record, dep int) int {
	p.items = append(p.items, item{at: at, key: key, rec: rec, dep: dep, order: -1})
	return len(p.items) - 1
}

// pending is an injection whose record hashes are known once the plan's
// items are signed: item is the tampered record, witness the honest one
// that contradicts it (copy-differs only).
type pending struct {
	Injection
	item, witness int
}

func (p *planner) inject(in pending) { p.truth = append(p.truth, in) }

func (p *planner) time(at int64) string {
	return record.FormatTime(p.close.Add(time.Duration(at) * time.Second))
}

func (p *planner) counts(ci int, votes []int64) []record.Count {
	out := make([]record.Count, len(votes))
	for i, v := range votes {
		out[i] = record.Count{Candidate: p.cs[ci].candIDs[i], Votes: v}
	}
	return out
}

func (p *planner) sheet(si, ci int, c count, captured int64) *record.Sheet {
	return &record.Sheet{Election: p.def.ID, Log: p.def.Origin, Contest: p.cs[ci].id, Station: p.st[si].id, Revision: 1,
		Registered: p.st[si].registered, Cast: c.cast, Rejected: c.rejected, Votes: p.counts(ci, c.votes),
		Captured: p.time(captured)}
}

func (p *planner) copyOf(si, ci int, c count, captured int64) *record.Attestation {
	return &record.Attestation{Election: p.def.ID, Log: p.def.Origin, Contest: p.cs[ci].id, Station: p.st[si].id, Kind: "copy",
		Registered: p.st[si].registered, Cast: c.cast, Rejected: c.rejected, Votes: p.counts(ci, c.votes),
		Captured: p.time(captured)}
}

// who describes a candidate for the ground truth: "candidate 3 (pmln)".
func (p *planner) who(ci, cand int) string {
	party := blocs[p.cs[ci].cands[cand].bloc].id
	if party == "ind" {
		party = "independent"
	} else if party == "pti" {
		party = "PTI-backed independent"
	}
	return fmt.Sprintf("candidate %s (%s)", p.cs[ci].candIDs[cand], party)
}

// run plans every record: stations in definition order, then declarations.
func (p *planner) run() {
	n := len(p.cs)
	p.sums, p.last, p.missed, p.miss = make([]count, n), make([]int64, n), make([][]int, n), make([][]string, n)
	p.lastCap, p.reports = make([]int64, n), make([][]report, n)
	p.paper = map[[2]int]count{}
	for ci := range p.cs {
		p.sums[ci] = count{votes: make([]int64, len(p.cs[ci].cands))}
		p.postalAccount(ci)
	}
	peaks := map[int]float64{}
	for si := range p.st {
		s := &p.st[si]
		na := s.contests[0]
		region := p.def.Contests[na].Region
		if _, ok := peaks[na]; !ok {
			peaks[na] = p.clock.contestPeak(region)
		}
		if p.fates[si] == neverReports {
			p.neverReports(si)
			continue
		}
		arrival, captured := p.clock.sheet(region, peaks[na])
		size := p.size(p.fates[si])
		for b := range s.contests {
			at := arrival
			if b > 0 {
				at += int64(between(p.r, 0, 240)) // the PA sheet follows the NA sheet
			}
			p.station(si, b, at, captured, size)
		}
	}
	for ci := range p.cs {
		p.declare(ci)
	}
}

func (p *planner) neverReports(si int) {
	s := &p.st[si]
	for _, ci := range s.contests {
		p.miss[ci] = append(p.miss[ci], s.id)
		p.missed[ci] = append(p.missed[ci], len(p.truth))
		p.inject(pending{Injection: Injection{Kind: KindNonReporting, Contest: p.cs[ci].id, Station: s.id, Size: s.registered, Share: 1,
			Description: fmt.Sprintf("%s never sends its sheet for %s; %d registered voters are unaccounted for", s.id, p.cs[ci].id, s.registered)}})
	}
}

// size draws the size of a station's stuffing or switching, the same in
// both its contests.
func (p *planner) size(f fate) float64 {
	switch f {
	case stuffed:
		return p.fraud.StuffingSizes[p.r.IntN(len(p.fraud.StuffingSizes))]
	case switched:
		return p.fraud.SwitchingSizes[p.r.IntN(len(p.fraud.SwitchingSizes))]
	case copyDiffers:
		return p.fraud.CopyDiffersSize
	}
	return 0
}

// station plans one station's records in one contest (b indexes its
// contests) and adds its current sheet to the contest's sum.
func (p *planner) station(si, b int, at, captured int64, size float64) {
	ci := p.st[si].contests[b]
	signed, in := p.tamper(si, b, size)
	sheet := p.add(at, p.st[si].key, p.sheet(si, ci, signed, captured), -1)
	if in != nil {
		in.item = sheet
	}
	current, last, in := p.follow(si, b, sheet, signed, at, captured, in)
	// The paper in the bag: the true count, but stuffed ballots are in the
	// box, and an honest recount's figures are what the bag holds.
	paper := p.st[si].counts[b]
	switch f := p.fates[si]; {
	case f == stuffed && in != nil && in.Kind == KindBallotStuffing:
		paper = signed
	case f == corrected:
		paper = current
	}
	p.paper[[2]int{si, b}] = paper.clone()
	if in != nil {
		in.Contest, in.Station = p.cs[ci].id, p.st[si].id
		p.inject(*in)
	}
	p.sums[ci].add(current)
	p.last[ci] = max(p.last[ci], last)
	capt := captured
	if last != at { // a correction, captured when it was made
		capt = last
	}
	p.lastCap[ci] = max(p.lastCap[ci], capt)
	p.reports[ci] = append(p.reports[ci], report{at: last, station: p.st[si].id, count: current})
}

// tamper returns the count the presiding officer signs: the true count, or
// one altered by the station's fraud, with the injection to record.
func (p *planner) tamper(si, b int, size float64) (count, *pending) {
	s := &p.st[si]
	ci := s.contests[b]
	truth := s.counts[b]
	signed := truth.clone()
	first, second := top2(truth.votes)
	switch f := p.fates[si]; {
	case f == stuffed && s.registered-truth.cast >= minMoved:
		k := stuff(&signed, s.registered, size)
		return signed, &pending{Injection: Injection{Kind: KindBallotStuffing, Size: k, Share: float64(k) / float64(s.registered),
			Description: fmt.Sprintf("%s: %d ballots (%.0f%% of %d registered) stuffed for %s; turnout %.0f%% to %.0f%%",
				s.id, k, pct(k, s.registered), s.registered, p.who(ci, first), pct(truth.cast, s.registered), pct(signed.cast, s.registered))}}
	case f == switched && second >= 0 && truth.votes[second] >= minMoved:
		k := move(&signed, second, first, size)
		return signed, &pending{Injection: Injection{Kind: KindVoteSwitching, Size: k, Share: float64(k) / float64(truth.votes[second]),
			Description: fmt.Sprintf("%s: %d votes (%.0f%%) moved from %s to %s",
				s.id, k, pct(k, truth.votes[second]), p.who(ci, second), p.who(ci, first))}}
	case f == copyDiffers && b == 0:
		agent, to := p.cs[ci].agent, first
		if to == agent {
			to = second
		}
		k := move(&signed, agent, to, size)
		return signed, &pending{Injection: Injection{Kind: KindCopyDiffers, Size: k, Share: float64(k) / float64(truth.votes[agent]),
			Description: fmt.Sprintf("%s: the officer's sheet moves %d votes from %s to %s; the agent's copy has the true count",
				s.id, k, p.who(ci, agent), p.who(ci, to))}}
	}
	return signed, nil
}

// follow plans what follows a station's sheet: a conflicting second sheet,
// an honest correction, the agent's true copy, or honest attestations. It
// returns the count the contest's declaration must sum (the correction's,
// if any), the last sheet's arrival, and the injection to record.
func (p *planner) follow(si, b, sheet int, signed count, at, captured int64, in *pending) (count, int64, *pending) {
	ci := p.st[si].contests[b]
	switch f := p.fates[si]; {
	case f == conflicting && b == 0:
		second := signed.clone()
		x, y := top2(second.votes)
		second.votes[x], second.votes[y] = second.votes[y], second.votes[x]
		t := p.clock.after(at, 300, 3600, lastSheet)
		item := p.add(t, p.st[si].key, p.sheet(si, ci, second, t-int64(between(p.r, 60, 300))), -1)
		d := signed.votes[x] - signed.votes[y]
		return signed, t, &pending{item: item, Injection: Injection{Kind: KindConflictingSheet, Size: d, Share: float64(d) / float64(signed.cast-signed.rejected),
			Description: fmt.Sprintf("%s: a second revision-1 sheet swaps the votes of %s and %s (%d and %d)",
				p.st[si].id, p.who(ci, x), p.who(ci, y), signed.votes[x], signed.votes[y])}}
	case f == corrected && b == 0:
		fixed := signed.clone()
		recount(&fixed, p.r)
		t := p.clock.after(at, 600, 3600, lastSheet)
		// The returning officer orders the recount, then signs its sheet.
		to := at + (t-at)/2
		order := p.add(to, p.cs[ci].roKey, &record.Order{Election: p.def.ID, Log: p.def.Origin, Contest: p.cs[ci].id,
			Kind: record.OrderRecount, Stations: []string{p.st[si].id}, Reason: "recount under section 95(5) at a candidate's request", Ordered: p.time(to)}, -1)
		rev := p.sheet(si, ci, fixed, t)
		rev.Revision, rev.Reason = 2, "recount"
		p.items[p.add(t, p.cs[ci].roKey, rev, sheet)].order = order
		return fixed, t, in
	case (f == unauthorised || f == rekeyed) && b == 0:
		return p.replace(si, ci, sheet, signed, at, in)
	case f == copyDiffers && b == 0:
		in.witness = p.add(p.clock.after(at, 300, 7200, 1<<40), p.cs[ci].agentKey, p.copyOf(si, ci, p.st[si].counts[b], captured), -1)
	case f == honest:
		p.attest(si, ci, sheet, signed, at, captured)
	}
	return signed, at, in
}

// replace plans the replacement of a station's reported National Assembly
// sheet without any order: by its own presiding officer (unauthorised), or
// by a key the commission grants for the station after it reported
// (rekeyed). The revision 2 moves replacedShare of the runner-up's votes
// to the leader and arrives before the contest's declaration, which sums
// it. It returns what the declaration sums, the last arrival and the
// injection.
func (p *planner) replace(si, ci, sheet int, signed count, at int64, in *pending) (count, int64, *pending) {
	s := &p.st[si]
	fixed := signed.clone()
	first, second := top2(fixed.votes)
	k := move(&fixed, second, first, replacedShare)
	key, kind, how := s.key, KindUnauthorisedCorrection, "its presiding officer"
	var grant int
	t := p.clock.after(at, 300, 3600, lastSheet)
	if p.fates[si] == rekeyed {
		kind, how, key = KindRekeyReplace, "a key the commission granted after the station reported", s.newKey
		tk := at + (t-at)/2
		grant = p.add(tk, 0, &record.Keys{Election: p.def.ID, Log: p.def.Origin,
			Grants: []record.Grant{{Role: "presiding", Scope: s.id, Key: p.keys[s.newKey].VKey}}}, -1)
	}
	rev := p.sheet(si, ci, fixed, t)
	rev.Revision, rev.Reason = 2, "arithmetic error corrected"
	item := p.add(t, key, rev, sheet)
	out := &pending{item: item, Injection: Injection{Kind: kind, Size: k, Share: float64(k) / float64(signed.votes[second]),
		Description: fmt.Sprintf("%s: the reported sheet is replaced, with no recount or correction order, by %s: %d votes moved from %s to %s",
			s.id, how, k, p.who(ci, second), p.who(ci, first))}}
	if kind == KindRekeyReplace {
		out.witness = grant
	}
	return fixed, t, out
}

// attest plans the honest attestations of an honest sheet.
func (p *planner) attest(si, ci, sheet int, c count, at, captured int64) {
	if p.r.Float64() < countersignShare {
		t := p.clock.after(at, 60, 1800, 1<<40)
		p.add(t, p.cs[ci].agentKey, &record.Attestation{Election: p.def.ID, Log: p.def.Origin, Contest: p.cs[ci].id, Station: p.st[si].id,
			Kind: "countersign", Captured: p.time(t)}, sheet)
	}
	if p.r.Float64() < agentCopyShare {
		p.add(p.clock.after(at, 300, 7200, 1<<40), p.cs[ci].agentKey, p.copyOf(si, ci, c, captured), -1)
	}
	if p.r.Float64() < observerShare {
		p.add(p.clock.after(at, 600, 10800, 1<<40), observerKey, p.copyOf(si, ci, c, captured), -1)
	}
}

func pct(n, d int64) float64 { return 100 * float64(n) / float64(d) }
