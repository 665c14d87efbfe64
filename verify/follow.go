package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/tallylog/tallylog/registry"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/tlogtiles"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Follower verifies a log as it grows, as Log verifies it whole: each
// Advance reads the newest checkpoint, checks its signatures, reads only
// the entries and tiles added since the last checkpoint it accepted,
// checks every hash, and accepts the checkpoint only if the tree its
// already-verified entries and the new ones make has the checkpoint's
// root: the new checkpoint is then consistent with every one before it.
// A checkpoint that cannot be consistent with the last accepted one is a
// *Fork.
//
// The Follower keeps the tree's stored hashes (64 bytes an entry) and the
// last accepted checkpoint; it is not safe for concurrent use.
type Follower struct {
	LogKey    note.Verifier
	Witnesses []note.Verifier
	// Tally, if set, replays every new entry (signatures and rules
	// checked) before the checkpoint is accepted.
	Tally *tally.Tally
	// Save, if set, receives every resource Advance verified (entry bundles
	// and tiles, by tlog-tiles path), before Advance returns.
	Save func(path string, data []byte) error
	// Progress, if set, is called after each entry bundle with the
	// entries verified so far and the new tree size.
	Progress func(done, total uint64)

	hashes []tlog.Hash
	last   *Result
	keys   *keyTable // the keys Tally has registered, for readAhead
}

// Fork is two checkpoints signed by the log's key that no single
// append-only log can have published: the proof that the log showed
// different histories.
type Fork struct {
	Old, New []byte // the accepted checkpoint, and the one inconsistent with it
	// Proof is the consistency proof from Old's size to New's built from
	// the tiles served with New, which does not verify (empty when New is
	// not larger).
	Proof  []tlog.Hash
	Reason string
}

func (f *Fork) Error() string { return "the log forked: " + f.Reason }

// Checkpoint returns the last accepted checkpoint (nil before the first).
func (f *Follower) Checkpoint() *Result { return f.last }

// Advance reads src's checkpoint and verifies what it adds. It returns the
// accepted checkpoint (the previous one when the log has not grown), a
// *Failure when src serves something its checkpoint does not commit to, a
// *Fork, or an *Unreachable. After an error the Follower is unchanged
// except for a Tally it replayed into, and a later Advance may succeed.
func (f *Follower) Advance(ctx context.Context, src Source) (*Result, error) {
	raw, err := src.ReadFile(ctx, "checkpoint")
	if err != nil {
		return nil, &Unreachable{"checkpoint", err}
	}
	res, err := checkCheckpoint(raw, f.LogKey, f.Witnesses)
	if err != nil {
		return nil, err
	}
	n := int64(res.TreeSize)
	old := int64(0)
	if f.last != nil {
		old = int64(f.last.TreeSize)
	}
	hr := f.reader(n)
	if f.last != nil && n <= old {
		// Not larger: an older or the same tree. Its root must be the root
		// of the verified tree of that size.
		root, err := tlog.TreeHash(n, hr)
		if err != nil {
			return nil, &Failure{-1, "tree", err.Error()}
		}
		if root != res.Root {
			return nil, &Fork{Old: f.last.Checkpoint, New: raw,
				Reason: fmt.Sprintf("a checkpoint of size %d has root %s, but the verified entries of the tree of size %d hash to %s", n, res.Root, n, root)}
		}
		res.Tally = f.Tally
		return f.last, nil
	}

	hashes := f.hashes[:len(f.hashes):len(f.hashes)] // appends never touch f.hashes
	hr = tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(hashes)) {
				return nil, fmt.Errorf("hash %d not computed yet", x)
			}
			out[i] = hashes[x]
		}
		return out, nil
	})
	// Bundles are read, parsed and their signatures checked on every core,
	// readDepth bundles ahead of the replay (readAhead), so that the
	// replay, which is sequential, overlaps with the signature checks of
	// the next bundles.
	var keys *keyTable
	if f.Tally != nil {
		if f.keys == nil {
			f.keys = &keyTable{m: map[registry.KeyID]*registry.Key{}}
		}
		keys = f.keys
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bundles := readAhead(rctx, src, old/256, res.TreeSize, keys)
	for b := old / 256; b*256 < n; b++ {
		width := min(256, n-b*256)
		path := tlogtiles.Path(tlogtiles.BundleTile(b, res.TreeSize))
		rb := <-bundles
		entries, envs, vs, err := rb.entries, rb.envs, rb.vs, rb.err
		if err != nil {
			var short *tlogtiles.ShortBundleError
			if errors.As(err, &short) {
				return nil, &Failure{b*256 + int64(short.Have), path, err.Error()}
			}
			return nil, readFailure(b*256, path, "", err)
		}
		first := max(old-b*256, 0) // entries of this bundle verified before
		for i := int64(0); i < first; i++ {
			idx := b*256 + i
			if rb.leaves[i] != hashes[tlog.StoredHashIndex(0, idx)] {
				if fork := f.proveFork(ctx, src, res, raw); fork != nil {
					return nil, fork
				}
				return nil, &Failure{idx, path, "the entry differs from the one this log served before at this index"}
			}
		}
		for i := first; i < width; i++ {
			idx := b*256 + i
			hs, err := tlog.StoredHashesForRecordHash(idx, rb.leaves[i], hr)
			if err != nil {
				return nil, &Failure{idx, path, err.Error()}
			}
			hashes = append(hashes, hs...)
		}
		if f.Save != nil { // the bundle's bytes are made only to be saved
			if err := f.save(path, tlogtiles.AppendBundle(nil, entries...)); err != nil {
				return nil, err
			}
		}
		for _, t := range tlog.NewTiles(tileHeight, b*256+first, b*256+width) {
			if t.W == 256 {
				if err := f.compareTile(ctx, src, t, hr); err != nil {
					return nil, err
				}
			}
		}
		if b*256+width == n {
			// Every entry is hashed: check the tree's new partial tiles
			// before replaying the last entries, so an altered entry is
			// reported as altered rather than as a record that breaks a rule.
			for _, t := range tlog.NewTiles(tileHeight, old, n) {
				if t.W < 256 {
					if err := f.compareTile(ctx, src, t, hr); err != nil {
						return nil, err
					}
				}
			}
		}
		if f.Tally != nil {
			reauthenticate(keys, rb, first)
			for i := first; i < width; i++ {
				var err error
				switch {
				case vs[i] != nil:
					err = f.Tally.ApplyVerified(uint64(b*256+i), vs[i])
				case envs[i] != nil: // parsed, its signer not registered when it was read
					err = f.Tally.ApplyOpened(uint64(b*256+i), envs[i])
				default:
					err = f.Tally.Apply(uint64(b*256+i), entries[i])
				}
				if err != nil {
					return nil, &Failure{b*256 + i, describe(entries[i]), err.Error()}
				}
				keys.learn(f.Tally.Registry(), entries[i], envs[i])
			}
		}
		if f.Progress != nil {
			f.Progress(uint64(b*256+width), uint64(n))
		}
	}
	root, err := tlog.TreeHash(n, hr)
	if err != nil {
		return nil, &Failure{-1, "tree", err.Error()}
	}
	if root != res.Root {
		if f.last != nil {
			if fork := f.proveFork(ctx, src, res, raw); fork != nil {
				return nil, fork
			}
		}
		return nil, &Failure{-1, "checkpoint", fmt.Sprintf("the entries hash to root %s, but the checkpoint says %s: an entry bundle was altered, removed or reordered", root, res.Root)}
	}
	f.hashes, f.last = hashes, res
	res.Tally = f.Tally
	return res, nil
}

// reader reads the verified stored hashes of the tree of size n <= the
// accepted size.
func (f *Follower) reader(n int64) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(f.hashes)) {
				return nil, fmt.Errorf("hash %d is not in the verified tree", x)
			}
			out[i] = f.hashes[x]
		}
		return out, nil
	})
}

func (f *Follower) compareTile(ctx context.Context, src Source, t tlog.Tile, hr tlog.HashReader) error {
	data, err := compareTile(ctx, src, t, hr)
	if err != nil {
		return err
	}
	return f.save(tlogtiles.Path(t), data[:t.W*32])
}

func (f *Follower) save(path string, data []byte) error {
	if f.Save == nil {
		return nil
	}
	if err := f.Save(path, data); err != nil {
		return &Unreachable{path, fmt.Errorf("%w: saving: %w", ErrUnavailable, err)}
	}
	return nil
}

// proveFork decides whether a checkpoint larger than the accepted one,
// whose root the accepted entries and the served new entries do not make,
// is a fork: it builds the consistency proof from the tiles served for the
// new tree (checked against its root) and checks it against the accepted
// root. It returns nil when the proof verifies (the new tree extends the
// accepted one: the entry bundles were what was wrong) or cannot be built.
func (f *Follower) proveFork(ctx context.Context, src Source, res *Result, raw []byte) *Fork {
	tree := tlog.Tree{N: int64(res.TreeSize), Hash: res.Root}
	p, err := tlogtiles.ProveTree(ctx, src, tree, f.last.TreeSize)
	if err != nil {
		return nil
	}
	if tlog.CheckTree(p, tree.N, tree.Hash, int64(f.last.TreeSize), f.last.Root) == nil {
		return nil
	}
	return &Fork{Old: f.last.Checkpoint, New: raw, Proof: p,
		Reason: fmt.Sprintf("the checkpoint of size %d (root %s) is not an extension of the accepted checkpoint of size %d (root %s): the consistency proof built from its own tiles does not verify",
			res.TreeSize, res.Root, f.last.TreeSize, f.last.Root)}
}
