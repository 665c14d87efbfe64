package node

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/registry"
	"golang.org/x/mod/sumdb/note"
)

// newElection makes an election directory for the test election, its
// genesis appended through a node, and returns it closed.
func newElection(t *testing.T) (datadir.Dir, *testelection.Election) {
	t.Helper()
	e := testelection.New(t)
	d := datadir.Dir{Root: t.TempDir()}
	skey, vkey, err := note.GenerateKey(rand.Reader, testelection.Origin)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Create(&datadir.Meta{Origin: testelection.Origin, LogKey: vkey, Election: e.Def.ID}, skey); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := open(t, d, Options{Command: "init", Empty: true})
	elec, defs, keys := e.GenesisBatches(t)
	if _, err := n.Intake.Append(ctx, elec); err != nil {
		t.Fatal(err)
	}
	for _, batch := range [][][]byte{defs, keys} {
		if _, err := n.Intake.AppendUnordered(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := n.Log.WaitCheckpoint(ctx, uint64(len(e.Genesis))); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return d, e
}

func open(t *testing.T, d datadir.Dir, opts Options) *Node {
	t.Helper()
	opts.Log.CheckpointInterval = 100 * time.Millisecond
	n, err := Open(context.Background(), d, opts)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLifecycle opens an election, appends a sheet, waits for the tally to
// apply it, closes, and opens it again to find the same state replayed.
func TestLifecycle(t *testing.T) {
	d, e := newElection(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := open(t, d, Options{})
	sheet := e.Sign(t, testelection.StationKey("NA-57/PS-1"), e.Sheet("NA-57", "NA-57/PS-1", 300, 200, 100))
	i, err := n.Intake.Append(ctx, sheet)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitApplied(ctx, i+1); err != nil {
		t.Fatal(err)
	}
	if got, _ := n.Applied(); got != i+1 {
		t.Fatalf("applied %d: want %d", got, i+1)
	}
	if why := n.Stopped(); why != "" {
		t.Fatalf("a healthy node is stopped: %s", why)
	}
	// The sheet's receipt verifies offline with the log key alone; an
	// index past the published checkpoint has none yet.
	rc, err := n.Receipt(ctx, i)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Verify(n.LogVerifier); err != nil || !bytes.Equal(rc.Entry, sheet) {
		t.Fatalf("receipt of entry %d: %v", i, err)
	}
	if _, err := n.Receipt(ctx, i+1); err == nil || !strings.Contains(err.Error(), "not covered by a published checkpoint") {
		t.Fatalf("receipt past the checkpoint: %v", err)
	}
	// An evidence pack is built once per checkpoint, within its cap.
	if _, _, err := n.EvidencePack(ctx, "NA-57", 100); !errors.Is(err, ErrPackTooLarge) {
		t.Fatalf("pack over its cap: %v; want ErrPackTooLarge", err)
	}
	pack, size, err := n.EvidencePack(ctx, "NA-57", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer pack.Close()
	if size < i+1 {
		t.Fatalf("pack at size %d: want at least %d", size, i+1)
	}
	// While the log grows, a pack younger than PackMaxAge is served again,
	// not rebuilt for every checkpoint (each download would wait for every
	// build before its own); and a file handed out stays readable when a
	// newer pack replaces it.
	other := e.Sign(t, testelection.StationKey("NA-57/PS-2"), e.Sheet("NA-57", "NA-57/PS-2", 300, 150, 120))
	j, err := n.Intake.Append(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitApplied(ctx, j+1); err != nil {
		t.Fatal(err)
	}
	again, againSize, err := n.EvidencePack(ctx, "NA-57", 1<<30)
	if err != nil || !sameFile(t, again, pack) || againSize != size {
		t.Fatalf("pack asked again after the log grew: size %d, %v; want the first, size %d", againSize, err, size)
	}
	again.Close()
	first := n.packPath("NA-57", size)
	n.evidence.latest["NA-57"] = packFile{first, size, time.Now().Add(-PackMaxAge)}
	newer, newerSize, err := n.EvidencePack(ctx, "NA-57", 1<<30)
	if err != nil || newerSize < j+1 || sameFile(t, newer, pack) {
		t.Fatalf("pack asked once the first is old: size %d, %v; want a new one at size %d or more", newerSize, err, j+1)
	}
	newer.Close()
	if _, err := os.Stat(first); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the replaced pack %s is still on disk: %v", first, err)
	}
	if _, err := zip.NewReader(pack, packLen(t, pack)); err != nil {
		t.Fatalf("a pack handed out before it was replaced no longer reads: %v", err)
	}
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// Closed: the lock is released, and the log replays to the same size.
	n = open(t, d, Options{})
	defer n.Close(ctx)
	if err := n.WaitApplied(ctx, i+1); err != nil {
		t.Fatal(err)
	}
	// The intake's registry and the tally's are made from one pool: the
	// definition is held once (registry.Pool).
	var def *election.Definition
	n.Intake.Registry(func(r *registry.Registry) { def = r.Definition() })
	if def == nil || def != n.Tally.Registry().Definition() {
		t.Error("the intake and the tally hold two definitions: they do not share a registry.Pool")
	}
	// Halt puts the node in the stopped state, naming the failure.
	n.Halt(errors.New("index 7: a test failure"))
	if why := n.Stopped(); !strings.Contains(why, "index 7") || !n.Failed() {
		t.Fatalf("halted node: Stopped %q", why)
	}
	n.Halt(nil)
	if why := n.Stopped(); why != "" || n.Failed() {
		t.Fatalf("cleared node: Stopped %q", why)
	}
}

// TestOpenErrors: each refusal is of its kind for errors.Is, releases the
// directory, and keeps its advice.
func TestOpenErrors(t *testing.T) {
	d, _ := newElection(t)
	ctx := context.Background()

	n := open(t, d, Options{})
	_, err := Open(ctx, d, Options{Command: "import"})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "tallylog serve") {
		t.Errorf("second open: %v; want ErrLocked naming the holder", err)
	}
	n.Close(ctx)

	_, err = Open(ctx, datadir.Dir{Root: t.TempDir()}, Options{})
	if !errors.Is(err, ErrNotElection) || !strings.Contains(err.Error(), "tallylog init") {
		t.Errorf("empty directory: %v; want ErrNotElection saying to run init", err)
	}

	_, err = Open(ctx, d, Options{Log: ledger.Options{MySQLDSN: "user@tcp(127.0.0.1:1)/x"}})
	if !errors.Is(err, ErrStorage) || !strings.Contains(err.Error(), "drop --mysql-dsn") {
		t.Errorf("DSN for a log in files: %v; want ErrStorage", err)
	}

	cp := filepath.Join(d.LogDir(), "checkpoint")
	good, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, []byte("not a checkpoint\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, d, Options{})
	if !errors.Is(err, ErrDamagedCheckpoint) || !strings.Contains(err.Error(), "move it aside") {
		t.Errorf("damaged checkpoint: %v; want ErrDamagedCheckpoint with its advice", err)
	}
	if err := os.WriteFile(cp, good, 0o644); err != nil {
		t.Fatal(err)
	}
	// Every refusal released the lock.
	open(t, d, Options{}).Close(ctx)
}

// TestReadOnly: a mirror's node has no signing key, refuses appends and
// replays the copy it is given.
func TestReadOnly(t *testing.T) {
	d, e := newElection(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := open(t, d, Options{ReadOnly: true})
	defer n.Close(ctx)
	if err := n.WaitApplied(ctx, uint64(len(e.Genesis))); err != nil {
		t.Fatal(err)
	}
	sheet := e.Sign(t, testelection.StationKey("NA-57/PS-1"), e.Sheet("NA-57", "NA-57/PS-1", 300, 200, 100))
	if _, err := n.Intake.Append(ctx, sheet); err == nil || !strings.Contains(err.Error(), "read-only copy") {
		t.Errorf("append to a read-only node: %v; want a refusal naming the read-only copy", err)
	}
}

// TestQuotas: the follower learns which record names an image, and the
// images of one station are charged against its quota.
func TestQuotas(t *testing.T) {
	d, e := newElection(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := open(t, d, Options{Quotas: Quotas{ImagesPerStation: 1}})
	defer n.Close(ctx)
	if q := n.Quotas(); q.ImagesPerStation != 1 || q.ImagesPerKey != DefaultQuotas.ImagesPerKey {
		t.Fatalf("quotas %+v: want the one set, the rest default", q)
	}
	imgA, imgB := strings.Repeat("a", 64), strings.Repeat("b", 64)
	if err := n.AdmitImage(imgA, 10); !errors.Is(err, ErrNotApplied) {
		t.Fatalf("image no record names: %v; want ErrNotApplied", err)
	}
	last := uint64(0)
	for _, c := range []struct{ contest, image string }{{"NA-57", imgA}, {"PP-12", imgB}} {
		s := e.Sheet(c.contest, "NA-57/PS-1", 300, 200, 100)
		s.Image = c.image
		i, err := n.Intake.Append(ctx, e.Sign(t, testelection.StationKey("NA-57/PS-1"), s))
		if err != nil {
			t.Fatal(err)
		}
		last = i
	}
	if err := n.WaitApplied(ctx, last+1); err != nil {
		t.Fatal(err)
	}
	if err := n.AdmitImage(imgA, 10); err != nil {
		t.Fatalf("first image of the station: %v", err)
	}
	if err := n.AdmitImage(imgA, 10); err != nil {
		t.Fatalf("the same image again: %v; want it charged once", err)
	}
	var q *QuotaError
	if err := n.AdmitImage(imgB, 10); !errors.As(err, &q) || !strings.Contains(q.Rule, "--images-per-station") {
		t.Fatalf("second image of the station: %v; want a QuotaError naming its flag", err)
	}
}

// sameFile reports whether two open packs are one file.
func sameFile(t *testing.T, a, b *os.File) bool {
	t.Helper()
	sa, err := a.Stat()
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(sa, sb)
}

// packLen is the length of an open pack.
func packLen(t *testing.T, f *os.File) int64 {
	t.Helper()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
