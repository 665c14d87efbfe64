package evidence

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Format is the manifest's format line: the version of this layout.
const Format = "tallylog-evidence/v1"

// MaxImage bounds a scanned form, as the server does.
const MaxImage = 10 << 20

// Paths inside a pack.
const (
	pathCheckpoint = "checkpoint"
	pathManifest   = "manifest.json"
	pathReport     = "report.html"
	pathSince      = "consistency/since-checkpoint"
	pathTreeProof  = "consistency/proof"
)

func recordPath(index uint64) string { return "records/" + strconv.FormatUint(index, 10) + ".note" }
func proofPath(index uint64) string  { return "proofs/" + strconv.FormatUint(index, 10) + ".tlog-proof" }
func imagePath(hash string) string   { return "images/" + hash }

// Manifest is manifest.json, the pack's last file: what the pack is about
// and the SHA-256 of every other file. It is written in one canonical form
// (encoding/json, indented by two spaces, final newline), so that Verify
// can insist on the exact bytes.
type Manifest struct {
	Format   string `json:"format"`
	Origin   string `json:"origin"`
	Election string `json:"election"`
	Contest  string `json:"contest"`
	TreeSize uint64 `json:"tree_size"`
	// SinceSize is the size of the older checkpoint the consistency proof
	// starts from, 0 without one.
	SinceSize uint64 `json:"since_size,omitempty"`
	Files     []File `json:"files"`
}

// File is one file of the pack.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func (m *Manifest) encode() []byte {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err) // a Manifest always marshals
	}
	return append(b, '\n')
}

// packWriter writes a pack's zip in its canonical form: every file stored
// (not compressed), in the order written, with no timestamps, so that the
// same files give the same bytes and Verify can rebuild the container to
// detect any altered byte. It records each file for the manifest.
type packWriter struct {
	zw    *zip.Writer
	files []File
}

func newPackWriter(w io.Writer) *packWriter { return &packWriter{zw: zip.NewWriter(w)} }

func (p *packWriter) add(path string, data []byte) error {
	w, err := p.zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Store})
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	p.files = append(p.files, File{Path: path, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	return nil
}

// finish writes the manifest (listing every file added) and closes the zip.
func (p *packWriter) finish(m *Manifest) error {
	m.Files = p.files
	w, err := p.zw.CreateHeader(&zip.FileHeader{Name: pathManifest, Method: zip.Store})
	if err != nil {
		return err
	}
	if _, err := w.Write(m.encode()); err != nil {
		return err
	}
	return p.zw.Close()
}

// canonicalDiff rebuilds the zip from the files of zr, in the same order,
// and returns the offset of the first byte where the rebuilt container
// differs from the original, or -1 when they are identical.
func canonicalDiff(zr *zip.Reader, orig io.ReaderAt, size int64) (int64, error) {
	cw := &compareWriter{orig: orig, size: size, diff: -1}
	zw := zip.NewWriter(cw)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f.Name, err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err == nil {
			_, err = io.Copy(w, rc)
		}
		rc.Close()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	switch {
	case cw.diff >= 0:
		return cw.diff, nil
	case cw.off != size:
		return min(cw.off, size), nil
	}
	return -1, nil
}

// compareWriter compares what is written with orig and remembers the
// first differing offset.
type compareWriter struct {
	orig      io.ReaderAt
	size, off int64
	diff      int64 // -1 while no difference is seen
}

func (c *compareWriter) Write(p []byte) (int, error) {
	if c.diff < 0 {
		buf := make([]byte, len(p))
		n, _ := c.orig.ReadAt(buf, c.off)
		if i := firstDiff(buf[:n], p); i >= 0 {
			c.diff = c.off + int64(i)
		}
	}
	c.off += int64(len(p))
	return len(p), nil
}

func firstDiff(a, b []byte) int {
	for i := range b {
		if i >= len(a) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

// parseIndexPath returns the index in "records/<index>.note" or
// "proofs/<index>.tlog-proof".
func parseIndexPath(path, dir, ext string) (uint64, bool) {
	s, ok := strings.CutPrefix(path, dir)
	if !ok {
		return 0, false
	}
	if s, ok = strings.CutSuffix(s, ext); !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, false
	}
	return n, true
}

// isHex64 reports whether s is 64 lower-case hex digits.
func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
