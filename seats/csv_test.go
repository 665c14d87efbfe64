package seats

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseWon(t *testing.T) {
	in := "\ufeffregion,party,seats\nPunjab,PML-N,61\n\"Khyber Pakhtunkhwa\",\"Party, with comma\",0\n"
	got, err := ParseWon(strings.NewReader(in), "won.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Won{{"Punjab", "PML-N", 61}, {"Khyber Pakhtunkhwa", "Party, with comma", 0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		parse func(string) error
		in    string
		want  string
	}{
		{parseWon, "", `won.csv: empty; the first line must be the header "region,party,seats"`},
		{parseWon, "region,party\n", "won.csv:1: has 2 columns, want 3"},
		{parseWon, "Region,Party,Seats\n", `won.csv:1: header is "Region,Party,Seats", want "region,party,seats"`},
		{parseWon, "region,party,seats\nPunjab,A,1\nPunjab,B\n", "won.csv:3: has 2 columns, want 3"},
		{parseWon, "region,party,seats\nPunjab,A,x\n", `won.csv:2: column seats: "x" is not a whole number`},
		{parseWon, "region,party,seats\nPunjab,A,-1\n", `won.csv:2: column seats: "-1"`},
		{parseWon, "region,party,seats\nPunjab,A,+1\n", `column seats: "+1"`},
		{parseWon, "region,party,seats\nPunjab,A, 1\n", `column seats: " 1"`},
		{parseWon, "region,party,seats\nPunjab,A,100001\n", "from 0 to 100000"},
		{parseWon, "region,party,seats\nPunjab,\"A,1\n", "won.csv:"},
		{parseJoins, "region,party,seats,date\nR,A,1,12/02/2024\n", `joins.csv:2: column date: "12/02/2024" is not a date; write it as YYYY-MM-DD`},
		{parseJoins, "region,party,seats,date\nR,A,z,2024-02-12\n", "joins.csv:2: column seats"},
		{parseLists, "region,party,kind,length\nR,A,men,3\n", `lists.csv:2: column kind: "men" is not a kind of reserved seat`},
		{parseLists, "region,party,kind,length\n,A,non-muslim,\n", "lists.csv:2: column length"},
	} {
		if err := tt.parse(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func parseWon(s string) error   { _, err := ParseWon(strings.NewReader(s), "won.csv"); return err }
func parseJoins(s string) error { _, err := ParseJoins(strings.NewReader(s), "joins.csv"); return err }
func parseLists(s string) error { _, err := ParseLists(strings.NewReader(s), "lists.csv"); return err }

// FuzzParseWon checks that the parser never panics, and that whatever it
// accepts it accepts the same way when written back out, and that Allocate
// either accepts it or returns an error (never panics).
func FuzzParseWon(f *testing.F) {
	f.Add("region,party,seats\nPunjab,A,61\nSindh,Independent,2\n")
	f.Add("region,party,seats\n\"Khyber Pakhtunkhwa\",\"a,b\",0\n")
	f.Add("\ufeffregion,party,seats\r\nIslamabad,B,3\r\n")
	f.Add("region,party,seats\nPunjab,A,999999999999999999999\n")
	tb, _ := BuiltinTable("pk-na-2024")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParseWon(strings.NewReader(s), "won.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "won.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Seats < 0 || r.Seats > maxTableSeats {
				t.Fatalf("accepted out-of-range seats %d", r.Seats)
			}
		}
		res, err := Allocate(Input{Table: tb, Won: rows})
		if err == nil {
			h := NewHouse(res)
			if h.Seats != 336 {
				t.Fatalf("house of %d", h.Seats)
			}
		}
	})
}

func FuzzParseJoins(f *testing.F) {
	f.Add("region,party,seats,date\nPunjab,A,1,2024-02-12\n")
	f.Add("region,party,seats,date\nPunjab,A,1,2024-02-30\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParseJoins(strings.NewReader(s), "joins.csv")
		if err != nil {
			return
		}
		tb := oneRegion(10, 2, 1)
		_, _ = Allocate(Input{Table: tb, Won: []Won{{"R", Independent, 10}}, Gazette: "2024-02-12", Joins: rows})
	})
}

func FuzzParseLists(f *testing.F) {
	f.Add("region,party,kind,length\nR,A,women,3\n,A,non-muslim,1\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParseLists(strings.NewReader(s), "lists.csv")
		if err != nil {
			return
		}
		_, _ = Allocate(Input{Table: oneRegion(10, 2, 1), Won: []Won{{"R", "A", 5}, {"R", "B", 5}}, Lists: rows})
	})
}

func FuzzParseTable(f *testing.F) {
	f.Add(`{"name":"x","assembly":"H","regions":[{"region":"N","general":10,"women":2}],"non_muslim":1}`)
	f.Fuzz(func(t *testing.T, s string) {
		tb, err := ParseTable([]byte(s))
		if err != nil {
			return
		}
		if err := tb.Validate(); err != nil {
			t.Fatalf("ParseTable accepted an invalid table: %v", err)
		}
		if _, err := Allocate(Input{Table: tb}); err != nil {
			t.Fatalf("valid table, no results: %v", err)
		}
	})
}
