package verify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/intake"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/testdir"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tlogtiles"
	"github.com/tallylog/tallylog/verify"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/api"
	"github.com/transparency-dev/tessera/client"
	"github.com/transparency-dev/tessera/fsck"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tamperLogSize gives two full entry bundles and a partial one, full and
// partial level-0 tiles, and a partial level-1 tile.
const tamperLogSize = 600

// fixtureDir is a real log of the test election holding tamperLogSize
// entries (the genesis, then observers' copies), written once through the
// intake and Tessera exactly as the server writes it, and checked in: its
// checkpoint and tiles, nothing else. The tamper tests alter copies of it.
const fixtureDir = "testdata/log"

var update = flag.Bool("update", false, "rewrite "+fixtureDir+", the verifier's fixture log, through the intake and Tessera")

var (
	fixtureOnce sync.Once
	fixtureErr  error
)

// tamperLog returns the fixture log and the test election it holds. With
// -update it first writes the log again:
//
//	go test ./verify -run TestTamper -update
//
// which a change to the record format (or to the test election) needs.
func tamperLog(t *testing.T) (string, *testelection.Election) {
	t.Helper()
	e := testelection.New(t)
	if *update {
		fixtureOnce.Do(func() { fixtureErr = writeFixture(t, e) })
	}
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	if _, err := os.Stat(filepath.Join(fixtureDir, "checkpoint")); err != nil {
		t.Fatalf("%v: write the fixture log with go test ./verify -run TestTamper -update", err)
	}
	return fixtureDir, e
}

// writeFixture builds the log in a temporary directory and replaces
// fixtureDir with the files a reader of its final tree reads: the
// checkpoint, its hash tiles and its entry bundles (not the partial tiles
// of earlier sizes that Tessera leaves behind).
func writeFixture(t *testing.T, e *testelection.Election) error {
	dir, err := os.MkdirTemp("", "tallylog-fixture-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := buildLog(t, dir, e); err != nil {
		return err
	}
	if err := os.RemoveAll(fixtureDir); err != nil {
		return err
	}
	if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
		return err
	}
	cp, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(fixtureDir, "checkpoint"), cp, 0o644); err != nil {
		return err
	}
	for _, tile := range tlog.NewTiles(tlogtiles.Height, 0, tamperLogSize) {
		for _, l := range []int{tile.L, -1} {
			if l == -1 && tile.L != 0 {
				continue // bundles go with level 0
			}
			tile.L = l
			p := filepath.FromSlash(tlogtiles.Path(tile))
			data, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(fixtureDir, p)), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(fixtureDir, p), data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func buildLog(t *testing.T, dir string, e *testelection.Election) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lg, err := ledger.Open(ctx, dir, e.LogSigner, e.LogVKey, ledger.Options{CheckpointInterval: 100 * time.Millisecond})
	if err != nil {
		return err
	}
	in, err := intake.New(ctx, lg)
	if err != nil {
		return err
	}
	if _, err := in.Append(ctx, e.Genesis[0]); err != nil {
		return err
	}
	byType := map[string][][]byte{}
	for _, entry := range e.Genesis[1:] {
		env, err := record.Open(entry)
		if err != nil {
			return err
		}
		byType[env.Record.Type()] = append(byType[env.Record.Type()], entry)
	}
	for _, typ := range []string{"definition", "keys"} {
		if _, err := in.AppendUnordered(ctx, byType[typ]); err != nil {
			return err
		}
	}
	n := tamperLogSize - len(e.Genesis)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		entry := e.Sign(t, "observer", &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
			Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50),
			Captured: time.Date(2024, 2, 8, 18, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)})
		wg.Go(func() {
			if _, err := in.Append(ctx, entry); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if _, _, err := lg.WaitCheckpoint(ctx, tamperLogSize); err != nil {
		return err
	}
	return lg.Close(ctx)
}

func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	testdir.Copy(t, from, to)
	return to
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// entryOffset returns the offset of entry i's first byte in a bundle.
func entryOffset(t *testing.T, bundle []byte, i int) (int, int) {
	t.Helper()
	off := 0
	for j := 0; ; j++ {
		if off+2 > len(bundle) {
			t.Fatalf("bundle has fewer than %d entries", i+1)
		}
		n := int(binary.BigEndian.Uint16(bundle[off:]))
		if j == i {
			return off + 2, n
		}
		off += 2 + n
	}
}

// runFsck runs Tessera's fsck library on the log in dir. fsck v1.0.4
// panics (index out of range in fsckTree.AppendBundle) on an entry bundle
// holding fewer entries than the checkpoint needs; that is reported as a
// refusal.
func runFsck(t *testing.T, dir string, v note.Verifier) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fsck panicked: %v", p)
			t.Logf("tessera fsck: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hasher := func(bundle []byte) ([][]byte, error) {
		eb := &api.EntryBundle{}
		if err := eb.UnmarshalText(bundle); err != nil {
			return nil, err
		}
		out := make([][]byte, len(eb.Entries))
		for i, e := range eb.Entries {
			out[i] = rfc6962.DefaultHasher.HashLeaf(e)
		}
		return out, nil
	}
	return fsck.New(v.Name(), v, client.FileFetcher{Root: dir}, hasher, fsck.Opts{N: 2}).Check(ctx)
}

// knownGaps are holes in the verifier found by these tests and not yet
// fixed (see the note); their cases are skipped, not passed, while
// the verifier accepts the tampered log.
var knownGaps = map[string]string{}

// TestTamper alters a real log in every way a dishonest operator or a
// broken disk could and checks that the verifier refuses it, naming the
// index and the resource, and that Tessera's fsck agrees.
func TestTamper(t *testing.T) {
	clean, e := tamperLog(t)
	v, err := note.NewVerifier(e.LogVKey)
	if err != nil {
		t.Fatal(err)
	}
	verifyDir := func(dir string) error {
		src, err := verify.NewSource(dir)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_, err = verify.Log(ctx, src, v, verify.Options{})
		return err
	}
	res := func() *verify.Result {
		src, _ := verify.NewSource(clean)
		r, err := verify.Log(context.Background(), src, v, verify.Options{})
		if err != nil {
			t.Fatalf("the untouched log does not verify: %v", err)
		}
		return r
	}()
	if res.TreeSize != tamperLogSize {
		t.Fatalf("tree size %d, want %d", res.TreeSize, tamperLogSize)
	}
	if err := runFsck(t, clean, v); err != nil {
		t.Fatalf("fsck refuses the untouched log: %v", err)
	}
	// The resources the cases alter must exist, or the test tests nothing.
	for _, p := range []string{"tile/entries/000", "tile/entries/001", "tile/entries/002.p/88", "tile/0/000", "tile/0/001", "tile/0/002.p/88", "tile/1/000.p/2"} {
		mustRead(t, filepath.Join(clean, filepath.FromSlash(p)))
	}

	flipEntry := func(bundle string, i int) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, filepath.FromSlash(bundle))
			b := mustRead(t, p)
			off, n := entryOffset(t, b, i)
			b[off+n/2] ^= 0x01
			os.WriteFile(p, b, 0o644)
		}
	}
	flipHash := func(tile string, j int) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, filepath.FromSlash(tile))
			b := mustRead(t, p)
			b[j*32+7] ^= 0x80
			os.WriteFile(p, b, 0o644)
		}
	}
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string // what the verifier's error must name
	}{
		{"flip a byte of an entry in the first bundle", flipEntry("tile/entries/000", 17), "index 17 (tile/0/000)"},
		{"flip a byte of an entry in a full bundle", flipEntry("tile/entries/001", 44), "index 300 (tile/0/001)"},
		{"flip a byte of an entry in the partial bundle", flipEntry("tile/entries/002.p/88", 87), "index 599 (tile/0/002.p/88)"},
		{"flip a byte of a full level-0 tile", flipHash("tile/0/001", 3), "index 259 (tile/0/001)"},
		{"flip a byte of the partial level-0 tile", flipHash("tile/0/002.p/88", 10), "index 522 (tile/0/002.p/88)"},
		{"flip a byte of the level-1 tile", flipHash("tile/1/000.p/2", 1), "index 256 (tile/1/000.p/2)"},
		{"flip a byte of the checkpoint's text", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "checkpoint")
			b := mustRead(t, p)
			b[len(e.LogSigner.Name())+2] ^= 0x01 // in the size line
			os.WriteFile(p, b, 0o644)
		}, "checkpoint: the signature does not verify"},
		{"flip a byte of the checkpoint's signature", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "checkpoint")
			b := mustRead(t, p)
			b[len(b)-10] ^= 0x01
			os.WriteFile(p, b, 0o644)
		}, "checkpoint: the signature does not verify"},
		{"checkpoint signed by the log key with another root", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "checkpoint")
			n, err := note.Open(mustRead(t, p), note.VerifierList(v))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitN(n.Text, "\n", 4)
			lines[2] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
			cp, err := note.Sign(&note.Note{Text: strings.Join(lines, "\n")}, e.LogSigner)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(p, cp, 0o644)
		}, "checkpoint: the entries hash to root"},
		{"truncate an entry bundle", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "tile", "entries", "001")
			b := mustRead(t, p)
			off, _ := entryOffset(t, b, 130)
			os.WriteFile(p, b[:off+5], 0o644)
		}, "index 256 (tile/entries/001): entry bundle ends inside an entry"},
		{"truncate an entry bundle at an entry boundary", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "tile", "entries", "001")
			b := mustRead(t, p)
			off, _ := entryOffset(t, b, 200)
			os.WriteFile(p, b[:off-2], 0o644)
		}, "index 456 (tile/entries/001): entry bundle holds 200 entries"},
		{"swap two entries within a bundle", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "tile", "entries", "001")
			b := mustRead(t, p)
			o1, n1 := entryOffset(t, b, 100)
			o2, n2 := entryOffset(t, b, 101)
			var out []byte
			out = append(out, b[:o1-2]...)
			out = append(out, b[o2-2:o2+n2]...)
			out = append(out, b[o1-2:o1+n1]...)
			out = append(out, b[o2+n2:]...)
			os.WriteFile(p, out, 0o644)
		}, "index 356 (tile/0/001)"},
		{"remove the last bundle", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "tile", "entries", "002.p", "88"))
		}, "index 512 (tile/entries/002.p/88): cannot read entry bundle"},
		{"remove a full level-0 tile", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "tile", "0", "000"))
		}, "index 0 (tile/0/000): cannot read tile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, clean)
			tc.tamper(t, dir)
			ferr := runFsck(t, dir, v)
			if ferr == nil {
				t.Errorf("tessera fsck accepts the tampered log")
			}
			err := verifyDir(dir)
			if gap := knownGaps[tc.name]; err == nil && gap != "" {
				t.Skipf("KNOWN GAP: the tampered log verifies: %s", gap)
			}
			if err == nil {
				t.Fatalf("the tampered log verifies")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("verify: %v\nwant an error naming %q", err, tc.want)
			}
		})
	}
}
