package web

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/tally"
)

// TestShareCards: the assembly and contest pages name their share card
// in og:image; the card is a 1200×630 PNG; a disputed contest's card
// carries the red band, an undisputed one does not; unknown cards are 404.
func TestShareCards(t *testing.T) {
	ts := newTestSite(t)
	ts.electionNight(t)
	for path, card := range map[string]string{"/": "/card/assembly/NA.png", "/contest/NA-57": "/card/contest/NA-57.png",
		"/ur/contest/NA-58": "/card/contest/NA-58.png", "/assembly/PP": "/card/assembly/PP.png"} {
		_, body := ts.get(t, path)
		if !strings.Contains(body, fmt.Sprintf(`<meta property="og:image" content="%s">`, card)) || !strings.Contains(body, "summary_large_image") {
			t.Errorf("%s does not name its card %s", path, card)
		}
	}
	_, body := ts.get(t, "/flags")
	if strings.Contains(body, "og:image") {
		t.Error("the flags page names a card it does not have")
	}
	// With a public address, the links are absolute under it.
	ts.Srv.publicURL = "https://results.example.pk"
	ts.sheet(t, "NA-58", "NA-58/PS-2", 100, 200, 10) // a new state: pages are drawn again
	_, body = ts.get(t, "/ur/contest/NA-57")
	if !strings.Contains(body, `<meta property="og:image" content="https://results.example.pk/card/contest/NA-57.png">`) ||
		!strings.Contains(body, `<meta property="og:url" content="https://results.example.pk/ur/contest/NA-57">`) {
		t.Errorf("with a public URL, the page's card and address are not absolute")
	}
	ts.Srv.publicURL = ""
	for _, bad := range []string{"results.example.pk", "ftp://x", "https://", "https://x/?a=1", "https://u@x"} {
		if CheckPublicURL(bad) == nil {
			t.Errorf("CheckPublicURL(%q) accepted it", bad)
		}
	}
	if err := CheckPublicURL("https://results.example.pk/ge2024/"); err != nil {
		t.Error(err)
	}
	band := func(path string) (image.Image, bool) {
		resp, body := ts.get(t, path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if img.Bounds() != image.Rect(0, 0, cardW, cardH) {
			t.Fatalf("%s: %v, want %dx%d", path, img.Bounds(), cardW, cardH)
		}
		r, g, b, _ := img.At(4, 4).RGBA()
		return img, r>>8 == uint32(cardDisputed.R) && g>>8 == uint32(cardDisputed.G) && b>>8 == uint32(cardDisputed.B)
	}
	if _, red := band("/card/contest/NA-57.png"); !red {
		t.Error("the tampered NA-57's card lacks the disputed band")
	}
	if _, red := band("/card/contest/NA-58.png"); red {
		t.Error("NA-58's card is marked disputed")
	}
	if _, red := band("/card/assembly/NA.png"); !red {
		t.Error("the National Assembly's card lacks the disputed band")
	}
	for _, bad := range []string{"/card/contest/NA-99.png", "/card/assembly/XX.png", "/card/contest/NA-57.svg", "/card/other/NA.png"} {
		if resp, _ := ts.get(t, bad); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", bad, resp.StatusCode)
		}
	}
}

// TestCardCacheBounds: the card cache draws a card once per checkpoint
// (and not again within cardMaxAge), and holds no more than its bytes.
func TestCardCacheBounds(t *testing.T) {
	now := time.Unix(1e9, 0)
	c := newCardCache(func() time.Time { return now })
	draws := 0
	draw := func(n int) func() ([]byte, bool) {
		return func() ([]byte, bool) { draws++; return make([]byte, n), true }
	}
	c.get("a", 1, draw(100))
	c.get("a", 1, draw(100))
	c.get("a", 2, draw(100)) // a newer checkpoint, but the card is young
	if draws != 1 {
		t.Errorf("%d draws, want 1", draws)
	}
	now = now.Add(cardMaxAge)
	c.get("a", 2, draw(100))
	if draws != 2 {
		t.Errorf("%d draws after cardMaxAge at a new checkpoint, want 2", draws)
	}
	for i := range 400 {
		now = now.Add(time.Second)
		c.get(fmt.Sprint("k", i), 2, draw(maxCardBytes/2))
	}
	if c.bytes > cardCacheBytes || len(c.m) > cardCacheBytes/(maxCardBytes/2) {
		t.Errorf("the cache holds %d bytes in %d cards, over its bound of %d", c.bytes, len(c.m), cardCacheBytes)
	}
	if _, ok := c.m["k399"]; !ok {
		t.Error("the newest card was evicted")
	}
	c.get("big", 2, draw(maxCardBytes+1))
	if _, kept := c.m["big"]; kept {
		t.Error("a card over maxCardBytes was kept")
	}

	// While a card is drawn: a kept card, however old, is served at once;
	// cardQueue requests without one wait, the next is refused.
	now = now.Add(time.Hour)
	c.draw.Lock()
	if b, ok, err := c.get("k399", 3, draw(1)); err != nil || !ok || len(b) != maxCardBytes/2 {
		t.Errorf("an old card while another is drawn: %d bytes, %v, %v", len(b), ok, err)
	}
	for range cardQueue {
		c.queue <- struct{}{}
	}
	if _, _, err := c.get("new", 3, draw(1)); err != errCardsBusy {
		t.Errorf("a new card with the queue full: %v, want errCardsBusy", err)
	}
	for range cardQueue {
		<-c.queue
	}
	c.draw.Unlock()
	if _, ok, err := c.get("new", 3, draw(1)); !ok || err != nil {
		t.Errorf("a new card once the queue is free: %v %v", ok, err)
	}
}

// BenchmarkShareCards measures drawing the cards (without their cache)
// beside rendering the National Assembly's HTML page, the reference:
//
//	go test ./internal/web -run '^$' -bench ShareCards
func BenchmarkShareCards(b *testing.B) {
	ts := newTestSite(b)
	ts.electionNight(b)
	x := &site{s: ts.Srv, forensics: newForensicsCache(), snaps: newSnapshotCache(time.Now), cards: newCardCache(time.Now), scans: &scanCounts{}}
	req, _ := http.NewRequest("GET", "/assembly/NA", nil)
	req.SetPathValue("id", "NA")
	encode := func(img *image.RGBA) int {
		p, err := encodeCard(img)
		if err != nil {
			b.Fatal(err)
		}
		return len(p)
	}
	b.Run("reference-assembly-page", func(b *testing.B) {
		for b.Loop() {
			x.assemblyPage(req)
		}
	})
	b.Run("assembly-card", func(b *testing.B) {
		for b.Loop() {
			x.read(func(v *tally.View) {
				a, _ := x.assemblyOf(v, "NA")
				b.SetBytes(int64(encode(assemblyCard(&a))))
			})
		}
	})
	b.Run("contest-card", func(b *testing.B) {
		for b.Loop() {
			x.read(func(v *tally.View) {
				c, _ := v.Contest("NA-57", x.asOf())
				b.SetBytes(int64(encode(contestCard(v.Definition(), &c))))
			})
		}
	})
}
