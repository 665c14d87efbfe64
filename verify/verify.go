// Package verify is tallylog's independent verifier. Given where a log is
// published and the log's public key, it fetches the checkpoint, every tile
// and every entry bundle, checks the checkpoint's signature and every hash
// against it, then replays every entry through the same rules and tally the
// server runs, so anyone reaches the same results from the same log.
//
// It reads the log through golang.org/x/mod/sumdb/tlog and shares no
// storage code with the writer (Tessera): a bug in one is not hidden by the
// same bug in the other.
package verify

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tallylog/tallylog/tally"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is the tlog-tiles tile height: 256 hashes per tile.
const tileHeight = 8

// Options tune a verification.
type Options struct {
	// Witnesses must all have cosigned the checkpoint.
	Witnesses []note.Verifier
	// Progress, if set, is called after each entry bundle with the number of
	// entries verified so far and the tree size.
	Progress func(done, total uint64)
}

// Result is what a successful verification established.
type Result struct {
	Origin     string
	TreeSize   uint64
	Root       tlog.Hash
	Checkpoint []byte
	Cosigners  []string
	// Tally is the replayed tally: the same state the server reached.
	Tally *tally.Tally
}

// Failure is a verification failure at a log index (or -1 when it concerns
// the checkpoint or the tree as a whole).
type Failure struct {
	Index  int64
	Where  string // the resource or record concerned
	Reason string
}

func (f *Failure) Error() string {
	if f.Index < 0 {
		return fmt.Sprintf("%s: %s", f.Where, f.Reason)
	}
	return fmt.Sprintf("index %d (%s): %s", f.Index, f.Where, f.Reason)
}

// Unreachable is a verification that could not reach an answer: a
// resource could not be read (see ErrUnavailable), or the checkpoint could
// not be found at all. It says nothing about whether the log is good.
type Unreachable struct {
	Where string
	Err   error
}

func (u *Unreachable) Error() string { return "cannot read " + u.Where + ": " + u.Err.Error() }
func (u *Unreachable) Unwrap() error { return u.Err }

// readFailure is the error for a failed read of path: Unreachable when the
// reader or the network failed, else a Failure of the log at index.
func readFailure(index int64, path, what string, err error) error {
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Unreachable{path, err}
	}
	return &Failure{index, path, what + err.Error()}
}

// Log verifies the whole log at src against the log key. Its error is a
// *Failure when the log is bad and an *Unreachable when it could not be
// read.
func Log(ctx context.Context, src Source, logKey note.Verifier, opts Options) (*Result, error) {
	raw, err := src.ReadFile(ctx, "checkpoint")
	if err != nil {
		return nil, &Unreachable{"checkpoint", err}
	}
	res, err := checkCheckpoint(raw, logKey, opts.Witnesses)
	if err != nil {
		return nil, err
	}
	n := int64(res.TreeSize)

	// Stored hashes of the whole tree, computed from the entries alone.
	hashes := make([]tlog.Hash, 0, 2*n+64)
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(hashes)) {
				return nil, fmt.Errorf("hash %d not computed yet", x)
			}
			out[i] = hashes[x]
		}
		return out, nil
	})
	t := tally.New(res.Origin)
	for b := int64(0); b*256 < n; b++ {
		width := min(256, n-b*256)
		tile := tlog.Tile{H: tileHeight, L: -1, N: b, W: int(width)}
		path := tilePath(tile)
		data, err := src.ReadFile(ctx, path)
		if err != nil && width < 256 {
			// A partial bundle may be gone once the full one exists.
			full := tile
			full.W = 256
			if fdata, ferr := src.ReadFile(ctx, tilePath(full)); ferr == nil {
				data, err = fdata, nil
			}
		}
		if err != nil {
			return nil, readFailure(b*256, path, "cannot read entry bundle: ", err)
		}
		entries, err := splitBundle(data)
		if err != nil {
			return nil, &Failure{b * 256, path, err.Error()}
		}
		if int64(len(entries)) < width {
			return nil, &Failure{b*256 + int64(len(entries)), path, fmt.Sprintf("entry bundle holds %d entries, the checkpoint needs %d", len(entries), width)}
		}
		for i := int64(0); i < width; i++ {
			idx := b*256 + i
			hs, err := tlog.StoredHashes(idx, entries[i], hr)
			if err != nil {
				return nil, &Failure{idx, path, err.Error()}
			}
			hashes = append(hashes, hs...)
		}
		if err := checkTiles(ctx, src, b, width, n, hr); err != nil {
			return nil, err
		}
		if b*256+width == n {
			// Every entry is hashed: check the tree's partial tiles before
			// replaying the last entries, so an altered entry is reported
			// as altered rather than as a record that breaks a rule.
			if err := checkPartialTiles(ctx, src, n, hr); err != nil {
				return nil, err
			}
		}
		for i := int64(0); i < width; i++ {
			if err := t.Apply(uint64(b*256+i), entries[i]); err != nil {
				return nil, &Failure{b*256 + i, describe(entries[i]), err.Error()}
			}
		}
		if opts.Progress != nil {
			opts.Progress(uint64(b*256+width), uint64(n))
		}
	}
	root, err := tlog.TreeHash(n, hr)
	if err != nil {
		return nil, &Failure{-1, "tree", err.Error()}
	}
	if root != res.Root {
		return nil, &Failure{-1, "checkpoint", fmt.Sprintf("the entries hash to root %s, but the checkpoint says %s: an entry bundle was altered, removed or reordered", root, res.Root)}
	}
	res.Tally = t
	return res, nil
}

// checkTiles compares the published hash tiles that entry bundle b
// completes (and, at the end of the tree, the partial ones) with the tiles
// computed from the entries. A mismatch names the first leaf index the
// differing hash covers.
func checkTiles(ctx context.Context, src Source, b, width, treeSize int64, hr tlog.HashReader) error {
	end := b*256 + width
	for _, tile := range tlog.NewTiles(tileHeight, b*256, end) {
		if tile.W < 256 {
			continue // partial tiles are checked once, for the final tree (checkPartialTiles)
		}
		if err := compareTile(ctx, src, tile, hr); err != nil {
			return err
		}
	}
	return nil
}

// compareTile compares one published tile with the tile computed from the
// entries; a mismatch names the first leaf index the differing hash covers.
func compareTile(ctx context.Context, src Source, tile tlog.Tile, hr tlog.HashReader) error {
	span := int64(1) << (tileHeight * tile.L) // leaves under each hash
	first := tile.N * 256 * span
	want, err := tlog.ReadTileData(tile, hr)
	if err != nil {
		return &Failure{first, tilePath(tile), err.Error()}
	}
	got, err := readTile(ctx, src, tile)
	if err != nil {
		return readFailure(first, tilePath(tile), "cannot read tile: ", err)
	}
	for j := 0; j < len(want); j += 32 {
		if string(got[j:j+32]) != string(want[j:j+32]) {
			return &Failure{first + int64(j/32)*span, tilePath(tile), "published tile hash differs from the hash of the logged entries: the tile or the entry bundle was altered"}
		}
	}
	return nil
}

// checkPartialTiles compares every partial tile of the checkpoint's tree,
// at every level, with the tile computed from the entries. Partial tiles
// at upper levels may have been completed by an early bundle's hashes, so
// they are checked here, after all entries are hashed, not bundle by bundle.
func checkPartialTiles(ctx context.Context, src Source, n int64, hr tlog.HashReader) error {
	for _, tile := range tlog.NewTiles(tileHeight, 0, n) {
		if tile.W == 256 {
			continue
		}
		if err := compareTile(ctx, src, tile, hr); err != nil {
			return err
		}
	}
	return nil
}

// readTile reads a tile, falling back from a missing partial tile to the
// full one, as tlog-tiles allows.
func readTile(ctx context.Context, src Source, t tlog.Tile) ([]byte, error) {
	data, err := src.ReadFile(ctx, tilePath(t))
	if err != nil && t.W < 256 {
		full := t
		full.W = 256
		data, err = src.ReadFile(ctx, tilePath(full))
	}
	if err != nil {
		return nil, err
	}
	if len(data) < t.W*32 {
		return nil, fmt.Errorf("tile is %d bytes, want at least %d", len(data), t.W*32)
	}
	return data, nil
}

// tilePath maps x/mod's tile path ("tile/8/0/x001/234", "tile/8/data/...")
// to tlog-tiles ("tile/0/x001/234", "tile/entries/...").
func tilePath(t tlog.Tile) string {
	p := t.Path()
	p = strings.Replace(p, "tile/8/data/", "tile/entries/", 1)
	return strings.Replace(p, "tile/8/", "tile/", 1)
}

func splitBundle(data []byte) ([][]byte, error) {
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("entry bundle ends inside a length prefix")
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, errors.New("entry bundle ends inside an entry")
		}
		out = append(out, data[2:2+n])
		data = data[2+n:]
	}
	return out, nil
}

func checkCheckpoint(raw []byte, logKey note.Verifier, witnesses []note.Verifier) (*Result, error) {
	n, err := note.Open(raw, note.VerifierList(append([]note.Verifier{logKey}, witnesses...)...))
	if err != nil {
		return nil, &Failure{-1, "checkpoint", "signature does not verify with the log key " + logKey.Name() + ": " + err.Error()}
	}
	signed := map[string]bool{}
	for _, s := range n.Sigs {
		signed[s.Name] = true
	}
	if !signed[logKey.Name()] {
		return nil, &Failure{-1, "checkpoint", "not signed by the log key"}
	}
	res := &Result{Checkpoint: raw}
	for _, w := range witnesses {
		if !signed[w.Name()] {
			return nil, &Failure{-1, "checkpoint", "missing the cosignature of witness " + w.Name()}
		}
		res.Cosigners = append(res.Cosigners, w.Name())
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 || lines[0] != logKey.Name() {
		return nil, &Failure{-1, "checkpoint", "origin is not " + logKey.Name()}
	}
	res.Origin = lines[0]
	if res.TreeSize, err = strconv.ParseUint(lines[1], 10, 63); err != nil {
		return nil, &Failure{-1, "checkpoint", "tree size " + strconv.Quote(lines[1]) + " is not a number"}
	}
	if res.Root, err = tlog.ParseHash(lines[2]); err != nil {
		return nil, &Failure{-1, "checkpoint", "root hash is not base64 SHA-256"}
	}
	return res, nil
}

// describe names an entry for a failure message: its record type, if the
// first line says.
func describe(entry []byte) string {
	line, _, _ := strings.Cut(string(entry), "\n")
	if t, ok := strings.CutPrefix(line, "tallylog/v1 "); ok && len(t) < 32 {
		return t + " record"
	}
	return "entry"
}
