package web

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/tally"
)

// Share cards: the picture a messaging app or a social network shows
// beside a shared link (og:image), drawn by the server as a PNG with the
// standard library alone.
//
//	GET /card/assembly/{id}.png   the hemicycle, disputed seats marked
//	GET /card/contest/{id}.png    declared vs sheets per candidate
//
// Parties are told apart by shape as well as colour, as on the pages. A
// disputed assembly or contest has a red band saying so. Cards are kept
// in a cache of their own, one card per address at the latest published
// checkpoint it was drawn for, bounded in bytes; a card is drawn again
// only when the checkpoint has moved and the kept one is older than
// cardMaxAge, one card at a time. While one is drawn, a request whose
// card is kept (however old) gets it at once, and at most cardQueue
// others wait; more get 429. No reader can make the server draw, hold or
// queue more than that, whatever it asks for.

const (
	cardW, cardH = 1200, 630
	// cardMaxAge is how long a card may lag the log.
	cardMaxAge = 30 * time.Second
	// cardCacheBytes bounds the cards kept; maxCardBytes a card kept.
	cardCacheBytes = 16 << 20
	maxCardBytes   = 128 << 10
	// cardQueue bounds the requests waiting for a card to be drawn when
	// no older card of theirs is kept; more are answered 429.
	cardQueue = 8
)

// cardCache keeps the latest card of each address.
type cardCache struct {
	mu    sync.Mutex
	m     map[string]*drawnCard
	bytes int64
	draw  sync.Mutex    // one card drawn at a time
	queue chan struct{} // a token per request waiting to draw
	now   func() time.Time
}

type drawnCard struct {
	checkpoint uint64
	at         time.Time
	png        []byte
}

func newCardCache(now func() time.Time) *cardCache {
	return &cardCache{m: map[string]*drawnCard{}, queue: make(chan struct{}, cardQueue), now: now}
}

// fresh returns the kept card of key if it shows checkpoint, or is young
// enough to stand for it.
func (c *cardCache) fresh(key string, checkpoint uint64) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.m[key]; d != nil && (d.checkpoint == checkpoint || c.now().Sub(d.at) < cardMaxAge) {
		return d.png
	}
	return nil
}

// get returns key's card at checkpoint, drawing it with draw when the
// kept one will not do; ok is false when draw finds nothing to draw.
func (c *cardCache) get(key string, checkpoint uint64, draw func() ([]byte, bool)) ([]byte, bool, error) {
	if b := c.fresh(key, checkpoint); b != nil {
		return b, true, nil
	}
	if !c.draw.TryLock() {
		// Another card is being drawn: an older card of this address
		// will do; else wait in a bounded queue.
		c.mu.Lock()
		old := c.m[key]
		c.mu.Unlock()
		if old != nil {
			return old.png, true, nil
		}
		select {
		case c.queue <- struct{}{}:
			defer func() { <-c.queue }()
		default:
			return nil, false, errCardsBusy
		}
		c.draw.Lock()
	}
	defer c.draw.Unlock()
	if b := c.fresh(key, checkpoint); b != nil { // drawn while this request waited
		return b, true, nil
	}
	b, ok := draw()
	if !ok {
		return nil, false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[key]; old != nil {
		c.bytes -= int64(len(old.png))
		delete(c.m, key)
	}
	if len(b) > maxCardBytes {
		return b, true, nil
	}
	for c.bytes+int64(len(b)) > cardCacheBytes && len(c.m) > 0 {
		oldest := ""
		for k, d := range c.m {
			if oldest == "" || d.at.Before(c.m[oldest].at) {
				oldest = k
			}
		}
		c.bytes -= int64(len(c.m[oldest].png))
		delete(c.m, oldest)
	}
	c.m[key] = &drawnCard{checkpoint: checkpoint, at: c.now(), png: b}
	c.bytes += int64(len(b))
	return b, true, nil
}

// errCardsBusy refuses a card while cardQueue others wait to be drawn.
var errCardsBusy = fmt.Errorf("cards: %d share cards are waiting to be drawn; retry in a few seconds (the page itself is served at once)", cardQueue)

// cardHandler serves /card/{kind}/{file}.
func (x *site) cardHandler(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	id, isPNG := strings.CutSuffix(r.PathValue("file"), ".png")
	if !isPNG || kind != "assembly" && kind != "contest" || len(id) > 64 {
		http.Error(w, "no such card: cards are /card/assembly/<id>.png and /card/contest/<id>.png", http.StatusNotFound)
		return
	}
	_, checkpoint := x.s.Log.Checkpoint()
	b, ok, err := x.cards.get(kind+"/"+id, checkpoint, func() (b []byte, ok bool) {
		var img *image.RGBA
		x.read(func(v *tally.View) {
			if kind == "assembly" {
				if a, found := x.assemblyOf(v, id); found && a.Assembly == id {
					img = assemblyCard(&a)
				}
				return
			}
			if c, found := v.Contest(id, x.asOf()); found {
				img = contestCard(v.Definition(), &c)
			}
		})
		if img == nil {
			return nil, false
		}
		b, err := encodeCard(img)
		return b, err == nil
	})
	if err != nil {
		w.Header().Set("Retry-After", "2")
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	if !ok {
		http.Error(w, "no "+kind+" "+id+": see the assembly pages for the constituencies", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "public, max-age=30")
	w.Write(b)
}

// encodeCard writes a card as a PNG. A card has few colours: it is
// written with a palette, which PNG stores without per-row filtering (the
// bulk of the work for a full-colour image), unless it has more than 256.
func encodeCard(img *image.RGBA) ([]byte, error) {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	var buf bytes.Buffer
	if p := paletted(img); p != nil {
		err := enc.Encode(&buf, p)
		return buf.Bytes(), err
	}
	err := enc.Encode(&buf, img)
	return buf.Bytes(), err
}

// paletted returns img with a palette of its colours, or nil when it has
// more than 256.
func paletted(img *image.RGBA) *image.Paletted {
	out := image.NewPaletted(img.Bounds(), nil)
	index := map[[4]uint8]uint8{}
	var last [4]uint8
	var lastIdx uint8
	for i := 0; i+3 < len(img.Pix); i += 4 {
		px := [4]uint8(img.Pix[i : i+4])
		if i == 0 || px != last {
			idx, ok := index[px]
			if !ok {
				if len(index) == 256 {
					return nil
				}
				idx = uint8(len(index))
				index[px] = idx
				out.Palette = append(out.Palette, color.RGBA{px[0], px[1], px[2], px[3]})
			}
			last, lastIdx = px, idx
		}
		out.Pix[i/4] = lastIdx
	}
	return out
}

// cardOf is the share card's address of a page path, or "".
func cardOf(path, firstAssembly string) string {
	p, _, _ := strings.Cut(path, "?")
	switch {
	case p == "/" && firstAssembly != "":
		return "/card/assembly/" + firstAssembly + ".png"
	case strings.HasPrefix(p, "/assembly/"):
		return "/card/assembly/" + strings.TrimPrefix(p, "/assembly/") + ".png"
	case strings.HasPrefix(p, "/contest/"):
		return "/card/contest/" + strings.TrimPrefix(p, "/contest/") + ".png"
	}
	return ""
}

var (
	cardInk      = color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
	cardPaper    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	cardMuted    = color.RGBA{0x5a, 0x5a, 0x5a, 0xff}
	cardDisputed = color.RGBA{0xb0, 0x1c, 0x1c, 0xff}
)

// rgb parses #rrggbb (validated by the definition); anything else is grey.
func rgb(s string) color.RGBA {
	var r, g, b uint8
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err != nil || !htmlColor.MatchString(s) {
		return color.RGBA{0x8a, 0x8a, 0x8a, 0xff}
	}
	return color.RGBA{r, g, b, 0xff}
}

// pale mixes c with white, keeping the share f of c.
func pale(c color.RGBA, f float64) color.RGBA {
	mix := func(v uint8) uint8 { return uint8(float64(v)*f + 255*(1-f)) }
	return color.RGBA{mix(c.R), mix(c.G), mix(c.B), 0xff}
}

// fillShape fills shape (svg_shapes.go) of radius r around (cx, cy).
func fillShape(img *image.RGBA, shape string, cx, cy, r float64, c color.RGBA) {
	pts := shapePolygons[shape]
	x0, x1 := int(math.Floor(cx-1.2*r)), int(math.Ceil(cx+1.2*r))
	y0, y1 := int(math.Floor(cy-1.2*r)), int(math.Ceil(cy+1.2*r))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			px, py := (float64(x)+0.5-cx)/r, (float64(y)+0.5-cy)/r
			in := false
			if pts == nil {
				in = px*px+py*py <= 1
			} else {
				for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
					a, b := pts[i], pts[j]
					if (a[1] > py) != (b[1] > py) && px < (b[0]-a[0])*(py-a[1])/(b[1]-a[1])+a[0] {
						in = !in
					}
				}
			}
			if in && image.Pt(x, y).In(img.Bounds()) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

// ringShape draws shape filled with inner and an outline of width w in
// edge.
func ringShape(img *image.RGBA, shape string, cx, cy, r, w float64, edge, inner color.RGBA) {
	fillShape(img, shape, cx, cy, r, edge)
	fillShape(img, shape, cx, cy, max(r-w, 0), inner)
}

// newCard returns a blank card with its top band: title on the left and,
// when disputed is not "", a red box saying so on the right.
func newCard(title, disputed string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, cardW, cardH))
	fillRect(img, 0, 0, cardW, cardH, cardPaper)
	band := cardInk
	if disputed != "" {
		band = cardDisputed
	}
	fillRect(img, 0, 0, cardW, 96, band)
	scale := 6
	for scale > 3 && cardTextWidth(title, scale) > cardW-80-cardTextWidth(disputed, 5)-40 {
		scale--
	}
	drawCardText(img, 40, 48-7*scale/2, scale, title, cardPaper)
	if disputed != "" {
		w := cardTextWidth(disputed, 5) + 40
		fillRect(img, cardW-40-w, 14, w, 68, cardPaper)
		drawCardText(img, cardW-20-w, 48-17, 5, disputed, cardDisputed)
	}
	fillRect(img, 0, cardH-8, cardW, 8, band)
	return img
}

// assemblyCard draws an assembly's hemicycle as its page does, with the
// parties' shapes and seats in a legend beside it.
func assemblyCard(a *assemblyData) *image.RGBA {
	disputed := ""
	if n := len(a.Disputed); n > 0 {
		disputed = fmt.Sprintf("%d DISPUTED", n)
	}
	img := newCard(a.Name, disputed)
	groups, _ := a.seatGroups("en")
	n := 0
	for _, g := range groups {
		n += g.Seats
	}
	pos, dot := hemicyclePositions(n)
	const scale, ox, oy = 1.3, 20.0, 120.0
	k := 0
	for _, g := range groups {
		c := rgb(g.Color)
		runs := g.Runs
		if len(runs) == 0 {
			runs = []seatRun{{"", g.Seats}}
		}
		for _, run := range runs {
			for range run.Seats {
				p := pos[k]
				x, y, r := ox+p.x*scale, oy+p.y*scale, dot*scale*0.9
				switch {
				case g.Hollow:
					ringShape(img, g.Shape, x, y, r, 1.5, c, cardPaper)
				case run.State == seatDisputed:
					ringShape(img, g.Shape, x, y, r, 3.5, cardInk, pale(c, 0.45))
				case run.State == seatLeading, run.State == seatProjected:
					ringShape(img, g.Shape, x, y, r, 2, c, pale(c, 0.4))
				default:
					fillShape(img, g.Shape, x, y, r, c)
				}
				k++
			}
		}
	}
	total := fmt.Sprintf("%d SEATS", n)
	// Inside the inner ring, clear of its seats.
	drawCardText(img, int(ox+hemiCX*scale)-cardTextWidth(total, 4)/2, int(oy+hemiCY*scale)-60, 4, total, cardInk)
	majority := fmt.Sprintf("%d FOR A MAJORITY", a.Simple)
	drawCardText(img, int(ox+hemiCX*scale)-cardTextWidth(majority, 3)/2, int(oy+hemiCY*scale)+22, 3, majority, cardMuted)
	// The legend: the parties with the most seats, then the unfilled.
	y := 130
	for i, p := range a.Parties {
		if i == 9 {
			drawCardText(img, 850, y, 3, fmt.Sprintf("+%d MORE", len(a.Parties)-i), cardMuted)
			y += 44
			break
		}
		fillShape(img, p.Shape, 868, float64(y)+14, 14, rgb(p.Color))
		drawCardText(img, 896, y+4, 4, fmt.Sprintf("%s %d", p.Symbol, p.Total), cardInk)
		y += 44
	}
	if a.Unfilled > 0 {
		ringShape(img, "circle", 868, float64(y)+14, 14, 2, rgb(colorUnfilled), cardPaper)
		drawCardText(img, 896, y+4, 4, fmt.Sprintf("OPEN %d", a.Unfilled), cardMuted)
	}
	return img
}

// contestCard sets the sheets' sum beside the current declaration, per
// candidate (the five with the most votes), as bars.
func contestCard(d *election.Definition, c *tally.ContestResult) *image.RGBA {
	dr := currentDeclaration(c)
	disputed := ""
	if dr != nil && !dr.Matches {
		disputed = "DISPUTED"
	}
	img := newCard(c.ID+" "+c.Name, disputed)
	declared := map[string]int64{}
	sheets := map[string]int64{}
	for _, cr := range c.Candidates {
		sheets[cr.ID] = cr.Votes
	}
	if dr != nil {
		for _, v := range dr.Votes {
			declared[v.Candidate] = v.Votes
		}
		for _, df := range dr.Diff {
			sheets[df.Candidate] = df.Sheets
		}
	}
	cands := slices.Clone(c.Candidates)
	slices.SortStableFunc(cands, func(p, q tally.CandidateResult) int {
		return cmp.Compare(max(sheets[q.ID], declared[q.ID]), max(sheets[p.ID], declared[p.ID]))
	})
	cands = cands[:min(len(cands), 5)]
	var top int64 = 1
	for _, cd := range cands {
		top = max(top, sheets[cd.ID], declared[cd.ID])
	}
	const left, right = 300, cardW - 200
	rowH := 92
	y := 124
	for _, cd := range cands {
		p := partyOf(d, cd.Party)
		col := rgb(p.Color)
		fillShape(img, p.Shape, 62, float64(y)+30, 20, col)
		drawCardText(img, 96, y+16, 5, p.Symbol, cardInk)
		w := int(float64(right-left) * float64(sheets[cd.ID]) / float64(top))
		fillRect(img, left, y, max(w, 2), 34, col)
		drawCardText(img, left+max(w, 2)+12, y+6, 3, formatCount(sheets[cd.ID]), cardInk)
		if dr != nil {
			dw := int(float64(right-left) * float64(declared[cd.ID]) / float64(top))
			fillRect(img, left, y+40, max(dw, 2), 30, cardInk)
			fillRect(img, left+3, y+43, max(dw-6, 0), 24, pale(col, 0.3))
			ink := cardInk
			if declared[cd.ID] != sheets[cd.ID] {
				ink = cardDisputed
			}
			drawCardText(img, left+max(dw, 2)+12, y+44, 3, formatCount(declared[cd.ID]), ink)
		}
		y += rowH
	}
	foot := fmt.Sprintf("SHEETS: %d OF %d STATIONS", c.StationsIn, c.Stations)
	if dr != nil {
		foot += fmt.Sprintf("   OUTLINED: DECLARED (FORM-%d)", dr.Form)
	}
	drawCardText(img, 40, cardH-44, 3, foot, cardMuted)
	return img
}

// CheckPublicURL checks a site address for Options.PublicURL: empty, or
// an absolute http or https URL with a host and nothing after its path.
func CheckPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not a site address: give an absolute https:// (or http://) URL with a host, such as https://results.example.pk, without ?query or #fragment", s)
	}
	return nil
}
