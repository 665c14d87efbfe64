package seats

import "sort"

// LargestRemainder divides seats among the weights by Hamilton's method
// (Hare quota, largest remainder). Every party first gets
// floor(weight×seats/total); the seats left go one each to the largest
// remainders weight×seats mod total, which share the denominator total and
// so compare exactly as integers. When parties tie at the cut-off for fewer
// seats than there are tied parties, those seats are returned as a Lot.
//
// The weights must name distinct, non-empty parties with non-negative
// values, and their total must be positive when seats > 0.
func LargestRemainder(seats int, weights []Weight) (Apportionment, error) {
	a, total, err := start(LargestRemainderMethod, seats, weights)
	if err != nil || seats == 0 {
		return a, err
	}
	a.Denominator = total
	left := seats
	for i := range a.Shares {
		q, r := mulDivMod(uint64(a.Shares[i].Weight), uint64(seats), uint64(total))
		a.Shares[i].Seats = int(q)
		a.Shares[i].Remainder = int64(r)
		left -= int(q)
	}
	if left == 0 {
		return a, nil
	}
	// Order by remainder, largest first; the sort is only to find the
	// cut-off, ties among equal remainders are resolved below, never by it.
	idx := make([]int, len(a.Shares))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return a.Shares[idx[x]].Remainder > a.Shares[idx[y]].Remainder })
	cut := a.Shares[idx[left-1]].Remainder
	var tied []int
	for _, i := range idx {
		switch r := a.Shares[i].Remainder; {
		case r > cut:
			a.Shares[i].Seats++
			left--
		case r == cut:
			tied = append(tied, i)
		}
	}
	award(&a, tied, left)
	return a, nil
}

// award gives one seat to each of the tied shares if there are seats enough
// for all of them, and otherwise records a lot for the seats left.
func award(a *Apportionment, tied []int, left int) {
	if len(tied) <= left {
		for _, i := range tied {
			a.Shares[i].Seats++
		}
		return
	}
	lot := &Lot{Seats: left}
	for _, i := range tied {
		a.Shares[i].InLot = true
		lot.Parties = append(lot.Parties, a.Shares[i].Party)
	}
	sort.Strings(lot.Parties)
	a.Lot = lot
}
