package seats

// DHondt divides seats among the weights by the D'Hondt method: seat by
// seat, the party with the highest quotient weight/(s+1), where s is the
// seats it already has, takes the next seat.
//
// Ties are handled a whole round at a time: all the parties sharing the
// highest quotient take a seat each if enough seats are left, and otherwise
// the seats left are returned as a Lot among them. Quotients are compared by
// exact cross-multiplication.
func DHondt(seats int, weights []Weight) (Apportionment, error) {
	return highestAverages(DHondtMethod, seats, weights, func(s int) uint64 { return uint64(s) + 1 })
}

// SainteLague divides seats among the weights by the Sainte-Laguë (Webster)
// method: as DHondt, with divisors 2s+1 (1, 3, 5, …). Ties are handled as in
// DHondt.
func SainteLague(seats int, weights []Weight) (Apportionment, error) {
	return highestAverages(SainteLagueMethod, seats, weights, func(s int) uint64 { return 2*uint64(s) + 1 })
}

// highestAverages runs a divisor method with divisor(s) for a party holding
// s seats. It takes O(seats × parties) time.
func highestAverages(m Method, seats int, weights []Weight, divisor func(int) uint64) (Apportionment, error) {
	a, _, err := start(m, seats, weights)
	if err != nil {
		return a, err
	}
	left := seats
	for left > 0 {
		var best []int
		for i, s := range a.Shares {
			if s.Weight == 0 {
				continue
			}
			if len(best) == 0 {
				best = append(best, i)
				continue
			}
			b := a.Shares[best[0]]
			switch cmpFrac(uint64(s.Weight), divisor(s.Seats), uint64(b.Weight), divisor(b.Seats)) {
			case 1:
				best = append(best[:0], i)
			case 0:
				best = append(best, i)
			}
		}
		award(&a, best, left)
		if a.Lot != nil {
			break
		}
		left -= len(best)
	}
	return a, nil
}
