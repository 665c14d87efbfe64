package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Parties are told apart by shape as well as colour (WCAG 1.4.1): each
// party of the definition has a marker shape, by its place in the
// definition's list of parties, so a party has the same shape in the
// hemicycle, its legend, the bar charts, the share cards and its badge
// on every page. The eleven party shapes differ in outline, not only in
// size, so they stay apart at the 8-pixel seats of a 390-pixel phone;
// independents have a shape of their own, and seats not yet filled are
// hollow circles. A definition with more parties than shapes reuses them
// in order, with different colours.

// partyShapes are the shapes given to parties in definition order.
var partyShapes = []string{"circle", "square", "triangle", "diamond", "triangle-down", "plus", "star",
	"triangle-right", "hexagon", "triangle-left", "bar"}

// independentShape is the independents' shape.
const independentShape = "cross"

// shapeOf returns the shape of the party at index i of the definition.
func shapeOf(i int) string { return partyShapes[i%len(partyShapes)] }

// shapePolygons are the shapes other than the circle as polygons around
// (0, 0), none reaching further than 1.12 from it: seats drawn at 0.9 of
// their dot radius do not touch their neighbours.
var shapePolygons = func() map[string][][2]float64 {
	m := map[string][][2]float64{
		"square":         {{-0.79, -0.79}, {0.79, -0.79}, {0.79, 0.79}, {-0.79, 0.79}},
		"triangle":       {{0, -1.12}, {0.92, 0.6}, {-0.92, 0.6}},
		"triangle-down":  {{0, 1.12}, {0.92, -0.6}, {-0.92, -0.6}},
		"triangle-right": {{1.12, 0}, {-0.6, 0.92}, {-0.6, -0.92}},
		"triangle-left":  {{-1.12, 0}, {0.6, 0.92}, {0.6, -0.92}},
		"diamond":        {{0, -1.12}, {1.12, 0}, {0, 1.12}, {-1.12, 0}},
		"bar":            {{-1.0, -0.5}, {1.0, -0.5}, {1.0, 0.5}, {-1.0, 0.5}},
	}
	const w, l = 0.4, 1.04 // a plus's half-width and arm length
	plus := [][2]float64{{-w, -l}, {w, -l}, {w, -w}, {l, -w}, {l, w}, {w, w}, {w, l}, {-w, l}, {-w, w}, {-l, w}, {-l, -w}, {-w, -w}}
	m["plus"] = plus
	var cross [][2]float64
	for _, p := range plus {
		c, s := math.Cos(math.Pi/4), math.Sin(math.Pi/4)
		cross = append(cross, [2]float64{p[0]*c - p[1]*s, p[0]*s + p[1]*c})
	}
	m["cross"] = cross
	var star, hex [][2]float64
	for i := range 10 {
		r := 1.12
		if i%2 == 1 {
			r = 0.5
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		star = append(star, [2]float64{r * math.Cos(a), r * math.Sin(a)})
	}
	for i := range 6 {
		a := -math.Pi/2 + float64(i)*math.Pi/3
		hex = append(hex, [2]float64{math.Cos(a), math.Sin(a)})
	}
	m["star"], m["hexagon"] = star, hex
	return m
}()

// shapeElement writes the opening of an SVG element drawing shape at
// (x, y) with radius r, without its closing "/>", so that the caller adds
// class, fill and stroke: `<circle cx=".." cy=".." r=".."` or
// `<path d=".."`. Unknown shapes are circles.
func shapeElement(shape string, x, y, r float64) string {
	pts, ok := shapePolygons[shape]
	if !ok {
		return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="%.1f"`, x, y, r)
	}
	var b strings.Builder
	b.WriteString(`<path d="`)
	for i, p := range pts {
		if i == 0 {
			b.WriteByte('M')
		} else {
			b.WriteByte('L')
		}
		fmt.Fprintf(&b, "%.1f %.1f", x+p[0]*r, y+p[1]*r)
	}
	b.WriteString(`Z"`)
	return b.String()
}

// shapeIcon is a party's shape as a small inline SVG in its colour, for
// badges and legends; it is decorative (the party's name or initials are
// beside it), so hidden from screen readers.
func shapeIcon(shape, color string) template.HTML {
	if !htmlColor.MatchString(color) {
		color = colorNoParty
	}
	return template.HTML(`<svg class="shape" viewBox="0 0 20 20" width="14" height="14" aria-hidden="true" focusable="false">` +
		shapeElement(shape, 10, 10, 7.2) + ` fill="` + color + `" stroke="currentColor" stroke-width="1"/></svg>`)
}
