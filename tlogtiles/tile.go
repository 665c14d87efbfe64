package tlogtiles

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// Height is the tlog-tiles tile height: 256 hashes (or entries) per tile.
const Height = 8

// TileWidth is the number of hashes in a full tile, and of entries in a
// full entry bundle.
const TileWidth = 1 << Height

// Path returns the tlog-tiles path of a tile: "tile/0/x001/234" or
// "tile/1/000.p/17" for hash tiles, "tile/entries/x001/234" for the entry
// bundle at L == -1. (x/mod's own paths carry the height,
// "tile/8/0/x001/234", and call bundles "data".)
func Path(t tlog.Tile) string {
	p := t.Path()
	p = strings.Replace(p, "tile/8/data/", "tile/entries/", 1)
	return strings.Replace(p, "tile/8/", "tile/", 1)
}

// ReadTile reads tile t from src: a hash tile, or the entry bundle when
// t.L == -1. A partial tile that is missing is read as the full tile, which
// tlog-tiles allows once the tree has grown past it. A hash tile is
// returned as exactly t.W hashes (the first t.W of a full tile); an entry
// bundle is returned whole (see ReadBundle).
//
// The bytes are not checked against any tree: pass them to
// tlog.HashFromTile or tlog.TileHashReader (HashReader), or compare them
// with tiles computed from trusted entries, before trusting them.
func ReadTile(ctx context.Context, src Source, t tlog.Tile) ([]byte, error) {
	data, err := src.ReadFile(ctx, Path(t))
	if err != nil && t.W < TileWidth {
		full := t
		full.W = TileWidth
		if fdata, ferr := src.ReadFile(ctx, Path(full)); ferr == nil {
			data, err = fdata, nil
		}
	}
	if err != nil {
		return nil, err
	}
	if t.L >= 0 {
		if len(data) < t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s is %d bytes, want at least %d", Path(t), len(data), t.W*tlog.HashSize)
		}
		data = data[:t.W*tlog.HashSize]
	}
	return data, nil
}

// TileReader is a tlog.TileReader over a Source. It reads tiles and saves
// nothing; it checks nothing either, so use it through tlog.TileHashReader
// (HashReader), which checks every tile against the tree's root.
type TileReader struct {
	Ctx    context.Context
	Source Source
}

// Height returns the tlog-tiles tile height.
func (r TileReader) Height() int { return Height }

// SaveTiles does nothing: a TileReader keeps no cache.
func (r TileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// ReadTiles reads each tile with ReadTile.
func (r TileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := ReadTile(r.Ctx, r.Source, t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Path(t), err)
		}
		out[i] = data
	}
	return out, nil
}

// HashReader returns a tlog.HashReader of the tree's stored hashes, read
// from src's tiles. Every tile it reads is checked against tree.Hash before
// any hash of it is returned, so what it returns is trusted as far as the
// tree is; use it with a tree from OpenCheckpoint.
func HashReader(ctx context.Context, src Source, tree tlog.Tree) tlog.HashReader {
	return tlog.TileHashReader(tree, TileReader{Ctx: ctx, Source: src})
}

// ProveRecord returns the inclusion proof of the entry at index in tree,
// from src's tiles checked against tree.Hash.
func ProveRecord(ctx context.Context, src Source, tree tlog.Tree, index uint64) (tlog.RecordProof, error) {
	p, err := tlog.ProveRecord(tree.N, int64(index), HashReader(ctx, src, tree))
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of index %d: %w", index, err)
	}
	return p, nil
}

// ProveTree returns the proof that the tree of size older is a prefix of
// tree, from src's tiles checked against tree.Hash.
func ProveTree(ctx context.Context, src Source, tree tlog.Tree, older uint64) (tlog.TreeProof, error) {
	p, err := tlog.ProveTree(tree.N, int64(older), HashReader(ctx, src, tree))
	if err != nil {
		return nil, fmt.Errorf("consistency proof from size %d to %d: %w", older, tree.N, err)
	}
	return p, nil
}

// BundleTile returns the tile of entry bundle n in a tree of size
// treeSize: full, or as wide as the entries the tree has in it.
func BundleTile(n int64, treeSize uint64) tlog.Tile {
	w := min(TileWidth, int64(treeSize)-n*TileWidth)
	return tlog.Tile{H: Height, L: -1, N: n, W: int(w)}
}

// ShortBundleError is an entry bundle holding fewer entries than the tree
// needs.
type ShortBundleError struct {
	Path       string
	Have, Want int
}

func (e *ShortBundleError) Error() string {
	return fmt.Sprintf("entry bundle holds %d entries, the checkpoint needs %d", e.Have, e.Want)
}

// ReadBundle reads entry bundle n of a tree of size treeSize and returns
// its entries in the tree: exactly as many as the tree has in the bundle
// (a full bundle read in place of a missing partial one is cut to them).
// A bundle that does not split, or holds too few entries, is an error (a
// *ShortBundleError for the latter).
//
// The entries are not trusted until checked against the tree: by their
// inclusion proofs, or by hashing every entry up to the root.
func ReadBundle(ctx context.Context, src Source, n int64, treeSize uint64) ([][]byte, error) {
	t := BundleTile(n, treeSize)
	if t.W <= 0 {
		return nil, fmt.Errorf("entry bundle %d is outside the tree of size %d", n, treeSize)
	}
	data, err := ReadTile(ctx, src, t)
	if err != nil {
		return nil, fmt.Errorf("cannot read entry bundle: %w", err)
	}
	entries, err := SplitBundle(data)
	if err != nil {
		return nil, err
	}
	if len(entries) < t.W {
		return nil, &ShortBundleError{Path: Path(t), Have: len(entries), Want: t.W}
	}
	return entries[:t.W], nil
}
