package ledger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/transparency-dev/tessera"
)

// ErrNotTilePath is returned by ReadPath for a path that is not a C2SP
// tlog-tiles resource.
var ErrNotTilePath = errors.New("not a tlog-tiles path")

// ReadPath returns the tlog-tiles resource at path ("tile/0/x001/234",
// "tile/entries/005.p/17") as the log's storage holds it, whichever driver
// holds it: exactly what a static file server over a POSIX log directory
// would answer, a partial tile or bundle trimmed to its width (Tessera's
// MySQL reader may return a wider one). It returns an error wrapping
// os.ErrNotExist when the log has no such resource (yet).
func (l *Log) ReadPath(ctx context.Context, path string) ([]byte, error) {
	return readPath(ctx, l.reader, path)
}

// ReadFile returns the published checkpoint for "checkpoint" and the
// resource at any other tlog-tiles path: a Log is a verify.Source over its
// own storage.
func (l *Log) ReadFile(ctx context.Context, path string) ([]byte, error) {
	if path == "checkpoint" {
		cp, _ := l.Checkpoint()
		if cp == nil {
			return nil, fmt.Errorf("no checkpoint is published yet: %w", os.ErrNotExist)
		}
		return cp, nil
	}
	return readPath(ctx, l.reader, path)
}

func readPath(ctx context.Context, reader tessera.LogReader, path string) ([]byte, error) {
	level, index, width, entries, err := parseTilePath(path)
	if err != nil {
		return nil, err
	}
	p := uint8(width % 256)
	if entries {
		data, err := reader.ReadEntryBundle(ctx, index, p)
		if err != nil {
			return nil, err
		}
		return trimBundle(data, width)
	}
	data, err := reader.ReadTile(ctx, level, index, p)
	if err != nil {
		return nil, err
	}
	if len(data) < width*32 {
		return nil, fmt.Errorf("tile %s: %d bytes stored, want %d: %w", path, len(data), width*32, os.ErrNotExist)
	}
	return data[:width*32], nil
}

// trimBundle returns the first width entries of a bundle.
func trimBundle(data []byte, width int) ([]byte, error) {
	off := 0
	for i := 0; i < width; i++ {
		if len(data)-off < 2 {
			return nil, fmt.Errorf("entry bundle holds %d entries, want %d: %w", i, width, os.ErrNotExist)
		}
		n := int(binary.BigEndian.Uint16(data[off:]))
		if len(data)-off < 2+n {
			return nil, errors.New("entry bundle ends inside an entry")
		}
		off += 2 + n
	}
	return data[:off], nil
}

// parseTilePath parses tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>],
// N written as x-prefixed three-digit groups with a plain last group.
// width is 256 for a full tile.
func parseTilePath(path string) (level, index uint64, width int, entries bool, err error) {
	bad := fmt.Errorf("%q: %w", path, ErrNotTilePath)
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return 0, 0, 0, false, bad
	}
	kind, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, 0, false, bad
	}
	if kind == "entries" {
		entries = true
	} else {
		if len(kind) > 2 || !digits(kind) {
			return 0, 0, 0, false, bad
		}
		level, _ = strconv.ParseUint(kind, 10, 64)
	}
	width = 256
	if n, w, ok := strings.Cut(rest, ".p/"); ok {
		if len(w) == 0 || len(w) > 3 || !digits(w) {
			return 0, 0, 0, false, bad
		}
		wv, _ := strconv.Atoi(w)
		if wv < 1 || wv > 255 {
			return 0, 0, 0, false, bad
		}
		rest, width = n, wv
	}
	groups := strings.Split(rest, "/")
	if len(groups) > 8 {
		return 0, 0, 0, false, bad
	}
	for i, g := range groups {
		if i < len(groups)-1 {
			g, ok = strings.CutPrefix(g, "x")
			if !ok {
				return 0, 0, 0, false, bad
			}
		}
		if len(g) != 3 || !digits(g) {
			return 0, 0, 0, false, bad
		}
		v, _ := strconv.ParseUint(g, 10, 64)
		if index > (1<<63)/1000 {
			return 0, 0, 0, false, bad
		}
		index = index*1000 + v
	}
	return level, index, width, entries, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
