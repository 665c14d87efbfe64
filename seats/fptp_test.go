package seats

import (
	"strings"
	"testing"
)

func TestFirstPastThePost(t *testing.T) {
	tests := []struct {
		name        string
		in          []Candidate
		winners     string
		tie         bool
		runnersUp   string
		margin      int64
		uncontested bool
	}{
		{"clear", []Candidate{{"b", "P", 40}, {"a", "Q", 50}, {"c", "R", 10}}, "a", false, "b", 10, false},
		{"two-way tie", []Candidate{{"b", "P", 50}, {"a", "Q", 50}, {"c", "R", 10}}, "a,b", true, "c", 0, false},
		{"three-way tie, nobody else", []Candidate{{"c", "", 7}, {"a", "", 7}, {"b", "", 7}}, "a,b,c", true, "", 0, false},
		{"tied runners-up", []Candidate{{"w", "", 9}, {"y", "", 4}, {"x", "", 4}}, "w", false, "x,y", 5, false},
		{"uncontested", []Candidate{{"only", "P", 0}}, "only", false, "", 0, true},
		{"all zero", []Candidate{{"a", "", 0}, {"b", "", 0}}, "a,b", true, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := FirstPastThePost(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(o.Winners); got != tt.winners || o.Tie != tt.tie {
				t.Errorf("winners %s tie %v, want %s tie %v", got, o.Tie, tt.winners, tt.tie)
			}
			if got := names(o.RunnersUp); got != tt.runnersUp || o.Margin != tt.margin || o.Uncontested != tt.uncontested {
				t.Errorf("runners-up %s margin %d uncontested %v, want %s %d %v", got, o.Margin, o.Uncontested, tt.runnersUp, tt.margin, tt.uncontested)
			}
		})
	}
}

func TestFirstPastThePostErrors(t *testing.T) {
	for _, tt := range []struct {
		in   []Candidate
		want string
	}{
		{nil, "at least one candidate"},
		{[]Candidate{{"a", "", 1}, {"a", "", 2}}, `"a" appears twice`},
		{[]Candidate{{"", "", 1}}, "name: must not be empty"},
		{[]Candidate{{"a", "", -1}}, "cannot be negative"},
	} {
		if _, err := FirstPastThePost(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func names(c []Candidate) string {
	var s []string
	for _, x := range c {
		s = append(s, x.Name)
	}
	return strings.Join(s, ",")
}
