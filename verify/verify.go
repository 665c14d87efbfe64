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

// Log verifies the whole log at src against the log key: a Follower's
// first Advance, replaying every entry into a new tally. Its error is a
// *Failure when the log is bad and an *Unreachable when it could not be
// read.
func Log(ctx context.Context, src Source, logKey note.Verifier, opts Options) (*Result, error) {
	f := &Follower{LogKey: logKey, Witnesses: opts.Witnesses, Tally: tally.New(logKey.Name()), Progress: opts.Progress}
	return f.Advance(ctx, src)
}

// compareTile compares one published tile with the tile computed from the
// entries and returns it; a mismatch names the first leaf index the
// differing hash covers.
func compareTile(ctx context.Context, src Source, tile tlog.Tile, hr tlog.HashReader) ([]byte, error) {
	span := int64(1) << (tileHeight * tile.L) // leaves under each hash
	first := tile.N * 256 * span
	want, err := tlog.ReadTileData(tile, hr)
	if err != nil {
		return nil, &Failure{first, tilePath(tile), err.Error()}
	}
	got, err := readTile(ctx, src, tile)
	if err != nil {
		return nil, readFailure(first, tilePath(tile), "cannot read tile: ", err)
	}
	for j := 0; j < len(want); j += 32 {
		if string(got[j:j+32]) != string(want[j:j+32]) {
			return nil, &Failure{first + int64(j/32)*span, tilePath(tile), "published tile hash differs from the hash of the logged entries: the tile or the entry bundle was altered"}
		}
	}
	return got, nil
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
