package registry

import (
	"math"
	"testing"

	"github.com/tallylog/tallylog/record"
)

// TestRefRevisions holds a ref's revision, kept in 32 bits with the rest
// aside, to the revision the record carries, at the edges of that range.
func TestRefRevisions(t *testing.T) {
	r := New("results.example.pk/test")
	revs := []int64{1, 2, math.MaxInt32 - 1, math.MaxInt32, math.MaxInt32 + 1, math.MinInt32 + 1, math.MinInt32, math.MinInt32 - 1, 1 << 40, math.MaxInt64}
	for i, rev := range revs {
		env := &record.Envelope{Record: &record.Sheet{Contest: "NA-1", Station: "NA-1/PS-1", Revision: rev}, KeyName: "po.NA-1.PS-1"}
		env.Hash[0] = byte(i + 1)
		r.put(uint64(i), env)
	}
	for i, rev := range revs {
		var h [32]byte
		h[0] = byte(i + 1)
		got, ok := r.get(h)
		want := Ref{Index: uint64(i), Type: "sheet", Contest: "NA-1", Station: "NA-1/PS-1", Revision: rev}
		if !ok || got != want {
			t.Errorf("revision %d: got %+v, want %+v", rev, got, want)
		}
	}
}
