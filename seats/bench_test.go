package seats

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// na2024Input is a National Assembly 2024-sized input: 266 general seats
// over 5 regions among 20 parties, some independents joining, one party
// without a list.
func na2024Input() Input {
	tb, _ := BuiltinTable("pk-na-2024")
	r := rand.New(rand.NewPCG(5, 6))
	in := Input{Table: tb, Gazette: "2024-02-15", NoList: []string{"P03"}}
	for _, reg := range tb.Regions {
		left := reg.General
		for p := 0; p < 20 && left > 0; p++ {
			n := min(left, 1+r.IntN(reg.General/4+1))
			party := fmt.Sprintf("P%02d", p)
			if p == 19 {
				party = Independent
				n = left
			}
			in.Won = append(in.Won, Won{reg.Name, party, n})
			left -= n
		}
		if left > 0 {
			in.Won = append(in.Won, Won{reg.Name, Independent, left})
		}
	}
	return in
}

// BenchmarkAllocate measures a whole National Assembly allocation: women's
// seats of every province, non-Muslim seats, and the house with its
// coalitions. Compare with BenchmarkSort1000, sorting 1,000 ints.
func BenchmarkAllocate(b *testing.B) {
	in := na2024Input()
	b.ReportAllocs()
	for b.Loop() {
		res, err := Allocate(in)
		if err != nil {
			b.Fatal(err)
		}
		_ = NewHouse(res)
	}
}

// BenchmarkSort1000 is the reference: sort 1,000 random ints.
func BenchmarkSort1000(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	src := make([]int, 1000)
	for i := range src {
		src[i] = r.Int()
	}
	buf := make([]int, len(src))
	for b.Loop() {
		copy(buf, src)
		slices.Sort(buf)
	}
}

// BenchmarkDHondt measures a large list election: 500 seats, 30 parties,
// 100 million votes.
func BenchmarkDHondt(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	w := make([]Weight, 30)
	for i := range w {
		w[i] = Weight{fmt.Sprintf("P%02d", i), int64(r.IntN(10_000_000))}
	}
	for b.Loop() {
		if _, err := Apportion(DHondtMethod, 500, w, 300); err != nil {
			b.Fatal(err)
		}
	}
}
