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
	"time"

	"github.com/tallylog/tallylog/evidence"
)

// ErrPackTooLarge refuses an evidence pack over the caller's cap.
var ErrPackTooLarge = errors.New("the pack is larger than the server's cap (--max-pack-bytes); download the log and build it with tallylog evidence")

// evidenceState is what evidence packs keep in the node: the key index
// (built once, then extended) and a lock that lets one pack be built at a
// time. The zero value is ready to use.
type evidenceState struct {
	mu     sync.Mutex
	keys   *evidence.KeyIndex  // nil until the first pack
	latest map[string]packFile // each contest's newest pack built by this process
}

// packFile is a pack built: its file, the checkpoint size it is against
// and when it was built.
type packFile struct {
	path  string
	size  uint64
	built time.Time
}

// PackMaxAge is how old a contest's newest pack may be and still be served
// while the log grows. Building a national contest's pack takes seconds,
// and the checkpoint moves every 100 ms on election night: without it every
// download would wait for a new pack of its own, built one at a time. A pack is
// against a published checkpoint and proves itself, so a reader gets an
// older but whole answer, and the size in its file name says which.
const PackMaxAge = 30 * time.Second

// packPath is where the pack of contest at checkpoint size is kept.
func (n *Node) packPath(contest string, size uint64) string {
	return filepath.Join(n.Dir.Root, "packs", fmt.Sprintf("%s-%d.zip", hex.EncodeToString([]byte(contest)), size))
}

// EvidencePack opens a contest's evidence pack and returns it with the
// size of the checkpoint it is against; the caller closes the file. The
// pack served is the contest's newest built by this process if it is
// against the checkpoint published when the call was made, or a later one,
// or is younger than PackMaxAge; else one is built into DIR/packs/ against
// the latest published checkpoint (once the tally has applied it), one
// build at a time. A pack over maxBytes is refused with ErrPackTooLarge.
// Older packs of the contest are removed when a newer one is built; a file
// returned stays readable (it is open). The caller checks that the
// contest exists.
func (n *Node) EvidencePack(ctx context.Context, contest string, maxBytes int64) (*os.File, uint64, error) {
	_, asked := n.Log.Checkpoint()
	es := &n.evidence
	es.mu.Lock()
	defer es.mu.Unlock()
	if p, ok := es.latest[contest]; ok && (p.size >= asked || time.Since(p.built) < PackMaxAge) {
		if f, err := os.Open(p.path); err == nil {
			return f, p.size, nil
		}
	}
	if es.keys == nil {
		es.keys = evidence.NewKeyIndex()
		es.latest = map[string]packFile{}
	}
	cp, size := n.Log.Checkpoint()
	if cp == nil {
		return nil, 0, errors.New("the log has no checkpoint yet")
	}
	path := n.packPath(contest, size)
	if f, err := os.Open(path); err == nil { // built before a restart
		es.latest[contest] = packFile{path, size, time.Now()}
		return f, size, nil
	}
	if err := n.WaitApplied(ctx, size); err != nil {
		return nil, 0, err
	}
	if from := es.keys.Scanned(); from < size {
		err := n.Log.ReadEntries(ctx, from, size, size, func(i uint64, e []byte) error { es.keys.Add(i, e); return nil })
		if err != nil {
			return nil, 0, err
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, err
	}
	f, err := os.CreateTemp(dir, ".tmp-pack-*")
	if err != nil {
		return nil, 0, err
	}
	defer os.Remove(f.Name()) // after the rename, removes nothing
	cw := &cappedWriter{w: f, left: maxBytes}
	err = evidence.Build(ctx, cw, evidence.Input{Checkpoint: cp, LogKey: n.LogVerifier, Log: n.Log, Tally: n.Tally,
		Keys: es.keys, Images: evidence.ImagesAt(n.Dir.Root)}, contest)
	if cw.over {
		err = ErrPackTooLarge
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	es.latest[contest] = packFile{path, size, time.Now()}
	old, _ := filepath.Glob(filepath.Join(dir, hex.EncodeToString([]byte(contest))+"-*.zip"))
	for _, o := range old {
		if o != path {
			os.Remove(o) // a download in progress keeps reading its open file
		}
	}
	return f, size, nil
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
