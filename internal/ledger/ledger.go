// Package ledger is the election's log of record: a Tessera log on its
// POSIX driver, laid out as C2SP tlog-tiles so that its directory can be
// served as static files.
//
// Guarantees:
//   - Append returns only once the entry's index is durable (its batch is
//     sequenced and fsynced); an entry whose Append failed may or may not be
//     in the log, so callers retry with the same bytes and deduplicate.
//   - Proofs are served only against published checkpoints, never against
//     an integrated size no checkpoint commits to.
//   - Close waits for accepted entries to be durable before returning.
package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tallylog/tallylog/internal/fsprobe"
	"github.com/tallylog/tallylog/tlogtiles"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Options tune the log. Zero values take the defaults.
type Options struct {
	// CheckpointInterval is how often a new checkpoint is signed and
	// published: the floor of receipt latency. Default 200 ms; Tessera's
	// POSIX minimum is 100 ms.
	CheckpointInterval time.Duration
	// BatchSize and BatchAge bound how many entries are sequenced in one
	// durable write and how long the first waits. Defaults 1024 and 5 ms:
	// Tessera writes one batch at a time, so under load the entries that
	// arrive while a batch is written form the next one whatever the age;
	// a longer age only adds to every append's latency, and a record that
	// names another waits for that one's durable write first (measured in
	// BENCHMARKS.md: median append 91 ms at 50 ms, 25 ms at 5 ms).
	BatchSize uint
	BatchAge  time.Duration
	// Witnesses, when set, must cosign a checkpoint before it is published.
	Witnesses *tessera.WitnessGroup
	// WitnessTimeout bounds each witness request (default 5 s).
	WitnessTimeout time.Duration
	// MySQLDSN, when set, keeps the log in that MySQL or MariaDB database
	// (Tessera's MySQL driver) instead of the directory; the checkpoint
	// interval is then at least MySQLMinInterval (see mysql.go).
	MySQLDSN string
	// RepublishInterval is how often a checkpoint is signed (and, with
	// witnesses, cosigned) again when the log has not grown, so readers and
	// witnesses see that the log is alive. Default 10 minutes, or 30 s with
	// witnesses: a restarted server gets its checkpoint cosigned promptly.
	RepublishInterval time.Duration
}

// Log is an open election log.
type Log struct {
	dir      string
	origin   string
	verifier note.Verifier
	app      *tessera.Appender
	shutdown func(context.Context) error
	reader   tessera.LogReader
	tiles    tlogtiles.Source // the log read as tlog-tiles (the Log itself: through its driver)
	cancel   context.CancelFunc
	closeDB  func() error // the MySQL connection, or nil

	mu        sync.Mutex
	changed   chan struct{}         // closed and replaced when a new checkpoint is seen
	cp        *tlogtiles.Checkpoint // latest published, verified with the log key
	roots     map[uint64]tlog.Hash  // roots of recently published sizes
	fullTiles sync.Map              // [level, index] -> full hash tile
	// partialTiles holds the widest partial tile read per [level, index].
	partialTiles sync.Map
	hashMu       sync.RWMutex
	hashes       map[int64]tlog.Hash // stored hash index -> hash, for proofs

	witnesses  *witnessRecorder // nil without witnesses
	writeErr   error            // the latest Writable failure, under mu
	writableAt atomic.Int64     // when Append's write check last passed (Unix ns), or 0
}

// Open opens (or creates) the log in dir, signing checkpoints with signer,
// whose verifier key is vkey. The origin is the key's name.
func Open(ctx context.Context, dir string, signer note.Signer, vkey string, opts Options) (*Log, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("log verifier key: %w", err)
	}
	if v.Name() != signer.Name() || v.KeyHash() != signer.KeyHash() {
		return nil, errors.New("the log's verifier key does not match its signing key")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// Tessera's driver panics when it cannot open its lock file: find out
	// first, and say what to do.
	if err := fsprobe.Dir(dir); err != nil {
		return nil, fmt.Errorf("%s cannot be written (%w): %s", dir, err, writeAdvice)
	}
	if isDir(filepath.Join(dir, ".state")) {
		if err := fsprobe.Dir(filepath.Join(dir, ".state")); err != nil {
			return nil, fmt.Errorf("%s cannot be written (%w): %s", filepath.Join(dir, ".state"), err, writeAdvice)
		}
	}
	if opts.CheckpointInterval == 0 {
		opts.CheckpointInterval = 200 * time.Millisecond
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = 1024
	}
	if opts.BatchAge == 0 {
		opts.BatchAge = 5 * time.Millisecond
	}
	if opts.WitnessTimeout == 0 {
		opts.WitnessTimeout = 5 * time.Second
	}
	if opts.RepublishInterval == 0 {
		opts.RepublishInterval = 10 * time.Minute
		if opts.Witnesses != nil {
			opts.RepublishInterval = 30 * time.Second
		}
	}
	opts.RepublishInterval = max(opts.RepublishInterval, opts.CheckpointInterval)
	var rec *witnessRecorder
	cfg := posix.Config{Path: dir}
	if opts.Witnesses != nil {
		rec = &witnessRecorder{next: http.DefaultTransport, keys: opts.Witnesses.Endpoints()}
		cfg.HTTPClient = &http.Client{Transport: rec, Timeout: opts.WitnessTimeout}
	}
	lctx, cancel := context.WithCancel(context.Background())
	var driver tessera.Driver
	var closeDB func() error
	if opts.MySQLDSN != "" {
		// Tessera's MySQL driver asks witnesses through http.DefaultClient:
		// their answers are not recorded for /api/v1/status.
		opts.CheckpointInterval = max(opts.CheckpointInterval, MySQLMinInterval)
		opts.RepublishInterval = max(opts.RepublishInterval, opts.CheckpointInterval)
		st, db, err := openMySQL(ctx, opts.MySQLDSN)
		if err != nil {
			cancel()
			return nil, err
		}
		driver, closeDB, rec = st, db.Close, nil
	} else {
		d, err := posix.New(lctx, cfg)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("open log storage in %s: %w", dir, err)
		}
		driver = d
	}
	ao := tessera.NewAppendOptions().
		WithCheckpointSigner(signer).
		WithBatching(opts.BatchSize, opts.BatchAge).
		WithCheckpointInterval(opts.CheckpointInterval).
		WithCheckpointRepublishInterval(opts.RepublishInterval)
	if opts.Witnesses != nil {
		ao = ao.WithWitnesses(*opts.Witnesses, &tessera.WitnessOptions{Timeout: opts.WitnessTimeout})
	}
	app, shutdown, reader, err := tessera.NewAppender(lctx, driver, ao)
	if err != nil {
		cancel()
		if closeDB != nil {
			closeDB()
		}
		if rec != nil {
			for _, r := range rec.reports {
				if !r.OK {
					return nil, fmt.Errorf("open log in %s: witness %s: %s", dir, r.URL, r.Problem)
				}
			}
		}
		return nil, fmt.Errorf("open log in %s: %w", dir, err)
	}
	l := &Log{dir: dir, origin: signer.Name(), verifier: v, app: app, shutdown: shutdown, reader: reader, cancel: cancel, closeDB: closeDB, changed: make(chan struct{}), witnesses: rec, hashes: map[int64]tlog.Hash{}}
	l.tiles = l // read through the driver: on MySQL the directory holds no tiles
	if err := l.poll(ctx); err != nil && !errors.Is(err, os.ErrNotExist) {
		l.Close(ctx)
		return nil, &damagedError{fmt.Errorf("%s: %w; the checkpoint file is damaged, but the entries and tiles it commits to may be whole: "+
			"move it aside (mv %s %s.damaged) and start again, and the log signs a new checkpoint from its tree state (log/.state/treeState); "+
			"then run tallylog verify on the log, and compare the new checkpoint with one a witness or mirror holds", filepath.Join(dir, "checkpoint"), err, filepath.Join(dir, "checkpoint"), filepath.Join(dir, "checkpoint"))}
	}
	go l.watch(lctx)
	return l, nil
}

// ErrDamagedCheckpoint is matched (errors.Is) by Open's error when the
// log's checkpoint file exists but does not open with the log's key.
var ErrDamagedCheckpoint = errors.New("the log's checkpoint file is damaged")

// damagedError is a damaged-checkpoint error; its text is its cause's.
type damagedError struct{ err error }

func (e *damagedError) Error() string        { return e.err.Error() }
func (e *damagedError) Unwrap() error        { return e.err }
func (e *damagedError) Is(target error) bool { return target == ErrDamagedCheckpoint }

// Writable checks that the log's state directory can be opened for writing
// now. Tessera's POSIX driver panics, taking the whole server down, when it
// cannot open its lock file (log/.state/treeState.lock) for a batch: on a
// file system remounted read-only, or with no file descriptor left. Append
// checks first and refuses the entry instead, so the failure reaches one
// submitter as an error and the read side stays up. The check narrows the
// window rather than closing it: a file system that turns read-only between
// the check and the batch (within BatchAge) still stops the process, and
// only the server's own connection and upload limits keep descriptors from
// running out (see docs/limits.md).
//
// A read-only copy (OpenReadOnly, a mirror's) writes nothing through the
// Log and has no state directory: it is always writable in this sense, and
// Append refuses with ErrReadOnly instead.
func (l *Log) Writable() error {
	if l.closeDB != nil {
		return nil // the MySQL driver keeps no lock file on this machine
	}
	if l.app == nil {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(l.dir, ".state", "tallylog-probe"), os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err == nil {
		err = f.Close()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.writableAt.Store(0)
		l.writeErr = fmt.Errorf("the log's directory cannot be written (%w); nothing was appended: %s", fsprobe.Bare(err), writeAdvice)
		return l.writeErr
	}
	l.writeErr = nil
	return nil
}

// writableNow is Writable for Append: a check that passed less than
// writableFresh ago stands, so a burst of appends (a batch of records, each
// appended on its own) costs one probe of the directory, not one each. A
// failed check is never reused. This widens the window Writable leaves
// (a batch waits at least BatchAge, longer while Tessera writes the one
// before) by writableFresh at most.
func (l *Log) writableNow() error {
	if t := l.writableAt.Load(); t != 0 && time.Since(time.Unix(0, t)) < writableFresh {
		return nil
	}
	if err := l.Writable(); err != nil {
		return err
	}
	l.writableAt.Store(time.Now().UnixNano())
	return nil
}

// writableFresh is how long a passed write check stands for Append.
const writableFresh = 5 * time.Millisecond

// writeAdvice is what an operator does about a log that cannot be written.
const writeAdvice = "if the file system is read-only, check the disk, remount it read-write and restart the server; if descriptors ran out, lower --max-conns"

// WriteProblem returns why the latest write check failed, or nil when it
// passed (or none has run).
func (l *Log) WriteProblem() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writeErr
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Origin returns the log's origin.
func (l *Log) Origin() string { return l.origin }

// Dir returns the directory holding the log's tiles, entries and checkpoint.
func (l *Log) Dir() string { return l.dir }

// Append adds entry and returns its index once it is durable. It refuses
// the entry, appending nothing, when the log's directory cannot be written
// at that moment (see Writable).
func (l *Log) Append(ctx context.Context, entry []byte) (uint64, error) {
	if l.app == nil {
		return 0, ErrReadOnly
	}
	if err := l.writableNow(); err != nil {
		return 0, err
	}
	idx, err := l.app.Add(ctx, tessera.NewEntry(entry))()
	if err != nil {
		return 0, fmt.Errorf("append to the log: %w", err)
	}
	return idx.Index, nil
}

// Close stops the log after every accepted entry is durable.
func (l *Log) Close(ctx context.Context) error {
	err := l.shutdown(ctx)
	l.cancel()
	if l.closeDB != nil {
		if cerr := l.closeDB(); err == nil {
			err = cerr
		}
	}
	return err
}

// pollInterval is how often watch reads the published checkpoint.
const pollInterval = 5 * time.Millisecond

// watch polls the published checkpoint and wakes waiters when it moves.
func (l *Log) watch(ctx context.Context) {
	// A receipt waits for the checkpoint this sees: every poll interval
	// adds up to itself to each receipt's latency. A poll that finds the
	// same checkpoint costs one small read.
	every := pollInterval
	if l.closeDB != nil {
		every = 4 * pollInterval // a query, and checkpoints at least a second apart
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.poll(ctx)
			if i%int(time.Second/every) == 0 { // each second: the server's status shows a write problem, and its end, without a submission
				l.Writable()
			}
		}
	}
}

func (l *Log) poll(ctx context.Context) error {
	raw, err := l.reader.ReadCheckpoint(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	same := l.cp != nil && bytes.Equal(raw, l.cp.Raw)
	l.mu.Unlock()
	if same {
		return nil // verified when it was first seen
	}
	cp, err := tlogtiles.OpenCheckpoint(raw, l.verifier)
	if err != nil {
		return fmt.Errorf("published checkpoint: %w", err)
	}
	size := cp.Size
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cp == nil || size > l.cp.Size || (size == l.cp.Size && !bytes.Equal(raw, l.cp.Raw)) {
		l.cp = cp
		if l.roots == nil || len(l.roots) > 64 {
			l.roots = map[uint64]tlog.Hash{} // receipts need only recent sizes
		}
		l.roots[size] = cp.Root
		close(l.changed)
		l.changed = make(chan struct{})
	}
	return nil
}

// Checkpoint returns the latest published checkpoint and its size. The
// checkpoint is nil before the first one is published.
func (l *Log) Checkpoint() ([]byte, uint64) {
	if cp := l.Published(); cp != nil {
		return cp.Raw, cp.Size
	}
	return nil, 0
}

// Published returns the latest published checkpoint, verified with the
// log's key, or nil before the first one is published.
func (l *Log) Published() *tlogtiles.Checkpoint {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cp
}

// WaitCheckpoint blocks until a published checkpoint covers size entries
// and returns it.
func (l *Log) WaitCheckpoint(ctx context.Context, size uint64) ([]byte, uint64, error) {
	cp, err := l.WaitPublished(ctx, size)
	if err != nil {
		return nil, 0, err
	}
	return cp.Raw, cp.Size, nil
}

// WaitPublished blocks until a published checkpoint covers size entries
// and returns it, verified with the log's key.
func (l *Log) WaitPublished(ctx context.Context, size uint64) (*tlogtiles.Checkpoint, error) {
	for {
		l.mu.Lock()
		cp, ch := l.cp, l.changed
		l.mu.Unlock()
		if cp != nil && cp.Size >= size {
			return cp, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
	}
}

// Changed returns a channel closed when the published checkpoint next moves.
func (l *Log) Changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed
}

// InclusionProof returns the RFC 6962 inclusion proof of index in the tree
// of the given size, which must be a published checkpoint's size. It is
// safe for concurrent use and cheap: the proof is assembled with
// golang.org/x/mod/sumdb/tlog from the log's own tiles (full tiles and the
// latest partial tiles cached), then checked against the checkpoint's root
// with the leaf hash the level-0 tile holds, so a proof that would not
// verify is never returned, whatever happened to the tiles on disk.
func (l *Log) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	l.mu.Lock()
	root, ok := l.roots[size]
	l.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no published checkpoint has size %d", size)
	}
	p, err := l.ProveRecord(ctx, index, tlog.Tree{N: int64(size), Hash: root})
	if err != nil {
		return nil, err
	}
	return proofBytes(p), nil
}

// ProveRecord is InclusionProof in the tree of a published checkpoint,
// with x/mod's types: it is a receipt.Prover.
func (l *Log) ProveRecord(ctx context.Context, index uint64, tree tlog.Tree) (tlog.RecordProof, error) {
	size, root := uint64(tree.N), tree.Hash
	if index >= size {
		return nil, fmt.Errorf("index %d is not in the tree of size %d", index, size)
	}
	hr := &tileHashes{r: &tileReader{ctx: ctx, l: l}, size: int64(size)}
	p, err := tlog.ProveRecord(int64(size), int64(index), hr)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, err)
	}
	leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, int64(index))})
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, err)
	}
	if err := tlog.CheckRecord(p, int64(size), root, int64(index), leaf[0]); err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d does not verify against the published root (are the log's tiles damaged? run tallylog verify): %w", index, size, err)
	}
	return p, nil
}

// tileHashes is a tlog.HashReader over the log's tiles as they are in the
// tree of the given size. It does not check them against the root: the
// caller checks what it builds from them.
type tileHashes struct {
	r    *tileReader
	size int64
}

func (h *tileHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	l := h.r.l
	for i, x := range indexes {
		// A stored hash never changes once the tree has it: the hashes of
		// upper levels, computed from a tile's 256 leaves, are cached.
		l.hashMu.RLock()
		cached, ok := l.hashes[x]
		l.hashMu.RUnlock()
		if ok {
			out[i] = cached
			continue
		}
		t := tlog.TileForIndex(8, x)
		// The tile as the tree of this size has it: full, or as wide as
		// the number of hashes at its level.
		w := min(256, (h.size>>(8*t.L))-t.N*256)
		if w < int64(t.W) {
			return nil, fmt.Errorf("hash %d is not in the tree of size %d", x, h.size)
		}
		t.W = int(w)
		data, err := h.r.ReadTiles([]tlog.Tile{t})
		if err != nil {
			return nil, err
		}
		if out[i], err = tlog.HashFromTile(t, data[0], x); err != nil {
			return nil, err
		}
		l.hashMu.Lock()
		if len(l.hashes) >= 1<<18 {
			clear(l.hashes)
		}
		l.hashes[x] = out[i]
		l.hashMu.Unlock()
	}
	return out, nil
}

// tileReader reads the log's hash tiles for tlog, caching full tiles,
// which never change, and the widest partial tile of each position.
type tileReader struct {
	ctx context.Context
	l   *Log
}

func (r *tileReader) Height() int { return 8 }

func (r *tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		key := [2]int64{int64(t.L), t.N}
		if data, ok := r.l.fullTiles.Load(key); ok {
			out[i] = data.([]byte)[:t.W*32]
			continue
		}
		if p, ok := r.l.partialTiles.Load(key); ok && len(p.([]byte)) >= t.W*32 {
			out[i] = p.([]byte)[:t.W*32]
			continue
		}
		// A partial tile may have been collected once its full tile
		// exists: tlogtiles reads the full one then.
		data, err := tlogtiles.ReadTile(r.ctx, r.l.tiles, t)
		if err != nil {
			return nil, fmt.Errorf("read tile %d/%d: %w", t.L, t.N, err)
		}
		if t.W == 256 {
			r.l.fullTiles.Store(key, data)
			r.l.partialTiles.Delete(key)
		} else {
			// A tile's first w hashes never change as it grows, so the
			// widest partial tile read serves every narrower request.
			if p, ok := r.l.partialTiles.Load(key); !ok || len(p.([]byte)) < len(data) {
				r.l.partialTiles.Store(key, data)
			}
		}
		out[i] = data
	}
	return out, nil
}

// ConsistencyProof returns the proof that the tree of size smaller is a
// prefix of the tree of size larger, which must be a published
// checkpoint's size. The proof is checked against the checkpoint's root
// (tlogtiles reads the tiles, each checked against it).
func (l *Log) ConsistencyProof(ctx context.Context, smaller, larger uint64) ([][]byte, error) {
	l.mu.Lock()
	root, ok := l.roots[larger]
	l.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no published checkpoint has size %d", larger)
	}
	p, err := tlogtiles.ProveTree(ctx, l.tiles, tlog.Tree{N: int64(larger), Hash: root}, smaller)
	if err != nil {
		return nil, err
	}
	return proofBytes(p), nil
}

// ReadEntries calls fn for each entry with index in [from, to), in order,
// reading the entry bundles of a tree of size treeSize >= to.
func (l *Log) ReadEntries(ctx context.Context, from, to, treeSize uint64, fn func(index uint64, entry []byte) error) error {
	for b := from / 256; b*256 < to; b++ {
		entries, err := tlogtiles.ReadBundle(ctx, l.tiles, int64(b), treeSize)
		if err != nil {
			return fmt.Errorf("entry bundle %d: %w", b, err)
		}
		for i, e := range entries {
			idx := b*256 + uint64(i)
			if idx < from || idx >= to {
				continue
			}
			if err := fn(idx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// Exists reports whether dir holds a log.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "checkpoint"))
	return err == nil
}

// IntegratedSize returns how many entries are sequenced and integrated,
// published or not. Use it only to replay the log's own state at start-up;
// proofs are served against published checkpoints.
func (l *Log) IntegratedSize(ctx context.Context) (uint64, error) {
	return l.reader.IntegratedSize(ctx)
}

// proofBytes returns a proof's hashes as byte slices (receipts' form).
func proofBytes[P ~[]tlog.Hash](p P) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}
