package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLock(t *testing.T) {
	d := Dir{Root: t.TempDir()}
	l, err := d.Lock("serve")
	if err != nil {
		t.Fatal(err)
	}
	// flock is per open file: a second open in the same process conflicts
	// just as another process would.
	_, err = d.Lock("import")
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d (tallylog serve", os.Getpid())) {
		t.Fatalf("second lock: %v; want ErrLocked naming the holder", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := d.Lock("import")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l2.Unlock()
}

func TestRemoveStaleTemps(t *testing.T) {
	d := Dir{Root: t.TempDir()}
	for _, p := range []string{d.ImagesDir(), d.KeysDir(), filepath.Join(d.Root, "packs")} {
		os.MkdirAll(p, 0o755)
	}
	stale := []string{filepath.Join(d.ImagesDir(), ".tmp-upload-1"), filepath.Join(d.Root, ".tmp-2"), filepath.Join(d.Root, "packs", ".tmp-pack-3")}
	kept := []string{filepath.Join(d.ImagesDir(), "ab12"), filepath.Join(d.Root, "tallylog.json")}
	for _, p := range append(stale, kept...) {
		os.WriteFile(p, []byte("x"), 0o644)
	}
	n, err := d.RemoveStaleTemps()
	if err != nil || n != len(stale) {
		t.Fatalf("removed %d (%v), want %d", n, err, len(stale))
	}
	for _, p := range stale {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
}

func TestCheckWritable(t *testing.T) {
	d := Dir{Root: t.TempDir()}
	os.MkdirAll(d.LogDir(), 0o755)
	os.MkdirAll(d.ImagesDir(), 0o755)
	if err := d.CheckWritable(); err != nil {
		t.Fatal(err)
	}
	// A file where a directory must be cannot be written into, even by
	// root (whom permissions do not stop).
	os.RemoveAll(d.ImagesDir())
	os.WriteFile(d.ImagesDir(), []byte("not a directory"), 0o644)
	err := d.CheckWritable()
	if err == nil || !strings.Contains(err.Error(), "images is not writable") || !strings.Contains(err.Error(), "remount") {
		t.Errorf("CheckWritable = %v; want the directory and the remedy", err)
	}
}
