package forensics

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
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
