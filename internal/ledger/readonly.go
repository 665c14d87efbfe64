package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/transparency-dev/tessera/api/layout"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// OpenReadOnly opens a copy of a log laid out as tlog-tiles in dir (a
// mirror's) for reading: the same checkpoint watching, proofs and entry
// reading as Open, and no appending. Whoever writes dir must write the
// tiles and bundles a checkpoint commits to before the checkpoint itself.
func OpenReadOnly(ctx context.Context, dir, vkey string) (*Log, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("log verifier key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	l := &Log{dir: dir, origin: v.Name(), verifier: v, reader: dirReader(dir), cancel: cancel,
		shutdown: func(context.Context) error { return nil }, changed: make(chan struct{}), hashes: map[int64]tlog.Hash{}}
	l.tiles = l
	if err := l.poll(ctx); err != nil && !errors.Is(err, os.ErrNotExist) {
		cancel()
		return nil, err
	}
	go l.watch(lctx)
	return l, nil
}

// ErrReadOnly is returned by Append on a log opened with OpenReadOnly.
var ErrReadOnly = errors.New("this log is a read-only copy (a mirror): submit records to the log's own server")

// dirReader reads a tlog-tiles directory: a tessera.LogReader for a copy of
// a log no Tessera appender writes.
type dirReader string

func (d dirReader) read(p string) ([]byte, error) { return os.ReadFile(filepath.Join(string(d), p)) }

func (d dirReader) ReadCheckpoint(context.Context) ([]byte, error) { return d.read("checkpoint") }

func (d dirReader) ReadTile(_ context.Context, level, index uint64, p uint8) ([]byte, error) {
	return d.read(layout.TilePath(level, index, p))
}

func (d dirReader) ReadEntryBundle(_ context.Context, index uint64, p uint8) ([]byte, error) {
	return d.read(layout.EntriesPath(index, p))
}

// IntegratedSize is the checkpoint's size: a copy holds nothing beyond it.
func (d dirReader) IntegratedSize(ctx context.Context) (uint64, error) {
	raw, err := d.ReadCheckpoint(ctx)
	if err != nil {
		return 0, err
	}
	var origin string
	var size uint64
	if _, err := fmt.Sscanf(string(raw), "%s\n%d\n", &origin, &size); err != nil {
		return 0, fmt.Errorf("checkpoint: %v", err)
	}
	return size, nil
}

func (d dirReader) NextIndex(ctx context.Context) (uint64, error) { return d.IntegratedSize(ctx) }
