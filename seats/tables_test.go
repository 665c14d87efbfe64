package seats

import (
	"strings"
	"testing"
)

func TestBuiltinTables(t *testing.T) {
	// Totals as stated in Art. 51(1) (336; 342 in 2018) and Art. 106(1).
	want := map[string][3]int{ // general, women, non-Muslim
		"pk-na-2024":             {266, 60, 10},
		"pk-na-2018":             {272, 60, 10},
		"pk-pa-punjab-2024":      {297, 66, 8},
		"pk-pa-sindh-2024":       {130, 29, 9},
		"pk-pa-kp-2024":          {115, 26, 4},
		"pk-pa-balochistan-2024": {51, 11, 3},
		"pk-pa-punjab-2018":      {297, 66, 8},
		"pk-pa-sindh-2018":       {130, 29, 9},
		"pk-pa-kp-2018":          {99, 22, 3},
		"pk-pa-balochistan-2018": {51, 11, 3},
	}
	names := BuiltinTableNames()
	if len(names) != len(want) {
		t.Errorf("built-in tables %v, want %d", names, len(want))
	}
	for _, name := range names {
		tb, ok := BuiltinTable(name)
		if !ok {
			t.Fatalf("BuiltinTable(%q) not found", name)
		}
		if err := tb.Validate(); err != nil {
			t.Error(err)
		}
		got := [3]int{tb.General(), tb.Women(), tb.NonMuslim}
		if got != want[name] {
			t.Errorf("%s: general/women/non-Muslim %v, want %v", name, got, want[name])
		}
	}
	na, _ := BuiltinTable("pk-na-2024")
	if na.Total() != 336 {
		t.Errorf("pk-na-2024 total %d, want 336", na.Total())
	}
	na.Regions[0].General = 0 // a copy: must not change the built-in
	if again, _ := BuiltinTable("pk-na-2024"); again.Regions[0].General != 141 {
		t.Error("BuiltinTable returned a shared slice")
	}
}

func TestParseTable(t *testing.T) {
	good := `{"name":"x-2030","assembly":"House","regions":[{"region":"North","general":10,"women":2}],"non_muslim":1}`
	tb, err := ParseTable([]byte(good))
	if err != nil || tb.Total() != 13 {
		t.Fatalf("ParseTable(good) = %+v, %v", tb, err)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"name":"x","assembly":"H","regions":[{"region":"N","general":1,"women":0}],"nonmuslim":1}`, `unknown field "nonmuslim"`},
		{good + `{}`, "unexpected data after"},
		{`{"name":"","assembly":"H","regions":[{"region":"N","general":1}]}`, "name: must not be empty"},
		{`{"name":"a b","assembly":"H","regions":[{"region":"N","general":1}]}`, "name: must not contain spaces"},
		{`{"name":"x","assembly":"","regions":[{"region":"N","general":1}]}`, "assembly: must not be empty"},
		{`{"name":"x","assembly":"H","regions":[]}`, "regions: must list at least one region"},
		{`{"name":"x","assembly":"H","regions":[{"region":"N","general":0}]}`, "regions[0].general: must be between 1"},
		{`{"name":"x","assembly":"H","regions":[{"region":"N","general":1},{"region":"N","general":1}]}`, `regions[1].region: region "N" is listed twice`},
		{`{"name":"x","assembly":"H","regions":[{"region":"N","general":1,"women":-1}]}`, "regions[0].women"},
		{`{"name":"x","assembly":"H","regions":[{"region":" N","general":1}]}`, "leading or trailing spaces"},
		{`{"name":"x","assembly":"H","regions":[{"region":"N","general":1}],"non_muslim":-2}`, "non_muslim: must be between 0"},
		{`[1]`, "seat table:"},
	} {
		if _, err := ParseTable([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTable(%s): err = %v, want %q", tt.in, err, tt.want)
		}
	}
}
