package tally

import (
	"fmt"

	"github.com/tallylog/tallylog/record"
)

// This file holds postal ballots: the returning officer's postal-ballot
// account of a contest and the checks of the final result (form 49)
// against it and against the sheets. Postal ballots appear on no station
// sheet, so a form 49 could otherwise add any number of them unseen.

// postalAccount is a contest's logged postal-ballot account.
type postalAccount struct {
	index     uint64
	hash      [32]byte
	signer    string
	issued    int64
	accounted string
	late      string // the capture time of the earliest sheet of its contest logged before it, when that is earlier than accounted
}

// learnPostal keeps a contest's postal-ballot account and rechecks the
// contest. The first account counts; a later one is kept to be flagged.
func (t *Tally) learnPostal(index uint64, env *record.Envelope, rec *record.PostalAccount) {
	ci, _ := t.def.ContestIndex(rec.Contest)
	c := &t.contests[ci]
	a := postalAccount{index: index, hash: env.Hash, signer: t.signerName(env), issued: rec.Issued, accounted: rec.Accounted}
	for _, s := range t.contestSlots(c) {
		for i := range s.versions {
			if cap := s.versions[i].captured; cap < rec.Accounted && (a.late == "" || cap < a.late) {
				a.late = cap
			}
		}
	}
	c.accounts = append(c.accounts, a)
	t.checkContest(c, index)
}

// postalFlags returns the flags on a contest's postal ballots: those the
// current final result (form 49) counts against the account and against
// the sheets' margin, the account's own timing, and ballots polled beyond
// the contest's registered voters.
func (t *Tally) postalFlags(c *contest, flag flagFunc) {
	var a *postalAccount
	var aev Evidence
	for i := range c.accounts {
		x := &c.accounts[i]
		xev := evidence(x.index, x.hash, "postal-account", fmt.Sprintf("%d postal ballots issued, signed by %s", x.issued, x.signer))
		if i == 0 {
			a, aev = x, xev
		} else {
			flag(KindConflictingSheets, High, x.index, true, fmt.Sprintf("a second postal-ballot account for the contest (%d issued); the first, at index %d, issued %d and is the one counted",
				x.issued, a.index, a.issued), aev, xev)
		}
		if x.late != "" {
			flag(KindPostalAccountLate, Medium, x.index, true, fmt.Sprintf("the postal-ballot account (%d issued) is signed at %s, after a sheet of the contest was captured at %s: it should be made before polling closes, when no count is known",
				x.issued, x.accounted, x.late), xev)
		}
	}
	if a != nil {
		if a.issued > c.registered {
			flag(KindOverRegistered, High, a.index, true, fmt.Sprintf("the postal-ballot account issues %d postal ballots in a contest of %d registered voters",
				a.issued, c.registered), aev)
		}
	}
	cur := c.current[1]
	if cur < 0 {
		return
	}
	d := &c.decls[cur]
	dev := evidence(d.index, d.hash, "declaration", fmt.Sprintf("form 49 by %s", d.signer))
	t.readmittedFlag(c, cur, dev, flag)
	postal := total(d.postal)
	if postal == 0 {
		return
	}
	// The sheets' result, and the result with the postal ballots added.
	sheetsTop, sheetsMargin := leadersAndMargin(c.sum)
	figures := fmt.Sprintf("%d postal ballots (%s); the logged sheets (%d of %d stations) give %s a margin of %d",
		postal, t.describeCounts(c, d.postal), c.in, c.stations, t.names(c, sheetsTop), sheetsMargin)
	if top := newLeaders(c.sum, d.postal); top != nil {
		figures += fmt.Sprintf("; with the postal ballots %s lead instead", t.names(c, top))
	}
	decisive := c.in > 0 && len(c.sum) > 1 && postal > sheetsMargin
	switch {
	case a != nil && postal > a.issued:
		fl := flag(KindPostalOverAccount, Grave, d.index, true, fmt.Sprintf("the form 49 declaration counts %d postal ballots; the postal-ballot account issued %d. %s",
			postal, a.issued, figures), dev, aev)
		fl.Diff = postalDiff(c, d)
	case a == nil:
		sev := Medium
		if decisive {
			sev = High
		}
		fl := flag(KindPostalUnaccounted, sev, d.index, true, fmt.Sprintf("the form 49 declaration counts %s, and no postal-ballot account is logged for the contest",
			figures), dev)
		fl.Diff = postalDiff(c, d)
	case decisive:
		fl := flag(KindPostalDecisive, Medium, d.index, true, fmt.Sprintf("the postal ballots decide the seat: the form 49 declaration counts %s (the account issued %d)",
			figures, a.issued), dev, aev)
		fl.Diff = postalDiff(c, d)
	}
	if polled := c.cast + postal; polled > c.registered { // conclusive even before every sheet is in
		flag(KindOverRegistered, High, d.index, true, fmt.Sprintf("%d ballots cast at the stations and %d postal ballots make %d, more than the contest's %d registered voters",
			c.cast, postal, polled, c.registered), dev)
	}
}

// readmittedFlag checks the current form 49's re-admitted ballots: ballots
// the stations rejected that the returning officer, examining them at the
// consolidation, counts for a candidate after all. They can only come from
// the rejected ballots on the current sheets; while some stations have
// not reported, from theirs too, which their registered voters bound.
// More is a grave flag: ballots from nowhere, added like postal ballots
// under a heading no account bounds.
func (t *Tally) readmittedFlag(c *contest, cur int32, dev Evidence, flag flagFunc) {
	d := &c.decls[cur]
	readmitted := total(d.readmitted)
	absentReg := c.registered - c.regIn
	if readmitted <= c.rejected+absentReg {
		return
	}
	bound := fmt.Sprintf("the current sheets of %d of %d stations reject %d ballots", c.in, c.stations, c.rejected)
	if c.in < c.stations {
		bound += fmt.Sprintf(", and the %d stations not logged yet have %d registered voters", c.stations-c.in, absentReg)
	}
	if top := newLeaders(c.sum, d.readmitted); top != nil {
		bound += fmt.Sprintf("; with them %s lead instead", t.names(c, top))
	}
	fl := flag(KindReadmittedOverRejected, Grave, d.index, true, fmt.Sprintf("the form 49 declaration re-admits %d ballots (%s); %s: re-admitted ballots are ballots the stations rejected, so at most %d can be re-admitted",
		readmitted, t.describeCounts(c, d.readmitted), bound, c.rejected+absentReg), dev)
	fl.Diff = postalDiff(c, d)
	fl.lazy = &lazyEvidence{contest: c.index, decl: cur}
}

// postalDiff sets each candidate's postal ballots beside the sheets: the
// declared total against the sheets' votes, Delta the postal (and
// re-admitted) ballots that make the difference.
func postalDiff(c *contest, d *declaration) []CandidateDiff {
	out := make([]CandidateDiff, len(d.votes))
	for i := range d.votes {
		out[i] = CandidateDiff{Candidate: c.def.Candidates[i].ID, Declared: d.votes[i], Sheets: c.sum[i], Delta: d.votes[i] - c.sum[i]}
	}
	return out
}

// total is the sum of a count per candidate.
func total(v []int64) int64 {
	var n int64
	for _, x := range v {
		n += x
	}
	return n
}

// newLeaders returns the candidates who lead once added is added to sum,
// or nil when they are the ones who lead without it.
func newLeaders(sum, added []int64) []int {
	with := make([]int64, len(sum))
	for i := range with {
		with[i] = sum[i] + added[i]
	}
	if sameWinners(sum, with) {
		return nil
	}
	top, _ := leadersAndMargin(with)
	return top
}

// leadersAndMargin returns the positions of the candidates with the most
// votes and their lead over the next (0 on a tie).
func leadersAndMargin(v []int64) ([]int, int64) {
	top := topOf(v)
	if len(top) != 1 {
		return top, 0
	}
	second := int64(0)
	for i, n := range v {
		if i != top[0] && n > second {
			second = n
		}
	}
	return top, v[top[0]] - second
}

// names lists candidates as "candidate 2" or "candidates 1 and 2".
func (t *Tally) names(c *contest, pos []int) string {
	if len(pos) == 1 {
		return "candidate " + c.def.Candidates[pos[0]].ID
	}
	s := "candidates"
	for i, p := range pos {
		switch {
		case i == 0:
			s += " "
		case i == len(pos)-1:
			s += " and "
		default:
			s += ", "
		}
		s += c.def.Candidates[p].ID
	}
	return s
}

// describeCounts writes the non-zero counts: "candidate 2: 50000".
func (t *Tally) describeCounts(c *contest, v []int64) string {
	s := ""
	for i, n := range v {
		if n == 0 {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("candidate %s: %d", c.def.Candidates[i].ID, n)
	}
	if s == "" {
		return "none"
	}
	return s
}
