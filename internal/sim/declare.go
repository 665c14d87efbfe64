package sim

import (
	"fmt"
	"math"
	"slices"

	"github.com/tallylog/tallylog/record"
)

// This file plans what returning officers sign: the postal-ballot account
// before polls close, the provisional declaration (Form-47) after the
// count, honest or tampered, early or stale, and the final result (Form-49)
// where postal ballots are inflated.

// report is a station's counted sheet in a contest and when it arrives
// (its correction's arrival, if corrected).
type report struct {
	at      int64
	station string
	count   count
}

// postalAccount plans a contest's postal-ballot account: 0.5% to 1.5% of
// its registered voters, signed and logged one to four hours before polls
// close. A returning officer who inflates postal ballots logs none.
func (p *planner) postalAccount(ci int) {
	c := &p.cs[ci]
	var registered int64
	for _, si := range c.stations {
		registered += p.st[si].registered
	}
	issued := int64(math.Round(float64(registered) * (0.005 + 0.01*p.dr.Float64())))
	at := -int64(between(p.dr, 3600, 4*3600))
	if slices.Contains(p.fraud.PostalInflation, c.id) {
		return
	}
	p.add(at, c.roKey, &record.PostalAccount{Election: p.def.ID, Log: p.def.Origin, Contest: c.id, Issued: issued, Accounted: p.time(at)}, -1)
}

// declare plans a contest's provisional declaration (Form-47): the sum of
// its current sheets, with its missing stations, a few minutes after its
// last sheet and before the deadline, tampered if the scenario says so.
// An honest declaration may come early: a few minutes after the last sheet
// was captured, before the slowest uploads reach the log.
func (p *planner) declare(ci int) {
	c := &p.cs[ci]
	if slices.Contains(p.fraud.StaleDeclarations, c.id) && p.staleDeclaration(ci) {
		return
	}
	sum := p.sums[ci]
	votes := slices.Clone(sum.votes)
	var in *pending
	if slices.Contains(p.fraud.Declarations, c.id) {
		w, r := top2(sum.votes)
		if lead, moved, ok := tamperDeclaration(votes, p.fraud.DeclarationLead); ok {
			in = &pending{Injection: Injection{Kind: KindDeclarationTampering, Contest: c.id, Size: lead,
				Share: float64(moved) / float64(sum.votes[w]+sum.votes[r]),
				Description: fmt.Sprintf("%s: the sheets give %s %d votes and %s %d; the declaration moves %d votes and declares %s the winner by %d",
					c.id, p.who(ci, w), sum.votes[w], p.who(ci, r), sum.votes[r], moved, p.who(ci, r), lead)}}
		}
	}
	start := int64(window[p.def.Contests[ci].Region][0] * 60)
	early := p.dr.Float64() < p.fraud.EarlyDeclarations
	t := p.clock.after(max(p.last[ci], start), 120, 900, lastDeclaration)
	if early && in == nil && len(p.reports[ci]) > 0 {
		if e := p.lastCap[ci] + int64(between(p.dr, 120, 600)); e < p.last[ci] && e >= start {
			t = e
		}
	}
	item := p.add(t, c.roKey, &record.Declaration{Election: p.def.ID, Log: p.def.Origin, Contest: c.id, Form: 47,
		Votes: p.counts(ci, votes), Rejected: sum.rejected, Missing: p.miss[ci], Declared: p.time(t)}, -1)
	if in != nil {
		in.item = item
		p.inject(*in)
	}
	for _, k := range p.missed[ci] {
		p.truth[k].item = item
	}
	if slices.Contains(p.fraud.PostalInflation, c.id) {
		p.inflatePostal(ci, t)
	}
}

// inflatePostal plans a final result (form 49) half an hour to two hours
// after the provisional one, adding postal ballots for the sheets'
// runner-up: the margin and PostalLead more. No postal-ballot account was
// logged for the contest.
func (p *planner) inflatePostal(ci int, after int64) {
	c := &p.cs[ci]
	sum := p.sums[ci]
	w, r := top2(sum.votes)
	if r < 0 {
		return
	}
	added := sum.votes[w] - sum.votes[r] + p.fraud.PostalLead
	postal := make([]int64, len(sum.votes))
	postal[r] = added
	votes := slices.Clone(sum.votes)
	votes[r] += added
	t := after + int64(between(p.dr, 1800, 7200))
	item := p.add(t, c.roKey, &record.Declaration{Election: p.def.ID, Log: p.def.Origin, Contest: c.id, Form: 49, Votes: p.counts(ci, votes),
		Rejected: sum.rejected, Postal: p.counts(ci, postal), Readmitted: p.counts(ci, make([]int64, len(votes))), Declared: p.time(t)}, -1)
	p.inject(pending{item: item, Injection: Injection{Kind: KindPostalInflation, Contest: c.id, Size: added,
		Share: float64(added) / float64(added+total(sum.votes)),
		Description: fmt.Sprintf("%s: no postal-ballot account is logged; the final result adds %d postal ballots for %s, who trailed %s by %d on the sheets, and declares them the winner by %d",
			c.id, added, p.who(ci, r), p.who(ci, w), sum.votes[w]-sum.votes[r], p.fraud.PostalLead)}})
}

func total(v []int64) int64 {
	var n int64
	for _, x := range v {
		n += x
	}
	return n
}

// staleDeclaration plans an early provisional declaration that counts the
// stations reported before the widest gap in arrivals among the first half
// of them, lists the rest as missing, and is never renewed. It reports false (and plans nothing) for
// a contest with fewer than two reporting stations.
func (p *planner) staleDeclaration(ci int) bool {
	c := &p.cs[ci]
	reps := slices.Clone(p.reports[ci])
	if len(reps) < 2 {
		return false
	}
	slices.SortStableFunc(reps, func(a, b report) int { return int(a.at - b.at) })
	// Declare in the widest gap between arrivals among the first half of
	// the stations, so that the stations listed missing reach the log after
	// the declaration even when records are delivered out of order.
	k := 1
	for j := 1; j <= max(1, len(reps)/2); j++ {
		if reps[j].at-reps[j-1].at > reps[k].at-reps[k-1].at {
			k = j
		}
	}
	in := map[string]bool{}
	part := count{votes: make([]int64, len(c.cands))}
	for _, rp := range reps[:k] {
		in[rp.station] = true
		part.add(rp.count)
	}
	var missing []string
	for _, si := range c.stations {
		if !in[p.st[si].id] {
			missing = append(missing, p.st[si].id)
		}
	}
	t := reps[k-1].at + max(1, (reps[k].at-reps[k-1].at)/2)
	item := p.add(t, c.roKey, &record.Declaration{Election: p.def.ID, Log: p.def.Origin, Contest: c.id, Form: 47,
		Votes: p.counts(ci, part.votes), Rejected: part.rejected, Missing: missing, Declared: p.time(t)}, -1)
	for _, m := range p.missed[ci] {
		p.truth[m].item = item
	}
	w, _ := top2(p.sums[ci].votes)
	pw, _ := top2(part.votes)
	p.inject(pending{item: item, Injection: Injection{Kind: KindStaleDeclaration, Contest: c.id, Size: int64(len(reps) - k),
		Share: float64(len(reps)-k) / float64(len(reps)),
		Description: fmt.Sprintf("%s: declared with %d of %d stations in, %d listed missing; they report and no new declaration follows; the declaration's leader is %s, the sheets' %s",
			c.id, k, len(c.stations), len(missing), p.who(ci, pw), p.who(ci, w))}})
	return true
}
