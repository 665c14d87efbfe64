package forensics

import (
	"encoding/binary"
	"slices"
	"strings"
)

// Station signals and their weights. A station's score is the sum of the
// weights of its signals; it is flagged when the score reaches FlagScore.
// Rules that need no statistics weigh enough to flag on their own; a
// single statistical coincidence does not (about 1% of honest stations are
// integer in both turnout and share by arithmetic alone).
const (
	SigTurnoutAbove100 = "turnout_above_100"      // ballots issued > registered
	SigBoxAboveReg     = "votes_above_registered" // ballots in boxes > registered
	SigBoxAboveIssued  = "box_above_issued"       // ballots in boxes > issued
	SigFullTurnout     = "full_turnout_landslide" // turnout ≥ 100% and ≥ 90% for one candidate
	SigIdentical       = "identical_sheet"        // same counts as another station
	SigSheetArithmetic = "sheet_arithmetic"       // candidate votes > valid ballots
	SigIntegerBoth     = "integer_both"           // turnout and leader share both whole percentages
	SigGroupTail       = "group_tail"             // turnout and share both above the group's 99th percentile
	SigExtremeCluster  = "extreme_cluster"        // turnout and share both ≥ 95%
	FlagScore          = 2.0
	minIdenticalValid  = 50
	minGroupForTail    = 100
)

var signalWeights = map[string]float64{
	SigTurnoutAbove100: 3, SigBoxAboveReg: 3, SigSheetArithmetic: 3, SigIdentical: 3,
	SigFullTurnout: 2, SigBoxAboveIssued: 1, SigIntegerBoth: 1, SigGroupTail: 1, SigExtremeCluster: 1,
}

// signal is a station's signal of kind code; the message's last argument
// is the Caveat.
func signal(code string, id msgID, args ...any) Signal {
	m := say(id, append(args, caveat())...)
	return Signal{Code: code, Weight: signalWeights[code], Explanation: m.String(), Message: m}
}

// stationSignals applies the rules and the per-station statistical signals.
func stationSignals(d *dataset, opt *Options, kobak []kobakStation) []StationFlag {
	sigs := make([][]Signal, len(d.st))

	identical := identicalSheets(d)
	tailT, tailS := groupTails(d, opt)
	for i := range d.st {
		s := &d.st[i]
		N, B, R := s.Registered, s.Ballots, s.InBox()
		if B > N {
			sigs[i] = append(sigs[i], signal(SigTurnoutAbove100, msgTurnoutAbove100, B, N, 100*ratio(B, N)))
		}
		if R > N {
			sigs[i] = append(sigs[i], signal(SigBoxAboveReg, msgBoxAboveReg, R, N))
		}
		if R > B && B > 0 {
			sigs[i] = append(sigs[i], signal(SigBoxAboveIssued, msgBoxAboveIssued, R, B))
		}
		if N > 0 && B >= N && s.Valid > 0 {
			j := slices.Index(s.Votes, slices.Max(s.Votes))
			if 10*s.Votes[j] >= 9*s.Valid {
				sigs[i] = append(sigs[i], signal(SigFullTurnout, msgFullTurnout, 100*ratio(B, N), d.names[j], 100*ratio(s.Votes[j], s.Valid)))
			}
		}
		if others := identical[i]; len(others) > 0 {
			sigs[i] = append(sigs[i], signal(SigIdentical, msgIdentical, s.Valid, strings.Join(others, ", ")))
		}
		if k := kobak[i]; k.intT && k.intS {
			sigs[i] = append(sigs[i], signal(SigIntegerBoth, msgIntegerBoth,
				100*ratio(B, N), 100*ratio(s.Votes[d.leader], R), k.qT*k.qS))
		}
		if tailT != nil && placed(s, opt.MinRegistered) {
			g := d.gidx[i]
			t, sh := ratio(B, N), ratio(s.Votes[d.leader], R)
			if tailT[g] > 0 && t > tailT[g] && sh > tailS[g] {
				sigs[i] = append(sigs[i], signal(SigGroupTail, msgGroupTail,
					100*t, 100*sh, d.groups[g], 100*tailT[g], 100*tailS[g]))
			}
		}
		if placed(s, opt.MinRegistered) && 100*B >= 95*N && 100*s.Votes[d.leader] >= 95*R {
			sigs[i] = append(sigs[i], signal(SigExtremeCluster, msgExtremeCluster,
				100*ratio(B, N), 100*ratio(s.Votes[d.leader], R)))
		}
	}
	var flags []StationFlag
	for i, ss := range sigs {
		if len(ss) == 0 {
			continue
		}
		f := StationFlag{Index: d.orig[i], ID: stationLabel(&d.st[i], d.orig[i]), Group: d.st[i].Group, Signals: ss}
		for _, x := range ss {
			f.Score += x.Weight
		}
		flags = append(flags, f)
	}
	return flags
}

// arithmeticFlag flags a sheet whose candidate votes exceed its valid
// ballots; such sheets are excluded from the statistics.
func arithmeticFlag(s *Station, i int) StationFlag {
	var sum int64
	for _, v := range s.Votes {
		sum += v
	}
	sig := signal(SigSheetArithmetic, msgSheetArithmetic, sum, s.Valid)
	return StationFlag{Index: i, ID: stationLabel(s, i), Group: s.Group, Score: sig.Weight, Signals: []Signal{sig}}
}

// identicalSheets maps each station whose (valid, invalid, votes) equals
// another's to the labels of the others (at most five). Only sheets with at
// least 50 valid votes and two candidates with votes count: small sheets
// coincide by chance.
func identicalSheets(d *dataset) map[int][]string {
	byKey := map[string][]int{}
	var buf []byte
	for i := range d.st {
		s := &d.st[i]
		nonzero := 0
		for _, v := range s.Votes {
			if v > 0 {
				nonzero++
			}
		}
		if s.Valid < minIdenticalValid || nonzero < 2 {
			continue
		}
		buf = binary.AppendVarint(buf[:0], s.Valid)
		buf = binary.AppendVarint(buf, s.Invalid)
		for _, v := range s.Votes {
			buf = binary.AppendVarint(buf, v)
		}
		byKey[string(buf)] = append(byKey[string(buf)], i)
	}
	out := map[int][]string{}
	for _, idx := range byKey {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			var others []string
			for _, j := range idx {
				if j != i && len(others) < 5 {
					others = append(others, stationLabel(&d.st[j], d.orig[j]))
				}
			}
			out[i] = others
		}
	}
	return out
}

// groupTails returns each group's 99th percentiles of turnout and leader
// share (0 for groups with fewer than 100 placed stations).
func groupTails(d *dataset, opt *Options) (tailT, tailS []float64) {
	ts := make([][]float64, len(d.groups))
	ss := make([][]float64, len(d.groups))
	for i := range d.st {
		s := &d.st[i]
		if !placed(s, opt.MinRegistered) {
			continue
		}
		g := d.gidx[i]
		ts[g] = append(ts[g], ratio(s.Ballots, s.Registered))
		ss[g] = append(ss[g], ratio(s.Votes[d.leader], s.InBox()))
	}
	tailT, tailS = make([]float64, len(d.groups)), make([]float64, len(d.groups))
	for g := range ts {
		if len(ts[g]) >= minGroupForTail {
			tailT[g], tailS[g] = quantile(ts[g], 0.99), quantile(ss[g], 0.99)
		}
	}
	return tailT, tailS
}

// rankFlags keeps the stations with score ≥ FlagScore, highest first (ties
// by input order), and returns their number and the first max of them.
func rankFlags(flags []StationFlag, max int) (int, []StationFlag) {
	var out []StationFlag
	for _, f := range flags {
		if f.Score >= FlagScore {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b StationFlag) int { return byScore(a.Score, b.Score, a.Index, b.Index) })
	n := len(out)
	if len(out) > max {
		out = out[:max]
	}
	return n, out
}

// countRules counts the stations raising each kind of signal.
func countRules(flags []StationFlag) []RuleCount {
	codes := []string{SigTurnoutAbove100, SigBoxAboveReg, SigBoxAboveIssued, SigFullTurnout, SigIdentical,
		SigSheetArithmetic, SigIntegerBoth, SigGroupTail, SigExtremeCluster}
	counts := map[string]int{}
	for _, f := range flags {
		for _, s := range f.Signals {
			counts[s.Code]++
		}
	}
	out := make([]RuleCount, len(codes))
	for i, c := range codes {
		out[i] = RuleCount{Code: c, Count: counts[c]}
	}
	return out
}

// fullTurnout counts the stations with ballots issued equal to registered.
func fullTurnout(d *dataset) FullTurnout {
	var f FullTurnout
	for i := range d.st {
		s := &d.st[i]
		if s.Registered <= 0 || s.Ballots != s.Registered {
			continue
		}
		f.Stations++
		f.Registered += s.Registered
		f.LeaderVotes += s.Votes[d.leader]
		f.Valid += s.Valid
		if s.Valid > 0 && 10*s.Votes[d.leader] >= 9*s.Valid {
			f.Landslide++
		}
	}
	f.LeaderShare = ratio(f.LeaderVotes, f.Valid)
	return f
}

// screenSummary runs the station screen over the analysed stations.
func screenSummary(d *dataset, maxTop int) ScreenSummary {
	r := Screen(d.st, d.leader, 0)
	out := ScreenSummary{Threshold: r.Threshold, Scored: r.Scored, Flagged: r.Flagged, Rate: r.FlagRate()}
	var top []ScreenScore
	for _, s := range r.Scores {
		if s.Flagged {
			s.Index = d.orig[s.Index]
			top = append(top, s)
		}
	}
	slices.SortStableFunc(top, func(a, b ScreenScore) int { return byScore(a.Score, b.Score, a.Index, b.Index) })
	if len(top) > maxTop {
		top = top[:maxTop]
	}
	for _, s := range top {
		m := s.message(d.names[d.leader])
		out.Top = append(out.Top, ScreenFlag{s, m.String(), m})
	}
	return out
}

// byScore orders highest score first, ties by index.
func byScore(sa, sb float64, ia, ib int) int {
	switch {
	case sa > sb:
		return -1
	case sa < sb:
		return 1
	}
	return ia - ib
}
