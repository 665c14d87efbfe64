package intake_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallylog/tallylog/record"
)

// BenchmarkBatch is the intake's share of a batch request: authenticate
// 250 records on every core, append them (each durable) and build their
// receipts against one checkpoint, against authentication alone. Its
// figures are the allocations per batch (-benchmem), what the garbage
// collector pays for; its time is bound by the test log's durable writes
// and 100 ms checkpoint interval, not by CPU.
//
//	go test ./internal/intake/ -run XXX -bench Batch -benchmem -benchtime 20x
func BenchmarkBatch(b *testing.B) {
	in, _, e, _ := open(b)
	ctx := context.Background()
	const n = 250
	start := time.Date(2024, 2, 8, 18, 0, 0, 0, time.UTC)
	k := 0
	batch := func() [][]byte {
		entries := make([][]byte, n)
		for i := range entries {
			k++
			entries[i] = copyOf(b, e, "observer", "NA-57", "NA-57/PS-1", record.FormatTime(start.Add(time.Duration(k)*time.Second)))
		}
		return entries
	}
	b.Run("authenticate", func(b *testing.B) {
		entries := batch()
		for b.Loop() {
			in.AuthenticateAll(entries)
		}
	})
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			entries := batch()
			b.StartTimer()
			vs, _ := in.AuthenticateAll(entries)
			idx, errs := in.AppendAll(ctx, entries, vs, nil)
			for i, err := range errs {
				if err != nil {
					b.Fatalf("record %d: %v", i, err)
				}
			}
			if _, _, err := in.Receipts(ctx, entries, idx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
