// Package edgesig makes the Ed25519 (public key, signature, message)
// triples on which verifiers are known to differ, with Go's
// crypto/ed25519 verdict on each. Tests that hold a verifier to Go's
// (the web app's in the browser, edkey's) share them from here.
package edgesig

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
)

// Case is one edge case, with Go's crypto/ed25519.Verify verdict.
type Case struct {
	Name string `json:"name"`
	Pub  []byte `json:"pub"`
	Sig  []byte `json:"sig"`
	Msg  []byte `json:"msg"`
	GoOK bool   `json:"-"`
}

// Small is the encodings of points of small order (libsodium's list),
// then non-canonical encodings: the identity as -0 and as y = p+1, the
// order-4 point as y = p.
func Small() [][]byte {
	var out [][]byte
	for _, s := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		"0100000000000000000000000000000000000000000000000000000000000080",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	} {
		b, err := hex.DecodeString(s)
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	return out
}

// Cases makes the cases on which Ed25519 verifiers disagree: small-order
// public keys and R (where a cofactored check accepts what Go's
// cofactorless one refuses, and where RFC 8032's strict mode refuses keys
// Go accepts), non-canonical encodings of A and R, and S not reduced.
// The verdicts are Go's.
func Cases() []Case {
	small := Small()
	var out []Case
	add := func(name string, pub, sig, msg []byte) {
		out = append(out, Case{name, pub, sig, msg, ed25519.Verify(pub, msg, sig)})
	}
	for i, a := range small {
		for j, r := range small {
			for _, m := range []string{"m0", "m1", "m2"} {
				add(fmt.Sprintf("A=small%d R=small%d S=0 %s", i, j, m), a, append(bytes.Clone(r), make([]byte, 32)...), []byte(m))
			}
		}
	}
	// A true signature, and it with S+L (not reduced), another message, and
	// R or A encoded with the sign bit flipped.
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte("tallylog edge\n")
	sig := ed25519.Sign(priv, msg)
	add("true", pub, sig, msg)
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	le := func(b []byte) []byte { c := slices.Clone(b); slices.Reverse(c); return c }
	sl := new(big.Int).Add(new(big.Int).SetBytes(le(sig[32:])), l).FillBytes(make([]byte, 32))
	add("S+L", pub, append(bytes.Clone(sig[:32]), le(sl)...), msg)
	add("other message", pub, sig, []byte("tallylog edge 2\n"))
	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 0x80; return c }
	add("R sign flipped", pub, flip(sig, 31), msg)
	add("A sign flipped", flip(pub, 31), sig, msg)
	return out
}
