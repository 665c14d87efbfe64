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

// ChartText holds the words of the charts, so that a caller (the results
// site's Urdu pages) can draw them in another language without this
// package knowing any. Fields marked "format" are fmt formats taking the
// arguments named; a translation must keep their verbs (reordered with
// explicit indexes if its word order needs it). Numbers on the axes are
// not words and are drawn the same in every language.
type ChartText struct {
	// Lang is the BCP 47 tag of the words, written as xml:lang on the
	// chart; "" for English (and then nothing is written, so English
	// charts stay as they were).
	Lang string
	// RTL draws the words right to left: each phrase gets direction="rtl",
	// the title and caveat are aligned to the right edge of the plot and
	// the colour-scale note to its left, and names (which may be Latin)
	// are isolated (U+2068…U+2069) so they keep their own order.
	RTL bool

	FingerprintTitle string // format: leader's name
	FingerprintTip   string // format: turnout %, share %, stations (three %d)
	Darkest          string // format: stations in the darkest cell (%d)
	TurnoutTitle     string
	LeaderShareTitle string // format: leader's name
	ShareTitle       string // format: candidate's name
	TurnoutAxis      string
	NamedShareAxis   string // format: leader's name
	BallotShareAxis  string
	StationsAxis     string
	Caveat           string
}

// English is the charts' text in English, what the Write…SVG functions
// draw.
var English = ChartText{
	FingerprintTitle: "Turnout × %s share: stations per 1-point bin",
	FingerprintTip:   "turnout %d%%, share %d%%: %d",
	Darkest:          "darkest = %d stations",
	TurnoutTitle:     "Turnout: stations per 0.1-point bin",
	LeaderShareTitle: "%s share: stations per 0.1-point bin",
	ShareTitle:       "%s share: stations per 1-point bin",
	TurnoutAxis:      "turnout (%)",
	NamedShareAxis:   "%s share (%%)",
	BallotShareAxis:  "share of ballots in the box (%)",
	StationsAxis:     "stations",
	Caveat:           "Screening signals, not proof of fraud.",
}

// Translate returns t with every phrase passed through f (Lang and RTL
// are kept: set them on the result).
func (t ChartText) Translate(f func(string) string) ChartText {
	for _, p := range t.phrases() {
		*p = f(*p)
	}
	return t
}

// Phrases lists t's phrases in field order.
func (t ChartText) Phrases() []string {
	var out []string
	for _, p := range t.phrases() {
		out = append(out, *p)
	}
	return out
}

func (t *ChartText) phrases() []*string {
	return []*string{&t.FingerprintTitle, &t.FingerprintTip, &t.Darkest, &t.TurnoutTitle,
		&t.LeaderShareTitle, &t.ShareTitle, &t.TurnoutAxis, &t.NamedShareAxis,
		&t.BallotShareAxis, &t.StationsAxis, &t.Caveat}
}

// name returns a name to put into a phrase: isolated in right-to-left
// text.
func (t ChartText) name(s string) string {
	if t.RTL {
		return "\u2068" + s + "\u2069"
	}
	return s
}

// font is the font of a phrase: right-to-left (Arabic-script) words are
// drawn at 14 px, as 12 px Naskh reads smaller than 12 px Latin.
func (t ChartText) font() string {
	if t.RTL {
		return `font-family="sans-serif" font-size="14"`
	}
	return svgFont
}

// attrs are the attributes of a text element holding a phrase.
func (t ChartText) attrs() string {
	if t.RTL {
		return ` direction="rtl"`
	}
	return ""
}

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
	return English.WriteFingerprintSVG(w, rep)
}

// WriteFingerprintSVG draws the fingerprint chart in t's words.
func (t ChartText) WriteFingerprintSVG(w io.Writer, rep *Report) error {
	b := bufio.NewWriter(w)
	fp := rep.Distributions.Fingerprint
	maxC := 0
	for _, row := range fp {
		maxC = max(maxC, slices.Max(append([]int{0}, row...)))
	}
	t.header(b, fmt.Sprintf(t.FingerprintTitle, t.name(rep.Leader)))
	cw, ch := float64(plotR-plotL)/101, float64(plotB-plotT)/101
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#ffffff" stroke="#888"/>`+"\n", plotL, plotT, plotR-plotL, plotB-plotT)
	for tb, row := range fp {
		for s, c := range row {
			if c == 0 {
				continue
			}
			x := float64(plotL) + float64(tb)*cw
			y := float64(plotB) - float64(s+1)*ch
			fmt.Fprintf(b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>%s</title></rect>`+"\n",
				x, y, cw+0.05, ch+0.05, heatColour(c, maxC), html.EscapeString(fmt.Sprintf(t.FingerprintTip, tb, s, c)))
		}
	}
	t.axes(b, t.TurnoutAxis, fmt.Sprintf(t.NamedShareAxis, t.name(rep.Leader)), 100, 100)
	x := plotR
	if t.RTL {
		x = plotL
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" %s fill="#444">%s</text>`+"\n", x, plotT-8, t.font()+` text-anchor="end"`+t.attrs(),
		html.EscapeString(fmt.Sprintf(t.Darkest, maxC)))
	return t.footer(b)
}

// WriteTurnoutSVG draws the turnout histogram in 0.1-point bins (numerators
// jittered), where integer percentages show as spikes.
func WriteTurnoutSVG(w io.Writer, rep *Report) error { return English.WriteTurnoutSVG(w, rep) }

// WriteTurnoutSVG draws the turnout histogram in t's words.
func (t ChartText) WriteTurnoutSVG(w io.Writer, rep *Report) error {
	return t.WriteHistogramSVG(w, t.TurnoutTitle, t.TurnoutAxis, rep.Distributions.TurnoutFine, 0.1)
}

// WriteLeaderShareSVG draws the leader-share histogram in 0.1-point bins.
func WriteLeaderShareSVG(w io.Writer, rep *Report) error { return English.WriteLeaderShareSVG(w, rep) }

// WriteLeaderShareSVG draws the leader-share histogram in t's words.
func (t ChartText) WriteLeaderShareSVG(w io.Writer, rep *Report) error {
	return t.WriteHistogramSVG(w, fmt.Sprintf(t.LeaderShareTitle, t.name(rep.Leader)), t.BallotShareAxis, rep.Distributions.LeaderFine, 0.1)
}

// WriteShareSVG draws candidate j's share histogram in 1-point bins.
func WriteShareSVG(w io.Writer, rep *Report, j int) error { return English.WriteShareSVG(w, rep, j) }

// WriteShareSVG draws candidate j's share histogram in t's words.
func (t ChartText) WriteShareSVG(w io.Writer, rep *Report, j int) error {
	if j < 0 || j >= len(rep.Distributions.Shares) {
		return fmt.Errorf("forensics: no candidate %d (the report has %d)", j, len(rep.Distributions.Shares))
	}
	return t.WriteHistogramSVG(w, fmt.Sprintf(t.ShareTitle, t.name(rep.Candidates[j])), t.BallotShareAxis, rep.Distributions.Shares[j], 1)
}

// WriteHistogramSVG draws counts (bin k centred on k·width percent) as a
// step line.
func WriteHistogramSVG(w io.Writer, title, xlabel string, counts []int, width float64) error {
	return English.WriteHistogramSVG(w, title, xlabel, counts, width)
}

// WriteHistogramSVG draws a histogram with t's stations axis and caveat;
// title and xlabel are already in t's language.
func (t ChartText) WriteHistogramSVG(w io.Writer, title, xlabel string, counts []int, width float64) error {
	b := bufio.NewWriter(w)
	t.header(b, title)
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
	t.axes(b, xlabel, t.StationsAxis, span, top)
	return t.footer(b)
}

// lineStart is where the title and caveat begin: the plot's left edge,
// or its right edge in right-to-left text (where "start" anchors there).
func (t ChartText) lineStart() int {
	if t.RTL {
		return plotR
	}
	return plotL
}

func (t ChartText) header(b *bufio.Writer, title string) {
	lang := ""
	if t.Lang != "" {
		lang = ` xml:lang="` + html.EscapeString(t.Lang) + `"`
	}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img"%s>`+"\n", svgW, svgH, svgW, svgH, lang)
	fmt.Fprintf(b, "<title>%s</title>\n", html.EscapeString(title))
	fmt.Fprintf(b, `<text x="%d" y="22" %s font-weight="bold"%s>%s</text>`+"\n", t.lineStart(), t.font(), t.attrs(), html.EscapeString(title))
}

func (t ChartText) footer(b *bufio.Writer) error {
	fmt.Fprintf(b, `<text x="%d" y="%d" %s fill="#a33"%s>%s</text>`+"\n", t.lineStart(), svgH-8, t.font(), t.attrs(),
		html.EscapeString(t.Caveat))
	b.WriteString("</svg>\n")
	return b.Flush()
}

// axes draws ticks at quarters of both ranges. The x ticks are at quarters
// of the roundest value not above xmax (100 for a 1001-bin histogram of
// 0.1-point bins spanning 100.1), placed to scale.
func (t ChartText) axes(b *bufio.Writer, xlabel, ylabel string, xmax, ymax float64) {
	xr := niceFloor(xmax)
	for i := 0; i <= 4; i++ {
		x := float64(plotL) + xr*float64(i)/4/xmax*float64(plotR-plotL)
		y := float64(plotB) - float64(i)*float64(plotB-plotT)/4
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888"/>`, x, plotB, x, plotB+5)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" %s text-anchor="middle">%s</text>`+"\n", x, plotB+18, svgFont, fmtTick(xr*float64(i)/4))
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#888"/>`, plotL-5, y, plotL, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" %s text-anchor="end">%s</text>`+"\n", plotL-8, y+4, svgFont, fmtTick(ymax*float64(i)/4))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" %s text-anchor="middle"%s>%s</text>`+"\n", (plotL+plotR)/2, plotB+34, t.font(), t.attrs(), html.EscapeString(xlabel))
	fmt.Fprintf(b, `<text x="14" y="%d" %s text-anchor="middle" transform="rotate(-90 14 %d)"%s>%s</text>`+"\n",
		(plotT+plotB)/2, t.font(), (plotT+plotB)/2, t.attrs(), html.EscapeString(ylabel))
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
