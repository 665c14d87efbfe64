package datadir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tallylog/tallylog/internal/fsprobe"
)

// Lock is the exclusive hold of one process on an election directory. Two
// writers on one log would each acknowledge records at the same index and
// corrupt it for good, so every command that writes the log (serve, demo,
// init, import) takes the lock first and keeps it until it exits.
//
// It is an flock(2) on DIR/tallylog.lock, which the kernel releases when
// the process ends however it ends (kill -9 included): a stale lock file
// never blocks a restart. The file holds the holder's pid and command, so
// a refusal can name them.
type Lock struct {
	f *os.File
}

func (d Dir) lockPath() string { return filepath.Join(d.Root, "tallylog.lock") }

// ErrLocked is wrapped by Lock's error when another process holds the
// directory.
var ErrLocked = errors.New("the election directory is in use")

// Lock takes the directory's exclusive lock, or says which process holds
// it. what names the command taking it ("serve", "import"), written into
// the lock file for the next refusal to quote.
func (d Dir) Lock(what string) (*Lock, error) {
	f, err := os.OpenFile(d.lockPath(), os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w (%s)", d.Root, err, WritableAdvice)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(d.lockPath())
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("%w: %s is held by %s; two servers on one log corrupt it for good: stop that process first, or use another --dir", ErrLocked, d.Root, who)
		}
		return nil, fmt.Errorf("lock %s: %w", d.lockPath(), err)
	}
	// The holder's line, for whoever is refused next. A failure to write it
	// only makes that refusal less specific.
	line := "pid " + strconv.Itoa(os.Getpid()) + " (tallylog " + what + ", since " + time.Now().UTC().Format(time.RFC3339) + ")\n"
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(line), 0)
	}
	return &Lock{f: f}, nil
}

// Unlock releases the lock. The file stays: removing it would race with a
// process that has just opened it.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}

// WritableAdvice is what to do about a directory the server cannot write.
const WritableAdvice = "a server must write its log, images and lock file: remount the file system read-write or give this user write permission (chown/chmod), then start again; to read a log without writing it, use tallylog verify --log DIR"

// CheckWritable makes sure the server can create, write, sync and remove a
// file in every directory it writes (the root, log/, log/.state/ when the
// log exists, images/), so that a read-only file system or a wrong owner
// is found at start with a remedy, not as a failure in the middle of an
// append.
func (d Dir) CheckWritable() error {
	dirs := []string{d.Root, d.LogDir(), d.ImagesDir()}
	if st := filepath.Join(d.LogDir(), ".state"); isDir(st) {
		dirs = append(dirs, st)
	}
	for _, p := range dirs {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) && p != d.Root {
			continue // made on first use, inside the root checked first
		}
		if err := fsprobe.Dir(p); err != nil {
			return fmt.Errorf("%s is not writable: %w; %s", p, err, WritableAdvice)
		}
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// RemoveStaleTemps removes the temporary files a process killed in the
// middle of a write leaves behind (".tmp-*" in the root, keys/, images/
// and packs/: WriteFileAtomic's, the image uploads' and evidence packs'). Call it only with the
// lock held, when no other writer can have a temporary file open. It
// returns how many it removed.
func (d Dir) RemoveStaleTemps() (int, error) {
	n := 0
	for _, dir := range []string{d.Root, d.KeysDir(), d.ImagesDir(), filepath.Join(d.Root, "packs")} {
		matches, err := filepath.Glob(filepath.Join(dir, ".tmp-*"))
		if err != nil {
			return n, err
		}
		for _, m := range matches {
			if err := os.Remove(m); err != nil && !errors.Is(err, os.ErrNotExist) {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
