package registry

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// KeyHash is a key's full identity: the SHA-256 of its name, a newline and
// its key bytes (the algorithm byte and the Ed25519 public key). A signed
// note's 4-byte key ID is the first 4 bytes of this same hash, which is
// why the registry never identifies a key by name and key ID alone: two
// keys of the same name collide in 4 bytes after about 2^16 tries.
type KeyHash [32]byte

// String returns the hash in hex.
func (h KeyHash) String() string { return hex.EncodeToString(h[:]) }

// FullKeyHash returns the full identity of a verifier key
// (name+hash+base64 key) that record.Check has accepted. ok is false for
// text that is not of that form.
func FullKeyHash(vkey string) (h KeyHash, ok bool) {
	name, key, ok := splitVKey(vkey)
	if !ok || len(key) == 0 {
		return h, false
	}
	return KeyHash(sha256.Sum256(append([]byte(name+"\n"), key...))), true
}

// splitVKey returns a verifier key's name and decoded key bytes (the
// algorithm byte and the public key), decoded as note.NewVerifier decodes
// them. ok is false for text that is not name+hash+base64.
func splitVKey(vkey string) (name string, key []byte, ok bool) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return "", nil, false
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	return parts[0], key, err == nil
}
