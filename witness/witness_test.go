package witness

import (
	"crypto/rand"
	"strings"
	"testing"

	f_note "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

func testKeys(t *testing.T) (skey, vkey string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "witness.test")
	if err != nil {
		t.Fatal(err)
	}
	return skey, vkey
}

func TestParseKey(t *testing.T) {
	skey, vkey := testKeys(t)
	cosig, err := f_note.VKeyToCosignatureV1(vkey)
	if err != nil {
		t.Fatal(err)
	}
	name, rest, _ := strings.Cut(cosig, "+")
	hash, key, _ := strings.Cut(rest, "+")
	for _, tc := range []struct {
		name, in, wantErr string
	}{
		{"ed25519", vkey, ""},
		{"cosignature/v1", cosig, ""},
		{"spaces", "  " + cosig + "\n", ""},
		{"cosig bad hash", name + "+00000000+" + key, "key hash does not match"},
		{"ed25519 bad hash", name + "+00000000+" + strings.SplitN(vkey, "+", 3)[2], "is the key hash right"},
		{"hash not hex", name + "+zzzzzzzz+" + key, "not 8 hex digits"},
		{"wrong type", name + "+" + hash + "+AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "neither Ed25519"},
		{"short key", name + "+" + hash + "+BAAA", "want name+hash+base64key"},
		{"no name", "+" + hash + "+" + key, "want name+hash+base64key"},
		{"private key", skey, "want name+hash+base64key"},
		{"empty", "", "want name+hash+base64key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseKey(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseKey(%q) = %v, want error containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.VKey != cosig || k.Name != "witness.test" {
				t.Fatalf("got %q %q, want %q", k.Name, k.VKey, cosig)
			}
		})
	}
}

// TestCosigned checks that a cosignature made as witnesses make them
// (formats/note's cosignature/v1 signer) verifies, and that the policy is
// satisfied only when it does.
func TestCosigned(t *testing.T) {
	logS, logV, _ := note.GenerateKey(rand.Reader, "log.test")
	logSigner, _ := note.NewSigner(logS)
	logVerifier, _ := note.NewVerifier(logV)
	skey, vkey := testKeys(t)
	_, otherV, _ := note.GenerateKey(rand.Reader, "other.test")
	p, err := ParsePolicy([]byte("witness w1 " + vkey + " http://127.0.0.1:1/\nwitness w2 " + otherV + " http://127.0.0.1:2/\ngroup g any w1 w2\nquorum g\n"))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := note.Sign(&note.Note{Text: "log.test\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"}, logSigner)
	if err != nil {
		t.Fatal(err)
	}
	if p.Satisfied(cp) {
		t.Fatal("an uncosigned checkpoint satisfies the policy")
	}
	ws, err := f_note.NewSignerForCosignatureV1(skey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(cp, note.VerifierList(logVerifier))
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := note.Sign(n, ws)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Satisfied(cosigned) {
		t.Fatal("a checkpoint cosigned by w1 does not satisfy 'any of w1 w2'")
	}
	if got := p.Cosigned(cosigned); !got[0] || got[1] {
		t.Fatalf("Cosigned = %v, want [true false]", got)
	}
	// The same key as a plain Ed25519 signature is not a cosignature.
	plain, _ := note.NewSigner(skey)
	wrong, _ := note.Sign(n, plain)
	if p.Satisfied(wrong) || p.Cosigned(wrong)[0] {
		t.Fatal("a plain Ed25519 signature passed for a cosignature/v1")
	}
}

func TestParsePolicy(t *testing.T) {
	_, v1 := testKeys(t)
	_, v2, _ := note.GenerateKey(rand.Reader, "w2.test")
	for _, tc := range []struct {
		name, text, wantErr string
		members             int
	}{
		{"one witness", "witness a " + v1 + " http://127.0.0.1:9/\nquorum a\n", "", 1},
		{"group and comments", "# witnesses\nlog tallylog " + v1 + "\nwitness a " + v1 + " http://127.0.0.1:9/ # first\nwitness b " + v2 + " https://w.example/x\ngroup g 2 a b\nquorum g\n", "", 2},
		{"no witness", "quorum none\n", "names no witness", 0},
		{"quorum none", "witness a " + v1 + " http://127.0.0.1:9/\nquorum none\n", "run without a policy", 0},
		{"no quorum", "witness a " + v1 + " http://127.0.0.1:9/\n", "needs a \"quorum NAME\"", 0},
		{"bad key", "witness a nope http://127.0.0.1:9/\nquorum a\n", "policy line 1", 0},
		{"no url", "witness a " + v1 + "\nquorum a\n", "policy line 1: want", 0},
		{"relative url", "witness a " + v1 + " /add\nquorum a\n", "absolute http", 0},
		{"ftp url", "witness a " + v1 + " ftp://x/\nquorum a\n", "absolute http", 0},
		{"duplicate", "witness a " + v1 + " http://x/\nwitness a " + v2 + " http://y/\nquorum a\n", "line 2: the name \"a\" is used twice", 0},
		{"unknown keyword", "witness a " + v1 + " http://x/\nquorom a\n", "line 2: unknown keyword", 0},
		{"threshold too high", "witness a " + v1 + " http://x/\ngroup g 2 a\nquorum g\n", "threshold", 0},
		{"unknown member", "witness a " + v1 + " http://x/\ngroup g 1 a b\nquorum g\n", "unknown component", 0},
		{"unknown quorum", "witness a " + v1 + " http://x/\nquorum b\n", "not found", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tc.text))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Members) != tc.members {
				t.Fatalf("%d members, want %d", len(p.Members), tc.members)
			}
		})
	}
}

func FuzzParsePolicy(f *testing.F) {
	_, vkey, _ := note.GenerateKey(rand.Reader, "w.test")
	f.Add("witness a " + vkey + " http://127.0.0.1:9/\nquorum a\n")
	f.Add("witness a " + vkey + " http://x/\ngroup g all a\nquorum g\n")
	f.Add("quorum none")
	f.Fuzz(func(t *testing.T, text string) {
		p, err := ParsePolicy([]byte(text))
		if err != nil {
			return
		}
		if len(p.Members) == 0 || p.Quorum == "" {
			t.Fatalf("accepted a policy with no witness or quorum: %q", text)
		}
		for _, m := range p.Members {
			if _, err := ParseKey(m.Key.VKey); err != nil {
				t.Fatalf("accepted key %q does not parse again: %v", m.Key.VKey, err)
			}
		}
	})
}

func FuzzParseKey(f *testing.F) {
	_, vkey, _ := note.GenerateKey(rand.Reader, "w.test")
	f.Add(vkey)
	cosig, _ := f_note.VKeyToCosignatureV1(vkey)
	f.Add(cosig)
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			return
		}
		k2, err := ParseKey(k.VKey)
		if err != nil || k2.VKey != k.VKey || k2.Verifier.KeyHash() != k.Verifier.KeyHash() {
			t.Fatalf("ParseKey(%q) is not stable: %v", s, err)
		}
	})
}
