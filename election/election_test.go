package election

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPakistan2024Seats(t *testing.T) {
	d, err := Builtin("pk-ge2024")
	if err != nil {
		t.Fatal(err)
	}
	type total struct{ general, women, nonMuslim, contests int }
	want := map[string]total{
		"NA": {266, 60, 10, 266},
		"PP": {297, 66, 8, 297},
		"PS": {130, 29, 9, 130},
		"PK": {115, 26, 4, 115},
		"PB": {51, 11, 3, 51},
	}
	for _, a := range d.Assemblies {
		var got total
		for _, r := range a.Regions {
			got.general += r.General
			got.women += r.Women
		}
		got.nonMuslim = a.NonMuslim
		for _, c := range d.Contests {
			if c.Assembly == a.ID {
				got.contests++
			}
		}
		if got != want[a.ID] {
			t.Errorf("%s: got %+v, want %+v", a.ID, got, want[a.ID])
		}
	}
	for id, region := range map[string]string{"NA-1": "kp", "NA-47": "islamabad", "NA-49": "punjab", "NA-61": "punjab", "NA-189": "punjab", "NA-190": "sindh", "NA-266": "balochistan", "PP-297": "punjab", "PB-51": "balochistan"} {
		c, ok := d.Contest(id)
		if !ok || c.Region != region {
			t.Errorf("contest %s: %+v, want region %s", id, c, region)
		}
	}
	if _, ok := d.Contest("NA-267"); ok {
		t.Error("NA-267 should not exist")
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	d := testDefinition()
	b := d.Canonical()
	d2, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(d2.Canonical()) != string(b) {
		t.Fatal("canonical bytes changed on round trip")
	}
	if got := d.Deadline().UTC().Format("2006-01-02T15:04Z"); got != "2024-02-08T21:00Z" {
		t.Errorf("deadline %s, want 2024-02-08T21:00Z (02:00 PKT on the 9th)", got)
	}
}

func testDefinition() *Definition {
	d, _ := Builtin("pk-ge2024")
	c, _ := d.Contest("NA-57")
	c.Candidates = []Candidate{{ID: "1", Name: "A", Party: "pmln"}, {ID: "2", Name: "B"}}
	d.Stations = []Station{{ID: "NA-57/PS-1", Registered: 1000, Contests: []string{"NA-57", "PP-12"}}}
	if err := d.Validate(); err != nil {
		panic(err)
	}
	return d
}

func TestParseRefuses(t *testing.T) {
	base := string(testDefinition().Canonical())
	cases := []struct{ old, new, want string }{
		{`"id":"pk-ge2024"`, `"id":"pk ge2024"`, `$.id: "pk ge2024" is not an identifier`},
		{`"time_zone":"Asia/Karachi"`, `"time_zone":"Mars/Olympus"`, `$.time_zone: must be an IANA time zone`},
		{`"registered":1000`, `"registered":-1`, `$.stations[0].registered: -1 is out of range`},
		{`"registered":1000`, `"registered":1000,"registered":1001`, `$.stations[0].registered: duplicate key`},
		{`"registered":1000`, `"registerd":1000`, `$.stations[0].registerd: unknown field`},
		{`"contests":["NA-57","PP-12"]`, `"contests":["NA-57","NA-58"]`, `a station votes in one contest per assembly`},
		{`"contests":["NA-57","PP-12"]`, `"contests":["NA-999"]`, `$.stations[0].contests[0]: unknown contest "NA-999"`},
		{`"party":"pmln"`, `"party":"xyz"`, `candidates[0].party: unknown party "xyz"`},
		{`{"id":"2","name":"B"}`, `{"id":"1","name":"B"}`, `candidates[1].id: duplicate identifier "1"`},
		{`"origin":"results.example.pk/ge2024"`, `"origin":"a b"`, `$.origin: must be a key name`},
		{`"polling_day":"2024-02-08"`, `"polling_day":"8 Feb"`, `$.polling_day: must be a date`},
		// Bidirectional controls in names, escaped or not (issue 13).
		{`{"id":"2","name":"B"}`, `{"id":"2","name":"B\u202e"}`, `candidates[1].name: must be UTF-8 text without control or bidirectional control characters`},
		{`{"id":"2","name":"B"}`, "{\"id\":\"2\",\"name\":\"\u2067B\"}", `candidates[1].name: must be UTF-8 text without control or bidirectional`},
		{`"origin":"results.example.pk/ge2024"`, `"origin":"results.example.pk/\u200fge2024"`, `$.origin: must be a key name`},
		// A constituency's Urdu name is checked like every other name.
		{`"region":"punjab","name":""`, `"region":"punjab","name":"","local_name":"راولپنڈی\u202e"`, `$.contests[`},
		{`"region":"punjab","name":""`, `"region":"punjab","name":"","local_name":"` + strings.Repeat("ر", 101) + `"`, `.local_name: must be UTF-8 text`},
	}
	for _, c := range cases {
		in := strings.Replace(base, c.old, c.new, 1)
		if in == base {
			t.Fatalf("test case %q does not apply", c.old)
		}
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("replace %s: got %v, want %q", c.new, err, c.want)
		}
	}
}

// TestContestLocalName: a contest's Urdu name is optional, kept through the
// canonical form, and left out of it when unset (old definitions keep their
// bytes).
func TestContestLocalName(t *testing.T) {
	d := testDefinition()
	c, _ := d.Contest("NA-57")
	if b, _ := json.Marshal(c); strings.Contains(string(b), "local_name") {
		t.Fatalf("a contest without a local name writes local_name: %s", b)
	}
	c.LocalName = "راولپنڈی-6"
	d2, err := Parse(d.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if c2, _ := d2.Contest("NA-57"); c2.LocalName != "راولپنڈی-6" {
		t.Errorf("local_name after the round trip: %q", c2.LocalName)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(testDefinition().Canonical())
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		if _, err := Parse(d.Canonical()); err != nil {
			t.Fatalf("canonical form of a valid definition does not parse: %v", err)
		}
	})
}
