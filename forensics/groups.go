package forensics

import (
	"slices"
)

// Group scores.
//
// Each group (constituency or region) gets the group-level versions of the
// tests, compared at the Bonferroni level α / number of groups so that the
// chance of flagging any honest group stays at most α. A group's score is
// the number of its reasons: each significant test, rejected ballots above
// the margin between the first two candidates, and flagged stations.

func groupReports(d *dataset, opt *Options, integer []IntegerTest, last, second []DigitTest,
	corr []CorrelationTest, flags []StationFlag) []GroupReport {
	G := len(d.groups)
	out := make([]GroupReport, G)
	votes := make([][]int64, G)
	valid := make([]int64, G)
	for g := range out {
		out[g].Name = d.groups[g]
		votes[g] = make([]int64, d.ncand)
	}
	for i := range d.st {
		s := &d.st[i]
		r := &out[d.gidx[i]]
		r.Stations++
		r.Registered += s.Registered
		r.Ballots += s.Ballots
		r.Invalid += s.Invalid
		valid[d.gidx[i]] += s.Valid
		for j, v := range s.Votes {
			votes[d.gidx[i]][j] += v
		}
	}
	index := make(map[string]int, G)
	for g, name := range d.groups {
		index[name] = g
	}
	for _, f := range flags {
		if f.Score >= FlagScore {
			if g, ok := index[f.Group]; ok {
				out[g].FlaggedStations++
			}
		}
	}
	level := opt.Alpha / float64(G)
	for g := range out {
		r := &out[g]
		r.Turnout = ratio(r.Ballots, r.Registered)
		r.LeaderShare = ratio(votes[g][d.leader], valid[g]+r.Invalid)
		sorted := slices.Clone(votes[g])
		slices.Sort(sorted)
		if len(sorted) >= 2 {
			r.Margin = sorted[len(sorted)-1] - sorted[len(sorted)-2]
		}
		r.IntegerExcess, r.IntegerP = integer[g].Excess.Either, integer[g].P
		r.LastDigitP, r.SecondDigitP = last[g].P, second[g].P
		r.Correlation, r.CorrelationP = corr[g].R, corr[g].P
		reason := func(id msgID, args ...any) {
			m := say(id, args...)
			r.Score++
			r.Reasons = append(r.Reasons, m.String())
			r.Messages = append(r.Messages, m)
		}
		if integer[g].Included > 0 && r.IntegerP < level {
			reason(msgGroupInteger, integer[g].Observed.Either, integer[g].Expected.Either, r.IntegerP, level)
		}
		if last[g].Counts > 0 && r.LastDigitP < level {
			reason(msgGroupLastDigit, last[g].Counts, r.LastDigitP, level)
		}
		if second[g].Counts > 0 && r.SecondDigitP < level {
			reason(msgGroupSecondDigit, second[g].Counts, r.SecondDigitP, level)
		}
		if corr[g].Stations > 3 && r.CorrelationP < level {
			reason(msgGroupCorrelation, r.Correlation, r.CorrelationP, level)
		}
		if len(sorted) >= 2 && r.Invalid > r.Margin {
			reason(msgGroupRejected, r.Invalid, r.Margin)
		}
		if r.FlaggedStations > 0 {
			reason(msgGroupFlagged, r.FlaggedStations, r.Stations)
		}
		if r.Reasons == nil {
			r.Reasons = []string{}
		}
	}
	return out
}

// nationalFindings summarises the national tests, one line each.
func nationalFindings(rep *Report, opt *Options) []Finding {
	a := opt.Alpha
	f := []Finding{
		{Test: "integer percentages", Scope: "national", Statistic: rep.Integer.Excess.Either, P: rep.Integer.P, Level: a,
			Flagged: rep.Integer.Included > 0 && rep.Integer.P < a, Message: describeInteger(rep.Integer, a)},
		{Test: "last digit", Scope: "national", Statistic: rep.LastDigit.Q, P: rep.LastDigit.P, Level: a,
			Flagged: rep.LastDigit.Counts > 0 && rep.LastDigit.P < a, Message: describeDigits(rep.LastDigit)},
		{Test: "second digit", Scope: "national", Statistic: rep.SecondDigit.Q, P: rep.SecondDigit.P, Level: a,
			Flagged: rep.SecondDigit.Counts > 0 && rep.SecondDigit.P < a, Message: describeDigits(rep.SecondDigit)},
		{Test: "turnout-share correlation", Scope: "national", Statistic: rep.Correlation.WithinR, P: rep.Correlation.WithinP, Level: a,
			Flagged: rep.Correlation.Stations > 3 && rep.Correlation.WithinP < a, Message: describeCorrelation(rep.Correlation)},
		{Test: "shpilkin excess votes", Scope: "national", Statistic: rep.Shpilkin.Excess, Message: describeShpilkin(rep.Shpilkin)},
		{Test: "klimek model", Scope: "national", Statistic: rep.Klimek.Fi, Message: describeKlimek(rep.Klimek)},
	}
	// Rejected ballots above the national margin.
	sorted := slices.Clone(rep.Totals.Votes)
	slices.Sort(sorted)
	if len(sorted) >= 2 {
		margin := sorted[len(sorted)-1] - sorted[len(sorted)-2]
		f = append(f, Finding{Test: "rejected above margin", Scope: "national", Statistic: float64(rep.Totals.Invalid),
			Flagged: rep.Totals.Invalid > margin,
			Message: say(msgRejectedNational, rep.Totals.Invalid, margin, caveat())})
	}
	for i := range f {
		f[i].Explanation = f[i].Message.String()
	}
	return f
}
