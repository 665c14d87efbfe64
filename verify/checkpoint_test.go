package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestCheckpointFailure: whatever is wrong with a checkpoint (its parsing
// is tested and fuzzed in tlogtiles), the verifier's failure names the
// checkpoint, not an index.
func TestCheckpointFailure(t *testing.T) {
	const origin = "results.example.pk/verify-test"
	seed := sha256.Sum256([]byte(origin))
	skey, vkey, _ := note.GenerateKey(bytes.NewReader(seed[:]), origin)
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	good, _ := note.Sign(&note.Note{Text: origin + "\n5\n" + root + "\n"}, s)
	bigSize, _ := note.Sign(&note.Note{Text: origin + "\n9223372036854775808\n" + root + "\n"}, s)
	for _, raw := range [][]byte{[]byte("not a checkpoint"), bigSize, bytes.Replace(good, []byte("\n5\n"), []byte("\n6\n"), 1)} {
		_, err := checkCheckpoint(raw, v, nil)
		var f *Failure
		if !errors.As(err, &f) || f.Where != "checkpoint" || f.Index != -1 || !strings.HasPrefix(err.Error(), "checkpoint: ") {
			t.Errorf("checkCheckpoint(%q) = %v; want a Failure naming the checkpoint", raw, err)
		}
	}
	res, err := checkCheckpoint(good, v, nil)
	if err != nil || res.TreeSize != 5 || res.Origin != origin || !bytes.Equal(res.Checkpoint, good) {
		t.Errorf("checkCheckpoint(good) = %+v, %v", res, err)
	}
}
