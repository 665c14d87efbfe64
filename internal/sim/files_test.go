package sim_test

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// dirDigest hashes every file's path and bytes under dir.
func dirDigest(t *testing.T, dir string) [32]byte {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		h.Write([]byte(rel + "\n"))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

func generateTo(t *testing.T, cfg sim.Config) (*sim.Election, string) {
	t.Helper()
	e, err := sim.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := e.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	return e, dir
}

// TestSameSeedSameBytes: the same seed gives the same files, whatever the
// number of CPUs; another seed gives other ones.
func TestSameSeedSameBytes(t *testing.T) {
	cfg := sim.Config{Seed: 42, Stations: 800}
	_, a := generateTo(t, cfg)
	procs := runtime.GOMAXPROCS(1)
	_, b := generateTo(t, cfg)
	runtime.GOMAXPROCS(procs)
	if dirDigest(t, a) != dirDigest(t, b) {
		t.Fatal("two runs with the same seed wrote different bytes")
	}
	cfg.Seed = 43
	_, c := generateTo(t, cfg)
	ra, _ := os.ReadFile(filepath.Join(a, sim.RecordsFile))
	rc, _ := os.ReadFile(filepath.Join(c, sim.RecordsFile))
	if bytes.Equal(ra, rc) {
		t.Fatal("different seeds gave the same records")
	}
}

// TestReadDir reads a written election back: the same definition, entries
// and ground truth, and officers' keys that sign as registered.
func TestReadDir(t *testing.T) {
	e, dir := generateTo(t, sim.Config{Seed: 5, Stations: 700})
	got, err := sim.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Def.Canonical(), e.Def.Canonical()) || got.Config != e.Config ||
		got.CommissionVKey != e.CommissionVKey || got.LogVKey != e.LogVKey || !got.PollsClose.Equal(e.PollsClose) {
		t.Fatal("definition, config or keys differ after ReadDir")
	}
	for _, pair := range [][2][]sim.Event{{got.Genesis, e.Genesis}, {got.Events(), e.Events()}} {
		if !slices.EqualFunc(pair[0], pair[1], func(a, b sim.Event) bool {
			return a.Arrival == b.Arrival && a.Hash == b.Hash && bytes.Equal(a.Entry, b.Entry)
		}) {
			t.Fatal("entries differ after ReadDir")
		}
	}
	if len(got.Truth.Injected) != len(e.Truth.Injected) || got.Truth.Injected[0] != e.Truth.Injected[0] {
		t.Fatal("ground truth differs after ReadDir")
	}
	// An officer's key read back signs a correction the log would accept.
	station := e.Def.Stations[0].ID
	name := sim.PresidingKeyName(station)
	s, err := got.Signer(name)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := e.Key(name)
	v, _ := note.NewVerifier(want.VKey)
	entry, err := record.Sign(&record.Sheet{Election: e.Def.ID, Log: e.Def.Origin, Contest: e.Def.Stations[0].Contests[0], Station: station,
		Revision: 1, Votes: []record.Count{{Candidate: "1", Votes: 0}}, Captured: "2024-02-08T13:00:00Z"}, s)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := record.Open(entry)
	if err := env.Verify(v); err != nil {
		t.Fatal(err)
	}
	if _, err := got.Signer("po.nowhere"); err == nil {
		t.Fatal("Signer accepted an unknown key name")
	}
}

// TestReadDirRefuses: damaged files are refused with the file, line and rule.
func TestReadDirRefuses(t *testing.T) {
	_, dir := generateTo(t, sim.Config{Seed: 5, Stations: sim.MinStations, Scenario: "clean"})
	records := filepath.Join(dir, sim.RecordsFile)
	orig, _ := os.ReadFile(records)
	lines := strings.SplitAfter(string(orig), "\n")
	for _, c := range []struct {
		name, data, want string
	}{
		{"no newline", strings.TrimSuffix(string(orig), "\n"), "records.notes:" + strconv.Itoa(len(lines)-1) + ": the last line must end with a newline"},
		{"bad arrival", "x " + lines[0][strings.Index(lines[0], " ")+1:], "records.notes:1: must be '<arrival seconds> <base64 entry>'"},
		{"bad base64", "10 !!!\n", "records.notes:1: entry is not base64"},
		{"out of order", lines[len(lines)-2] + lines[0], "records.notes:2: arrival"},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.WriteFile(records, []byte(c.data), 0o644)
			defer os.WriteFile(records, orig, 0o644)
			if _, err := sim.ReadDir(dir); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}
