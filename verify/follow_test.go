package verify_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/intake"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/note"
)

// swapSource serves a log directory with its checkpoint replaced, or
// every read failing as a network failure would.
type swapSource struct {
	verify.Source
	checkpoint []byte
	down       bool
}

func (s *swapSource) ReadFile(ctx context.Context, p string) ([]byte, error) {
	if s.down {
		return nil, fmt.Errorf("%w: connection refused", verify.ErrUnavailable)
	}
	if p == "checkpoint" && s.checkpoint != nil {
		return s.checkpoint, nil
	}
	return s.Source.ReadFile(ctx, p)
}

// signCheckpoint signs a checkpoint of the test log with any size and root.
func signCheckpoint(t *testing.T, e *testelection.Election, size int, root []byte) []byte {
	t.Helper()
	text := fmt.Sprintf("%s\n%d\n%s\n", testelection.Origin, size, base64.StdEncoding.EncodeToString(root))
	n, err := note.Sign(&note.Note{Text: text}, e.LogSigner)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFollower follows a log as it grows: each Advance verifies only what
// was added and reaches the root verify.Log reaches over the whole log; a
// network failure changes nothing; a checkpoint signed by the log's key
// that the verified tree cannot have is a fork.
func TestFollower(t *testing.T) {
	// A log Tessera can go on appending to (the tamper fixture is tiles only).
	e := testelection.New(t)
	dir := t.TempDir()
	if err := buildLog(t, dir, e); err != nil {
		t.Fatal(err)
	}
	v, _ := note.NewVerifier(e.LogVKey)
	base, err := verify.NewSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := &swapSource{Source: base}
	var saved []string
	f := &verify.Follower{LogKey: v, Save: func(p string, _ []byte) error { saved = append(saved, p); return nil }}
	res, err := f.Advance(context.Background(), src)
	if err != nil || res.TreeSize != tamperLogSize {
		t.Fatalf("first Advance: %v, %+v", err, res)
	}
	if !strings.Contains(strings.Join(saved, " "), "tile/entries/002.p/88") {
		t.Errorf("saved %v, want the partial bundle among them", saved)
	}

	// The log grows by 300 entries: a full bundle is completed.
	appendCopies(t, dir, e, tamperLogSize, 300)
	src.down = true
	if _, err := f.Advance(context.Background(), src); !errors.As(err, new(*verify.Unreachable)) {
		t.Fatalf("Advance with the network down: %v, want *Unreachable", err)
	}
	src.down = false
	saved = nil
	res, err = f.Advance(context.Background(), src)
	if err != nil || res.TreeSize != tamperLogSize+300 {
		t.Fatalf("Advance after growth: %v", err)
	}
	whole, err := verify.Log(context.Background(), base, v, verify.Options{})
	if err != nil || whole.Root != res.Root {
		t.Fatalf("verify.Log reaches %v (%v), the follower %v", whole.Root, err, res.Root)
	}
	for _, p := range saved {
		if p == "tile/entries/000" || p == "tile/entries/001" {
			t.Errorf("the second Advance read and saved %s again: only new resources should be", p)
		}
	}

	// Same size, another root: a fork. Smaller size, another root: a fork.
	for _, size := range []int{tamperLogSize + 300, 10} {
		src.checkpoint = signCheckpoint(t, e, size, make([]byte, 32))
		_, err = f.Advance(context.Background(), src)
		var fork *verify.Fork
		if !errors.As(err, &fork) || string(fork.Old) != string(res.Checkpoint) || string(fork.New) != string(src.checkpoint) {
			t.Errorf("a checkpoint of size %d with another root: %v, want a fork keeping both checkpoints", size, err)
		}
	}
	// Larger, with entries the log does not serve: a failure, not a fork.
	src.checkpoint = signCheckpoint(t, e, tamperLogSize+400, make([]byte, 32))
	if _, err := f.Advance(context.Background(), src); !errors.As(err, new(*verify.Failure)) {
		t.Errorf("a larger checkpoint without its entries: %v, want *Failure", err)
	}
	if f.Checkpoint().TreeSize != tamperLogSize+300 {
		t.Errorf("after refused checkpoints the follower holds size %d", f.Checkpoint().TreeSize)
	}
}

// appendCopies appends n observers' copies to the log in dir.
func appendCopies(t *testing.T, dir string, e *testelection.Election, from, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lg, err := ledger.Open(ctx, dir, e.LogSigner, e.LogVKey, ledger.Options{CheckpointInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	in, err := intake.New(ctx, lg)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range n {
		entry := e.Sign(t, "observer", &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
			Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50),
			Captured: time.Date(2024, 2, 8, 18, 0, 0, 0, time.UTC).Add(time.Duration(from+i) * time.Second).Format(time.RFC3339)})
		wg.Go(func() {
			if _, err := in.Append(ctx, entry); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, _, err := lg.WaitCheckpoint(ctx, uint64(from+n)); err != nil {
		t.Fatal(err)
	}
	if err := lg.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
