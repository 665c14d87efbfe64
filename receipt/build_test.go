package receipt

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/tlogtiles"
	"golang.org/x/mod/sumdb/tlog"
)

// TestBuild: Build makes receipts that verify, and refuses every proof,
// entry or index that would not.
func TestBuild(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, 21)
	cp, err := tlogtiles.OpenCheckpoint(l.checkpoint, l.verifier)
	if err != nil {
		t.Fatal(err)
	}
	honest := func(ctx context.Context, index uint64, tree tlog.Tree) (tlog.RecordProof, error) {
		r := l.receipt(t, int(index))
		p := make(tlog.RecordProof, len(r.Proof))
		for i := range p {
			copy(p[i][:], r.Proof[i])
		}
		return p, nil
	}
	for _, i := range []uint64{0, 7, 20} {
		rc, err := Build(ctx, cp, i, l.entries[i], honest)
		if err != nil {
			t.Fatalf("index %d: %v", i, err)
		}
		if !bytes.Equal(rc.Marshal(), l.receipt(t, int(i)).Marshal()) {
			t.Errorf("index %d: Build's receipt differs from the one made by hand", i)
		}
		if _, err := rc.Verify(l.verifier); err != nil {
			t.Errorf("index %d: %v", i, err)
		}
	}
	broken := func(ctx context.Context, index uint64, tree tlog.Tree) (tlog.RecordProof, error) {
		p, _ := honest(ctx, index, tree)
		p[0][3] ^= 1
		return p, nil
	}
	failing := func(context.Context, uint64, tlog.Tree) (tlog.RecordProof, error) {
		return nil, errors.New("tile/0/000: file does not exist")
	}
	for _, tc := range []struct {
		name  string
		index uint64
		entry []byte
		prove Prover
		want  string
	}{
		{"another entry", 3, l.entries[4], honest, "the entry at index 3 does not match its inclusion proof"},
		{"altered proof", 3, l.entries[3], broken, "does not match its inclusion proof"},
		{"outside the tree", 21, []byte("x"), honest, "index 21 is outside the checkpoint's tree of size 21"},
		{"prover fails", 3, l.entries[3], failing, "file does not exist"},
	} {
		if _, err := Build(ctx, cp, tc.index, tc.entry, tc.prove); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
