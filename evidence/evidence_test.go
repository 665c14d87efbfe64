package evidence_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/evidence"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/internal/web"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/note"
)

// fixture is a simulated election (700 stations, seed 3: the Rawalpindi
// declarations are tampered) logged on a real server, with an observer's
// copy of an NA-57 sheet whose scan is stored and one whose scan is not.
type fixture struct {
	dir      datadir.Dir
	logKey   note.Verifier
	since    []byte // a checkpoint before the last entries
	pack     []byte
	imageFor string // the station whose scan is stored
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
)

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() { fix, fixErr = buildFixture() })
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

func buildFixture() (*fixture, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	el, err := sim.Generate(sim.Config{Stations: 700, Seed: 3})
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "evidence-test-")
	if err != nil {
		return nil, err
	}
	dir := datadir.Dir{Root: root}
	lk, _ := el.Key(el.Def.Origin)
	if err := dir.Create(&datadir.Meta{Origin: el.Def.Origin, LogKey: el.LogVKey, Election: el.Def.ID}, lk.SKey); err != nil {
		return nil, err
	}
	srv, err := web.Open(ctx, dir, web.Options{Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond}})
	if err != nil {
		return nil, err
	}
	defer srv.Close(context.Background())
	in := srv.Intake
	var defs, keys [][]byte
	for _, ev := range el.Genesis[1:] {
		if strings.HasPrefix(string(ev.Entry), "tallylog/v1 keys\n") {
			keys = append(keys, ev.Entry)
		} else {
			defs = append(defs, ev.Entry)
		}
	}
	if _, err := in.Append(ctx, el.Genesis[0].Entry); err != nil {
		return nil, err
	}
	if _, err := in.AppendUnordered(ctx, defs); err != nil {
		return nil, err
	}
	if _, err := in.AppendUnordered(ctx, keys); err != nil {
		return nil, err
	}
	// First sheets depend on nothing but the genesis: append them at once.
	var first, rest [][]byte
	for _, ev := range el.Records {
		s := string(ev.Entry)
		switch {
		case strings.HasPrefix(s, "tallylog/v1 sheet\n") && strings.Contains(s, "\nrevision 1\n"):
			first = append(first, ev.Entry)
		case strings.Contains(s, "\ncontest NA-57\n") || strings.Contains(s, "\ncontest NA-58\n"):
			rest = append(rest, ev.Entry)
		}
	}
	errs := make([]error, len(first))
	var wg sync.WaitGroup
	for i, e := range first {
		wg.Go(func() { _, errs[i] = in.Append(ctx, e) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	since, _, err := srv.Log.WaitCheckpoint(ctx, 0)
	if err != nil {
		return nil, err
	}
	// Two observer copies of NA-57 sheets: one scan stored, one not.
	obs, err := el.Signer(sim.ObserverKeyName)
	if err != nil {
		return nil, err
	}
	f := &fixture{dir: dir, since: since}
	for i, station := range el.Def.StationsOf("NA-57")[:2] {
		st := el.Def.Stations[station].ID
		scan := []byte("\x89PNG\r\n\x1a\n scan of " + st)
		sum := sha256.Sum256(scan)
		c, _ := el.Def.Contest("NA-57")
		var votes []record.Count
		for _, cand := range c.Candidates {
			votes = append(votes, record.Count{Candidate: cand.ID, Votes: 10})
		}
		a := &record.Attestation{Election: el.Def.ID, Log: el.Def.Origin, Contest: "NA-57", Station: st, Kind: "copy", Registered: 1000,
			Cast: int64(10*len(votes) + 1), Rejected: 1, Votes: votes, Image: hex.EncodeToString(sum[:]), Captured: "2024-02-08T18:40:00Z"}
		entry, err := record.Sign(a, obs)
		if err != nil {
			return nil, err
		}
		rest = append(rest, entry)
		if i == 0 {
			f.imageFor = st
			if err := os.WriteFile(filepath.Join(dir.ImagesDir(), hex.EncodeToString(sum[:])), scan, 0o644); err != nil {
				return nil, err
			}
		}
	}
	for _, e := range rest {
		if _, err := in.Append(ctx, e); err != nil {
			return nil, err
		}
	}
	total := uint64(1 + len(defs) + len(keys) + len(first) + len(rest))
	if _, _, err := srv.Log.WaitCheckpoint(ctx, total); err != nil {
		return nil, err
	}
	f.logKey = srv.LogVerifier
	var buf bytes.Buffer
	src, err := verify.NewSource(dir.Root)
	if err != nil {
		return nil, err
	}
	if err := evidence.Export(ctx, &buf, src, evidence.ImagesAt(dir.Root), f.logKey, "NA-57", evidence.ExportOptions{Since: since}); err != nil {
		return nil, err
	}
	f.pack = buf.Bytes()
	return f, nil
}

func TestRoundTrip(t *testing.T) {
	f := loadFixture(t)
	got, err := evidence.Verify(f.pack, f.logKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(got.Proven, "\n")
	for _, want := range []string{"signed by the log key", "inclusion proof verifies", "is a prefix", "1 scans are", "report.html states"} {
		if !strings.Contains(all, want) {
			t.Errorf("proven lines lack %q:\n%s", want, all)
		}
	}
	if !strings.Contains(strings.Join(got.NotProven, "\n"), "image missing for NA-57/") {
		t.Errorf("not-proven lines lack the missing scan: %q", got.NotProven)
	}
	var tampered bool
	for _, s := range got.Statements {
		if strings.Contains(s.Text, "differs from the sum of the logged sheets") && len(s.Evidence) > 1 {
			tampered = true
		}
	}
	if !tampered {
		t.Errorf("no finding states the tampered declaration: %+v", got.Statements)
	}
	files := listFiles(t, f.pack)
	for _, want := range []string{"checkpoint", "records/0.note", "proofs/0.tlog-proof", "consistency/proof", "report.html", "manifest.json"} {
		if files[want] == nil {
			t.Errorf("pack lacks %s", want)
		}
	}
	if !bytes.Contains(files["report.html"], []byte("differs from the sum of the logged sheets")) {
		t.Error("report.html does not state the tampered declaration")
	}
}

// TestAlteredByte flips one byte inside several files of the zip: the
// container's own checksum or a later check must catch each.
func TestAlteredByte(t *testing.T) {
	f := loadFixture(t)
	files := listFiles(t, f.pack)
	for _, name := range []string{"records/0.note", "proofs/0.tlog-proof", "checkpoint", "manifest.json", "report.html"} {
		at := bytes.Index(f.pack, files[name]) + len(files[name])/2
		bad := bytes.Clone(f.pack)
		bad[at] ^= 0x01
		if _, err := evidence.Verify(bad, f.logKey, nil); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("byte %d flipped in %s: got %v, want an error naming %s", at, name, err, name)
		}
	}
	// A byte of the container itself (the first local header's version).
	bad := bytes.Clone(f.pack)
	bad[4] ^= 0x01
	if _, err := evidence.Verify(bad, f.logKey, nil); err == nil {
		t.Error("a flipped header byte verified")
	}
}

// TestRepacked alters a file and re-packs the zip with a consistent
// manifest, so that only the deeper checks can catch it.
func TestRepacked(t *testing.T) {
	f := loadFixture(t)
	sheet := sheetRecord(t, f.pack)
	for _, tc := range []struct {
		file, want string
		edit       func([]byte) []byte
	}{
		{sheet, "does not prove", func(b []byte) []byte { return bytes.Replace(b, []byte("\nvotes "), []byte("\nvotes 9"), 1) }},
		{strings.Replace(strings.Replace(sheet, "records/", "proofs/", 1), ".note", ".tlog-proof", 1), "inclusion proof", func(b []byte) []byte {
			lines := bytes.SplitN(b, []byte("\n"), 5)
			lines[3] = bytes.Clone(lines[3])
			if lines[3][0] == 'A' {
				lines[3][0] = 'B'
			} else {
				lines[3][0] = 'A'
			}
			return bytes.Join(lines, []byte("\n"))
		}},
		{"checkpoint", "checkpoint", func(b []byte) []byte { b = bytes.Clone(b); b[len(b)/3] ^= 1; return b }},
		{"report.html", "report was altered", func(b []byte) []byte { return bytes.Replace(b, []byte("differs"), []byte("matches"), 1) }},
		{"consistency/proof", "consistency/proof", func(b []byte) []byte { b = bytes.Clone(b); b[0] ^= 1; return b }},
	} {
		bad := repack(t, f.pack, tc.file, tc.edit, true)
		if _, err := evidence.Verify(bad, f.logKey, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s altered, manifest updated: got %v, want an error with %q", tc.file, err, tc.want)
		}
		bad = repack(t, f.pack, tc.file, tc.edit, false)
		if _, err := evidence.Verify(bad, f.logKey, nil); err == nil || !strings.Contains(err.Error(), "differs from the manifest") {
			t.Errorf("%s altered, manifest kept: got %v, want a manifest mismatch", tc.file, err)
		}
	}
}

func TestBadPacks(t *testing.T) {
	f := loadFixture(t)
	_, otherVKey, _ := note.GenerateKey(rand.Reader, f.logKey.Name())
	other, _ := note.NewVerifier(otherVKey)
	if _, err := evidence.Verify(f.pack, other, nil); err == nil || !strings.Contains(err.Error(), "checkpoint") {
		t.Errorf("another log's key: got %v", err)
	}
	if _, err := evidence.Verify(f.pack[:len(f.pack)/2], f.logKey, nil); err == nil || !strings.Contains(err.Error(), "zip") {
		t.Errorf("truncated pack: got %v", err)
	}
	// A forged cosignature: a line in the witness's name whose signature is noise.
	wsk, wvk, _ := note.GenerateKey(rand.Reader, "witness.example")
	_ = wsk
	w, _ := note.NewVerifier(wvk)
	if _, err := evidence.Verify(f.pack, f.logKey, []note.Verifier{w}); err == nil || !strings.Contains(err.Error(), "witness.example") {
		t.Errorf("missing cosignature: got %v", err)
	}
	forge := func(b []byte) []byte {
		sig := make([]byte, 68)
		h := w.KeyHash()
		sig[0], sig[1], sig[2], sig[3] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
		return append(bytes.Clone(b), []byte("— witness.example "+b64(sig)+"\n")...)
	}
	bad := repack(t, f.pack, "checkpoint", forge, true)
	if _, err := evidence.Verify(bad, f.logKey, []note.Verifier{w}); err == nil || !strings.Contains(err.Error(), "checkpoint") {
		t.Errorf("forged cosignature: got %v", err)
	}
}

func b64(b []byte) string {
	var buf bytes.Buffer
	enc := base64Encoder(&buf)
	enc.Write(b)
	enc.Close()
	return buf.String()
}

func listFiles(t *testing.T, pack []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// sheetRecord returns the path of an NA-57 sheet in the pack.
func sheetRecord(t *testing.T, pack []byte) string {
	for name, data := range listFiles(t, pack) {
		if strings.HasPrefix(name, "records/") && bytes.HasPrefix(data, []byte("tallylog/v1 sheet\n")) {
			return name
		}
	}
	t.Fatal("no sheet in the pack")
	return ""
}

// repack rewrites the pack in its canonical form with one file edited,
// recomputing the manifest's hashes if asked.
func repack(t *testing.T, pack []byte, name string, edit func([]byte) []byte, fixManifest bool) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	files := listFiles(t, pack)
	if files[name] == nil {
		t.Fatalf("pack lacks %s", name)
	}
	files[name] = edit(files[name])
	var m evidence.Manifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if fixManifest {
		for i, f := range m.Files {
			sum := sha256.Sum256(files[f.Path])
			m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(files[f.Path]))
		}
		b, _ := json.MarshalIndent(&m, "", "  ")
		files["manifest.json"] = append(b, '\n')
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		w.Write(files[f.Name])
	}
	zw.Close()
	return buf.Bytes()
}

func base64Encoder(w io.Writer) io.WriteCloser { return base64.NewEncoder(base64.StdEncoding, w) }
