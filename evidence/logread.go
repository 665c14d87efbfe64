package evidence

import (
	"context"
	"fmt"

	"github.com/tallylog/tallylog/tlogtiles"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// checkpoint is a verified checkpoint (tlogtiles.OpenCheckpoint).
type checkpoint = tlogtiles.Checkpoint

// openCheckpoint verifies raw with the log key and requires every witness's
// cosignature. Its errors say which signature failed.
func openCheckpoint(raw []byte, logKey note.Verifier, witnesses []note.Verifier) (*checkpoint, error) {
	return tlogtiles.OpenCheckpoint(raw, logKey, witnesses...)
}

// readEntries returns the entries at the given indexes of the tree of the
// given size, reading each entry bundle once. The bytes are not trusted
// until their inclusion proofs are checked (Build does).
func readEntries(ctx context.Context, src tlogtiles.Source, size uint64, indexes []uint64) (map[uint64][]byte, error) {
	out := make(map[uint64][]byte, len(indexes))
	bundles := map[int64][][]byte{}
	for _, idx := range indexes {
		if idx >= size {
			return nil, fmt.Errorf("index %d is outside the checkpoint's tree of size %d", idx, size)
		}
		n := int64(idx / tlogtiles.TileWidth)
		entries, ok := bundles[n]
		if !ok {
			var err error
			if entries, err = tlogtiles.ReadBundle(ctx, src, n, size); err != nil {
				return nil, fmt.Errorf("entry bundle %s: %w", tlogtiles.Path(tlogtiles.BundleTile(n, size)), err)
			}
			bundles[n] = entries
		}
		out[idx] = entries[idx%tlogtiles.TileWidth]
	}
	return out, nil
}

func hashesToBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
