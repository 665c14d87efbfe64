package forensics

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSVGGolden draws the charts of a small synthetic election and compares
// them byte for byte with testdata/*.svg (go test -run SVG -update to
// rewrite them after a deliberate change). Each chart must be well-formed
// XML.
func TestSVGGolden(t *testing.T) {
	st, names := Generate(GenConfig{Stations: 2000, Groups: 5, Candidates: 3, Seed: 2, StuffFraction: 0.05, StuffSize: 0.8})
	rep, err := Analyze(st, names, Options{Seed: 2, Resamples: 50, SkipKlimekFit: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file  string
		write func(io.Writer) error
	}{
		{"fingerprint.svg", func(w io.Writer) error { return WriteFingerprintSVG(w, rep) }},
		{"turnout.svg", func(w io.Writer) error { return WriteTurnoutSVG(w, rep) }},
		{"leader-share.svg", func(w io.Writer) error { return WriteLeaderShareSVG(w, rep) }},
		{"share-2.svg", func(w io.Writer) error { return WriteShareSVG(w, rep, 1) }},
	} {
		var buf bytes.Buffer
		if err := c.write(&buf); err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", c.file, err)
			}
		}
		path := filepath.Join("testdata", c.file)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from the golden file (run with -update after a deliberate change)", c.file)
		}
	}
	if err := WriteShareSVG(io.Discard, rep, 3); err == nil {
		t.Error("WriteShareSVG accepted a candidate out of range")
	}
}

// TestChartTextRTL draws the charts with every phrase replaced: no English
// phrase is left, the chart is well-formed and marked with its language,
// its words run right to left with the title at the plot's right edge,
// names are isolated, and the numbers on the axes are the English chart's.
func TestChartTextRTL(t *testing.T) {
	st, names := Generate(GenConfig{Stations: 300, Groups: 3, Candidates: 3, Seed: 3})
	rep, err := Analyze(st, names, Options{Seed: 3, Resamples: 20, SkipKlimekFit: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	rtl := English.Translate(func(s string) string { n++; return "«" + s + "»" })
	rtl.Lang, rtl.RTL = "ur", true
	if n != len(English.Phrases()) || len(English.Phrases()) != 11 {
		t.Fatalf("Translate saw %d phrases, Phrases lists %d, want 11", n, len(English.Phrases()))
	}
	ticks := regexp.MustCompile(`text-anchor="(?:middle|end)">[0-9.]+</text>`)
	for _, draw := range []func(ChartText, io.Writer, *Report) error{
		ChartText.WriteFingerprintSVG, ChartText.WriteTurnoutSVG, ChartText.WriteLeaderShareSVG,
		func(c ChartText, w io.Writer, r *Report) error { return c.WriteShareSVG(w, r, 2) },
	} {
		var en, ur bytes.Buffer
		if err := draw(English, &en, rep); err != nil {
			t.Fatal(err)
		}
		if err := draw(rtl, &ur, rep); err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(ur.Bytes(), new(struct{})); err != nil {
			t.Errorf("the right-to-left chart is not XML: %v", err)
		}
		u := ur.String()
		for _, p := range English.Phrases() {
			if lit, _, _ := strings.Cut(p, "%"); len(lit) > 4 && strings.Contains(u, ">"+lit) {
				t.Errorf("the translated chart still has %q", lit)
			}
		}
		if !strings.Contains(u, `role="img" xml:lang="ur">`) || !strings.Contains(u, `<text x="620" y="22" font-family="sans-serif" font-size="14" font-weight="bold" direction="rtl">«`) {
			t.Errorf("the chart is not marked Urdu or its title is not right to left at the right edge:\n%.400s", u)
		}
		if strings.Contains(u, "share") && !strings.Contains(u, "\u2068"+rep.Leader+"\u2069") && !strings.Contains(u, "\u2068"+rep.Candidates[2]+"\u2069") {
			t.Errorf("the names in the chart are not isolated")
		}
		if got, want := ticks.FindAllString(u, -1), ticks.FindAllString(en.String(), -1); strings.Join(got, "") != strings.Join(want, "") || len(want) != 10 {
			t.Errorf("the axes' numbers differ from the English chart's: %v, want %v", got, want)
		}
	}
}
