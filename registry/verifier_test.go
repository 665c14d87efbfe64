package registry

import (
	"crypto/ed25519"
	"testing"
	"unsafe"

	"github.com/tallylog/tallylog/internal/edgesig"
	"golang.org/x/mod/sumdb/note"
)

// TestCompactVerifier holds newVerifier to note.NewVerifier: the same
// name, key hash and answer for good, altered and malformed signatures,
// and the same refusals of malformed keys.
func TestCompactVerifier(t *testing.T) {
	skey, vkey, err := note.GenerateKey(nil, "po.NA-57/PS-1")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	want, got := verifiers(t, vkey)
	if got.Name() != want.Name() || got.KeyHash() != want.KeyHash() {
		t.Fatalf("name and hash %s %08x, want %s %08x", got.Name(), got.KeyHash(), want.Name(), want.KeyHash())
	}
	msg := []byte("tallylog/v1 sheet\nvotes 1 300\n")
	sig, err := signer.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, sig...)
	bad[10] ^= 1
	for _, c := range []struct {
		msg, sig []byte
	}{{msg, sig}, {msg, bad}, {append(msg, 'x'), sig}, {msg, sig[:63]}, {msg, nil}, {msg, make([]byte, ed25519.SignatureSize)}} {
		for range 2 { // the first check decodes the key, the second uses what it kept
			if g, w := got.Verify(c.msg, c.sig), want.Verify(c.msg, c.sig); g != w {
				t.Errorf("Verify(%q, %x) = %v, note says %v", c.msg, c.sig, g, w)
			}
		}
	}
	if n := unsafe.Sizeof(edVerifier{}); n > 64 {
		t.Errorf("edVerifier is %d bytes, over the 64 a million keys are budgeted for", n)
	}
	for _, k := range []string{"", "a", vkey + "x", vkey[:len(vkey)-4], "other" + vkey[len("po.NA-57/PS-1"):], "po.NA-57/PS-1+00000000+AQ=="} {
		_, gerr := newVerifier(k)
		_, werr := note.NewVerifier(k)
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Errorf("newVerifier(%q): %v; note.NewVerifier: %v", k, gerr, werr)
		}
	}
}

// TestCompactVerifierEdges holds newVerifier to note.NewVerifier on the
// keys and signatures where Ed25519 verifiers differ (small-order and
// non-canonical keys and R, S not reduced), each key used twice.
func TestCompactVerifierEdges(t *testing.T) {
	for _, c := range edgesig.Cases() {
		vkey, err := note.NewEd25519VerifierKey("edge", c.Pub)
		if err != nil {
			t.Fatal(err)
		}
		want, got := verifiers(t, vkey)
		for range 2 {
			if g, w := got.Verify(c.Msg, c.Sig), want.Verify(c.Msg, c.Sig); g != w || w != c.GoOK {
				t.Errorf("%s: Verify = %v, note says %v, crypto/ed25519 %v", c.Name, g, w, c.GoOK)
			}
		}
	}
}

// verifiers returns note's verifier of vkey and newVerifier's, which must
// be the compact one.
func verifiers(t *testing.T, vkey string) (want, got note.Verifier) {
	t.Helper()
	want, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	got, err = newVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.(*edVerifier); !ok {
		t.Fatalf("newVerifier(%q) is a %T, not the compact verifier", vkey, got)
	}
	return want, got
}
