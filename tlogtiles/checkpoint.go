package tlogtiles

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Checkpoint is a signed checkpoint (c2sp.org/tlog-checkpoint) whose
// signatures OpenCheckpoint has verified.
type Checkpoint struct {
	Raw    []byte    // the signed note, as read
	Origin string    // the log's origin: the log key's name
	Size   uint64    // the tree size, below 2^63
	Root   tlog.Hash // the tree's root hash
	// Cosigners are the names of the witnesses given to OpenCheckpoint, all
	// of whose cosignatures verified, in the order given.
	Cosigners []string
	// Signers are the names on every signature line of the note, verified
	// or not, in order: what the checkpoint claims, for display only.
	Signers []string
}

// Tree returns the tree the checkpoint commits to.
func (c *Checkpoint) Tree() tlog.Tree { return tlog.Tree{N: int64(c.Size), Hash: c.Root} }

// OpenCheckpoint verifies raw with the log key, requires a valid
// cosignature of every witness given, and parses the checkpoint body: the
// origin (which must be the log key's name), the tree size (a decimal
// number below 2^63, as tlog's int64 sizes require) and the root hash.
// Lines after the root (extension lines) are allowed and ignored.
//
// Its errors say which check failed, in words a reader can act on; callers
// prefix them with what they were reading.
func OpenCheckpoint(raw []byte, logKey note.Verifier, witnesses ...note.Verifier) (*Checkpoint, error) {
	n, err := note.Open(raw, note.VerifierList(append([]note.Verifier{logKey}, witnesses...)...))
	if err != nil {
		return nil, fmt.Errorf("the signature does not verify with the log key %s (a checkpoint of another log, or altered): %v", logKey.Name(), err)
	}
	signed := map[string]bool{}
	for _, s := range n.Sigs {
		signed[s.Name] = true
	}
	if !signed[logKey.Name()] {
		return nil, fmt.Errorf("not signed by the log key %s", logKey.Name())
	}
	cp := &Checkpoint{Raw: raw}
	for _, w := range witnesses {
		if !signed[w.Name()] {
			return nil, fmt.Errorf("missing the cosignature of witness %s (absent, or forged)", w.Name())
		}
		cp.Cosigners = append(cp.Cosigners, w.Name())
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 || lines[0] != logKey.Name() {
		return nil, fmt.Errorf("its origin is not %s", logKey.Name())
	}
	cp.Origin = lines[0]
	if cp.Size, err = strconv.ParseUint(lines[1], 10, 63); err != nil {
		return nil, fmt.Errorf("tree size %q is not a decimal number below 2^63", lines[1])
	}
	// tlog.ParseHash decodes leniently: a last character whose unused
	// bits are set decodes to the same hash, so one tree would have many
	// signed texts. Only the canonical encoding is accepted.
	if cp.Root, err = tlog.ParseHash(lines[2]); err != nil || cp.Root.String() != lines[2] {
		return nil, fmt.Errorf("root hash %q is not the canonical base64 of a SHA-256 hash", lines[2])
	}
	_, sigs, _ := bytes.Cut(raw, []byte("\n\n"))
	for _, l := range strings.Split(string(sigs), "\n") {
		if name, ok := strings.CutPrefix(l, "— "); ok {
			name, _, _ = strings.Cut(name, " ")
			cp.Signers = append(cp.Signers, name)
		}
	}
	return cp, nil
}
