package ledger

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzSplitBundle checks that SplitBundle never panics and that what it
// accepts is exactly the length-prefixed concatenation of what it returns:
// no byte of a bundle is skipped or read twice.
func FuzzSplitBundle(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 1, 'a', 0, 2, 'b', 'c'})
	f.Add([]byte{0})
	f.Add([]byte{0, 3, 'a'})
	f.Add([]byte{0xff, 0xff, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := SplitBundle(data)
		if err != nil {
			if len(data) == 0 {
				t.Fatal("an empty bundle is valid: no entries")
			}
			return
		}
		var back []byte
		for _, e := range entries {
			back = binary.BigEndian.AppendUint16(back, uint16(len(e)))
			back = append(back, e...)
		}
		if !bytes.Equal(back, data) {
			t.Fatalf("SplitBundle(%x) = %q does not re-encode to its input", data, entries)
		}
	})
}

func TestSplitBundle(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want int
		ok   bool
	}{
		{nil, 0, true},
		{[]byte{0, 0}, 1, true},
		{[]byte{0, 1, 'a', 0, 2, 'b', 'c'}, 2, true},
		{[]byte{0}, 0, false},
		{[]byte{0, 3, 'a', 'b'}, 0, false},
		{[]byte{0, 1, 'a', 0}, 0, false},
	} {
		got, err := SplitBundle(tc.in)
		if (err == nil) != tc.ok || (tc.ok && len(got) != tc.want) {
			t.Errorf("SplitBundle(%x) = %d entries, %v; want %d, ok %v", tc.in, len(got), err, tc.want, tc.ok)
		}
	}
}
