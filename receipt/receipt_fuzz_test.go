package receipt

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const testOrigin = "results.example.pk/receipt-test"

// testLog is a tree of n entries built with x/mod's tlog (no Tessera), and
// a checkpoint signed by a deterministic key.
type testLog struct {
	entries    [][]byte
	hashes     []tlog.Hash
	checkpoint []byte
	verifier   note.Verifier
}

func newTestLog(t testing.TB, n int) *testLog {
	seed := sha256.Sum256([]byte(testOrigin))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	l := &testLog{verifier: v}
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = l.hashes[x]
		}
		return out, nil
	})
	for i := range n {
		e := fmt.Appendf(nil, "tallylog/v1 sheet\nentry %d\n", i)
		l.entries = append(l.entries, e)
		hs, err := tlog.StoredHashes(int64(i), e, hr)
		if err != nil {
			t.Fatal(err)
		}
		l.hashes = append(l.hashes, hs...)
	}
	root, err := tlog.TreeHash(int64(n), hr)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("%s\n%d\n%s\n", testOrigin, n, base64.StdEncoding.EncodeToString(root[:]))
	l.checkpoint, err = note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *testLog) receipt(t testing.TB, index int) *Receipt {
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = l.hashes[x]
		}
		return out, nil
	})
	p, err := tlog.ProveRecord(int64(len(l.entries)), int64(index), hr)
	if err != nil {
		t.Fatal(err)
	}
	r := &Receipt{Entry: l.entries[index], Index: uint64(index), Checkpoint: l.checkpoint}
	for _, h := range p {
		r.Proof = append(r.Proof, bytes.Clone(h[:]))
	}
	return r
}

// TestReceiptSingleByteChanges checks that a verified receipt stops
// verifying after any single-byte change of its entry, of any proof hash
// or of its checkpoint — or, where a change leaves a valid encoding of the
// same signed statement, that it still proves exactly the same thing.
func TestReceiptSingleByteChanges(t *testing.T) {
	l := newTestLog(t, 21)
	for _, index := range []int{0, 7, 20} {
		good := l.receipt(t, index)
		want, err := good.Verify(l.verifier)
		if err != nil {
			t.Fatalf("index %d: the untouched receipt does not verify: %v", index, err)
		}
		type part struct {
			name string
			get  func(r *Receipt) []byte
		}
		parts := []part{
			{"entry", func(r *Receipt) []byte { return r.Entry }},
			{"checkpoint", func(r *Receipt) []byte { return r.Checkpoint }},
		}
		for i := range good.Proof {
			parts = append(parts, part{fmt.Sprintf("proof hash %d", i), func(r *Receipt) []byte { return r.Proof[i] }})
		}
		for _, p := range parts {
			for at := range len(p.get(good)) {
				for _, mask := range []byte{0x01, 0x04, 0x40} {
					bad := &Receipt{Entry: bytes.Clone(good.Entry), Index: good.Index, Checkpoint: bytes.Clone(good.Checkpoint)}
					for _, h := range good.Proof {
						bad.Proof = append(bad.Proof, bytes.Clone(h))
					}
					p.get(bad)[at] ^= mask
					got, err := bad.Verify(l.verifier)
					if err == nil && !(p.name == "checkpoint" && sameProof(got, want)) {
						t.Errorf("index %d: the receipt still verifies after byte %d of its %s was changed (^%#x)", index, at, p.name, mask)
					}
					if err == nil {
						t.Logf("index %d: byte %d of the checkpoint ^%#x is another encoding of the same signature", index, at, mask)
					}
				}
			}
		}
		// The index itself, and a proof cut short or padded.
		for _, change := range []func(r *Receipt){
			func(r *Receipt) { r.Index++ },
			func(r *Receipt) { r.Index ^= 1 },
			func(r *Receipt) { r.Proof = r.Proof[:len(r.Proof)-1] },
			func(r *Receipt) { r.Proof = append(r.Proof, make([]byte, 32)) },
		} {
			bad := *good
			bad.Proof = append([][]byte(nil), good.Proof...)
			change(&bad)
			if _, err := bad.Verify(l.verifier); err == nil {
				t.Errorf("index %d: the receipt still verifies after its index or proof length changed", index)
			}
		}
		// Parse(Marshal) round-trips and still verifies.
		back, err := Parse(good.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := back.Verify(l.verifier); err != nil {
			t.Errorf("index %d: the marshalled receipt does not verify: %v", index, err)
		}
	}
}

func sameProof(a, b *Verified) bool {
	return a.Origin == b.Origin && a.TreeSize == b.TreeSize && a.Root == b.Root && a.Index == b.Index && bytes.Equal(a.Entry, b.Entry)
}

// FuzzParse checks that Parse never panics, that what it accepts
// round-trips through Marshal, and that nothing it accepts verifies unless
// it proves an entry the log really holds at that index.
func FuzzParse(f *testing.F) {
	l := newTestLog(f, 21)
	for _, i := range []int{0, 5, 20} {
		f.Add(l.receipt(f, i).Marshal())
	}
	f.Add([]byte(Header + "\nindex 1\n\n"))
	f.Add([]byte(Header + "\nextra \nindex 01\n\n"))
	f.Add([]byte(Header + "\nextra AA==\nindex 18446744073709551616\n\nx"))
	f.Add([]byte(""))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		again, err := Parse(r.Marshal())
		if err != nil {
			t.Fatalf("Parse accepted %q but not its own Marshal: %v", data, err)
		}
		if !bytes.Equal(again.Marshal(), r.Marshal()) {
			t.Fatalf("Marshal is not stable for %q", data)
		}
		v, err := r.Verify(l.verifier)
		if err != nil {
			return
		}
		if v.Index >= uint64(len(l.entries)) || !bytes.Equal(v.Entry, l.entries[v.Index]) {
			t.Fatalf("a receipt for an entry the log does not hold verifies: index %d, %q", v.Index, v.Entry)
		}
	})
}
