// Package edkey holds an Ed25519 public key decoded once, so that a key
// that verifies many signatures pays for decoding it once.
//
// Why: every record of a log costs one Ed25519 verification, and Go's
// crypto/ed25519.Verify decodes (decompresses) the public key A on every
// call, a square root in the field that is 5–8% of a verification. A
// registered key verifies many records (a polling station's key two or
// three, an observer's or an agent's thousands), so a Key keeps what the
// decoding found and spends it on every later check: a reused Key
// verifies 1.04–1.06× as fast as crypto/ed25519.Verify (BenchmarkVerify's
// ratio), and its first check costs what Go's does.
//
// What may be trusted: Key.Verify gives exactly crypto/ed25519.Verify's
// verdict for the same public key, message and signature: cofactorless
// verification as Go implements RFC 8032, S refused unless canonical
// (S < L), A decoded as Go decodes it (the non-canonical encodings Go
// accepts are accepted, and a key Go refuses at decoding refuses every
// signature), k = SHA-512(R || A || M) mod L over the 32 bytes of A as
// given, and acceptance iff the encoding of [S]B − [k]A is R's 32 bytes.
// It is computed with filippo.io/edwards25519 (v1.2.0, whose point
// decoding, scalars and field arithmetic are those of the Go 1.26
// standard library's crypto/internal/fips140/edwards25519; v1.1.0's
// field arithmetic makes a whole verification about 10% slower), with the calls Go's verifier
// makes, in its order. TestEdgeCases, TestRFC8032, TestRandom and
// FuzzVerify hold it to crypto/ed25519.Verify; nothing here batches
// signatures or checks them cofactored.
//
// What is kept, and when: a Key holds the 32 bytes of A and, from its
// first Verify on, the 32-byte encoding of −A's x coordinate (−A's y is
// A's, read from A's bytes): 8 bytes in the Key and 32 more once used,
// instead of a 160-byte decoded point. Rebuilding −A from the two
// coordinates costs a few field multiplications (the curve-equation check
// and T = XY), well under 1% of a verification, where decoding costs a
// square root. Decoding on first use rather than when the key is made
// keeps a key that never verifies (most keys in a process that only
// reads a registry) at no cost, and takes the decoding out of whatever
// lock guards the making of keys.
package edkey

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"sync/atomic"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// Key is an Ed25519 public key that decodes itself on its first Verify and
// keeps the result. The zero Key is not usable: call Set first. A Key is
// safe for concurrent use once Set has returned; it must not be copied
// after Set.
type Key struct {
	pub [ed25519.PublicKeySize]byte
	// negX is the canonical encoding of −A's x coordinate; nil until
	// the first Verify, refused if A does not decode.
	negX atomic.Pointer[[32]byte]
}

// refused marks a key that does not decode: Go refuses every signature
// under it.
var refused = new([32]byte)

// Set makes k the key pub, which must be ed25519.PublicKeySize bytes long
// (crypto/ed25519.Verify panics on any other length; Set does too).
func (k *Key) Set(pub []byte) {
	if len(pub) != ed25519.PublicKeySize {
		panic("edkey: public key is not 32 bytes")
	}
	copy(k.pub[:], pub)
	k.negX.Store(nil)
}

// New returns a Key holding pub; see Set.
func New(pub []byte) *Key {
	k := new(Key)
	k.Set(pub)
	return k
}

// Valid reports whether Go's crypto/ed25519 decodes the key (if it does
// not, Verify refuses every signature). It decodes the key if no Verify
// has.
func (k *Key) Valid() bool {
	var a edwards25519.Point
	return k.minusA(&a)
}

// minusA sets a to −A and reports whether A decodes, decoding it and
// keeping the result the first time.
func (k *Key) minusA(a *edwards25519.Point) bool {
	nx := k.negX.Load()
	if nx == nil {
		nx = k.decode()
	}
	if nx == refused {
		return false
	}
	var x, y, z, t field.Element
	if _, err := x.SetBytes(nx[:]); err != nil {
		panic("edkey: kept coordinate does not read back: " + err.Error())
	}
	if _, err := y.SetBytes(k.pub[:]); err != nil { // the top bit, x's sign, is ignored
		panic("edkey: y does not read: " + err.Error())
	}
	z.One()
	t.Multiply(&x, &y)
	if _, err := a.SetExtendedCoordinates(&x, &y, &z, &t); err != nil {
		panic("edkey: kept point is not on the curve: " + err.Error())
	}
	return true
}

// decode decodes A as Go's crypto/ed25519 does and keeps −A's x (or that
// A is refused). Two goroutines decoding at once both store the same
// answer.
func (k *Key) decode() *[32]byte {
	var a edwards25519.Point
	if _, err := a.SetBytes(k.pub[:]); err != nil {
		k.negX.Store(refused)
		return refused
	}
	a.Negate(&a)
	x, _, z, _ := a.ExtendedCoordinates()
	var one field.Element
	if z.Equal(one.One()) != 1 { // SetBytes leaves Z = 1 (x is affine) in v1.2.0; no inversion then
		var zInv field.Element
		x.Multiply(x, zInv.Invert(z))
	}
	nx := new([32]byte)
	copy(nx[:], x.Bytes())
	k.negX.Store(nx)
	return nx
}

// Verify reports whether sig is a valid Ed25519 signature of msg by the
// key, with exactly crypto/ed25519.Verify's verdict (see the package
// doc).
func (k *Key) Verify(msg, sig []byte) bool {
	if len(sig) != ed25519.SignatureSize || sig[63]&224 != 0 {
		return false
	}
	var minusA edwards25519.Point
	if !k.minusA(&minusA) {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(k.pub[:])
	h.Write(msg)
	var digest [sha512.Size]byte
	kh, err := new(edwards25519.Scalar).SetUniformBytes(h.Sum(digest[:0]))
	if err != nil {
		panic("edkey: a SHA-512 digest is not 64 bytes")
	}
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	var r edwards25519.Point
	r.VarTimeDoubleScalarBaseMult(kh, &minusA, s)
	return bytes.Equal(sig[:32], r.Bytes())
}
