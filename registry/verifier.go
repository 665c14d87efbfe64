package registry

import (
	"crypto/ed25519"

	"golang.org/x/mod/sumdb/note"
)

// edVerifier is an Ed25519 note verifier held in one 64-byte object: the
// registry keeps one for every registered key (a million for a national
// election, in the tally and again in a server's intake), and note's own
// is three objects (the verifier, a closure and the decoded key). It
// accepts exactly what note's does: the same ed25519.Verify with the
// same public key (TestCompactVerifier).
type edVerifier struct {
	name string
	hash uint32
	pub  [ed25519.PublicKeySize]byte
}

func (v *edVerifier) Name() string                { return v.name }
func (v *edVerifier) KeyHash() uint32             { return v.hash }
func (v *edVerifier) Verify(msg, sig []byte) bool { return ed25519.Verify(v.pub[:], msg, sig) }

// newVerifier is note.NewVerifier, with the same errors, returning an
// edVerifier for an Ed25519 key.
func newVerifier(vkey string) (note.Verifier, error) {
	nv, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	name, key, ok := splitVKey(vkey)
	if !ok || len(key) != 1+ed25519.PublicKeySize || key[0] != 1 { // 1: note's algorithm number for Ed25519
		return nv, nil
	}
	v := &edVerifier{name: nv.Name(), hash: nv.KeyHash()}
	if v.name != name {
		return nv, nil
	}
	copy(v.pub[:], key[1:])
	return v, nil
}
