package seats

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestMajorityLines(t *testing.T) {
	for _, tt := range []struct{ n, simple, twoThirds int }{
		{336, 169, 224}, {342, 172, 228}, {266, 134, 178}, {371, 186, 248}, {3, 2, 2}, {1, 1, 1}, {0, 1, 0},
	} {
		s, tt2 := MajorityLines(tt.n)
		if s != tt.simple || tt2 != tt.twoThirds {
			t.Errorf("MajorityLines(%d) = %d, %d; want %d, %d", tt.n, s, tt2, tt.simple, tt.twoThirds)
		}
	}
}

func TestMinimalCoalitions(t *testing.T) {
	ms := []Member{{Party: "A", Total: 5}, {Party: "B", Total: 4}, {Party: "C", Total: 2}, {Party: "D", Total: 1}}
	got := MinimalCoalitions(ms, 7)
	want := []Coalition{{[]string{"A", "B"}, 9}, {[]string{"A", "C"}, 7}, {[]string{"B", "C", "D"}, 7}}
	if !reflect.DeepEqual(got.Coalitions, want) || got.Truncated {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := MinimalCoalitions(ms, 13); len(got.Coalitions) != 0 {
		t.Errorf("line above the house: %+v", got)
	}
	if got := MinimalCoalitions(ms, 5); !reflect.DeepEqual(got.Coalitions[0], Coalition{[]string{"A"}, 5}) {
		t.Errorf("a party alone at the line: %+v", got.Coalitions)
	}
}

// TestMinimalCoalitionsBruteForce compares the search with every subset of
// small random houses.
func TestMinimalCoalitionsBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 500; iter++ {
		n := 1 + r.IntN(8)
		ms := make([]Member, n)
		total := 0
		for i := range ms {
			ms[i] = Member{Party: string(rune('A' + i)), Total: r.IntN(20)}
			total += ms[i].Total
		}
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Total > ms[j].Total })
		line := 1 + r.IntN(total+2)
		var want []string
		for mask := 1; mask < 1<<n; mask++ {
			sum, min := 0, 1<<30
			var names []string
			for i := 0; i < n; i++ {
				if mask&(1<<i) != 0 {
					sum += ms[i].Total
					min = minInt(min, ms[i].Total)
					names = append(names, ms[i].Party)
				}
			}
			if sum >= line && sum-min < line && min > 0 {
				want = append(want, strings.Join(names, "+"))
			}
		}
		var got []string
		for _, c := range MinimalCoalitions(ms, line).Coalitions {
			got = append(got, strings.Join(c.Parties, "+"))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("%v line %d:\n got %v\nwant %v", ms, line, got, want)
		}
	}
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func TestMinimalCoalitionsBounded(t *testing.T) {
	ms := make([]Member, 40)
	for i := range ms {
		ms[i] = Member{Party: string(rune('A'+i%26)) + string(rune('a'+i/26)), Total: 10}
	}
	got := MinimalCoalitions(ms, 201)
	if !got.Truncated || len(got.Coalitions) != MaxCoalitions {
		t.Errorf("truncated %v with %d coalitions, want true with %d", got.Truncated, len(got.Coalitions), MaxCoalitions)
	}
}
