package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
)

// A hemicycle draws an assembly's seats as dots in concentric half rings,
// filled from the left by group, with radial markers at the majority
// lines. Output is deterministic SVG, embedded inline in the page so that
// it needs neither script nor a second request; it is golden-tested.

// seatGroup is a run of seats drawn in one colour.
type seatGroup struct {
	ID    string // stable identifier, in data-group (a party ID, "independent", "unfilled")
	Label string // what the legend and the tooltip say
	Color string // #rrggbb
	// Shape is the party's marker (svg_shapes.go); "" draws circles.
	Shape string
	Seats int
	// Hollow groups (seats not yet filled) are drawn as outlines.
	Hollow bool
	// Runs, when set, split the group's seats into runs drawn in turn
	// with their own style (their counts sum to Seats).
	Runs []seatRun
}

// seatRun is a run of a group's seats in one state.
type seatRun struct {
	State seatState
	Seats int
}

// seatState is how a filled seat is drawn: a won seat solid, a led seat
// pale, a disputed one pale with a thick dark ring, a projected reserved
// seat pale with a dashed outline. The state is in the seat's class.
type seatState string

const (
	seatWon       seatState = "won"
	seatLeading   seatState = "leading"
	seatDisputed  seatState = "disputed"
	seatProjected seatState = "projected"
)

// seatLine is a marker at the boundary after Seats seats.
type seatLine struct {
	Seats int
	Label string
}

const (
	hemiW, hemiH       = 600.0, 356.0
	hemiCX, hemiCY     = 300.0, 300.0
	hemiInner, hemiOut = 110.0, 285.0
)

// hemicycleRows returns how many rows n seats take: the fewest that put
// neighbouring dots in a row at least as far apart as the rows are.
func hemicycleRows(n int) int {
	for rows := 2; rows < 16; rows++ {
		spacing := (hemiOut - hemiInner) / float64(rows-1)
		circumference := math.Pi * float64(rows) * (hemiInner + hemiOut) / 2
		if circumference/float64(n) >= spacing {
			return rows
		}
	}
	return 16
}

func rowRadius(i, rows int) float64 {
	return hemiInner + float64(i)*(hemiOut-hemiInner)/float64(rows-1)
}

// seatPos is one seat's centre and its angle (π on the left, 0 on the right).
type seatPos struct{ x, y, angle float64 }

// hemicyclePositions lays n seats out in rows, seats per row proportional
// to the row's radius (largest remainder), ordered left to right by angle.
func hemicyclePositions(n int) (pos []seatPos, dot float64) {
	if n == 0 {
		return nil, 0
	}
	rows := hemicycleRows(n)
	var total float64
	for i := range rows {
		total += rowRadius(i, rows)
	}
	counts := make([]int, rows)
	type rem struct {
		row  int
		frac float64
	}
	var rems []rem
	left := n
	for i := range rows {
		exact := float64(n) * rowRadius(i, rows) / total
		counts[i] = int(exact)
		left -= counts[i]
		rems = append(rems, rem{i, exact - float64(counts[i])})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].frac > rems[b].frac })
	for i := 0; i < left; i++ {
		counts[rems[i%rows].row]++
	}
	dot = (hemiOut - hemiInner) / float64(rows-1) * 0.4
	for i, c := range counts {
		r := rowRadius(i, rows)
		if c > 0 {
			dot = min(dot, math.Pi*r/float64(max(c-1, 1))*0.42)
		}
		for j := range c {
			var a float64
			if c > 1 {
				a = math.Pi * (1 - float64(j)/float64(c-1))
			} else {
				a = math.Pi / 2
			}
			pos = append(pos, seatPos{hemiCX + r*math.Cos(a), hemiCY - r*math.Sin(a), a})
		}
	}
	sort.SliceStable(pos, func(a, b int) bool {
		if math.Abs(pos[a].angle-pos[b].angle) > 1e-9 {
			return pos[a].angle > pos[b].angle
		}
		return math.Hypot(pos[a].x-hemiCX, pos[a].y-hemiCY) < math.Hypot(pos[b].x-hemiCX, pos[b].y-hemiCY)
	})
	return pos, dot
}

// hemicycleSVG draws the groups' seats (in order, from the left) and the
// lines. title is the accessible name of the chart.
func hemicycleSVG(title string, groups []seatGroup, lines []seatLine) template.HTML {
	return hemicycleSVGLabelled(title, "%d seats", groups, lines)
}

// hemicycleSVGLabelled is hemicycleSVG with the centre label's format
// (one %d, the number of seats), for pages in other languages.
func hemicycleSVGLabelled(title, total string, groups []seatGroup, lines []seatLine) template.HTML {
	n := 0
	for _, g := range groups {
		n += g.Seats
	}
	pos, dot := hemicyclePositions(n)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="hemicycle" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="hemi-title" data-seats="%d">`+"\n", hemiW, hemiH, n)
	fmt.Fprintf(&b, `<title id="hemi-title">%s</title>`+"\n", html.EscapeString(title))
	k := 0
	for _, g := range groups {
		fmt.Fprintf(&b, `<g data-group="%s" data-seats="%d"><title>%s: %d</title>`+"\n", html.EscapeString(g.ID), g.Seats, html.EscapeString(g.Label), g.Seats)
		runs := g.Runs
		if len(runs) == 0 {
			runs = []seatRun{{"", g.Seats}}
		}
		for _, run := range runs {
			for range run.Seats {
				drawSeat(&b, g, run.State, pos[k], dot)
				k++
			}
		}
		b.WriteString("</g>\n")
	}
	for i, l := range lines {
		if n == 0 || l.Seats <= 0 || l.Seats > n {
			continue
		}
		// The line sits between seat Seats and the next, in angle.
		a := math.Pi * (1 - (float64(l.Seats)-0.5)/float64(n))
		if l.Seats < n {
			a = (pos[l.Seats-1].angle + pos[l.Seats].angle) / 2
		}
		x1, y1 := hemiCX+(hemiInner-18)*math.Cos(a), hemiCY-(hemiInner-18)*math.Sin(a)
		x2, y2 := hemiCX+(hemiOut+12)*math.Cos(a), hemiCY-(hemiOut+12)*math.Sin(a)
		fmt.Fprintf(&b, `<line class="majority" data-seats="%d" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="currentColor" stroke-width="1.5" stroke-dasharray="4 3"/>`+"\n", l.Seats, x1, y1, x2, y2)
		// Labels go under the half ring, the first at the left, the
		// second at the right, where no seat hides them.
		lx, anchor := hemiCX-hemiOut, "start"
		if i%2 == 1 {
			lx, anchor = hemiCX+hemiOut, "end"
		}
		ly := hemiCY + 42 + float64(i/2)*24
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="%s" font-size="20" fill="currentColor">%s</text>`+"\n", lx, ly, anchor, html.EscapeString(l.Label))
	}
	// centred writes a bold line of the total inside the ring's hole.
	centred := func(y float64, size int, s string) {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle" font-size="%d" font-weight="bold" fill="currentColor">%s</text>`+"\n", hemiCX, y, size, html.EscapeString(s))
	}
	label := fmt.Sprintf(total, n)
	if num := strconv.Itoa(n); !isASCII(label) && strings.Contains(label, num) {
		// A label in another script ("336 نشستیں") is as wide as the
		// reader's fonts make it (Urdu's Nastaliq far wider than Latin),
		// and on one line it ran into the lowest seats: the number and the
		// word go on two lines, both inside the ring's hole.
		centred(hemiCY-38, 32, num)
		centred(hemiCY-6, 22, strings.TrimSpace(strings.Replace(label, num, "", 1)))
	} else {
		centred(hemiCY-4, 32, label)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// drawSeat draws one seat of g in state st ("" for the group's plain
// style), in the group's shape.
func drawSeat(b *strings.Builder, g seatGroup, st seatState, p seatPos, dot float64) {
	switch {
	case g.Hollow:
		fmt.Fprintf(b, `%s class="seat" fill="none" stroke="%s" stroke-width="1"/>`+"\n", shapeElement(g.Shape, p.x, p.y, dot*0.9), g.Color)
	case st == seatLeading:
		fmt.Fprintf(b, `%s class="seat leading" fill="%s" fill-opacity="0.4" stroke="%s" stroke-width="1.5"/>`+"\n", shapeElement(g.Shape, p.x, p.y, dot*0.9), g.Color, g.Color)
	case st == seatDisputed:
		fmt.Fprintf(b, `%s class="seat disputed" fill="%s" fill-opacity="0.4" stroke="currentColor" stroke-width="3"/>`+"\n", shapeElement(g.Shape, p.x, p.y, dot*0.8), g.Color)
	case st == seatProjected:
		fmt.Fprintf(b, `%s class="seat projected" fill="%s" fill-opacity="0.25" stroke="%s" stroke-width="1.5" stroke-dasharray="2 2"/>`+"\n", shapeElement(g.Shape, p.x, p.y, dot*0.9), g.Color, g.Color)
	default:
		r := dot
		if g.Shape != "" && g.Shape != "circle" {
			r = dot * 0.9 // the polygons reach a little beyond 1
		}
		fmt.Fprintf(b, `%s class="seat%s" fill="%s"/>`+"\n", shapeElement(g.Shape, p.x, p.y, r), map[bool]string{true: " won"}[st == seatWon], g.Color)
	}
}

// isASCII reports whether s is ASCII only.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
