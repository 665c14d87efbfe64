package web

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// docShot saves the whole page as name.jpg in $TALLYLOG_SCREENSHOTS, if
// set (docs/screenshots holds the committed set: JPEG keeps it small;
// TALLYLOG_SCREENSHOTS_PNG=1 writes PNG instead).
func docShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TALLYLOG_SCREENSHOTS")
	if dir == "" {
		return
	}
	quality, ext := 70, ".jpg"
	if os.Getenv("TALLYLOG_SCREENSHOTS_PNG") != "" {
		quality, ext = 100, ".png"
	}
	img := run(t, ctx, "screenshot "+name, chromedp.FullScreenshot(quality))
	if err := os.WriteFile(filepath.Join(dir, name+ext), img, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sitePages are the site's page types, as the browser tests visit them on
// the election-night scenario.
func sitePages(sc *scenario) []struct{ name, path, sel string } {
	return []struct{ name, path, sel string }{
		{"national", "/", "svg.hemicycle"},
		{"constituency", "/contest/NA-57", "#form-47"},
		{"station", "/station/NA-57/PS-2", "pre.receipt"},
		{"entry", fmt.Sprintf("/entry/%d", sc.Tampered), "pre.record"},
		{"flags", "/flags", "#flag-list"},
		{"forensics", "/forensics", "main h1"},
		{"log", "/log", "main h1"},
		{"search", "/search?q=one", "main h1"},
		{"claim", "/claim", "h1"},
		{"audits", "/audits", "main h1"},
		{"receipt", "/receipt", "main h1"},
		{"snapshot", fmt.Sprintf("/snapshot/%d/contest/NA-57", sc.Tampered+1), "#snapshot"},
		{"urdu-national", "/ur/", "svg.hemicycle"},
		{"urdu-constituency", "/ur/contest/NA-57", "#form-47"},
		{"urdu-station", "/ur/station/NA-57/PS-3", "pre.receipt"},
		{"urdu-search", "/ur/search?q=" + url.QueryEscape("راولپنڈی"), "#hits"},
		{"urdu-forensics", "/ur/forensics/assembly/NA", ".charts img"},
	}
}

// urduCharts checks, at the size in use, that the Urdu screening page's
// charts are the Urdu ones, loaded and no wider than the screen, and
// that each chart draws its words right to left inside its 640 px: the
// title and caveat end at the plot's right edge (x = 620).
func urduCharts(t *testing.T, ctx context.Context, ts *testSite) {
	t.Helper()
	imgs := run(t, ctx, "charts", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".charts img")].map(i => i.getAttribute("src") + " " + i.naturalWidth + " " + (i.getBoundingClientRect().right <= document.documentElement.clientWidth + 1 && i.getBoundingClientRect().left >= -1))`))
	if len(imgs) != 3 {
		t.Fatalf("the Urdu screening page shows %d charts, want 3: %v", len(imgs), imgs)
	}
	for _, img := range imgs {
		src, rest, _ := strings.Cut(img, " ")
		if !strings.HasPrefix(src, "/ur/forensics/") || rest != "640 true" {
			t.Errorf("chart %s: want an Urdu chart (/ur/…) loaded 640 px wide and inside the screen, got %q", src, rest)
		}
	}
	for _, img := range imgs {
		src, _, _ := strings.Cut(img, " ")
		open(t, ctx, ts, src, "text")
		// Each phrase: its direction, the left and right of its box (as
		// drawn, after rotation), and
		// whether it is the title or the caveat (anchored at the start).
		words := run(t, ctx, "chart words", chromedp.Evaluate[[][]any](`[...document.querySelectorAll("text[direction]")].map(e => { const b = e.getBoundingClientRect(); return [getComputedStyle(e).direction, Math.round(b.left + scrollX), Math.round(b.right + scrollX), !e.hasAttribute("text-anchor")] })`))
		if len(words) < 4 {
			t.Errorf("%s has %d phrases marked with a direction, want at least 4", src, len(words))
		}
		for _, w := range words {
			left, right := w[1].(float64), w[2].(float64)
			if w[0] != "rtl" || left < 0 || right > 640 || w[3] == true && (right < 618 || right > 622) {
				t.Errorf("%s: a phrase is drawn %v (want rtl, within 0–640 px, title and caveat ending at 620)", src, w)
			}
		}
	}
}

// disputedCards checks, on a phone, that each line of the disputed seats'
// cards reads as label then number from the line's start: the votes moved
// sit next to their label, at the right in Urdu, not at the far side of
// the card (where Urdu's left-to-right numbers had pushed them).
func disputedCards(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	// Per card: the number's distance from the line's start edge, and the
	// line's width.
	cells := run(t, ctx, "votes moved", chromedp.Evaluate[[][]float64](`[...document.querySelectorAll("table.disputed td.n")].map(td => {
		const r = document.createRange(); r.selectNodeContents(td.firstChild);
		const n = r.getBoundingClientRect(), c = td.getBoundingClientRect(), rtl = document.documentElement.dir === "rtl";
		return [Math.round(rtl ? c.right - n.right : n.left - c.left), Math.round(c.width)] })`))
	if len(cells) == 0 {
		t.Errorf("%s: no disputed seat's votes moved on the page", path)
	}
	for _, c := range cells {
		if c[0] > c[1]/2 {
			t.Errorf("%s at phone size: the votes moved are %.0f px from the start of their %.0f px line, away from their label", path, c[0], c[1])
		}
	}
}

// TestBrowserPhonesAndDesktops opens every page type at 1366×900 and
// 390×844: no page is wider than a phone's screen, and the national page
// leads with the disputed seat. Screenshots go to $TALLYLOG_SCREENSHOTS
// (docs/screenshots holds the committed set).
func TestBrowserPhonesAndDesktops(t *testing.T) {
	ctx := browser(t)
	ts := newTestSite(t)
	sc := ts.electionNight(t)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1366, 900}, {"phone", 390, 844}} {
		opts := []chromedp.EmulateViewportOption{}
		if size.w < 500 {
			opts = append(opts, chromedp.EmulateMobile)
		}
		run(t, ctx, "viewport "+size.name, chromedp.EmulateViewport(size.w, size.h, opts...))
		for _, p := range sitePages(sc) {
			open(t, ctx, ts, p.path, p.sel)
			overflow := run(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
			if overflow > 0 {
				wide := run(t, ctx, "wide elements", chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".scroll, pre")).slice(0, 5).map(e => e.tagName + "." + e.className + " " + (e.id||""))`))
				t.Errorf("%s at %s: the page is %dpx wider than the screen (%v)", p.path, size.name, overflow, wide)
			}
			if strings.HasPrefix(p.path, "/ur/") {
				dir := run(t, ctx, "direction", chromedp.Evaluate[string](`document.documentElement.lang + " " + document.documentElement.dir + " " + getComputedStyle(document.querySelector("main")).direction`))
				if dir != "ur rtl rtl" {
					t.Errorf("%s: lang, dir and main's direction are %q, want ur rtl rtl", p.path, dir)
				}
				// The footer's links read right to left, those with Latin
				// names included: along a line, each is left of the one
				// before it.
				order := run(t, ctx, "footer links", chromedp.Evaluate[[]string](`(() => { const out = [];
					const as = [...document.querySelectorAll("footer a")].map(a => [a.textContent, a.getClientRects()]);
					for (let i = 1; i < as.length; i++) { const [pa, pr] = as[i-1], [na, nr] = as[i];
						const p = pr[pr.length-1], n = nr[0];
						if (p && n && Math.abs(p.top - n.top) < 2 && n.left > p.left) out.push(pa + " | " + na); }
					return out })()`))
				if len(order) > 0 {
					t.Errorf("%s: in the footer, links follow each other left to right: %q", p.path, order)
				}
				english := run(t, ctx, "links", chromedp.Evaluate[[]string](`[...document.querySelectorAll("main a[href^='/contest/'], main a[href^='/station/']")].map(a => a.getAttribute("href"))`))
				if len(english) > 0 {
					t.Errorf("%s: links leave the Urdu site: %v", p.path, english)
				}
			}
			if p.name == "national" && size.w < 500 {
				// Parties by shape as well as colour, legible on a phone:
				// every party in the legend with its shape, seats at least
				// 6 px across.
				legend := run(t, ctx, "legend", chromedp.Evaluate[[]int](`[document.querySelectorAll("#legend li").length, document.querySelectorAll("#legend li svg.shape").length, document.querySelectorAll("#parties tbody tr[data-party]:not([data-party=unfilled])").length, Math.round(Math.min(...[...document.querySelectorAll("svg.hemicycle .seat")].map(e => e.getBoundingClientRect().width)))]`))
				if len(legend) != 4 || legend[0] == 0 || legend[0] != legend[1] || legend[0] != legend[2] || legend[3] < 6 {
					t.Errorf("at %s the legend has %v (entries, shapes, parties in the table, narrowest seat in px)", size.name, legend)
				}
			}
			if (p.name == "national" || p.name == "urdu-national") && size.w < 500 {
				disputedCards(t, ctx, p.path)
			}
			if p.name == "national" || p.name == "urdu-national" {
				// The hemicycle's words (the seat count, the majority
				// lines' labels) cover no seat, in either script.
				covered := run(t, ctx, "hemicycle words", chromedp.Evaluate[[]string](`(() => {
					const seats = [...document.querySelectorAll("svg.hemicycle .seat")].map(e => e.getBoundingClientRect());
					return [...document.querySelectorAll("svg.hemicycle > text")].filter(t => { const r = t.getBoundingClientRect();
						return seats.some(s => s.left < r.right && s.right > r.left && s.top < r.bottom && s.bottom > r.top) }).map(t => t.textContent) })()`))
				if len(covered) > 0 {
					t.Errorf("%s at %s: the hemicycle's %q overlap its seats", p.path, size.name, covered)
				}
			}
			// Accessibility at the phone size, where most readers are
			// (one size keeps the run short; the rules do not depend on it).
			if size.w < 500 {
				axe(t, ctx, p.path+" at "+size.name)
			}
			docShot(t, ctx, p.name+"-"+size.name)
			if p.name == "urdu-forensics" && size.w < 500 {
				urduCharts(t, ctx, ts)
			}
		}
	}
	// Dark mode: the same rules with prefers-color-scheme: dark.
	run(t, ctx, "dark scheme", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	}))
	for _, path := range []string{"/", "/contest/NA-57"} {
		name := map[string]string{"/": "national-dark", "/contest/NA-57": "constituency-dark"}[path]
		open(t, ctx, ts, path, "main h1")
		bg := run(t, ctx, "background", chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if bg != "rgb(18, 18, 18)" {
			t.Errorf("%s in the dark scheme has background %s, want the dark one", path, bg)
		}
		axe(t, ctx, path+" in the dark scheme")
		docShot(t, ctx, name)
	}
	run(t, ctx, "light scheme", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}})
		return err
	}))
	open(t, ctx, ts, "/", "#disputed")
	banner := run(t, ctx, "banner", chromedp.Text(chromedp.CSS("#disputed")))
	if !strings.Contains(banner, "NA-57") || !strings.Contains(banner, "different winner") {
		t.Errorf("the disputed-seat banner does not name NA-57 and its changed winner:\n%s", banner)
	}
	// The banner comes before the hemicycle: the story first.
	first := run(t, ctx, "order", chromedp.Evaluate[bool](`!!(document.querySelector("#disputed").compareDocumentPosition(document.querySelector("svg.hemicycle")) & Node.DOCUMENT_POSITION_FOLLOWING)`))
	if !first {
		t.Error("the disputed-seat banner is not above the hemicycle")
	}
	ringed := run(t, ctx, "disputed seats", chromedp.Evaluate[int](`document.querySelectorAll("svg.hemicycle .seat.disputed").length`))
	if ringed != 1 {
		t.Errorf("the hemicycle marks %d seats as disputed, want 1 (NA-57)", ringed)
	}
}
