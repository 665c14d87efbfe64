package forensics

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
)

// SVG charts, written by hand so the site can embed them without
// dependencies. Output is deterministic: the same report gives the same
// bytes. Every chart carries the caveat in its footer.

const (
	svgW, svgH   = 640, 420
	plotL, plotR = 60, 620
	plotT, plotB = 40, 360
	svgFont      = `font-family="sans-serif" font-size="12"`
)

// WriteFingerprintSVG draws the Klimek et al. fingerprint: stations per
// 1-point bin of turnout (x) and leader share (y), on a logarithmic colour
// scale.
func WriteFingerprintSVG(w io.Writer, rep *Report) error {
	b := bufio.NewWriter(w)
	fp := rep.Distributions.Fingerprint
	maxC := 0
	for _, row := range fp {
		maxC = max(maxC, slices.Max(append([]int{0}, row...)))
	}
	svgHeader(b, "Turnout × "+rep.Leader+" share: stations per 1-point bin")
	cw, ch := float64(plotR-plotL)/101, float64(plotB-plotT)/101
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#ffffff" stroke="#888"/>`+"\n", plotL, plotT, plotR-plotL, plotB-plotT)
	for t, row := range fp {
		for s, c := range row {
			if c == 0 {
				continue
			}
			x := float64(plotL) + float64(t)*cw
			y := float64(plotB) - float64(s+1)*ch
			fmt.Fprintf(b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>turnout %d%%, share %d%%: %d</title></rect>`+"\n",
				x, y, cw+0.05, ch+0.05, heatColour(c, maxC), t, s, c)
		}
	}
	axes(b, "turnout (%)", rep.Leader+" share (%)", 100, 100)
	fmt.Fprintf(b, `<text x="%d" y="%d" %s fill="#444">darkest = %d stations</text>`+"\n", plotR, plotT-8, svgFont+` text-anchor="end"`, maxC)
	return svgFooter(b)
}

// WriteTurnoutSVG draws the turnout histogram in 0.1-point bins (numerators
// jittered), where integer percentages show as spikes.
func WriteTurnoutSVG(w io.Writer, rep *Report) error {
	return WriteHistogramSVG(w, "Turnout: stations per 0.1-point bin", "turnout (%)", rep.Distributions.TurnoutFine, 0.1)
}

// WriteLeaderShareSVG draws the leader-share histogram in 0.1-point bins.
func WriteLeaderShareSVG(w io.Writer, rep *Report) error {
	return WriteHistogramSVG(w, rep.Leader+" share: stations per 0.1-point bin", "share of ballots in the box (%)", rep.Distributions.LeaderFine, 0.1)
}

// WriteShareSVG draws candidate j's share histogram in 1-point bins.
func WriteShareSVG(w io.Writer, rep *Report, j int) error {
	if j < 0 || j >= len(rep.Distributions.Shares) {
		return fmt.Errorf("forensics: no candidate %d (the report has %d)", j, len(rep.Distributions.Shares))
	}
	return WriteHistogramSVG(w, rep.Candidates[j]+" share: stations per 1-point bin", "share of ballots in the box (%)", rep.Distributions.Shares[j], 1)
}

// WriteHistogramSVG draws counts (bin k centred on k·width percent) as a
// step line.
func WriteHistogramSVG(w io.Writer, title, xlabel string, counts []int, width float64) error {
	b := bufio.NewWriter(w)
	svgHeader(b, title)
	maxC := max(1, slices.Max(append([]int{0}, counts...)))
	top := niceCeil(float64(maxC))
	span := float64(len(counts)) * width
	sx := float64(plotR-plotL) / span
	sy := float64(plotB-plotT) / top
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#ffffff" stroke="#888"/>`+"\n", plotL, plotT, plotR-plotL, plotB-plotT)
	fmt.Fprintf(b, `<path fill="none" stroke="#1f5fa8" stroke-width="1" d="M%d %d`, plotL, plotB)
	for k, c := range counts {
		x0 := float64(plotL) + float64(k)*width*sx
		y := float64(plotB) - float64(c)*sy
		fmt.Fprintf(b, " L%.2f %.2f L%.2f %.2f", x0, y, x0+width*sx, y)
	}
	fmt.Fprintf(b, ` L%d %d"/>`+"\n", plotR, plotB)
	axes(b, xlabel, "stations", span, top)
	return svgFooter(b)
}

func svgHeader(b *bufio.Writer, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img">`+"\n", svgW, svgH, svgW, svgH)
	fmt.Fprintf(b, "<title>%s</title>\n", html.EscapeString(title))
	fmt.Fprintf(b, `<text x="%d" y="22" %s font-weight="bold">%s</text>`+"\n", plotL, svgFont, html.EscapeString(title))
}

func svgFooter(b *bufio.Writer) error {
	fmt.Fprintf(b, `<text x="%d" y="%d" %s fill="#a33">%s</text>`+"\n", plotL, svgH-8, svgFont,
		html.EscapeString("Screening signals, not proof of fraud."))
	b.WriteString("</svg>\n")
	return b.Flush()
}

// axes draws ticks at quarters of both ranges. The x ticks are at quarters
// of the roundest value not above xmax (100 for a 1001-bin histogram of
// 0.1-point bins spanning 100.1), placed to scale.
func axes(b *bufio.Writer, xlabel, ylabel string, xmax, ymax float64) {
	xr := niceFloor(xmax)
	for i := 0; i <= 4; i++ {
		x := float64(plotL) + xr*float64(i)/4/xmax*float64(plotR-plotL)
		y := float64(plotB) - float64(i)*float64(plotB-plotT)/4
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888"/>`, x, plotB, x, plotB+5)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" %s text-anchor="middle">%s</text>`+"\n", x, plotB+18, svgFont, fmtTick(xr*float64(i)/4))
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#888"/>`, plotL-5, y, plotL, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" %s text-anchor="end">%s</text>`+"\n", plotL-8, y+4, svgFont, fmtTick(ymax*float64(i)/4))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" %s text-anchor="middle">%s</text>`+"\n", (plotL+plotR)/2, plotB+34, svgFont, html.EscapeString(xlabel))
	fmt.Fprintf(b, `<text x="14" y="%d" %s text-anchor="middle" transform="rotate(-90 14 %d)">%s</text>`+"\n",
		(plotT+plotB)/2, svgFont, (plotT+plotB)/2, html.EscapeString(ylabel))
}

func fmtTick(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// niceFloor returns v when its quarters print in at most one decimal,
// else the largest multiple of 4 times a power of ten, times 1, 2, 2.5 or
// 5, not above v.
func niceFloor(v float64) float64 {
	if q := v / 4 * 10; q == math.Trunc(q) {
		return v
	}
	p := math.Pow(10, math.Floor(math.Log10(v/4)))
	best := 4 * p
	for _, m := range []float64{1, 2, 2.5, 5} {
		if 4*m*p <= v {
			best = 4 * m * p
		}
	}
	return best
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten, times 4 so that
// the quarter ticks are round too.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v/4)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if 4*m*p >= v {
			return 4 * m * p
		}
	}
	return 40 * p
}

// heatColour maps a count to a colour from pale yellow to dark blue on a
// log scale.
func heatColour(c, maxC int) string {
	f := 0.0
	if maxC > 1 {
		f = math.Log(float64(c)) / math.Log(float64(maxC))
	}
	lerp := func(a, b float64) int { return int(math.Round(a + (b-a)*f)) }
	return fmt.Sprintf("#%02x%02x%02x", lerp(255, 8), lerp(237, 29), lerp(160, 88))
}
