package tlogtiles

import (
	"bytes"
	"testing"
)

func TestSplitBundle(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want int
		err  string
	}{
		{nil, 0, ""},
		{[]byte{0, 0}, 1, ""},
		{[]byte{0, 1, 'a', 0, 2, 'b', 'c'}, 2, ""},
		{[]byte{0}, 0, "ends inside a length prefix"},
		{[]byte{0, 3, 'a', 'b'}, 0, "ends inside an entry"},
		{[]byte{0, 1, 'a', 0}, 0, "ends inside a length prefix"},
	} {
		got, err := SplitBundle(tc.in)
		if tc.err != "" {
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.err)) {
				t.Errorf("SplitBundle(%x) = %d entries, %v; want an error saying %q", tc.in, len(got), err, tc.err)
			}
			continue
		}
		if err != nil || len(got) != tc.want {
			t.Errorf("SplitBundle(%x) = %d entries, %v; want %d", tc.in, len(got), err, tc.want)
		}
	}
}

// TestSplitBundleCapacity: appending to an entry never overwrites the
// next one.
func TestSplitBundleCapacity(t *testing.T) {
	b := AppendBundle(nil, []byte("a"), []byte("b"))
	es, err := SplitBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(es[0], 'X', 'X', 'X')
	if string(es[1]) != "b" {
		t.Fatalf("appending to entry 0 changed entry 1 to %q", es[1])
	}
}

// FuzzSplitBundle checks that SplitBundle never panics and that what it
// accepts is exactly the length-prefixed concatenation of what it returns:
// no byte of a bundle is skipped or read twice.
func FuzzSplitBundle(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0})
	f.Add(AppendBundle(nil, []byte("a"), []byte("bc"), nil))
	f.Add(AppendBundle(nil, bytes.Repeat([]byte{0xff}, 300)))
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
		if back := AppendBundle(nil, entries...); !bytes.Equal(back, data) {
			t.Fatalf("SplitBundle(%x) = %q does not re-encode to its input", data, entries)
		}
	})
}
