// Package witness holds what tallylog needs of C2SP tlog-witness: the
// witnesses' keys and the policy saying whose cosignatures a checkpoint
// needs before the log publishes it.
//
// A witness is an independent party that remembers the latest checkpoint
// it cosigned for each log and cosigns a new one only with a consistency
// proof from the old: so a log that cosigned checkpoints carry cannot show
// one history to some readers and another to others, nor be reset and
// rewritten under the same key, without a witness refusing.
//
// Witnesses sign cosignature/v1 notes (C2SP signed-note, signature type
// 0x04): the signature covers a timestamp and the checkpoint, and the key
// hash is computed over the 0x04 key. Keys given as plain Ed25519 verifier
// keys (type 0x01), as note.GenerateKey writes them, are accepted and used
// as the cosignature/v1 key of the same Ed25519 public key, as witnesses'
// signing tools do.
package witness

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	f_note "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/tessera"
	"golang.org/x/mod/sumdb/note"
)

// Signature types of C2SP signed-note verifier keys.
const (
	algEd25519     = 0x01
	algCosignature = 0x04
)

// Key is a witness's verifier key.
type Key struct {
	// Name is the witness's name, as in its cosignature lines.
	Name string
	// VKey is the key in cosignature/v1 form: name+hash+base64(0x04||key).
	VKey string
	// Verifier checks the witness's cosignature/v1 signatures.
	Verifier note.Verifier
}

// ParseKey parses a witness's verifier key: a cosignature/v1 key (type
// 0x04) or an Ed25519 key (type 0x01) of the same public key. The key hash
// must match the key, so a key copied with a typo is refused.
func ParseKey(vkey string) (*Key, error) {
	vkey = strings.TrimSpace(vkey)
	name, rest, _ := strings.Cut(vkey, "+")
	hash16, key64, _ := strings.Cut(rest, "+")
	key, err := base64.StdEncoding.DecodeString(key64)
	if name == "" || len(hash16) != 8 || err != nil || len(key) != 33 {
		return nil, fmt.Errorf("witness key %q: want name+hash+base64key, an Ed25519 or cosignature/v1 verifier key", vkey)
	}
	hash, err := strconv.ParseUint(hash16, 16, 32)
	if err != nil {
		return nil, fmt.Errorf("witness key %q: the key hash %q is not 8 hex digits", vkey, hash16)
	}
	switch key[0] {
	case algEd25519:
		if _, err := note.NewVerifier(vkey); err != nil {
			return nil, fmt.Errorf("witness key %q: %v (is the key hash right?)", vkey, err)
		}
		if vkey, err = f_note.VKeyToCosignatureV1(vkey); err != nil {
			return nil, fmt.Errorf("witness key %q: %v", vkey, err)
		}
	case algCosignature:
		if uint32(hash) != keyHash(name, key) {
			return nil, fmt.Errorf("witness key %q: the key hash does not match the key (a typo?)", vkey)
		}
	default:
		return nil, fmt.Errorf("witness key %q: signature type 0x%02x is neither Ed25519 (0x01) nor cosignature/v1 (0x04)", vkey, key[0])
	}
	v, err := f_note.NewVerifierForCosignatureV1(vkey)
	if err != nil {
		return nil, fmt.Errorf("witness key %q: %v", vkey, err)
	}
	return &Key{Name: name, VKey: vkey, Verifier: v}, nil
}

// keyHash is the signed-note key hash: the first four bytes of
// SHA-256(name || "\n" || type || key), big-endian.
func keyHash(name string, typedKey []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write(typedKey)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// Member is one witness named in a policy.
type Member struct {
	// ID is the name the policy gives the witness.
	ID  string
	Key *Key
	// URL is the witness's base URL; checkpoints are posted to
	// URL/add-checkpoint (C2SP tlog-witness).
	URL string
}

// Policy says which witnesses must cosign a checkpoint before it is
// published. Its text is Sigsum's policy format, as Tessera reads it:
//
//	witness NAME VKEY URL       # one witness
//	group NAME (all|any|N) MEMBER...
//	quorum NAME                 # the witness or group that must be satisfied
//
// Lines starting with "log" are ignored; "#" starts a comment.
type Policy struct {
	Members []Member
	// Quorum is the component of the policy that must be satisfied.
	Quorum string
	// Group is the policy as Tessera enforces it.
	Group tessera.WitnessGroup
}

// ParsePolicy parses a policy. Errors name the line and the rule. A policy
// must name at least one witness and a quorum other than "none": a server
// that needs no witness runs without a policy.
func ParsePolicy(text []byte) (*Policy, error) {
	p := &Policy{}
	ids := map[string]bool{}
	for i, line := range strings.Split(string(text), "\n") {
		lineNo := i + 1
		if j := strings.Index(line, "#"); j >= 0 {
			line = line[:j]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "witness":
			if len(f) != 4 {
				return nil, fmt.Errorf("policy line %d: want \"witness NAME KEY URL\"", lineNo)
			}
			k, err := ParseKey(f[2])
			if err != nil {
				return nil, fmt.Errorf("policy line %d: %v", lineNo, err)
			}
			u, err := url.Parse(f[3])
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, fmt.Errorf("policy line %d: witness URL %q must be an absolute http or https URL", lineNo, f[3])
			}
			if ids[f[1]] {
				return nil, fmt.Errorf("policy line %d: the name %q is used twice", lineNo, f[1])
			}
			ids[f[1]] = true
			p.Members = append(p.Members, Member{ID: f[1], Key: k, URL: f[3]})
		case "group":
			if len(f) >= 2 {
				ids[f[1]] = true
			}
		case "quorum":
			if len(f) != 2 {
				return nil, fmt.Errorf("policy line %d: want \"quorum NAME\"", lineNo)
			}
			p.Quorum = f[1]
		case "log":
		default:
			return nil, fmt.Errorf("policy line %d: unknown keyword %q (want witness, group, quorum or log)", lineNo, f[0])
		}
	}
	if len(p.Members) == 0 {
		return nil, errors.New("policy: names no witness; add a line \"witness NAME KEY URL\"")
	}
	if p.Quorum == "" || p.Quorum == "none" {
		return nil, errors.New("policy: needs a \"quorum NAME\" line naming a witness or group (quorum none requires no witness: run without a policy instead)")
	}
	g, err := tessera.NewWitnessGroupFromPolicy(text)
	if err != nil {
		return nil, fmt.Errorf("policy: %v", err)
	}
	p.Group = g
	return p, nil
}

// Satisfied reports whether the checkpoint carries the cosignatures the
// policy requires.
func (p *Policy) Satisfied(checkpoint []byte) bool {
	return p.Group.Satisfied(checkpoint)
}

// Cosigned reports, for each member in order, whether its cosignature on
// the checkpoint verifies. The log's own signature is not checked here.
func (p *Policy) Cosigned(checkpoint []byte) []bool {
	out := make([]bool, len(p.Members))
	for i, m := range p.Members {
		_, err := note.Open(checkpoint, note.VerifierList(m.Key.Verifier))
		out[i] = err == nil
	}
	return out
}
