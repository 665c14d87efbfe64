package seats

import (
	"reflect"
	"strings"
	"testing"
)

// oneRegion is a small assembly for rule tests: one region with the given
// general and women's seats and nonMuslim seats over the whole.
func oneRegion(general, women, nonMuslim int) Table {
	return Table{Name: "test", Assembly: "Test Assembly", NonMuslim: nonMuslim, Regions: []Region{{"R", general, women}}}
}

func won(region string, kv ...any) []Won {
	var out []Won
	for i := 0; i < len(kv); i += 2 {
		out = append(out, Won{region, kv[i].(string), kv[i+1].(int)})
	}
	return out
}

func excludedOf(r Reserved) map[string]string {
	m := map[string]string{}
	for _, e := range r.Excluded {
		m[e.Party] = e.Reason
	}
	return m
}

// TestNoListRecomputedFromScratch: women 2 over A 8, B 2, C 3, D 1. With
// C's list, quotas are 16/14, 4/14, 6/14, 2/14 and the remainder seat goes
// to C. Without it, handing C's seat down the old remainders would give it
// to B (4/14); recomputing from scratch over 11 seats gives A 16/11 and the
// remainder seat to A (5/11 beats B's 4/11).
func TestNoListRecomputedFromScratch(t *testing.T) {
	in := Input{Table: oneRegion(14, 2, 0), Won: won("R", "A", 8, "B", 2, "C", 3, "D", 1)}
	res, err := Allocate(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := seatsOf(res.Women[0].Apportionment); !reflect.DeepEqual(got, map[string]int{"A": 1, "C": 1}) {
		t.Fatalf("with C's list: %v", got)
	}
	in.NoList = []string{"C"}
	res, err = Allocate(in)
	if err != nil {
		t.Fatal(err)
	}
	w := res.Women[0]
	if got := seatsOf(w.Apportionment); !reflect.DeepEqual(got, map[string]int{"A": 2}) {
		t.Errorf("without C's list: %v, want A 2 (recomputed), not A 1 B 1 (handed down)", got)
	}
	if w.Denominator != 11 {
		t.Errorf("denominator %d, want 11 (C's 3 seats out)", w.Denominator)
	}
	if !strings.Contains(excludedOf(w)["C"], "no priority list") {
		t.Errorf("C not reported as excluded for want of a list: %v", w.Excluded)
	}
	// A list of length 0 is the same as no list, for that kind only.
	in.NoList = nil
	in.Lists = []List{{Region: "R", Party: "C", Kind: Women, Length: 0}}
	res, _ = Allocate(in)
	if got := seatsOf(res.Women[0].Apportionment); !reflect.DeepEqual(got, map[string]int{"A": 2}) {
		t.Errorf("with an empty list: %v, want A 2", got)
	}
}

// TestLotAtCutOff: parties tie for the last seats and there are fewer seats
// than tied parties: the result is a lot, and no tied party gets the seat.
func TestLotAtCutOff(t *testing.T) {
	for _, tt := range []struct {
		women int
		won   []Won
		seats map[string]int
		lot   string
	}{
		{1, won("R", "A", 1, "B", 1), map[string]int{}, "lot required between A and B for 1 seat"},
		{2, won("R", "A", 2, "B", 1, "C", 1), map[string]int{"A": 1}, "lot required between B and C for 1 seat"},
		{2, won("R", "A", 3, "B", 3, "C", 3), map[string]int{}, "lot required between A, B and C for 2 seats"},
		// KP Assembly 2024 shape: one seat left, two one-seat parties.
		{3, won("R", "A", 4, "B", 1, "C", 1), map[string]int{"A": 2}, "lot required between B and C for 1 seat"},
	} {
		res, err := Allocate(Input{Table: oneRegion(10, tt.women, 0), Won: tt.won})
		if err != nil {
			t.Fatal(err)
		}
		w := res.Women[0]
		if w.Lot == nil || w.Lot.String() != tt.lot {
			t.Errorf("%v: lot %v, want %q", tt.won, w.Lot, tt.lot)
			continue
		}
		if got := seatsOf(w.Apportionment); !reflect.DeepEqual(got, tt.seats) {
			t.Errorf("%v: certain seats %v, want %v", tt.won, got, tt.seats)
		}
		if h := NewHouse(res); h.InLot != w.Lot.Seats {
			t.Errorf("house counts %d seats in lot, want %d", h.InLot, w.Lot.Seats)
		}
	}
}

// TestShortListPending: A is entitled to 2 women's seats but listed 1
// woman; the second seat stays pending and B does not get it.
func TestShortListPending(t *testing.T) {
	in := Input{
		Table: oneRegion(15, 3, 1),
		Won:   won("R", "A", 10, "B", 5),
		Lists: []List{{Region: "R", Party: "A", Kind: Women, Length: 1}, {Party: "A", Kind: NonMuslim, Length: 5}},
	}
	res, err := Allocate(in)
	if err != nil {
		t.Fatal(err)
	}
	w := res.Women[0]
	if w.SeatsOf("A") != 2 || w.SeatsOf("B") != 1 {
		t.Fatalf("entitlement %v, want A 2 B 1", seatsOf(w.Apportionment))
	}
	if w.Shares[0].Party != "A" || w.Shares[0].Pending != 1 || w.Shares[0].Filled() != 1 {
		t.Errorf("A's share %+v, want 1 pending, 1 filled", w.Shares[0])
	}
	h := NewHouse(res)
	a, b := member(h, "A"), member(h, "B")
	if a.Women != 1 || a.Pending != 1 || a.NonMuslim != 1 || a.Total != 12 || b.Women != 1 || b.Total != 6 || h.Pending != 1 {
		t.Errorf("house A %+v B %+v pending %d", a, b, h.Pending)
	}
}

func member(h House, p string) Member {
	for _, m := range h.Members {
		if m.Party == p {
			return m
		}
	}
	return Member{}
}

// TestJoinWindow: the gazette is 2024-02-15; a join on day 3 counts, on
// day 4 or before publication it does not.
func TestJoinWindow(t *testing.T) {
	in := Input{
		Table:   oneRegion(20, 4, 0),
		Won:     won("R", "A", 8, "B", 4, Independent, 8),
		Gazette: "2024-02-15",
		Joins: []Join{
			{"R", "A", 2, "2024-02-15"}, // day 0
			{"R", "B", 4, "2024-02-18"}, // day 3
			{"R", "A", 1, "2024-02-19"}, // day 4
			{"R", "B", 1, "2024-02-14"}, // before the gazette
		},
	}
	res, err := Allocate(in)
	if err != nil {
		t.Fatal(err)
	}
	var counted []bool
	for _, d := range res.Joins {
		counted = append(counted, d.Counted)
	}
	if !reflect.DeepEqual(counted, []bool{true, true, false, false}) {
		t.Errorf("counted %v, want [true true false false]", counted)
	}
	if !strings.Contains(res.Joins[2].Reason, "more than 3 days") || !strings.Contains(res.Joins[3].Reason, "before the gazette") {
		t.Errorf("reasons: %q, %q", res.Joins[2].Reason, res.Joins[3].Reason)
	}
	wantGeneral := []Won{{"R", "A", 10}, {"R", "B", 8}, {"R", Independent, 2}}
	if !reflect.DeepEqual(res.General, wantGeneral) {
		t.Errorf("general %v, want %v", res.General, wantGeneral)
	}
	// 4 seats over 18: A 40/18 = 2 r4, B 32/18 = 1 r14: A 2, B 2. Had the
	// 2 independents counted for anyone the quota would be 20/4.
	w := res.Women[0]
	if w.Denominator != 18 || w.SeatsOf("A") != 2 || w.SeatsOf("B") != 2 {
		t.Errorf("women %+v", w.Apportionment)
	}
	if h := NewHouse(res); h.Independents != 2 {
		t.Errorf("independents in house %d, want 2", h.Independents)
	}
}

// TestZeroGeneralSeats: a party without a general seat gets nothing even
// with a list; a party without a seat of its own that independents joined
// in time takes part on their seats; joined but without a list, it is
// left out (the 2024 Sunni Ittehad Council question) and so are the seats.
func TestZeroGeneralSeats(t *testing.T) {
	in := Input{
		Table:   oneRegion(12, 3, 0),
		Won:     won("R", "A", 6, "Z", 0, Independent, 6),
		Gazette: "2024-02-15",
		Joins:   []Join{{"R", "J", 3, "2024-02-16"}, {"R", "S", 3, "2024-02-16"}},
		NoList:  []string{"S"},
	}
	res, err := Allocate(in)
	if err != nil {
		t.Fatal(err)
	}
	w := res.Women[0]
	ex := excludedOf(w)
	if ex["Z"] != "won no general seat" || !strings.Contains(ex["S"], "no priority list") {
		t.Errorf("excluded %v", w.Excluded)
	}
	// 3 seats over A 6 + J 3 = 9: A 2, J 1.
	if w.Denominator != 9 || w.SeatsOf("A") != 2 || w.SeatsOf("J") != 1 || w.SeatsOf("Z") != 0 {
		t.Errorf("women %+v", w.Apportionment)
	}
	// Nobody eligible: the seats are unallocated, not given away.
	res, err = Allocate(Input{Table: oneRegion(12, 3, 1), Won: won("R", "A", 6, Independent, 6), NoList: []string{"A"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Women[0].Unallocated != 3 || res.NonMuslim.Unallocated != 1 || NewHouse(res).Unallocated != 4 {
		t.Errorf("unallocated women %d non-Muslim %d", res.Women[0].Unallocated, res.NonMuslim.Unallocated)
	}
}

// TestNonMuslimNational: non-Muslim seats use the general seats of all
// regions together, regions without women's seats included; women's seats
// use each region's own.
func TestNonMuslimNational(t *testing.T) {
	tb := Table{Name: "t", Assembly: "T", NonMuslim: 3, Regions: []Region{{"N", 6, 2}, {"S", 6, 2}, {"C", 3, 0}}}
	res, err := Allocate(Input{Table: tb, Won: append(append(won("N", "A", 6), won("S", "B", 6)...), won("C", "C", 3)...)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Women) != 2 || res.Women[0].SeatsOf("A") != 2 || res.Women[1].SeatsOf("B") != 2 {
		t.Errorf("women %+v", res.Women)
	}
	// 3 over 15: A 18/15 = 1 r3, B 1 r3, C 9/15 = 0 r9 → C.
	nm := res.NonMuslim
	if nm.Denominator != 15 || nm.SeatsOf("A") != 1 || nm.SeatsOf("B") != 1 || nm.SeatsOf("C") != 1 {
		t.Errorf("non-Muslim %+v", nm.Apportionment)
	}
}

func TestAllocateVacant(t *testing.T) {
	res, err := Allocate(Input{Table: oneRegion(10, 2, 0), Won: won("R", "A", 4, "B", 4)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Vacant, []Won{{Region: "R", Seats: 2}}) || res.Women[0].Denominator != 8 {
		t.Errorf("vacant %v denominator %d", res.Vacant, res.Women[0].Denominator)
	}
	if h := NewHouse(res); h.Vacant != 2 || h.Seats != 12 {
		t.Errorf("house vacant %d seats %d", h.Vacant, h.Seats)
	}
}

func TestAllocateErrors(t *testing.T) {
	tb := oneRegion(10, 2, 1)
	for _, tt := range []struct {
		name string
		in   Input
		want string
	}{
		{"unknown region", Input{Table: tb, Won: won("X", "A", 1)}, `won[0].region: "X" is not a region of table test; use one of "R"`},
		{"too many in region", Input{Table: tb, Won: won("R", "A", 6, "B", 5)}, "11 general seats won in R but table test has 10"},
		{"row above region", Input{Table: tb, Won: won("R", "A", 11)}, "won[0].seats"},
		{"negative", Input{Table: tb, Won: won("R", "A", -1)}, "won[0].seats"},
		{"duplicate", Input{Table: tb, Won: won("R", "A", 1, "A", 2)}, "won[1]: A in R appears twice"},
		{"independent spelling", Input{Table: tb, Won: won("R", "IND", 1)}, `write independents as "Independent"`},
		{"padded party", Input{Table: tb, Won: won("R", " A", 1)}, "leading or trailing spaces"},
		{"no gazette", Input{Table: tb, Won: won("R", Independent, 1), Joins: []Join{{"R", "A", 1, "2024-01-01"}}}, "gazette:"},
		{"joins exceed", Input{Table: tb, Won: won("R", Independent, 1), Gazette: "2024-01-01", Joins: []Join{{"R", "A", 1, "2024-01-01"}, {"R", "B", 1, "2024-01-02"}}}, "joins[1]: 2 independents of R joined parties, but only 1"},
		{"join independent", Input{Table: tb, Won: won("R", Independent, 1), Gazette: "2024-01-01", Joins: []Join{{"R", Independent, 1, "2024-01-01"}}}, "name the party they joined"},
		{"join bad date", Input{Table: tb, Won: won("R", Independent, 1), Gazette: "2024-01-01", Joins: []Join{{"R", "A", 1, "1/2/2024"}}}, "joins[0].date"},
		{"list kind", Input{Table: tb, Won: won("R", "A", 1), Lists: []List{{Region: "R", Party: "A", Kind: "men", Length: 1}}}, `lists[0].kind: "men"`},
		{"non-muslim region", Input{Table: tb, Won: won("R", "A", 1), Lists: []List{{Region: "R", Party: "A", Kind: NonMuslim, Length: 1}}}, "leave the region empty"},
		{"list and no list", Input{Table: tb, Won: won("R", "A", 1), NoList: []string{"A"}, Lists: []List{{Region: "R", Party: "A", Kind: Women, Length: 1}}}, "declared to have no list"},
		{"bad table", Input{Table: Table{Name: "t"}}, "assembly: must not be empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Allocate(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
