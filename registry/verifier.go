package registry

import (
	"crypto/ed25519"

	"github.com/tallylog/tallylog/edkey"
	"golang.org/x/mod/sumdb/note"
)

// edVerifier is an Ed25519 note verifier held in one 64-byte object: the
// registry keeps one for every registered key (a million for a national
// election, once per process in the Pool), and note's own is three
// objects (the verifier, a closure and the decoded key). It accepts
// exactly what note's does, crypto/ed25519.Verify's verdict with the same
// public key (TestCompactVerifier; edkey's tests hold edkey to
// crypto/ed25519), but decodes the key once, on its first signature,
// instead of on every one: a key verifies 2.65 records on average in a
// national night and an observer's thousands. The decoded key costs 32
// bytes more per key that has verified something (32 MB for a million),
// not the 160 of a decoded point; a key that never verifies costs
// nothing more.
type edVerifier struct {
	name string
	hash uint32
	key  edkey.Key
}

func (v *edVerifier) Name() string                { return v.name }
func (v *edVerifier) KeyHash() uint32             { return v.hash }
func (v *edVerifier) Verify(msg, sig []byte) bool { return v.key.Verify(msg, sig) }

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
	v.key.Set(key[1:])
	return v, nil
}
