// Package testdir copies directory trees for tests: an election's data
// directory or log, to damage, roll back or fork a copy and keep the
// original.
package testdir

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Copy copies the tree at from into to (created if needed), keeping each
// file's permission bits. It fails the test on any error.
func Copy(tb testing.TB, from, to string) {
	tb.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, info.Mode().Perm())
	})
	if err != nil {
		tb.Fatalf("copy %s to %s: %v", from, to, err)
	}
}
