package evidence

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// checkpoint is a parsed, verified checkpoint.
type checkpoint struct {
	Raw       []byte
	Origin    string
	Size      uint64
	Root      tlog.Hash
	Signers   []string // names on every signature line, verified or not, in order
	Cosigners []string // the witnesses whose cosignatures verified
}

// openCheckpoint verifies raw with the log key and requires every witness's
// cosignature. Its errors say which signature failed.
func openCheckpoint(raw []byte, logKey note.Verifier, witnesses []note.Verifier) (*checkpoint, error) {
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
	cp := &checkpoint{Raw: raw}
	for _, w := range witnesses {
		if !signed[w.Name()] {
			return nil, fmt.Errorf("no valid cosignature of witness %s (missing or forged)", w.Name())
		}
		cp.Cosigners = append(cp.Cosigners, w.Name())
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 || lines[0] != logKey.Name() {
		return nil, fmt.Errorf("its origin is not %s", logKey.Name())
	}
	cp.Origin = lines[0]
	if cp.Size, err = strconv.ParseUint(lines[1], 10, 63); err != nil {
		return nil, fmt.Errorf("tree size %q is not a number", lines[1])
	}
	if cp.Root, err = tlog.ParseHash(lines[2]); err != nil {
		return nil, fmt.Errorf("root hash %q is not base64 SHA-256", lines[2])
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
