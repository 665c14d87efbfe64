package forensics

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

const sampleCSV = `district,station,reg,issued,valid,invalid,Alice,Bob,NON_REP
North,1,1000,600,590,10,300,290,0
North,2,800,500,490,10,250,240,0
South,3,900,,540,10,270,270,0
South,4,700,400,390,10,-5,395,0
South,5,700,400,390,10,300,300,0
South,6,700,400,390,10,200,190,1
`

func sampleMapping() Mapping {
	return Mapping{ID: []string{"district", "station"}, Group: []string{"district"}, Registered: "reg",
		Ballots: []string{"issued"}, Valid: []string{"valid"}, Invalid: []string{"invalid"},
		Candidates: []string{"Alice", "#8"}, ExcludeNonzero: "NON_REP"}
}

func TestReadCSV(t *testing.T) {
	for _, gz := range []bool{false, true} {
		var buf bytes.Buffer
		if gz {
			zw := gzip.NewWriter(&buf)
			zw.Write([]byte(sampleCSV))
			zw.Close()
		} else {
			buf.WriteString(sampleCSV)
		}
		in, err := ReadCSV(&buf, sampleMapping())
		if err != nil {
			t.Fatal(err)
		}
		if in.Rows != 6 || len(in.Stations) != 2 {
			t.Fatalf("rows %d, stations %d", in.Rows, len(in.Stations))
		}
		if s := in.Stations[0]; s.ID != "North / 1" || s.Group != "North" || s.Registered != 1000 || s.Ballots != 600 ||
			s.Valid != 590 || s.Invalid != 10 || s.Votes[0] != 300 || s.Votes[1] != 290 {
			t.Errorf("station 0 = %+v", s)
		}
		if strings.Join(in.Candidates, ",") != "Alice,Bob" {
			t.Errorf("candidates %v", in.Candidates)
		}
		want := map[string]int{`missing value in column "issued"`: 1, ExcludeNegative: 1, ExcludeVotesAboveValid: 1, "NON_REP is 1": 1}
		got := map[string]int{}
		for _, e := range in.Excluded {
			got[e.Reason] = e.Count
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("exclusion %q counted %d, want %d (all: %v)", k, got[k], v, in.Excluded)
			}
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, c := range []struct {
		name, csv string
		m         func(*Mapping)
		want      string
	}{
		{"missing column", sampleCSV, func(m *Mapping) { m.Registered = "voters" }, `no column named "voters"`},
		{"bad index", sampleCSV, func(m *Mapping) { m.Candidates = []string{"#99"} }, "#99"},
		{"no candidates", sampleCSV, func(m *Mapping) { m.Candidates = nil }, "no candidate columns"},
		{"non-numeric", strings.Replace(sampleCSV, "North,2,800", "North,2,8x0", 1), nil, `row 3, column "reg"`},
		{"fraction", strings.Replace(sampleCSV, "300,290", "300.5,290", 1), nil, `row 2, column "Alice"`},
		{"short row", sampleCSV + "North,7,1\n", nil, "row 8: 3 fields"},
		{"empty", "", nil, "empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := sampleMapping()
			if c.m != nil {
				c.m(&m)
			}
			_, err := ReadCSV(strings.NewReader(c.csv), m)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
	_, err := ReadCSV(strings.NewReader(strings.Replace(sampleCSV, "North,2,800", "North,2,8x0", 1)), sampleMapping())
	var ie *InputError
	if !errors.As(err, &ie) || ie.Row != 3 || ie.Column != "reg" {
		t.Errorf("err = %#v, want an *InputError for row 3, column reg", err)
	}
}

func TestReadCSVAggregate(t *testing.T) {
	const data = "centre,table,voters,A,B\nC1,1,900,100,50\nC1,2,900,80,70\nC2,1,500,,\nC3,1,400,10,20\nC3,2,401,1,1\n"
	m := Mapping{Registered: "voters", Candidates: []string{"A", "B"}, AggregateBy: "centre"}
	_, err := ReadCSV(strings.NewReader(data), m)
	if err == nil || !strings.Contains(err.Error(), "row 6") {
		t.Fatalf("differing registered voters: err = %v", err)
	}
	in, err := ReadCSV(strings.NewReader(strings.Replace(data, "C3,2,401", "C3,2,400", 1)), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Stations) != 2 || in.Stations[0].Votes[0] != 180 || in.Stations[0].Ballots != 300 || in.Stations[0].ID != "C1" {
		t.Errorf("stations %+v", in.Stations)
	}
	if len(in.Excluded) != 1 || in.Excluded[0].Count != 1 {
		t.Errorf("excluded %v", in.Excluded)
	}
}

// TestPresetsOnSharedData reads every data set in shared/data/forensics
// with its preset and checks the row accounting.
func TestPresetsOnSharedData(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode")
	}
	for _, c := range []struct {
		file, preset string
		stations     int
	}{
		{"russia-kobak/2011.csv.gz", "russia-kobak", 95225},
		{"russia-kobak/2024.csv.gz", "russia-kobak", 94214 - 2268},
		{"russia-kobak/2020.csv.gz", "russia-kobak", 96765},
		{"uganda-uedp/uedp_2011_stations.csv.gz", "uganda-uedp", 23968 - 141},
		{"uganda-uedp/uedp_2021_stations.csv.gz", "uganda-uedp", 34767 - 184},
		{"albania-2013-eftoolkit/Albania2013.csv.gz", "albania-eftoolkit", 5506},
		{"venezuela-2024-actas/2024_vzla_presidential.csv.gz", "venezuela-actas", 9733},
	} {
		t.Run(c.file, func(t *testing.T) {
			in := readPreset(t, c.file, c.preset)
			if len(in.Stations) != c.stations {
				t.Errorf("%d stations, want %d (excluded: %v)", len(in.Stations), c.stations, in.Excluded)
			}
			if len(in.Candidates) < 2 {
				t.Errorf("candidates %v", in.Candidates)
			}
		})
	}
}

// FuzzReadCSV: the reader never panics, and every row it reads is either
// a station, part of one (aggregation), or a counted exclusion.
func FuzzReadCSV(f *testing.F) {
	f.Add(sampleCSV)
	f.Add("reg,Alice,#8\n1,2,3\n")
	f.Add("district,station,reg,issued,valid,invalid,Alice,Bob,NON_REP\n\"a\"\"b\",1,9e9,1,1,1,1,1,0\n")
	f.Add("district,station,reg,issued,valid,invalid,Alice,Bob,NON_REP\nx,1,100,50,50,0,25,25,\n")
	f.Fuzz(func(t *testing.T, data string) {
		in, err := ReadCSV(strings.NewReader(data), sampleMapping())
		if err != nil {
			return
		}
		n := len(in.Stations)
		for _, e := range in.Excluded {
			n += e.Count
		}
		if n != in.Rows {
			t.Errorf("%d rows read, %d stations + exclusions", in.Rows, n)
		}
		for _, s := range in.Stations {
			if checkStation(&s, len(in.Candidates)) != "" {
				t.Errorf("invalid station passed: %+v", s)
			}
		}
	})
}

// TestRussia2020Turnout: the 2020 vote's turnout is taken from the ballots
// in the boxes (Kobak et al.), other years' from the ballots issued.
func TestRussia2020Turnout(t *testing.T) {
	h2020 := []string{"name", "region", "tik", "uik", "Число участников голосования, включенных в список участников голосования на момент окончания голосования",
		"Число бюллетеней, выданных участникам голосования", "Число бюллетеней, содержащихся в ящиках для голосования", "Число недействительных бюллетеней", "ДА", "НЕТ", "url"}
	m, err := russiaMapping(h2020)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Ballots) != 1 || m.Ballots[0] != h2020[6] || strings.Join(m.Candidates, ",") != "ДА,НЕТ" {
		t.Errorf("2020: ballots %q, candidates %q", m.Ballots, m.Candidates)
	}
	h2012 := []string{"region", "tik", "uik", "Число избирателей, внесенных в список избирателей", "Число бюллетеней, выданных избирателям, проголосовавшим досрочно",
		"Число бюллетеней, выданных в помещении", "Число бюллетеней, выданных вне помещения", "Число бюллетеней, содержащихся в ящиках", "Число недействительных бюллетеней", "Число действительных бюллетеней", "Путин"}
	if m, err := russiaMapping(h2012); err != nil || len(m.Ballots) != 3 {
		t.Errorf("2012: ballots %q, %v", m.Ballots, err)
	}
}
