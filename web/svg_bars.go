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
	// Mark draws the bar with a dark outline (the winner, a differing count).
	Mark bool
}

const (
	barH, barGap     = 22.0, 8.0
	barLabelW, barsW = 190.0, 600.0
)

// barsSVG draws bars scaled to the largest value, each labelled with its
// value. The output is deterministic and golden-tested.
func barsSVG(title string, bars []bar) template.HTML {
	var maxV int64
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	h := float64(len(bars))*(barH+barGap) + barGap
	plotW := barsW - barLabelW - 80
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`+"\n", barsW, h, html.EscapeString(title))
	fmt.Fprintf(&b, "<title>%s</title>\n", html.EscapeString(title))
	for i, r := range bars {
		y := barGap + float64(i)*(barH+barGap)
		w := 0.0
		if maxV > 0 {
			w = plotW * float64(r.Value) / float64(maxV)
		}
		label := r.Label
		if len([]rune(label)) > 26 {
			label = string([]rune(label)[:25]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="13" dominant-baseline="middle">%s</text>`+"\n", barLabelW-8, y+barH/2, html.EscapeString(label))
		stroke := ""
		if r.Mark {
			stroke = ` stroke="#111" stroke-width="2"`
		}
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="%s"%s/>`+"\n", barLabelW, y, w, barH, r.Color, stroke)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="13" dominant-baseline="middle">%d</text>`+"\n", barLabelW+w+6, y+barH/2, r.Value)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}
