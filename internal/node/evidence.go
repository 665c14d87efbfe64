package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/tallylog/tallylog/evidence"
)

// ErrPackTooLarge refuses an evidence pack over the caller's cap.
var ErrPackTooLarge = errors.New("the pack is larger than the server's cap (--max-pack-bytes); download the log and build it with tallylog evidence")

// evidenceState is what evidence packs keep in the node: the key index
// (built once, then extended) and a lock that lets one pack be built at a
// time. The zero value is ready to use.
type evidenceState struct {
	mu   sync.Mutex
	keys *evidence.KeyIndex // nil until the first pack
}

// packPath is where the pack of contest at checkpoint size is kept.
func (n *Node) packPath(contest string, size uint64) string {
	return filepath.Join(n.Dir.Root, "packs", fmt.Sprintf("%s-%d.zip", hex.EncodeToString([]byte(contest)), size))
}

// EvidencePack returns the file holding a contest's evidence pack against
// the latest published checkpoint (once the tally has applied it) and that
// checkpoint's size, building it into DIR/packs/ if no pack for that
// checkpoint exists; a pack over maxBytes is refused with ErrPackTooLarge.
// Older packs of the contest are removed (a download in progress keeps
// reading its open file). The caller checks that the contest exists.
func (n *Node) EvidencePack(ctx context.Context, contest string, maxBytes int64) (string, uint64, error) {
	es := &n.evidence
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.keys == nil {
		es.keys = evidence.NewKeyIndex()
	}
	cp, size := n.Log.Checkpoint()
	if cp == nil {
		return "", 0, errors.New("the log has no checkpoint yet")
	}
	path := n.packPath(contest, size)
	if _, err := os.Stat(path); err == nil {
		return path, size, nil
	}
	if err := n.WaitApplied(ctx, size); err != nil {
		return "", 0, err
	}
	if from := es.keys.Scanned(); from < size {
		err := n.Log.ReadEntries(ctx, from, size, size, func(i uint64, e []byte) error { es.keys.Add(i, e); return nil })
		if err != nil {
			return "", 0, err
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	f, err := os.CreateTemp(dir, ".tmp-pack-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(f.Name()) // after the rename, removes nothing
	cw := &cappedWriter{w: f, left: maxBytes}
	err = evidence.Build(ctx, cw, evidence.Input{Checkpoint: cp, LogKey: n.LogVerifier, Log: n.Log, Tally: n.Tally,
		Keys: es.keys, Images: evidence.ImagesAt(n.Dir.Root)}, contest)
	if cw.over {
		err = ErrPackTooLarge
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", 0, err
	}
	old, _ := filepath.Glob(filepath.Join(dir, hex.EncodeToString([]byte(contest))+"-*.zip"))
	for _, o := range old {
		if o != path {
			os.Remove(o) // a download in progress keeps reading its open file
		}
	}
	return path, size, nil
}

// cappedWriter fails a write past its cap.
type cappedWriter struct {
	w    io.Writer
	left int64
	over bool
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		c.over = true
		return 0, ErrPackTooLarge
	}
	c.left -= int64(len(p))
	return c.w.Write(p)
}
