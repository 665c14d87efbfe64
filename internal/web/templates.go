package web

import (
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/tally"
)

// pages holds one template set per page: the shared layout
// (templates/layout.html) with the page's "content" template. Every
// template is html/template, so names and reasons from records, which
// anyone with a key can write, are escaped wherever they appear.
var pages = parsePages("en")

// parsePages parses every page's template set with the functions of lang
// (see i18n.go: "t" translates, "province" names a region).
func parsePages(lang string) map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).Funcs(langFuncs(lang)).ParseFS(templateFS, "templates/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"assembly", "contest", "station", "entry", "flags", "forensics", "log", "notfound", "claim", "search", "audits", "receipt"} {
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
	}
	return out
}

var funcs = template.FuncMap{
	"num": formatCount,
	// shape draws a party's marker shape in its colour.
	"shape": shapeIcon,
	"tag":   tag,
	// pctf writes a fraction (0.516) as a percentage ("51.6%").
	"pctf":  func(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" },
	"pct":   percent,
	"short": shortHash,
	"add":   func(a, b int) int { return a + b },
	"join":  strings.Join,
	// signed writes a difference with its sign: +230, −230, 0.
	"signed": func(n int64) string {
		if n > 0 {
			return "+" + formatCount(n)
		}
		return formatCount(n)
	},
	// firstEvidence and moreEvidence keep a flag's line short: the first
	// records it rests on, and how many more there are.
	"firstEvidence": func(ev []tally.Evidence) []tally.Evidence { return ev[:min(len(ev), evidenceShown)] },
	"moreEvidence":  func(ev []tally.Evidence) int { return max(len(ev)-evidenceShown, 0) },
	"severities":    func() []string { return []string{"grave", "high", "medium", "low"} },
	// slice2 lets a template range over two optional sections.
	"slice2": func(a, b *declarationView) []*declarationView { return []*declarationView{a, b} },
}

// evidenceShown is how many of a flag's evidence records a flag line
// links.
const evidenceShown = 6

// formatCount writes a count with thousands separators: 1,234,567.
func formatCount(v any) string {
	switch v.(type) {
	case int, int64, uint64:
	default:
		return fmt.Sprint(v)
	}
	s := strconv.FormatInt(toInt64(v), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// percent formats part/whole as a percentage with one decimal.
func percent(part, whole any) string {
	p, w := toInt64(part), toInt64(whole)
	if w == 0 {
		return "–"
	}
	return strconv.FormatFloat(100*float64(p)/float64(w), 'f', 1, 64) + "%"
}

func toInt64(v any) int64 {
	switch v := v.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case uint64:
		return int64(v)
	}
	return 0
}

// shortHash abbreviates a hash for display; the full hash is in the title
// attribute or the API.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// pageCommon is what the layout shows on every page.
type pageCommon struct {
	Title      string
	Election   string // the election's title
	ElectionID string
	Origin     string
	Assemblies []navItem
	Applied    uint64 // entries applied
	Overdue    bool
	Stopped    string // why the server refuses submissions (guard.go), or ""
	// Description is the page's summary for share cards (og:description).
	Description string
	// Lang is the page's language ("en" or "ur"); Path is the page's
	// address without the language prefix, for the language switch.
	Lang, Path string
	// Snapshot is the log size a snapshot page shows (0 on live pages);
	// Live is the live tally's size then.
	Snapshot, Live uint64
	// Permalink is this page's snapshot address at the current size, if
	// the page has snapshots.
	Permalink string
	// Card is the address of the page's share card (og:image), if it
	// has one (card.go); URL the page's own address. Both are absolute
	// under Options.PublicURL when it is set.
	Card, URL string
}

func (c pageCommon) language() string { return c.Lang }

type navItem struct{ ID, Name string }

// common fills the layout's data from a view.
func (x *site) common(r *http.Request, v *tally.View, title string) pageCommon {
	c := pageCommon{Title: title, Origin: x.s.Meta.Origin, ElectionID: x.s.Meta.Election, Applied: v.Size(), Stopped: x.s.Stopped(),
		Lang: langOf(r), Path: strings.TrimPrefix(r.URL.RequestURI(), langPrefix(r))}
	if x.snap != nil {
		c.Snapshot, c.Live = x.snapSize, x.s.Tally.Size()
	} else {
		c.Permalink = permalinkOf(c.Path, c.Applied)
	}
	d := v.Definition()
	if d == nil {
		c.Election = x.s.Meta.Election
		return c
	}
	c.Election = d.Title
	if x.snap == nil && len(d.Assemblies) > 0 {
		if c.Card = cardOf(c.Path, d.Assemblies[0].ID); c.Card != "" {
			c.Card = x.s.publicURL + c.Card
		}
	}
	if x.s.publicURL != "" {
		c.URL = x.s.publicURL + langPrefix(r) + c.Path
	}
	for _, a := range d.Assemblies {
		c.Assemblies = append(c.Assemblies, navItem{a.ID, a.Name})
	}
	c.Overdue = !v.Deadline().IsZero() && x.asOf().After(v.Deadline())
	return c
}

// partySymbol abbreviates a party for its badge: the capitals and digits
// of its name ("Pakistan Muslim League (N)" → "PMLN"), at most five, or
// its ID in capitals.
func partySymbol(id, name string) string {
	var b []rune
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' || r == '(' || r == ')' }) {
		r := []rune(w)[0]
		if unicode.IsUpper(r) || unicode.IsDigit(r) {
			b = append(b, r)
		}
	}
	if len(b) < 2 || len(b) > 5 {
		return strings.ToUpper(id[:min(len(id), 5)])
	}
	return string(b)
}

// Colours for parties without one, for independents and for seats not yet
// filled.
const (
	colorNoParty     = "#8a8a8a"
	colorIndependent = "#5b5b5b"
	colorUnfilled    = "#9a9a9a"
)

// htmlColor is the only colour syntax drawn into SVG; the definition's
// validator enforces it too.
var htmlColor = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// partyOf returns the display information of a party ID; the empty ID and
// seats.Independent are independents.
func partyOf(d *election.Definition, id string) partyInfo {
	if id == "" || strings.EqualFold(id, "independent") {
		return partyInfo{ID: "independent", Name: "Independent", LocalName: "آزاد", Color: colorIndependent, Symbol: "IND", Shape: independentShape}
	}
	p, ok := d.Party(id)
	if !ok {
		return partyInfo{ID: id, Name: id, Color: colorNoParty, Symbol: partySymbol(id, id), Shape: independentShape}
	}
	i := 0
	for i < len(d.Parties) && d.Parties[i].ID != p.ID {
		i++
	}
	info := partyInfo{ID: p.ID, Name: p.Name, LocalName: p.LocalName, Color: p.Color, Symbol: partySymbol(p.ID, p.Name), Shape: shapeOf(i)}
	if !htmlColor.MatchString(info.Color) {
		info.Color = colorNoParty
	}
	return info
}
