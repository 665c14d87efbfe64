package tlogtiles

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "results.example.pk/tiles-test"

// testKey is a deterministic key named testOrigin (or name).
func testKey(t testing.TB, name string) (note.Signer, note.Verifier) {
	seed := sha256.Sum256([]byte(name))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v
}

func sign(t testing.TB, text string, signers ...note.Signer) []byte {
	raw, err := note.Sign(&note.Note{Text: text}, signers...)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestOpenCheckpoint(t *testing.T) {
	s, v := testKey(t, testOrigin)
	ws, wv := testKey(t, "witness.example")
	_, other := testKey(t, "other.example/log")
	root := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	good := testOrigin + "\n600\n" + root + "\n"
	for _, tc := range []struct {
		name      string
		raw       []byte
		witnesses []note.Verifier
		err       string // "" if it opens
	}{
		{"signed", sign(t, good, s), nil, ""},
		{"cosigned", sign(t, good, s, ws), []note.Verifier{wv}, ""},
		{"extension lines", sign(t, good+"ext\n", s), nil, ""},
		{"another log's key", sign(t, good, s), nil, ""},
		{"missing cosignature", sign(t, good, s), []note.Verifier{wv}, "missing the cosignature of witness witness.example"},
		{"only the witness", sign(t, good, ws), []note.Verifier{wv}, "not signed by the log key " + testOrigin},
		{"wrong origin", sign(t, "other.example/log\n600\n"+root+"\n", s), nil, "its origin is not " + testOrigin},
		{"size 2^63", sign(t, testOrigin+"\n9223372036854775808\n"+root+"\n", s), nil, `tree size "9223372036854775808" is not a decimal number below 2^63`},
		{"negative size", sign(t, testOrigin+"\n-1\n"+root+"\n", s), nil, "tree size"},
		{"short root", sign(t, testOrigin+"\n5\nAAAA\n", s), nil, "root hash"},
		{"no root", sign(t, testOrigin+"\n5\n", s), nil, "its origin is not"},
		{"altered", bytes.Replace(sign(t, good, s), []byte("600"), []byte("601"), 1), nil, "the signature does not verify with the log key " + testOrigin},
	} {
		key := v
		if tc.name == "another log's key" {
			key = other
			tc.err = "the signature does not verify with the log key other.example/log"
		}
		cp, err := OpenCheckpoint(tc.raw, key, tc.witnesses...)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: got %v, want an error saying %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if cp.Origin != testOrigin || cp.Size != 600 || base64.StdEncoding.EncodeToString(cp.Root[:]) != root || !bytes.Equal(cp.Raw, tc.raw) {
			t.Errorf("%s: opened as %+v", tc.name, cp)
		}
		if len(cp.Cosigners) != len(tc.witnesses) || cp.Signers[0] != testOrigin {
			t.Errorf("%s: cosigners %q, signers %q", tc.name, cp.Cosigners, cp.Signers)
		}
		if tr := cp.Tree(); tr.N != 600 || tr.Hash != cp.Root {
			t.Errorf("%s: tree %v", tc.name, tr)
		}
	}
}

// FuzzCheckpointText checks the checkpoint parser on any checkpoint text
// the log key signs: it never panics, and what it accepts says exactly what
// the text says.
func FuzzCheckpointText(f *testing.F) {
	s, v := testKey(f, testOrigin)
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	f.Add(testOrigin + "\n5\n" + root + "\n")
	f.Add(testOrigin + "\n0\n" + root + "\nextension line\n")
	f.Add(testOrigin + "\n9223372036854775808\n" + root + "\n")
	f.Add(testOrigin + "\n-1\n" + root + "\n")
	f.Add(testOrigin + "\n05\n" + root + "\n")
	f.Add("other.example/log\n5\n" + root + "\n")
	f.Add(testOrigin + "\n5\nAAAA\n")
	f.Fuzz(func(t *testing.T, text string) {
		raw, err := note.Sign(&note.Note{Text: text}, s)
		if err != nil {
			return // not a note text at all
		}
		cp, err := OpenCheckpoint(raw, v)
		if err != nil {
			return
		}
		lines := strings.SplitN(text, "\n", 4)
		if cp.Origin != testOrigin || lines[0] != testOrigin {
			t.Fatalf("accepted origin %q", lines[0])
		}
		if n, err := strconv.ParseUint(lines[1], 10, 63); err != nil || n != cp.Size {
			t.Fatalf("accepted size line %q as %d", lines[1], cp.Size)
		}
		if base64.StdEncoding.EncodeToString(cp.Root[:]) != lines[2] {
			t.Fatalf("accepted root line %q as %x", lines[2], cp.Root)
		}
	})
}

// FuzzCheckpointBytes feeds arbitrary bytes, starting from real signed
// checkpoints, to the opener: nothing but a signed checkpoint may be
// accepted.
func FuzzCheckpointBytes(f *testing.F) {
	s, v := testKey(f, testOrigin)
	signed := map[string]bool{}
	for _, n := range []int{0, 1, 300} {
		raw := sign(f, fmt.Sprintf("%s\n%d\n%s\n", testOrigin, n, base64.StdEncoding.EncodeToString(make([]byte, 32))), s)
		signed[string(raw)] = true
		f.Add(raw)
	}
	f.Add([]byte("not a checkpoint"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cp, err := OpenCheckpoint(raw, v)
		if err != nil {
			return
		}
		// Accepted: the text must be one the key signed (signature bytes
		// may only differ in an encoding note accepts for the same value).
		n, nerr := note.Open(raw, note.VerifierList(v))
		if nerr != nil {
			t.Fatalf("OpenCheckpoint accepted what note.Open refuses: %v", nerr)
		}
		if !strings.HasPrefix(n.Text, testOrigin+"\n") || cp.Origin != testOrigin {
			t.Fatalf("accepted a checkpoint of origin %q", cp.Origin)
		}
		if !signed[string(raw)] {
			t.Logf("accepted a variant of a signed checkpoint: %q", raw)
		}
	})
}
