package seats

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"
)

// Method names an apportionment method.
type Method string

const (
	// LargestRemainderMethod is Hamilton's method, also called Hare largest
	// remainder: each party gets the whole part of weight×seats/total, and
	// the seats left go to the largest fractional parts.
	LargestRemainderMethod Method = "largest-remainder"
	// DHondtMethod is the highest-averages method with divisors 1, 2, 3, …
	DHondtMethod Method = "dhondt"
	// SainteLagueMethod is the highest-averages method with divisors 1, 3, 5, …
	SainteLagueMethod Method = "sainte-lague"
)

// Weight is what a party brings to an apportionment: the general seats it
// won (reserved seats) or its votes (list methods).
type Weight struct {
	Party string `json:"party"`
	Value int64  `json:"value"`
}

// Share is one party's part of an apportionment.
type Share struct {
	Party  string `json:"party"`
	Weight int64  `json:"weight"`
	// Seats is the number of seats the party is entitled to for certain,
	// not counting a seat it may win by lot.
	Seats int `json:"seats"`
	// Remainder is, for the largest-remainder method, the numerator of the
	// fractional part of the party's exact quota share
	// weight×seats/Apportionment.Denominator.
	Remainder int64 `json:"remainder,omitempty"`
	// InLot reports that the party is one of those tied for the seats of
	// Apportionment.Lot.
	InLot bool `json:"in_lot,omitempty"`
	// Pending is, for reserved seats, how many of Seats the party's list is
	// too short to fill. They stay pending; they are never handed to
	// another party.
	Pending int `json:"pending,omitempty"`
}

// Filled returns the seats the party fills: Seats less Pending.
func (s Share) Filled() int { return s.Seats - s.Pending }

// Lot is a tie at the cut-off: Seats seats are to be drawn by lot among
// Parties (sorted by name), each of which can take at most one of them.
type Lot struct {
	Seats   int      `json:"seats"`
	Parties []string `json:"parties"`
}

// String says what is to be drawn, e.g. "lot required between A and B for 1 seat".
func (l *Lot) String() string {
	names := l.Parties
	var who string
	switch len(names) {
	case 0:
		who = "no one"
	case 1:
		who = names[0]
	default:
		who = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	unit := "seats"
	if l.Seats == 1 {
		unit = "seat"
	}
	return fmt.Sprintf("lot required between %s for %d %s", who, l.Seats, unit)
}

// Exclusion is a party left out of an apportionment, and why.
type Exclusion struct {
	Party  string `json:"party"`
	Reason string `json:"reason"`
}

// Apportionment is the outcome of dividing Seats among parties.
//
// Invariant: the sum of Shares[i].Seats plus Lot.Seats (if any) is Seats.
type Apportionment struct {
	Method Method `json:"method"`
	Seats  int    `json:"seats"`
	// Denominator is, for the largest-remainder method, the total weight of
	// the parties taking part: the quota is Denominator/Seats.
	Denominator int64 `json:"denominator,omitempty"`
	// Shares lists the parties taking part, by weight (largest first), then
	// by name.
	Shares []Share `json:"shares"`
	// Lot is the tie at the cut-off, if there is one.
	Lot *Lot `json:"lot,omitempty"`
	// Excluded lists the parties left out before the seats were divided
	// (below a threshold, without a list, without a general seat), by name.
	Excluded []Exclusion `json:"excluded,omitempty"`
}

// SeatsOf returns the seats party is certain to get (0 if it takes no part).
func (a Apportionment) SeatsOf(party string) int {
	for _, s := range a.Shares {
		if s.Party == party {
			return s.Seats
		}
	}
	return 0
}

// maxSeats bounds the seats of one apportionment; divisor methods take time
// proportional to seats × parties.
const maxSeats = 1_000_000

// start validates the arguments and returns an apportionment whose shares
// are the weights in canonical order, with their total.
func start(m Method, seats int, weights []Weight) (Apportionment, int64, error) {
	if seats < 0 || seats > maxSeats {
		return Apportionment{}, 0, fmt.Errorf("seats: must be between 0 and %d (got %d)", maxSeats, seats)
	}
	a := Apportionment{Method: m, Seats: seats, Shares: make([]Share, 0, len(weights))}
	seen := make(map[string]bool, len(weights))
	var total uint64
	for i, w := range weights {
		switch {
		case w.Party == "":
			return Apportionment{}, 0, fmt.Errorf("weights[%d].party: must not be empty", i)
		case seen[w.Party]:
			return Apportionment{}, 0, fmt.Errorf("weights[%d].party: %q appears twice; give each party once with its total", i, w.Party)
		case w.Value < 0:
			return Apportionment{}, 0, fmt.Errorf("weights[%d].value: %s has %d; counts cannot be negative", i, w.Party, w.Value)
		}
		seen[w.Party] = true
		total += uint64(w.Value)
		if total > 1<<62 {
			return Apportionment{}, 0, fmt.Errorf("weights: total exceeds 2^62; counts this large are not election results")
		}
		a.Shares = append(a.Shares, Share{Party: w.Party, Weight: w.Value})
	}
	sort.Slice(a.Shares, func(i, j int) bool {
		if a.Shares[i].Weight != a.Shares[j].Weight {
			return a.Shares[i].Weight > a.Shares[j].Weight
		}
		return a.Shares[i].Party < a.Shares[j].Party
	})
	if seats > 0 && total == 0 {
		return Apportionment{}, 0, fmt.Errorf("weights: %d seats to divide but no party has any weight", seats)
	}
	return a, int64(total), nil
}

// mulDivMod returns (a×b) / c and (a×b) mod c exactly, using a 128-bit
// product. It requires a ≤ c (a share of a total), so the quotient is at most
// b and fits.
func mulDivMod(a, b, c uint64) (q, r uint64) {
	hi, lo := bits.Mul64(a, b)
	return bits.Div64(hi, lo, c)
}

// cmpFrac compares a/b with c/d for positive b and d, exactly: it returns
// -1, 0 or +1 as a×d is less than, equal to or greater than c×b.
func cmpFrac(a, b, c, d uint64) int {
	h1, l1 := bits.Mul64(a, d)
	h2, l2 := bits.Mul64(c, b)
	switch {
	case h1 != h2:
		return cmpU(h1, h2)
	default:
		return cmpU(l1, l2)
	}
}

func cmpU(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// Apportion divides seats among the parties' votes by method m, after
// leaving out the parties whose votes are below the threshold.
//
// thresholdBP is the threshold in basis points (hundredths of a percent) of
// the total votes of all the parties given: 500 is 5%, 67 is 0.67%. A party
// takes part when votes×10000 ≥ thresholdBP×total, that is, when it reaches
// the threshold exactly or passes it. The seats are then divided over the
// votes of the parties taking part only. Parties left out are listed in
// Excluded with their exact share.
func Apportion(m Method, seats int, votes []Weight, thresholdBP int) (Apportionment, error) {
	if thresholdBP < 0 || thresholdBP > 10000 {
		return Apportionment{}, fmt.Errorf("threshold: must be between 0 and 10000 basis points (100%%) (got %d)", thresholdBP)
	}
	all, total, err := start(m, 0, votes)
	if err != nil {
		return Apportionment{}, err
	}
	var in []Weight
	var out []Exclusion
	for _, s := range all.Shares {
		if cmpFrac(uint64(s.Weight), 1, uint64(thresholdBP)*uint64(total), 10000) >= 0 {
			in = append(in, Weight{s.Party, s.Weight})
			continue
		}
		out = append(out, Exclusion{s.Party, fmt.Sprintf("below the threshold of %s: %d of %d votes", formatBP(thresholdBP), s.Weight, total)})
	}
	var a Apportionment
	switch m {
	case LargestRemainderMethod:
		a, err = LargestRemainder(seats, in)
	case DHondtMethod:
		a, err = DHondt(seats, in)
	case SainteLagueMethod:
		a, err = SainteLague(seats, in)
	default:
		return Apportionment{}, fmt.Errorf("method: unknown method %q; use %q, %q or %q", m, LargestRemainderMethod, DHondtMethod, SainteLagueMethod)
	}
	if err != nil {
		return Apportionment{}, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Party < out[j].Party })
	a.Excluded = out
	return a, nil
}

// formatBP writes basis points as a percentage: 500 → "5%", 67 → "0.67%".
func formatBP(bp int) string {
	s := fmt.Sprintf("%d.%02d", bp/100, bp%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}
