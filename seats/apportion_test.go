package seats

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// textbook is the worked example used in most descriptions of the list
// methods: 8 seats, votes A 100,000, B 80,000, C 30,000, D 20,000.
var textbook = []Weight{{"A", 100_000}, {"B", 80_000}, {"C", 30_000}, {"D", 20_000}}

func seatsOf(a Apportionment) map[string]int {
	m := map[string]int{}
	for _, s := range a.Shares {
		if s.Seats > 0 {
			m[s.Party] = s.Seats
		}
	}
	return m
}

func TestMethods(t *testing.T) {
	tests := []struct {
		name    string
		method  Method
		seats   int
		weights []Weight
		bp      int
		want    map[string]int
		lot     string
		exclude []string
	}{
		// D'Hondt: quotients 100 80 50 40 33.3 30 26.7 25 | 20 20 20.
		{"dhondt textbook", DHondtMethod, 8, textbook, 0, map[string]int{"A": 4, "B": 3, "C": 1}, "", nil},
		// Sainte-Laguë: 100 80 33.3 30 26.7 20 20 16 | 14.3: A and D tie
		// at 20 for the 6th and 7th seats, both fit.
		{"sainte-lague textbook", SainteLagueMethod, 8, textbook, 0, map[string]int{"A": 3, "B": 3, "C": 1, "D": 1}, "", nil},
		// Hare: quotas 3.478 2.783 1.043 0.696: floors 3 2 1 0, the two
		// seats left go to B (.783) and D (.696).
		{"hare textbook", LargestRemainderMethod, 8, textbook, 0, map[string]int{"A": 3, "B": 3, "C": 1, "D": 1}, "", nil},
		// 10% of 230,000 is 23,000: D is out, the 8 seats are divided over
		// 210,000 votes.
		{"dhondt threshold", DHondtMethod, 8, textbook, 1000, map[string]int{"A": 4, "B": 3, "C": 1}, "", []string{"D"}},
		{"hare threshold", LargestRemainderMethod, 8, textbook, 1000, map[string]int{"A": 4, "B": 3, "C": 1}, "", []string{"D"}},
		// exactly at the threshold is in: 20,000 × 10000 = 869.56…bp; 869bp is in, 870bp is out.
		{"at threshold in", SainteLagueMethod, 8, textbook, 869, map[string]int{"A": 3, "B": 3, "C": 1, "D": 1}, "", nil},
		// without D: 100 80 33.3 30 26.7 20 16 14.3 | 11.4
		{"just above threshold out", SainteLagueMethod, 8, textbook, 870, map[string]int{"A": 4, "B": 3, "C": 1}, "", []string{"D"}},
		{"exact threshold 50% in", DHondtMethod, 2, []Weight{{"A", 50}, {"B", 30}, {"C", 20}}, 5000, map[string]int{"A": 2}, "", []string{"B", "C"}},
		// ties at the cut-off
		{"dhondt lot", DHondtMethod, 3, []Weight{{"A", 10}, {"B", 10}, {"C", 10}}, 0, map[string]int{"A": 1, "B": 1, "C": 1}, "", nil},
		{"dhondt lot 1 of 2", DHondtMethod, 1, []Weight{{"B", 10}, {"A", 10}}, 0, map[string]int{}, "lot required between A and B for 1 seat", nil},
		// A takes the first seat at 30, then A (30/3), B and C tie at 10 for two.
		{"sainte-lague lot after seats", SainteLagueMethod, 3, []Weight{{"A", 30}, {"B", 10}, {"C", 10}}, 0, map[string]int{"A": 1}, "lot required between A, B and C for 2 seats", nil},
		{"hare lot", LargestRemainderMethod, 3, []Weight{{"A", 5}, {"B", 5}, {"C", 2}, {"D", 2}, {"E", 2}}, 0, map[string]int{"A": 1, "B": 1}, "lot required between C, D and E for 1 seat", nil},
		{"hare tie fits", LargestRemainderMethod, 4, []Weight{{"A", 1}, {"B", 1}, {"C", 2}}, 0, map[string]int{"A": 1, "B": 1, "C": 2}, "", nil},
		{"zero seats", DHondtMethod, 0, textbook, 0, map[string]int{}, "", nil},
		{"zero weight party", LargestRemainderMethod, 2, []Weight{{"A", 3}, {"Z", 0}}, 0, map[string]int{"A": 2}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Apportion(tt.method, tt.seats, tt.weights, tt.bp)
			if err != nil {
				t.Fatal(err)
			}
			if got := seatsOf(a); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("seats = %v, want %v", got, tt.want)
			}
			lot := ""
			if a.Lot != nil {
				lot = a.Lot.String()
			}
			if lot != tt.lot {
				t.Errorf("lot = %q, want %q", lot, tt.lot)
			}
			var excluded []string
			for _, e := range a.Excluded {
				excluded = append(excluded, e.Party)
			}
			if !reflect.DeepEqual(excluded, tt.exclude) {
				t.Errorf("excluded = %v, want %v", excluded, tt.exclude)
			}
			checkInvariant(t, a)
		})
	}
}

// checkInvariant checks that every seat is either given or in the lot.
func checkInvariant(t *testing.T, a Apportionment) {
	t.Helper()
	n, inLot := 0, 0
	for _, s := range a.Shares {
		n += s.Seats
		if s.InLot {
			inLot++
		}
	}
	if a.Lot != nil {
		n += a.Lot.Seats
		if inLot != len(a.Lot.Parties) || a.Lot.Seats >= inLot {
			t.Errorf("lot %v inconsistent with %d shares in lot", a.Lot, inLot)
		}
	}
	if n != a.Seats {
		t.Errorf("seats given %d, want %d (%+v)", n, a.Seats, a)
	}
}

func TestApportionErrors(t *testing.T) {
	tests := []struct {
		name    string
		method  Method
		seats   int
		weights []Weight
		bp      int
		want    string
	}{
		{"negative", DHondtMethod, 1, []Weight{{"A", -1}}, 0, "cannot be negative"},
		{"duplicate", DHondtMethod, 1, []Weight{{"A", 1}, {"A", 2}}, 0, `"A" appears twice`},
		{"empty party", SainteLagueMethod, 1, []Weight{{"", 1}}, 0, "must not be empty"},
		{"no weight", LargestRemainderMethod, 1, []Weight{{"A", 0}}, 0, "no party has any weight"},
		{"negative seats", LargestRemainderMethod, -1, textbook, 0, "seats: must be between"},
		{"threshold", DHondtMethod, 1, textbook, 10001, "threshold"},
		{"method", Method("imperiali"), 1, textbook, 0, `unknown method "imperiali"`},
		{"all below threshold", DHondtMethod, 1, []Weight{{"A", 1}, {"B", 1}, {"C", 1}}, 5000, "no party has any weight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Apportion(tt.method, tt.seats, tt.weights, tt.bp)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestOrderIndependent checks that shuffling the input never changes the
// outcome, for every method, on random inputs with frequent ties.
func TestOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		n := 1 + r.IntN(6)
		w := make([]Weight, n)
		for j := range w {
			w[j] = Weight{string(rune('A' + j)), int64(1 + r.IntN(6))}
		}
		seats := r.IntN(12)
		for _, m := range []Method{LargestRemainderMethod, DHondtMethod, SainteLagueMethod} {
			a, err := Apportion(m, seats, w, 0)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariant(t, a)
			s := append([]Weight(nil), w...)
			r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
			b, _ := Apportion(m, seats, s, 0)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s %d seats: %v gives %+v, shuffled %+v", m, seats, w, a, b)
			}
		}
	}
}

// TestLargeNumbers checks exactness where float64 would round: weights near
// 2^53 that differ by one.
func TestLargeNumbers(t *testing.T) {
	const big = 1 << 53
	a, err := DHondt(1, []Weight{{"A", big + 1}, {"B", big}})
	if err != nil {
		t.Fatal(err)
	}
	if a.SeatsOf("A") != 1 || a.Lot != nil {
		t.Errorf("A should win outright: %+v", a)
	}
	a, err = LargestRemainder(2, []Weight{{"A", big + 1}, {"B", big}, {"C", big}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Lot == nil || !reflect.DeepEqual(a.Lot.Parties, []string{"B", "C"}) || a.SeatsOf("A") != 1 {
		t.Errorf("want A 1 and a lot between B and C: %+v", a)
	}
}
