package forensics

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns ../../shared/data/forensics/<rel>, or skips the test
// when the shared data are not there (a fresh clone of the project alone).
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join("..", "..", "shared", "data", "forensics", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipping: shared data %s not found (%v); clone the shared data next to the project to run it", p, err)
	}
	return p
}

// readPreset reads a shared data file with a preset.
func readPreset(tb testing.TB, rel, preset string) *Input {
	tb.Helper()
	f, err := os.Open(sharedData(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	p, err := PresetByName(preset)
	if err != nil {
		tb.Fatal(err)
	}
	in, err := ReadCSV(f, p.Mapping)
	if err != nil {
		tb.Fatal(err)
	}
	return in
}
