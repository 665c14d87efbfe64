package edkey

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/edgesig"
)

// verdicts checks Key's verdict on (pub, msg, sig) against Go's, on a
// fresh Key (the decoding path) and again on the same Key (the kept
// path), and returns Go's.
func verdicts(t testing.TB, name string, pub, msg, sig []byte) bool {
	want := ed25519.Verify(pub, msg, sig)
	k := New(pub)
	for _, round := range []string{"first use", "kept"} {
		if got := k.Verify(msg, sig); got != want {
			t.Errorf("%s, %s: Verify(pub %x, msg %x, sig %x) = %v, crypto/ed25519 says %v", name, round, pub, msg, sig, got, want)
		}
	}
	return want
}

// TestEdgeCases holds Verify to Go's verdict on the cases where Ed25519
// verifiers differ: small-order A and R, non-canonical A and R, S not
// reduced.
func TestEdgeCases(t *testing.T) {
	cases := edgesig.Cases()
	ok := 0
	for _, c := range cases {
		if c.GoOK != ed25519.Verify(c.Pub, c.Msg, c.Sig) {
			t.Fatalf("%s: the case's verdict is not Go's", c.Name)
		}
		if verdicts(t, c.Name, c.Pub, c.Msg, c.Sig) {
			ok++
		}
	}
	if ok < 10 || ok > len(cases)-10 {
		t.Errorf("Go accepts %d of %d edge cases: they do not test both ways", ok, len(cases))
	}
	// Every small-order and non-canonical key, valid or not as Go
	// decodes it, with R = each and S = 1, and a random message.
	for i, a := range edgesig.Small() {
		if New(a).Valid() != decodesAny(a) {
			t.Errorf("small%d: Valid() = %v, Go decodes it: %v", i, !decodesAny(a), decodesAny(a))
		}
		for j, r := range edgesig.Small() {
			sig := append(bytes.Clone(r), 1)
			sig = append(sig, make([]byte, 31)...)
			verdicts(t, fmt.Sprintf("A=small%d R=small%d S=1", i, j), a, []byte("x"), sig)
		}
	}
}

// rfc8032 is RFC 8032's section 7.1 test vectors 1 to 3: secret key,
// public key, message, signature.
var rfc8032 = [][4]string{
	{"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
	{"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
		"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
}

// TestRFC8032 checks RFC 8032's vectors (and that they are RFC 8032's:
// Go derives the same key and signature), and their alterations.
func TestRFC8032(t *testing.T) {
	h := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for i, v := range rfc8032 {
		priv := ed25519.NewKeyFromSeed(h(v[0]))
		pub, msg, sig := h(v[1]), h(v[2]), h(v[3])
		if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) || !bytes.Equal(ed25519.Sign(priv, msg), sig) {
			t.Fatalf("vector %d is not RFC 8032's: Go derives another key or signature", i+1)
		}
		k := New(pub)
		if !k.Verify(msg, sig) || !k.Verify(msg, sig) {
			t.Errorf("vector %d: Verify refuses RFC 8032's signature", i+1)
		}
		for b := 0; b < 64; b += 7 {
			bad := bytes.Clone(sig)
			bad[b] ^= 4
			verdicts(t, fmt.Sprintf("vector %d, byte %d altered", i+1, b), pub, msg, bad)
		}
		verdicts(t, fmt.Sprintf("vector %d, message extended", i+1), pub, append(bytes.Clone(msg), 0), sig)
		verdicts(t, fmt.Sprintf("vector %d, S+L", i+1), pub, msg, plusL(sig))
		if k.Verify(msg, sig[:63]) || k.Verify(msg, append(bytes.Clone(sig), 0)) {
			t.Errorf("vector %d: a signature of the wrong length verifies", i+1)
		}
	}
}

// plusL returns sig with S replaced by S+L, the same scalar not reduced.
func plusL(sig []byte) []byte {
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	le := func(b []byte) []byte { c := slices.Clone(b); slices.Reverse(c); return c }
	s := new(big.Int).Add(new(big.Int).SetBytes(le(sig[32:])), l).FillBytes(make([]byte, 32))
	return append(bytes.Clone(sig[:32]), le(s)...)
}

// TestRandom compares verdicts for random keys used for many messages,
// true and altered signatures, and random 32-byte keys (about half of
// which Go refuses to decode) with random signatures.
func TestRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 5))
	fill := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for range 20 {
		priv := ed25519.NewKeyFromSeed(fill(32))
		pub := priv.Public().(ed25519.PublicKey)
		k := New(pub)
		for range 10 {
			msg := fill(rng.IntN(300))
			sig := ed25519.Sign(priv, msg)
			bad := bytes.Clone(sig)
			bad[rng.IntN(64)] ^= byte(1 << rng.IntN(8))
			for _, s := range [][]byte{sig, bad, plusL(sig)} {
				if got, want := k.Verify(msg, s), ed25519.Verify(pub, msg, s); got != want {
					t.Errorf("key %x: Verify(%x, %x) = %v, crypto/ed25519 says %v", pub, msg, s, got, want)
				}
			}
		}
	}
	refused := 0
	for range 200 {
		pub := fill(32)
		if !decodesAny(pub) {
			refused++
		}
		verdicts(t, "random key", pub, fill(8), fill(64))
		if New(pub).Valid() != decodesAny(pub) {
			t.Errorf("key %x: Valid() = %v, edwards25519 decodes it: %v", pub, !decodesAny(pub), decodesAny(pub))
		}
	}
	if refused < 50 || refused > 150 {
		t.Errorf("%d of 200 random keys refused: expected about half", refused)
	}
}

// decodesAny reports whether crypto/ed25519 decodes pub: a key it refuses
// makes VerifyWithOptions return "bad public key" before looking at the
// signature.
func decodesAny(pub []byte) bool {
	err := ed25519.VerifyWithOptions(pub, nil, make([]byte, 64), &ed25519.Options{})
	return err == nil || err.Error() != "ed25519: bad public key"
}

// TestConcurrentFirstUse has many goroutines use a fresh key at once
// (run with -race): all get Go's verdict.
func TestConcurrentFirstUse(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	msg := []byte("tallylog concurrent\n")
	sig := ed25519.Sign(priv, msg)
	for _, pub := range [][]byte{priv.Public().(ed25519.PublicKey), edgesig.Small()[9]} {
		k := New(pub)
		want := ed25519.Verify(pub, msg, sig)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if got := k.Verify(msg, sig); got != want {
					t.Errorf("key %x: concurrent Verify = %v, want %v", pub, got, want)
				}
			})
		}
		wg.Wait()
	}
}

// FuzzVerify compares Verify's verdict with crypto/ed25519.Verify's on
// arbitrary keys, messages and signatures, on first use and kept.
func FuzzVerify(f *testing.F) {
	for _, c := range edgesig.Cases() {
		f.Add(c.Pub, c.Msg, c.Sig)
	}
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		if len(pub) != ed25519.PublicKeySize {
			pub = append(pub, make([]byte, 32)...)[:32]
		}
		verdicts(t, "fuzz", pub, msg, sig)
	})
}

// BenchmarkVerify compares Verify with crypto/ed25519.Verify for a key
// used again and again (the registry's case), interleaving the two in
// one run and reporting Go's time over edkey's as "x-go" (above 1:
// edkey is faster).
func BenchmarkVerify(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	msg := bytes.Repeat([]byte("tallylog/v1 sheet\n"), 12)
	sig := ed25519.Sign(priv, msg)
	k := New(pub)
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("edkey", func(b *testing.B) {
		for b.Loop() {
			if !k.Verify(msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("edkey-first-use", func(b *testing.B) {
		for b.Loop() {
			if !New(pub).Verify(msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("ratio", func(b *testing.B) {
		var goT, edT time.Duration
		for b.Loop() {
			t0 := time.Now()
			for range 20 {
				ed25519.Verify(pub, msg, sig)
			}
			t1 := time.Now()
			for range 20 {
				k.Verify(msg, sig)
			}
			goT, edT = goT+t1.Sub(t0), edT+time.Since(t1)
		}
		b.ReportMetric(float64(goT)/float64(edT), "x-go")
	})
}

// BenchmarkKeyMemory measures the heap a Key holds, before its first
// Verify (B/key) and what that Verify adds (B/key-decoded): 20,000 Keys
// of one public key, each used once.
func BenchmarkKeyMemory(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte("tallylog/v1 sheet\n")
	sig := ed25519.Sign(priv, msg)
	const n = 20000
	var perKey, perDecoded float64
	for b.Loop() {
		h0 := heap()
		keys := make([]*Key, n)
		for i := range keys {
			keys[i] = New(pub)
		}
		h1 := heap()
		for _, k := range keys {
			if !k.Verify(msg, sig) {
				b.Fatal("refused")
			}
		}
		h2 := heap()
		runtime.KeepAlive(keys)
		perKey, perDecoded = float64(h1-h0)/n, float64(h2-h1)/n
	}
	b.ReportMetric(perKey, "B/key")
	b.ReportMetric(perDecoded, "B/key-decoded")
}

func heap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
