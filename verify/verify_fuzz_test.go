package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/ledger"
	"golang.org/x/mod/sumdb/note"
)

// bundle encodes entries as a tlog-tiles entry bundle.
func bundle(entries ...[]byte) []byte {
	var b []byte
	for _, e := range entries {
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	return b
}

// FuzzSplitBundle checks that the verifier's bundle parser never panics,
// that what it accepts is exactly the concatenation of what it returns,
// and that it agrees with the writer's parser (ledger.SplitBundle), which
// shares no code with it.
func FuzzSplitBundle(f *testing.F) {
	f.Add([]byte{})
	f.Add(bundle([]byte("a"), []byte("bc"), nil))
	f.Add(bundle(bytes.Repeat([]byte{0xff}, 300)))
	f.Add([]byte{0x00})
	f.Add([]byte{0x00, 0x05, 'a'})
	f.Add([]byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := splitBundle(data)
		theirs, lerr := ledger.SplitBundle(data)
		if (err == nil) != (lerr == nil) {
			t.Fatalf("verify and ledger disagree on %x: %v vs %v", data, err, lerr)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(bundle(got...), data) {
			t.Fatalf("splitBundle(%x) = %q does not re-encode to its input", data, got)
		}
		if len(got) != len(theirs) {
			t.Fatalf("verify finds %d entries, ledger %d", len(got), len(theirs))
		}
		for i := range got {
			if !bytes.Equal(got[i], theirs[i]) {
				t.Fatalf("entry %d: verify %q, ledger %q", i, got[i], theirs[i])
			}
		}
	})
}

const fuzzOrigin = "results.example.pk/fuzz"

func fuzzKey(t testing.TB) (note.Signer, note.Verifier) {
	seed := sha256.Sum256([]byte(fuzzOrigin))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), fuzzOrigin)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v
}

// FuzzCheckpointText checks the verifier's checkpoint parser on any
// checkpoint text the log key signs: it never panics, and what it accepts
// says exactly what the text says.
func FuzzCheckpointText(f *testing.F) {
	s, v := fuzzKey(f)
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	f.Add(fuzzOrigin + "\n5\n" + root + "\n")
	f.Add(fuzzOrigin + "\n0\n" + root + "\nextension line\n")
	f.Add(fuzzOrigin + "\n9223372036854775808\n" + root + "\n")
	f.Add(fuzzOrigin + "\n-1\n" + root + "\n")
	f.Add(fuzzOrigin + "\n05\n" + root + "\n")
	f.Add("other.example/log\n5\n" + root + "\n")
	f.Add(fuzzOrigin + "\n5\nAAAA\n")
	f.Fuzz(func(t *testing.T, text string) {
		raw, err := note.Sign(&note.Note{Text: text}, s)
		if err != nil {
			return // not a note text at all
		}
		res, err := checkCheckpoint(raw, v, nil)
		if err != nil {
			var fl *Failure
			if !asFailure(err, &fl) || fl.Where != "checkpoint" {
				t.Fatalf("checkpoint error %v does not name the checkpoint", err)
			}
			return
		}
		lines := strings.SplitN(text, "\n", 4)
		if res.Origin != fuzzOrigin || lines[0] != fuzzOrigin {
			t.Fatalf("accepted origin %q", lines[0])
		}
		if n, err := strconv.ParseUint(lines[1], 10, 63); err != nil || n != res.TreeSize {
			t.Fatalf("accepted size line %q as %d", lines[1], res.TreeSize)
		}
		if base64.StdEncoding.EncodeToString(res.Root[:]) != lines[2] {
			t.Fatalf("accepted root line %q as %x", lines[2], res.Root)
		}
	})
}

// FuzzCheckpointBytes feeds arbitrary bytes, starting from real signed
// checkpoints, to the parser: nothing but an untouched signed checkpoint
// may be accepted.
func FuzzCheckpointBytes(f *testing.F) {
	s, v := fuzzKey(f)
	signed := map[string]bool{}
	for _, n := range []int{0, 1, 300} {
		raw, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", fuzzOrigin, n, base64.StdEncoding.EncodeToString(make([]byte, 32)))}, s)
		if err != nil {
			f.Fatal(err)
		}
		signed[string(raw)] = true
		f.Add(raw)
	}
	f.Add([]byte("not a checkpoint"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		res, err := checkCheckpoint(raw, v, nil)
		if err != nil {
			return
		}
		// Accepted: the text must be one the key signed (signature bytes
		// may only differ in an encoding note accepts for the same value).
		n, nerr := note.Open(raw, note.VerifierList(v))
		if nerr != nil {
			t.Fatalf("checkCheckpoint accepted what note.Open refuses: %v", nerr)
		}
		if !strings.HasPrefix(n.Text, fuzzOrigin+"\n") || res.Origin != fuzzOrigin {
			t.Fatalf("accepted a checkpoint of origin %q", res.Origin)
		}
		if !signed[string(raw)] {
			t.Logf("accepted a variant of a signed checkpoint: %q", raw)
		}
	})
}

func asFailure(err error, f **Failure) bool {
	fl, ok := err.(*Failure)
	*f = fl
	return ok
}
