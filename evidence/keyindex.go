package evidence

import (
	"bytes"
	"context"
	"strings"
	"sync"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"github.com/tallylog/tallylog/tlogtiles"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// KeyIndex remembers, for every key a keys record grants or revokes, the
// log indexes of those records: the records a pack must carry to show who
// a signer is and what they may sign. The registry knows the keys but not
// which record registered them, so the index is built by scanning the
// log's keys records (Add), once, as the log is read.
type KeyIndex struct {
	mu      sync.Mutex
	byKey   map[registry.KeyID][]uint64
	scanned uint64 // every entry below this index has been added
}

// NewKeyIndex returns an empty index.
func NewKeyIndex() *KeyIndex { return &KeyIndex{byKey: map[registry.KeyID][]uint64{}} }

// Add learns the entry at index if it is a keys record; other entries are
// ignored at the cost of a prefix check. Entries may be added more than
// once; they must come in index order.
func (k *KeyIndex) Add(index uint64, entry []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if index < k.scanned {
		return
	}
	k.scanned = index + 1
	if !bytes.HasPrefix(entry, []byte(record.Version+" keys\n")) {
		return
	}
	env, err := record.Open(entry)
	if err != nil {
		return // replay refuses it; the verifier reports it
	}
	rec, ok := env.Record.(*record.Keys)
	if !ok {
		return
	}
	keys := append([]string(nil), rec.Revoke...)
	for _, g := range rec.Grants {
		keys = append(keys, g.Key)
	}
	for _, vk := range keys {
		v, err := note.NewVerifier(vk)
		if err != nil {
			continue
		}
		id := registry.KeyID{Name: v.Name(), Hash: v.KeyHash()}
		if l := k.byKey[id]; len(l) == 0 || l[len(l)-1] != index {
			k.byKey[id] = append(l, index)
		}
	}
}

// Scanned returns the number of entries the index covers.
func (k *KeyIndex) Scanned() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.scanned
}

// Records returns the indexes of the keys records that name the key.
func (k *KeyIndex) Records(id registry.KeyID) []uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]uint64(nil), k.byKey[id]...)
}

// scanningSource passes reads through to a Source and feeds the entries of
// every entry bundle read to a KeyIndex, so that one pass of the verifier
// over the log also builds the index.
type scanningSource struct {
	tlogtiles.Source
	keys *KeyIndex
}

func (s scanningSource) ReadFile(ctx context.Context, path string) ([]byte, error) {
	data, err := s.Source.ReadFile(ctx, path)
	if err != nil || !strings.HasPrefix(path, "tile/entries/") {
		return data, err
	}
	t, perr := tlog.ParseTilePath("tile/8/data/" + strings.TrimPrefix(path, "tile/entries/"))
	entries, berr := tlogtiles.SplitBundle(data)
	if perr == nil && berr == nil {
		for i, e := range entries {
			s.keys.Add(uint64(t.N)*256+uint64(i), e)
		}
	}
	return data, err
}
