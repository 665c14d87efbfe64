package seats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Table is the seat table of one assembly: how many general seats each region
// elects, how many women's seats each region's parties share, and how many
// non-Muslim seats are shared over the whole table.
//
// The same shape is embedded in the election definition, so its JSON form is
// deliberately plain: four fields, integers and strings only, no maps, no
// optional structure. Region order is significant (it is the order of the
// output) and names are compared exactly (case and spaces included).
//
//	{"name": "pk-na-2024", "assembly": "National Assembly",
//	 "regions": [{"region": "Punjab", "general": 141, "women": 32}, ...],
//	 "non_muslim": 10, "source": "Constitution Art. 51(3),(4) ..."}
type Table struct {
	// Name identifies the table, e.g. "pk-na-2024"; no spaces.
	Name string `json:"name"`
	// Assembly is the house the table is for, e.g. "National Assembly".
	Assembly string `json:"assembly"`
	// Regions lists the provinces or territories (the same shape as the
	// election definition's RegionSeats), each with its general and
	// women's seats. Women's seats are shared among the parties in
	// proportion to the general seats they won in that region only.
	Regions []Region `json:"regions"`
	// NonMuslim is the number of seats reserved for non-Muslims, shared
	// among the parties in proportion to the general seats they won over
	// all the regions of the table together.
	NonMuslim int `json:"non_muslim"`
	// Source cites where the numbers come from. Optional, informative only.
	Source string `json:"source,omitempty"`
}

// Region is one province or territory of a Table.
type Region struct {
	// Name is the region's name; its JSON key is "region", as in the
	// election definition's seat table.
	Name    string `json:"region"`
	General int    `json:"general"`
	Women   int    `json:"women"`
}

// General returns the number of general seats of the whole table.
func (t Table) General() int {
	n := 0
	for _, r := range t.Regions {
		n += r.General
	}
	return n
}

// Women returns the number of women's seats of the whole table.
func (t Table) Women() int {
	n := 0
	for _, r := range t.Regions {
		n += r.Women
	}
	return n
}

// Total returns the membership of the house: general, women's and
// non-Muslim seats together.
func (t Table) Total() int { return t.General() + t.Women() + t.NonMuslim }

// Region returns the region named name and whether it exists.
func (t Table) Region(name string) (Region, bool) {
	for _, r := range t.Regions {
		if r.Name == name {
			return r, true
		}
	}
	return Region{}, false
}

// maxTableSeats bounds every count in a table, so that sums and products of
// counts can never overflow and an absurd file is refused early.
const maxTableSeats = 100_000

// Validate checks the table's rules and returns an error naming the first
// field that breaks one: a name without spaces, an assembly, at least one
// region, unique non-empty region names, at least one general seat per
// region, and no negative or absurdly large count.
func (t Table) Validate() error {
	fail := func(field, format string, args ...any) error {
		return fmt.Errorf("seat table %q: %s: %s", t.Name, field, fmt.Sprintf(format, args...))
	}
	switch {
	case t.Name == "":
		return fail("name", "must not be empty; give the table a name such as \"pk-na-2024\"")
	case strings.ContainsAny(t.Name, " \t\r\n"):
		return fail("name", "must not contain spaces")
	case strings.TrimSpace(t.Assembly) == "":
		return fail("assembly", "must not be empty; name the house, e.g. \"National Assembly\"")
	case len(t.Regions) == 0:
		return fail("regions", "must list at least one region")
	case t.NonMuslim < 0 || t.NonMuslim > maxTableSeats:
		return fail("non_muslim", "must be between 0 and %d (got %d)", maxTableSeats, t.NonMuslim)
	}
	seen := make(map[string]bool, len(t.Regions))
	for i, r := range t.Regions {
		field := fmt.Sprintf("regions[%d]", i)
		switch {
		case strings.TrimSpace(r.Name) == "":
			return fail(field+".region", "must not be empty")
		case r.Name != strings.TrimSpace(r.Name):
			return fail(field+".region", "%q has leading or trailing spaces", r.Name)
		case seen[r.Name]:
			return fail(field+".region", "region %q is listed twice", r.Name)
		case r.General < 1 || r.General > maxTableSeats:
			return fail(field+".general", "must be between 1 and %d (got %d)", maxTableSeats, r.General)
		case r.Women < 0 || r.Women > maxTableSeats:
			return fail(field+".women", "must be between 0 and %d (got %d)", maxTableSeats, r.Women)
		}
		seen[r.Name] = true
	}
	return nil
}

// ParseTable decodes a table from its JSON form and validates it. Unknown
// fields and trailing data are errors, so a misspelt field name
// ("nonmuslim") cannot silently become zero.
func ParseTable(data []byte) (Table, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var t Table
	if err := dec.Decode(&t); err != nil {
		return Table{}, fmt.Errorf("seat table: %v; expected {\"name\", \"assembly\", \"regions\": [{\"region\", \"general\", \"women\"}], \"non_muslim\"}", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Table{}, errors.New("seat table: unexpected data after the JSON object")
	}
	if err := t.Validate(); err != nil {
		return Table{}, err
	}
	return t, nil
}

// BuiltinTable returns a copy of the built-in table called name and whether
// there is one. The caller may modify the copy.
func BuiltinTable(name string) (Table, bool) {
	for _, t := range builtinTables {
		if t.Name == name {
			t.Regions = append([]Region(nil), t.Regions...)
			return t, true
		}
	}
	return Table{}, false
}

// BuiltinTableNames returns the names of the built-in tables, sorted.
func BuiltinTableNames() []string {
	names := make([]string, len(builtinTables))
	for i, t := range builtinTables {
		names[i] = t.Name
	}
	sort.Strings(names)
	return names
}

// Region names used by the built-in tables.
const (
	Punjab      = "Punjab"
	Sindh       = "Sindh"
	KP          = "Khyber Pakhtunkhwa"
	Balochistan = "Balochistan"
	Islamabad   = "Islamabad"
	FATA        = "FATA"
)

// Sources of the built-in tables.
const (
	// Article 51(3),(4) after the 25th Amendment (2018), in force from the
	// 2024 general election: 266 + 60 + 10 = 336. Text as published by the
	// National Assembly (na.gov.pk/en/content.php?id=2); the same numbers in
	// the ECP's final delimitation of 2023-11-30 (dunyanews.tv 774344,
	// theverified.com.pk 9874).
	srcNA2024 = "Constitution of Pakistan Art. 51(3),(4) as amended by the 25th Amendment; ECP final delimitation 2023-11-30"
	// Article 51(3) after the 24th Amendment (2017), used in the 2018 general
	// election, with clause (3A) of the 25th Amendment keeping FATA's 12
	// general seats for that election: 272 + 60 + 10 = 342. Punjab 141,
	// Sindh 61, KP 39 and Balochistan 16 general (propakistani.pk
	// 2022-06-01 lists them as the "old" seats; cookman-2018 results have 39
	// KP and 12 FATA constituencies, NA-1..39 and NA-40..51); women KP 9
	// (The News 2018-08-01, "seven out of nine National Assembly seats
	// reserved for women from Khyber Pakhtunkhwa"), Sindh 14 and
	// Balochistan 4 (unchanged in the current Art. 51), Punjab 33 (the
	// remainder of 60; not found stated on its own in a source seen here).
	srcNA2018 = "Constitution of Pakistan Art. 51(3),(3A),(4) as in force for the 2018 general election (24th and 25th Amendments)"
	// Article 106(1) after the 25th Amendment, in force from 2024
	// (theverified.com.pk 9874, shaffak.com 2023-12-01, ECP final
	// delimitation 2023-11-30).
	srcPA2024 = "Constitution of Pakistan Art. 106(1) as amended by the 25th Amendment; ECP final delimitation 2023-11-30"
	// Article 106(1) before the 25th Amendment, used in 2018 (text at
	// infopakistan.pk, article 106; The News 2018-08-01 confirms 22 women's
	// seats in the KP Assembly). The KP Assembly grew to 115/26/4 only with
	// the 2019 election in the merged tribal districts.
	srcPA2018 = "Constitution of Pakistan Art. 106(1) as in force for the 2018 general election"
)

// builtinTables are Pakistan's seat tables of 2018 and 2024. Every number is
// cited in the source constants above; docs/seats.md lists them again.
var builtinTables = []Table{
	{Name: "pk-na-2024", Assembly: "National Assembly", NonMuslim: 10, Source: srcNA2024, Regions: []Region{
		{Punjab, 141, 32}, {Sindh, 61, 14}, {KP, 45, 10}, {Balochistan, 16, 4}, {Islamabad, 3, 0},
	}},
	{Name: "pk-na-2018", Assembly: "National Assembly", NonMuslim: 10, Source: srcNA2018, Regions: []Region{
		{Punjab, 141, 33}, {Sindh, 61, 14}, {KP, 39, 9}, {FATA, 12, 0}, {Balochistan, 16, 4}, {Islamabad, 3, 0},
	}},
	{Name: "pk-pa-punjab-2024", Assembly: "Provincial Assembly of the Punjab", NonMuslim: 8, Source: srcPA2024, Regions: []Region{{Punjab, 297, 66}}},
	{Name: "pk-pa-sindh-2024", Assembly: "Provincial Assembly of Sindh", NonMuslim: 9, Source: srcPA2024, Regions: []Region{{Sindh, 130, 29}}},
	{Name: "pk-pa-kp-2024", Assembly: "Provincial Assembly of Khyber Pakhtunkhwa", NonMuslim: 4, Source: srcPA2024, Regions: []Region{{KP, 115, 26}}},
	{Name: "pk-pa-balochistan-2024", Assembly: "Provincial Assembly of Balochistan", NonMuslim: 3, Source: srcPA2024, Regions: []Region{{Balochistan, 51, 11}}},
	{Name: "pk-pa-punjab-2018", Assembly: "Provincial Assembly of the Punjab", NonMuslim: 8, Source: srcPA2018, Regions: []Region{{Punjab, 297, 66}}},
	{Name: "pk-pa-sindh-2018", Assembly: "Provincial Assembly of Sindh", NonMuslim: 9, Source: srcPA2018, Regions: []Region{{Sindh, 130, 29}}},
	{Name: "pk-pa-kp-2018", Assembly: "Provincial Assembly of Khyber Pakhtunkhwa", NonMuslim: 3, Source: srcPA2018, Regions: []Region{{KP, 99, 22}}},
	{Name: "pk-pa-balochistan-2018", Assembly: "Provincial Assembly of Balochistan", NonMuslim: 3, Source: srcPA2018, Regions: []Region{{Balochistan, 51, 11}}},
}
