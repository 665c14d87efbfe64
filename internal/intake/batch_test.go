package intake_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/tallylog/tallylog/internal/intake"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestAppendAllOnce sends the same batch from three clients at once, and
// one of its records alone: every copy of a record gets the same index,
// the log holds each record once, and the one bad record is refused in
// every batch with the same kind of error.
func TestAppendAllOnce(t *testing.T) {
	in, lg, e, _ := open(t)
	ctx := context.Background()
	var entries [][]byte
	for i := range 20 {
		entries = append(entries, e.Sign(t, "observer", &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
			Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50), Captured: fmt.Sprintf("2024-02-08T18:%02d:00Z", i)}))
	}
	entries = append(entries, []byte("not a record"))
	before, _ := lg.IntegratedSize(ctx)
	idx := make([][]uint64, 3)
	errs := make([][]error, 3)
	var alone uint64
	var wg sync.WaitGroup
	for c := range idx {
		wg.Go(func() {
			vs, _ := in.AuthenticateAll(entries)
			idx[c], errs[c] = in.AppendAll(ctx, entries, vs, nil)
		})
	}
	wg.Go(func() {
		var err error
		if alone, err = in.Append(ctx, entries[7]); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	last := len(entries) - 1
	for c := range idx {
		if !errors.Is(errs[c][last], intake.ErrMalformed) {
			t.Errorf("client %d: the bad record got %v, want ErrMalformed", c, errs[c][last])
		}
		if err := errors.Join(errs[c][:last]...); err != nil {
			t.Fatalf("client %d: %v", c, err)
		}
		if !slices.Equal(idx[c][:last], idx[0][:last]) {
			t.Errorf("client %d got indexes %v, client 0 %v", c, idx[c][:last], idx[0][:last])
		}
	}
	if alone != idx[0][7] {
		t.Errorf("the record sent alone got index %d, in the batches %d", alone, idx[0][7])
	}
	if after, _ := lg.IntegratedSize(ctx); after != before+uint64(last) {
		t.Errorf("the log grew by %d entries for %d distinct records", after-before, last)
	}
}
