package tlogtiles

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// memSource is a Source over files in memory.
type memSource struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (m *memSource) ReadFile(_ context.Context, path string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.files[path]
	if !ok {
		return nil, fmt.Errorf("%s: %w", path, os.ErrNotExist)
	}
	return append([]byte(nil), data...), nil
}

// memLog is a log built with x/mod's tlog alone, published as tlog-tiles
// files at every size in sizes, the way a log server publishes them.
type memLog struct {
	entries [][]byte
	hashes  []tlog.Hash
	src     *memSource
}

func (l *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

func newMemLog(t testing.TB, sizes ...int) *memLog {
	l := &memLog{src: &memSource{files: map[string][]byte{}}}
	for _, n := range sizes {
		for len(l.entries) < n {
			e := fmt.Appendf(nil, "entry %d\n", len(l.entries))
			hs, err := tlog.StoredHashes(int64(len(l.entries)), e, l)
			if err != nil {
				t.Fatal(err)
			}
			l.entries = append(l.entries, e)
			l.hashes = append(l.hashes, hs...)
		}
		for _, tile := range tlog.NewTiles(Height, 0, int64(n)) {
			data, err := tlog.ReadTileData(tile, l)
			if err != nil {
				t.Fatal(err)
			}
			l.src.files[Path(tile)] = data
			b := tile
			if tile.L == 0 {
				b.L = -1
				l.src.files[Path(b)] = AppendBundle(nil, l.entries[b.N*TileWidth:b.N*TileWidth+int64(b.W)]...)
			}
		}
	}
	return l
}

func (l *memLog) tree(t testing.TB, n int) tlog.Tree {
	h, err := tlog.TreeHash(int64(n), l)
	if err != nil {
		t.Fatal(err)
	}
	return tlog.Tree{N: int64(n), Hash: h}
}

func TestPath(t *testing.T) {
	for _, tc := range []struct {
		tile tlog.Tile
		want string
	}{
		{tlog.Tile{H: 8, L: 0, N: 0, W: 256}, "tile/0/000"},
		{tlog.Tile{H: 8, L: 0, N: 1234, W: 256}, "tile/0/x001/234"},
		{tlog.Tile{H: 8, L: 1, N: 2, W: 17}, "tile/1/002.p/17"},
		{tlog.Tile{H: 8, L: -1, N: 5, W: 88}, "tile/entries/005.p/88"},
		{tlog.Tile{H: 8, L: -1, N: 1000, W: 256}, "tile/entries/x001/000"},
	} {
		if got := Path(tc.tile); got != tc.want {
			t.Errorf("Path(%+v) = %q, want %q", tc.tile, got, tc.want)
		}
	}
}

// TestReadAndProve reads every bundle and proves every entry of trees with
// full and partial tiles at two levels, from tiles checked against the
// root.
func TestReadAndProve(t *testing.T) {
	ctx := context.Background()
	l := newMemLog(t, 600)
	tree := l.tree(t, 600)
	for n := int64(0); n*TileWidth < 600; n++ {
		es, err := ReadBundle(ctx, l.src, n, 600)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != int(BundleTile(n, 600).W) {
			t.Fatalf("bundle %d: %d entries", n, len(es))
		}
		for i, e := range es {
			idx := n*TileWidth + int64(i)
			if string(e) != string(l.entries[idx]) {
				t.Fatalf("entry %d: %q", idx, e)
			}
			p, err := ProveRecord(ctx, l.src, tree, uint64(idx))
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.CheckRecord(p, tree.N, tree.Hash, idx, tlog.RecordHash(e)); err != nil {
				t.Fatalf("entry %d: %v", idx, err)
			}
		}
	}
	for _, older := range []uint64{1, 255, 256, 300, 599, 600} {
		p, err := ProveTree(ctx, l.src, tree, older)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(p, tree.N, tree.Hash, int64(older), l.tree(t, int(older)).Hash); err != nil {
			t.Fatalf("from %d: %v", older, err)
		}
	}
	if _, err := ReadBundle(ctx, l.src, 3, 600); err == nil {
		t.Error("read a bundle outside the tree")
	}
}

// TestFullTileFallback: a partial tile that is gone is read as the full
// tile that replaced it, cut to the width the older tree needs.
func TestFullTileFallback(t *testing.T) {
	ctx := context.Background()
	l := newMemLog(t, 300, 600)
	for _, p := range []string{"tile/0/001.p/44", "tile/entries/001.p/44"} {
		if _, ok := l.src.files[p]; !ok {
			t.Fatalf("%s was not written", p)
		}
		delete(l.src.files, p)
	}
	tree := l.tree(t, 300)
	es, err := ReadBundle(ctx, l.src, 1, 300)
	if err != nil || len(es) != 44 {
		t.Fatalf("bundle 1 of 300: %d entries, %v", len(es), err)
	}
	p, err := ProveRecord(ctx, l.src, tree, 299)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckRecord(p, tree.N, tree.Hash, 299, tlog.RecordHash(l.entries[299])); err != nil {
		t.Fatal(err)
	}
	data, err := ReadTile(ctx, l.src, tlog.Tile{H: Height, L: 0, N: 1, W: 44})
	if err != nil || len(data) != 44*tlog.HashSize {
		t.Fatalf("partial tile read as %d bytes, %v", len(data), err)
	}
}

// TestTamperedTiles: a tile, bundle or missing file read from the source
// is refused, never trusted.
func TestTamperedTiles(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		tamper func(files map[string][]byte)
		check  func(src Source, tree tlog.Tree) error
		want   string
	}{
		{"altered hash tile", func(f map[string][]byte) { f["tile/0/001"][40] ^= 1 },
			func(src Source, tree tlog.Tree) error { _, err := ProveRecord(ctx, src, tree, 300); return err }, "inclusion proof of index 300"},
		{"short hash tile", func(f map[string][]byte) { f["tile/0/002.p/88"] = f["tile/0/002.p/88"][:100] },
			func(src Source, tree tlog.Tree) error { _, err := ProveRecord(ctx, src, tree, 599); return err }, "tile/0/002.p/88 is 100 bytes"},
		{"missing tile", func(f map[string][]byte) { delete(f, "tile/1/000.p/2") },
			func(src Source, tree tlog.Tree) error { _, err := ProveTree(ctx, src, tree, 300); return err }, "file does not exist"},
		{"short bundle", func(f map[string][]byte) { f["tile/entries/001"] = AppendBundle(nil, []byte("x")) },
			func(src Source, tree tlog.Tree) error { _, err := ReadBundle(ctx, src, 1, 600); return err }, "entry bundle holds 1 entries, the checkpoint needs 256"},
		{"broken bundle", func(f map[string][]byte) { f["tile/entries/000"] = []byte{0, 9, 1} },
			func(src Source, tree tlog.Tree) error { _, err := ReadBundle(ctx, src, 0, 600); return err }, "ends inside an entry"},
	} {
		l := newMemLog(t, 600)
		tree := l.tree(t, 600)
		tc.tamper(l.src.files)
		err := tc.check(l.src, tree)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error saying %q", tc.name, err, tc.want)
		}
		var sb *ShortBundleError
		if tc.name == "short bundle" && (!errors.As(err, &sb) || sb.Have != 1 || sb.Want != 256) {
			t.Errorf("short bundle: %#v is not a *ShortBundleError", err)
		}
	}
}
