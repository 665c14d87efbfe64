package tally

// outcome is a contest's result on the tally's basis: the current sheets,
// plus the postal and re-admitted ballots itemised by the current final
// (form 49) declaration, if any. Postal ballots appear on no station sheet,
// so the final declaration is their only source.
type outcome struct {
	votes     []int64 // per candidate, ballot order
	winners   []int   // candidate positions with the most votes (several on a tie)
	tie       bool
	margin    int64 // winners' votes less the runners-up's; 0 on a tie
	polled    int64 // ballots cast at the stations plus postal ballots
	threshold int64 // recount threshold: min(ceil(percent × polled / 100), votes)
	recount   bool  // margin < threshold
}

// result computes a contest's outcome in O(candidates).
func (t *Tally) result(c *contest) outcome {
	o := outcome{votes: append([]int64(nil), c.sum...), polled: c.cast}
	if f := c.current[1]; f >= 0 {
		d := &c.decls[f]
		for i := range o.votes {
			o.votes[i] += d.postal[i] + d.readmitted[i]
			o.polled += d.postal[i]
		}
	}
	top, second := int64(-1), int64(-1)
	for _, n := range o.votes {
		switch {
		case n > top:
			top, second = n, top
		case n > second:
			second = n
		}
	}
	for i, n := range o.votes {
		if n == top {
			o.winners = append(o.winners, i)
		}
	}
	o.tie = len(o.winners) > 1
	switch {
	case o.tie:
		o.margin = 0
	case second >= 0:
		o.margin = top - second
	default:
		o.margin = top
	}
	pct := int64(t.def.Recount.MarginPercent)
	o.threshold = min((pct*o.polled+99)/100, t.def.Recount.MarginVotes)
	o.recount = len(o.votes) > 1 && o.margin < o.threshold
	return o
}
