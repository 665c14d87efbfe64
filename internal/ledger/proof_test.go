package ledger

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/tlogtiles"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TestInclusionProofs appends entries in waves across tile boundaries and,
// at each published size, checks the proof of every index with
// x/mod/sumdb/tlog against the checkpoint, concurrently, as receipts are
// built on election night.
func TestInclusionProofs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	skey, vkey, _ := note.GenerateKey(rand.Reader, "ledger.test")
	signer, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	l, err := Open(ctx, t.TempDir(), signer, vkey, Options{CheckpointInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	var entries [][]byte
	var prev *tlogtiles.Checkpoint // the previous wave's checkpoint
	for _, wave := range []int{1, 2, 253, 1, 256, 300} {
		var wg sync.WaitGroup
		base := len(entries)
		for i := range wave {
			entries = append(entries, fmt.Appendf(nil, "entry %d", base+i))
		}
		idx := make([]uint64, wave)
		for i := range wave {
			wg.Go(func() {
				n, err := l.Append(ctx, entries[base+i])
				if err != nil {
					t.Error(err)
				}
				idx[i] = n
			})
		}
		wg.Wait()
		// Tessera does not promise index order within a batch.
		byIndex := make([][]byte, len(entries))
		copy(byIndex, entries[:base])
		for i, n := range idx {
			byIndex[n] = entries[base+i]
		}
		entries = byIndex
		cp, size, err := l.WaitCheckpoint(ctx, uint64(len(entries)))
		if err != nil {
			t.Fatal(err)
		}
		opened, err := tlogtiles.OpenCheckpoint(cp, v)
		if err != nil {
			t.Fatal(err)
		}
		root := opened.Root
		for i := range size {
			wg.Go(func() {
				p, err := l.InclusionProof(ctx, i, size)
				if err != nil {
					t.Errorf("size %d index %d: %v", size, i, err)
					return
				}
				proof := make(tlog.RecordProof, len(p))
				for k := range p {
					copy(proof[k][:], p[k])
				}
				if err := tlog.CheckRecord(proof, int64(size), root, int64(i), tlog.RecordHash(entries[i])); err != nil {
					t.Errorf("size %d index %d: %v", size, i, err)
				}
			})
		}
		wg.Wait()
		if _, err := l.InclusionProof(ctx, size, size); err == nil {
			t.Errorf("a proof of index %d in a tree of size %d", size, size)
		}
		if prev != nil {
			p, err := l.ConsistencyProof(ctx, prev.Size, size)
			if err != nil {
				t.Fatalf("consistency %d -> %d: %v", prev.Size, size, err)
			}
			proof := make(tlog.TreeProof, len(p))
			for k := range p {
				copy(proof[k][:], p[k])
			}
			if err := tlog.CheckTree(proof, int64(size), root, int64(prev.Size), prev.Root); err != nil {
				t.Errorf("consistency %d -> %d: %v", prev.Size, size, err)
			}
		}
		prev = opened
	}
}
