// Package fsprobe finds out whether a directory can be written, before a
// writer that cannot recover from a failed write (Tessera's POSIX driver
// panics) tries.
package fsprobe

import (
	"errors"
	"os"
)

// Dir creates, writes, syncs and removes a temporary file in dir. It
// returns the bare error (EROFS, EACCES, EMFILE, ENOTDIR...), without the
// path, for the caller to put in a sentence.
func Dir(dir string) error {
	f, err := os.CreateTemp(dir, ".tmp-probe-*")
	if err != nil {
		return Bare(err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write([]byte("probe\n"))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return Bare(err)
}

// Bare strips an *os.PathError down to its cause.
func Bare(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
