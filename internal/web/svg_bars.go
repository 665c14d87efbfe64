package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// bar is one row of a horizontal bar chart.
type bar struct {
	Label string
	Value int64
	Color string // #rrggbb
	// Shape is the party's marker (svg_shapes.go), drawn before the
	// label so that bars are told apart without their colour.
	Shape string
	// Mark draws the bar with a dark outline (the winner, a differing count).
	Mark bool
}

const (
	barH, barGap = 26.0, 10.0
	barLabelH    = 26.0 // the label line above each bar
	barsW        = 600.0
	barLabelMax  = 48 // runes; longer labels are shortened with "…"
)

// barsSVG draws bars scaled to the largest value, each with its label on
// the line above (so labels keep the chart's full width on a phone) and
// its value after the bar. Text is 20 units high in a 600-unit-wide chart:
// 12 px or more on a 390 px phone. The output is deterministic and
// golden-tested.
func barsSVG(title string, bars []bar) template.HTML {
	var maxV int64
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	row := barLabelH + barH + barGap
	h := float64(len(bars))*row + barGap
	plotW := barsW - 130
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`+"\n", barsW, h, html.EscapeString(title))
	fmt.Fprintf(&b, "<title>%s</title>\n", html.EscapeString(title))
	for i, r := range bars {
		y := barGap + float64(i)*row
		w := 0.0
		if maxV > 0 {
			w = plotW * float64(r.Value) / float64(maxV)
		}
		label := r.Label
		if len([]rune(label)) > barLabelMax {
			label = string([]rune(label)[:barLabelMax-1]) + "…"
		}
		labelX := 2.0
		if r.Shape != "" {
			fmt.Fprintf(&b, `%s fill="%s" stroke="currentColor" stroke-width="1"/>`+"\n", shapeElement(r.Shape, 11, y+barLabelH/2+1, 8), r.Color)
			labelX = 26
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="20" fill="currentColor">%s</text>`+"\n", labelX, y+barLabelH-6, html.EscapeString(label))
		stroke := ""
		if r.Mark {
			stroke = ` stroke="currentColor" stroke-width="3"`
		}
		fmt.Fprintf(&b, `<rect x="2" y="%.1f" width="%.1f" height="%.0f" fill="%s"%s/>`+"\n", y+barLabelH, w, barH, r.Color, stroke)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="20" fill="currentColor" dominant-baseline="middle">%s</text>`+"\n", w+10, y+barLabelH+barH/2, formatCount(r.Value))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}
