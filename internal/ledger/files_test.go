package ledger

import "testing"

func TestParseTilePath(t *testing.T) {
	for _, tc := range []struct {
		path           string
		level, index   uint64
		width          int
		entries, valid bool
	}{
		{"tile/0/000", 0, 0, 256, false, true},
		{"tile/1/x001/234", 1, 1234, 256, false, true},
		{"tile/entries/x001/x002/003.p/17", 0, 1002003, 17, true, true},
		{"tile/entries/005.p/255", 0, 5, 255, true, true},
		{"tile/entries/005.p/256", 0, 0, 0, false, false},
		{"tile/entries/005.p/0", 0, 0, 0, false, false},
		{"tile/0/5", 0, 0, 0, false, false},
		{"tile/0/001/234", 0, 0, 0, false, false},
		{"tile/100/000", 0, 0, 0, false, false},
		{"tile/entries", 0, 0, 0, false, false},
		{"checkpoint", 0, 0, 0, false, false},
		{"tile/0/x000/x000/x000/x000/x000/x000/x000/x000/000", 0, 0, 0, false, false},
	} {
		l, i, w, e, err := parseTilePath(tc.path)
		if (err == nil) != tc.valid {
			t.Errorf("%s: err %v, want valid %v", tc.path, err, tc.valid)
			continue
		}
		if tc.valid && (l != tc.level || i != tc.index || w != tc.width || e != tc.entries) {
			t.Errorf("%s: %d %d %d %v, want %d %d %d %v", tc.path, l, i, w, e, tc.level, tc.index, tc.width, tc.entries)
		}
	}
}

func FuzzParseTilePath(f *testing.F) {
	f.Add("tile/entries/x001/234.p/5")
	f.Fuzz(func(t *testing.T, p string) {
		_, _, w, _, err := parseTilePath(p)
		if err == nil && (w < 1 || w > 256) {
			t.Fatalf("%q: width %d", p, w)
		}
	})
}
