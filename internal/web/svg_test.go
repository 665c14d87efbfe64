package web

import (
	"math"

	"encoding/xml"
	"flag"
	"github.com/tallylog/tallylog/election"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test -run %s -update and review the diff", name, t.Name())
	}
}

// wellFormed checks that an SVG parses as XML.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("the SVG is not well-formed XML: %v", err)
			}
			return
		}
	}
}

func TestHemicycleGolden(t *testing.T) {
	groups := []seatGroup{
		{ID: "pti", Label: "Pakistan Tehreek-e-Insaf", Color: "#c8102e", Shape: "square", Seats: 93},
		{ID: "pmln", Label: "Pakistan Muslim League (N)", Color: "#1e7b3c", Shape: "circle", Seats: 123,
			Runs: []seatRun{{seatWon, 100}, {seatLeading, 20}, {seatDisputed, 3}}},
		{ID: "ppp", Label: "Pakistan Peoples Party <PPP>", Color: "#111111", Shape: "star", Seats: 73},
		{ID: "unfilled", Label: "Not yet filled", Color: colorUnfilled, Seats: 47, Hollow: true},
	}
	svg := string(hemicycleSVG("National Assembly & seats", groups, []seatLine{{169, "169 for a majority"}, {224, "224 for two-thirds"}}))
	wellFormed(t, svg)
	if n := strings.Count(svg, `class="seat`); n != 336 {
		t.Errorf("%d seats drawn, want 336", n)
	}
	if !strings.Contains(svg, "&lt;PPP&gt;") || !strings.Contains(svg, "&amp; seats") {
		t.Error("labels are not escaped")
	}
	golden(t, "hemicycle-336.svg", svg)

	small := string(hemicycleSVG("Small house", []seatGroup{{ID: "a", Label: "A", Color: "#0000ff", Seats: 3}, {ID: "b", Label: "B", Color: "#ff0000", Seats: 2}}, []seatLine{{3, "3 for a majority"}}))
	wellFormed(t, small)
	golden(t, "hemicycle-5.svg", small)
}

// TestHemicycleOrder checks the layout's contract: every seat count from 1
// to 1,000 lays out exactly that many seats, ordered from the left, with no
// two dots overlapping.
func TestHemicycleOrder(t *testing.T) {
	for n := 1; n <= 1000; n++ {
		pos, dot := hemicyclePositions(n)
		if len(pos) != n {
			t.Fatalf("%d seats laid out as %d", n, len(pos))
		}
		for i := 1; i < n; i++ {
			if pos[i].angle > pos[i-1].angle+1e-9 {
				t.Fatalf("%d seats: seat %d is left of seat %d", n, i, i-1)
			}
		}
		if n <= 400 {
			for i := range pos {
				for j := i + 1; j < len(pos); j++ {
					dx, dy := pos[i].x-pos[j].x, pos[i].y-pos[j].y
					if dx*dx+dy*dy < 4*dot*dot*0.99 {
						t.Fatalf("%d seats: dots %d and %d overlap", n, i, j)
					}
				}
			}
		}
	}
}

func TestBarsGolden(t *testing.T) {
	svg := string(barsSVG("Votes <NA-57>", []bar{
		{Label: "Candidate One", Value: 830, Color: "#1e7b3c", Shape: "circle", Mark: true},
		{Label: "A candidate with a very long name indeed, longer than a line holds", Value: 670, Color: "#c8102e", Shape: "triangle"},
		{Label: "Zero", Value: 0, Color: "#8a8a8a"},
	}))
	wellFormed(t, svg)
	if !strings.Contains(svg, "Votes &lt;NA-57&gt;") || !strings.Contains(svg, "A candidate with a very long name indeed, longe…") {
		t.Error("the title is not escaped or the long label not shortened")
	}
	golden(t, "bars.svg", svg)
	empty := string(barsSVG("Nothing yet", nil))
	wellFormed(t, empty)
}

// TestPartyShapes: every party of the built-in Pakistan definition and
// the independents have a shape of their own, so no two are told apart by
// colour alone; the shapes are polygons that stay inside the seat (no
// point further than 1.12 of the radius), and each draws as well-formed
// SVG.
func TestPartyShapes(t *testing.T) {
	d, err := election.Builtin("pk-ge2024")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, p := range append(append([]election.Party{}, d.Parties...), election.Party{ID: ""}) {
		info := partyOf(d, p.ID)
		if other, dup := seen[info.Shape]; dup {
			t.Errorf("%s and %s share the shape %s", other, info.ID, info.Shape)
		}
		seen[info.Shape] = info.ID
		wellFormed(t, string(shapeIcon(info.Shape, info.Color)))
	}
	if len(seen) != len(d.Parties)+1 {
		t.Errorf("%d shapes for %d parties and the independents", len(seen), len(d.Parties)+1)
	}
	for name, pts := range shapePolygons {
		for _, p := range pts {
			if math.Hypot(p[0], p[1]) > 1.12+1e-9 {
				t.Errorf("%s reaches %.2f from its centre", name, math.Hypot(p[0], p[1]))
			}
		}
	}
}
