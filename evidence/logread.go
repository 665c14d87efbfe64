package evidence

import (
	"context"
	"fmt"
	"strings"

	"github.com/tallylog/tallylog/ledger"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is the tlog-tiles tile height: 256 hashes per tile.
const tileHeight = 8

// tilePath maps x/mod's tile path ("tile/8/0/x001/234", "tile/8/data/...")
// to tlog-tiles ("tile/0/x001/234", "tile/entries/..."), as verify does.
func tilePath(t tlog.Tile) string {
	p := t.Path()
	p = strings.Replace(p, "tile/8/data/", "tile/entries/", 1)
	return strings.Replace(p, "tile/8/", "tile/", 1)
}

// readTile reads a tile (hash or entry bundle) of the tree, falling back
// from a partial tile to the full one, which tlog-tiles allows once the
// tree has grown past it.
func readTile(ctx context.Context, src verify.Source, t tlog.Tile) ([]byte, error) {
	data, err := src.ReadFile(ctx, tilePath(t))
	if err != nil && t.W < 1<<tileHeight {
		full := t
		full.W = 1 << tileHeight
		data, err = src.ReadFile(ctx, tilePath(full))
	}
	return data, err
}

// tileReader reads hash tiles for tlog.TileHashReader, which checks every
// tile it is given against the checkpoint's root: nothing read here is
// trusted.
type tileReader struct {
	ctx context.Context
	src verify.Source
}

func (r tileReader) Height() int                     { return tileHeight }
func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := readTile(r.ctx, r.src, t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tilePath(t), err)
		}
		if len(data) < t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s is %d bytes, want at least %d", tilePath(t), len(data), t.W*tlog.HashSize)
		}
		out[i] = data[:t.W*tlog.HashSize]
	}
	return out, nil
}

// readEntries returns the entries at the given indexes of the tree of the
// given size, reading each entry bundle once. The bytes are not trusted
// until their inclusion proofs are checked (Build does).
func readEntries(ctx context.Context, src verify.Source, size uint64, indexes []uint64) (map[uint64][]byte, error) {
	out := make(map[uint64][]byte, len(indexes))
	bundles := map[int64][][]byte{}
	for _, idx := range indexes {
		if idx >= size {
			return nil, fmt.Errorf("index %d is outside the checkpoint's tree of size %d", idx, size)
		}
		n := int64(idx / 256)
		entries, ok := bundles[n]
		if !ok {
			width := min(256, int64(size)-n*256)
			t := tlog.Tile{H: tileHeight, L: -1, N: n, W: int(width)}
			data, err := readTile(ctx, src, t)
			if err != nil {
				return nil, fmt.Errorf("entry bundle %s: %w", tilePath(t), err)
			}
			if entries, err = ledger.SplitBundle(data); err != nil {
				return nil, fmt.Errorf("entry bundle %s: %w", tilePath(t), err)
			}
			bundles[n] = entries
		}
		if int(idx%256) >= len(entries) {
			return nil, fmt.Errorf("entry bundle %d holds %d entries, not index %d", n, len(entries), idx)
		}
		out[idx] = entries[idx%256]
	}
	return out, nil
}

// proveInclusion returns the inclusion proof of index in the tree.
func proveInclusion(ctx context.Context, src verify.Source, tree tlog.Tree, index uint64) ([][]byte, error) {
	thr := tlog.TileHashReader(tree, tileReader{ctx, src})
	p, err := tlog.ProveRecord(tree.N, int64(index), thr)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of index %d: %w", index, err)
	}
	return hashesToBytes(p), nil
}

// proveConsistency returns the proof that the tree of size older is a
// prefix of tree.
func proveConsistency(ctx context.Context, src verify.Source, tree tlog.Tree, older uint64) ([][]byte, error) {
	thr := tlog.TileHashReader(tree, tileReader{ctx, src})
	p, err := tlog.ProveTree(tree.N, int64(older), thr)
	if err != nil {
		return nil, fmt.Errorf("consistency proof from size %d to %d: %w", older, tree.N, err)
	}
	return hashesToBytes(p), nil
}

func hashesToBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
