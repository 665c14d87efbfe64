// Package verify is tallylog's independent verifier. Given where a log is
// published and the log's public key, it fetches the checkpoint, every tile
// and every entry bundle, checks the checkpoint's signature and every hash
// against it, then replays every entry through the same rules and tally the
// server runs, so anyone reaches the same results from the same log.
//
// It reads the log through tlogtiles and golang.org/x/mod/sumdb/tlog and
// shares no storage code with the writer (Tessera): a bug in one is not
// hidden by the same bug in the other. tlogtiles.TestVerifierDependencies
// fails if this package ever depends on Tessera.
package verify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/tallylog/tallylog/internal/parallel"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/tlogtiles"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is the tlog-tiles tile height: 256 hashes per tile.
const tileHeight = tlogtiles.Height

// Source reads a log's public files; see tlogtiles.Source: nothing it
// returns is trusted until Log has checked it.
type Source = tlogtiles.Source

// NewSource returns a Source for a URL (http:// or https://) or a
// directory (the log/ directory of a server, or its parent).
func NewSource(loc string) (Source, error) { return tlogtiles.NewSource(loc) }

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

// ErrUnavailable marks a read that failed for a reason of the reader's or
// the network's, not the log's (see tlogtiles.ErrUnavailable).
var ErrUnavailable = tlogtiles.ErrUnavailable

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
// entries and returns it (exactly tile.W hashes); a mismatch names the
// first leaf index the differing hash covers.
func compareTile(ctx context.Context, src Source, tile tlog.Tile, hr tlog.HashReader) ([]byte, error) {
	span := int64(1) << (tileHeight * tile.L) // leaves under each hash
	first := tile.N * 256 * span
	want, err := tlog.ReadTileData(tile, hr)
	if err != nil {
		return nil, &Failure{first, tlogtiles.Path(tile), err.Error()}
	}
	got, err := tlogtiles.ReadTile(ctx, src, tile)
	if err != nil {
		return nil, readFailure(first, tlogtiles.Path(tile), "cannot read tile: ", err)
	}
	for j := 0; j < len(want); j += 32 {
		if string(got[j:j+32]) != string(want[j:j+32]) {
			return nil, &Failure{first + int64(j/32)*span, tlogtiles.Path(tile), "published tile hash differs from the hash of the logged entries: the tile or the entry bundle was altered"}
		}
	}
	return got, nil
}

// checkCheckpoint opens the checkpoint with the log key and the witnesses'
// keys (tlogtiles.OpenCheckpoint); a failure names the checkpoint.
func checkCheckpoint(raw []byte, logKey note.Verifier, witnesses []note.Verifier) (*Result, error) {
	cp, err := tlogtiles.OpenCheckpoint(raw, logKey, witnesses...)
	if err != nil {
		return nil, &Failure{-1, "checkpoint", err.Error()}
	}
	return &Result{Origin: cp.Origin, TreeSize: cp.Size, Root: cp.Root, Checkpoint: raw, Cosigners: cp.Cosigners}, nil
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

// readBundle is an entry bundle read ahead of the replay, with its
// entries parsed (envs[i] nil where that failed) and authenticated (vs[i]
// nil where that failed), or why it could not be read.
type readBundle struct {
	entries [][]byte
	leaves  []tlog.Hash // the entries' record hashes (tlog.RecordHash)
	envs    []*record.Envelope
	vs      []*registry.Verified
	err     error
}

// readDepth is how many bundles readAhead reads, parses and authenticates
// ahead of the replay: enough that the cores have signatures to check
// while the replay works through a bundle that is slow to apply (the
// definition of a national election takes as long to parse as a few
// thousand signatures take to check), few enough that little is held (a
// bundle is at most 256 entries, some 128 KB).
const readDepth = 16

// readAhead reads the bundles of a tree of size treeSize in order from
// bundle from, each one's entries parsed and their signatures checked on
// every core (authenticate, unless keys is nil: nothing is replayed), into
// a channel that holds readDepth bundles ahead of the replay. It stops at
// the first bundle that cannot be read, or when ctx ends.
func readAhead(ctx context.Context, src Source, from int64, treeSize uint64, keys *keyTable) <-chan readBundle {
	out := make(chan readBundle, readDepth)
	go func() {
		defer close(out)
		for b := from; uint64(b)*256 < treeSize; b++ {
			var rb readBundle
			rb.entries, rb.err = tlogtiles.ReadBundle(ctx, src, b, treeSize)
			if rb.err == nil {
				rb.leaves, rb.envs, rb.vs = authenticate(keys, rb.entries)
			}
			select {
			case out <- rb:
			case <-ctx.Done():
				return
			}
			if rb.err != nil {
				return
			}
		}
	}()
	return out
}

// keyTable holds the signing keys the replay has registered so far, for
// authenticate to check signatures with ahead of the replay.
type keyTable struct {
	mu sync.RWMutex
	m  map[registry.KeyID]*registry.Key
}

// learn adds the keys an applied entry registered (the election record's
// commission key, a keys record's grants), as the replay's registry holds
// them. Only the replay calls it, after applying the entry; env is the
// entry parsed, or nil to parse it here.
func (k *keyTable) learn(reg *registry.Registry, entry []byte, env *record.Envelope) {
	if env == nil {
		line, _, _ := strings.Cut(string(entry), "\n")
		if line != "tallylog/v1 keys" && line != "tallylog/v1 election" {
			return
		}
		var err error
		if env, err = record.Open(entry); err != nil {
			return
		}
	}
	var vkeys []string
	switch r := env.Record.(type) {
	case *record.Election:
		vkeys = append(vkeys, r.Commission)
	case *record.Keys:
		for _, g := range r.Grants {
			vkeys = append(vkeys, g.Key)
		}
	default:
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, vk := range vkeys {
		name, hash, ok := keyID(vk)
		if !ok {
			continue
		}
		if key, ok := reg.Key(name, hash); ok {
			k.m[registry.KeyID{Name: name, Hash: hash}] = key
		}
	}
}

// lookup returns the key the replay has registered for env's signer, or
// nil.
func (k *keyTable) lookup(env *record.Envelope) *registry.Key {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.m[registry.KeyID{Name: env.KeyName, Hash: env.KeyHash}]
}

// keyID reads the name and key hash of a verifier key (name+hash+key).
func keyID(vkey string) (string, uint32, bool) {
	name, rest, ok := strings.Cut(vkey, "+")
	if !ok {
		return "", 0, false
	}
	hexHash, _, ok := strings.Cut(rest, "+")
	h, err := strconv.ParseUint(hexHash, 16, 32)
	if !ok || err != nil {
		return "", 0, false
	}
	return name, uint32(h), true
}

// authenticate hashes a bundle's entries (tlog.RecordHash) and, unless
// keys is nil, opens them and verifies their signatures, on every core,
// each with the key the replay had registered for its signer
// when the bundle was read. envs[i] is nil where the entry does not parse;
// vs[i] is nil where the signature was not verified (the entry does not
// parse, the signature is bad, the signer was not registered yet:
// reauthenticate tries the last again just before the replay, and Apply
// replays what is left alone and reports its failure exactly as a
// sequential replay would). Where the key registered at the entry's own
// index is another, ApplyVerified verifies again with it. So every
// signature is verified, the results in index order are those of one entry
// at a time, and the output does not depend on the number of cores.
func authenticate(keys *keyTable, entries [][]byte) ([]tlog.Hash, []*record.Envelope, []*registry.Verified) {
	leaves := make([]tlog.Hash, len(entries))
	var envs []*record.Envelope
	var vs []*registry.Verified
	if keys != nil {
		envs = make([]*record.Envelope, len(entries))
		vs = make([]*registry.Verified, len(entries))
	}
	parallel.For(len(entries), func(i int) {
		leaves[i] = tlog.RecordHash(entries[i])
		if keys == nil {
			return
		}
		env, err := record.Open(entries[i])
		if err != nil {
			return
		}
		envs[i] = env
		if key := keys.lookup(env); key != nil {
			if v, err := registry.Authenticate(env, key); err == nil {
				vs[i] = v
			}
		}
	})
	return leaves, envs, vs
}

// reauthenticate verifies, on every core, the signatures of the entries
// of rb from index first whose signer was not registered when rb was read
// ahead but is now (the replay of the bundles before it registered the
// key), so that only the entries signed by keys granted in their own
// bundle are left for the sequential replay to verify.
func reauthenticate(keys *keyTable, rb readBundle, first int64) {
	var retry []int
	for i := first; i < int64(len(rb.envs)); i++ {
		if rb.envs[i] != nil && rb.vs[i] == nil && keys.lookup(rb.envs[i]) != nil {
			retry = append(retry, int(i))
		}
	}
	parallel.For(len(retry), func(j int) {
		i := retry[j]
		if v, err := registry.Authenticate(rb.envs[i], keys.lookup(rb.envs[i])); err == nil {
			rb.vs[i] = v
		}
	})
}
