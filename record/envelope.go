package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/tallylog/tallylog/election"
	"golang.org/x/mod/sumdb/note"
)

// MaxEntry is the largest log entry: tlog-tiles bundles prefix each entry
// with a 16-bit length.
const MaxEntry = 65535

// Envelope is a parsed log entry: a signed note whose text is a record body.
type Envelope struct {
	Entry   []byte   // the signed note, byte for byte as logged
	Body    []byte   // the note's text (the canonical record body)
	Record  Record   // the parsed body
	KeyName string   // the signer's key name
	KeyHash uint32   // the signer's key ID
	Hash    [32]byte // SHA-256 of Entry: the record's identity
	sig     [64]byte
}

// HashHex returns the record's hash in the hex form other records use.
func (e *Envelope) HashHex() string { return hex.EncodeToString(e.Hash[:]) }

// Open parses a log entry without checking its signature: the signature can
// only be checked against a key the log has registered (Verify). It accepts
// exactly one signature line and a canonical body.
func Open(entry []byte) (*Envelope, error) {
	if len(entry) > MaxEntry {
		return nil, fieldErr("entry", "%d bytes is over the %d-byte limit of a log entry", len(entry), MaxEntry)
	}
	i := bytes.Index(entry, []byte("\n\n"))
	if i < 0 {
		return nil, fieldErr("signature", "missing: a signed record is its text, a blank line, and one signature line")
	}
	body, sigs := entry[:i+1], entry[i+2:]
	if bytes.Count(sigs, []byte("\n")) != 1 || !bytes.HasSuffix(sigs, []byte("\n")) {
		return nil, fieldErr("signature", "exactly one signature line is required after the blank line")
	}
	rest, ok := bytes.CutPrefix(sigs[:len(sigs)-1], []byte("— "))
	name, b64, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok || !ok2 || len(name) == 0 || bytes.ContainsAny(name, " +") {
		return nil, fieldErr("signature", "the signature line must be '— <key name> <base64 signature>'")
	}
	if bytes.ContainsFunc(name, election.Bidi) {
		return nil, fieldErr("signature", "the key name holds a bidirectional control character, which makes it display as another name")
	}
	// The key ID and signature, in the one base64 text that encodes them
	// (the decoder skips line breaks, so the text is encoded back and
	// compared).
	var raw [4 + 64 + 1]byte
	var again [(4 + 64 + 2) / 3 * 4]byte
	if len(b64) != len(again) {
		return nil, fieldErr("signature", "not a canonical base64 key ID and Ed25519 signature")
	}
	n, err := base64.StdEncoding.Strict().Decode(raw[:], b64)
	if err == nil && n == 4+64 {
		base64.StdEncoding.Encode(again[:], raw[:n])
	}
	if err != nil || n != 4+64 || !bytes.Equal(again[:], b64) {
		return nil, fieldErr("signature", "not a canonical base64 key ID and Ed25519 signature")
	}
	rec, err := ParseBody(body)
	if err != nil {
		return nil, err
	}
	return &Envelope{
		Entry: entry, Body: body, Record: rec, KeyName: string(name),
		KeyHash: binary.BigEndian.Uint32(raw[:4]), Hash: sha256.Sum256(entry), sig: [64]byte(raw[4 : 4+64]),
	}, nil
}

// ErrBadSignature is returned by Verify when the signature does not verify.
var ErrBadSignature = errors.New("signature does not verify with the registered key: the record was altered or signed with another key")

// Verify checks the signature with the signer's registered key.
func (e *Envelope) Verify(v note.Verifier) error {
	if v.Name() != e.KeyName || v.KeyHash() != e.KeyHash {
		return fmt.Errorf("signature: key %s+%08x is not the registered key %s+%08x", e.KeyName, e.KeyHash, v.Name(), v.KeyHash())
	}
	if !v.Verify(e.Body, e.sig[:]) {
		return ErrBadSignature
	}
	return nil
}

// Sign checks a record and signs its canonical body, returning the log entry.
func Sign(r Record, s note.Signer) ([]byte, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	body := Encode(r)
	// What is signed must read back: a record its own log would refuse is
	// a bug here, never something to send.
	if _, err := ParseBody(body); err != nil {
		return nil, fmt.Errorf("record does not read back after encoding: %w", err)
	}
	entry, err := note.Sign(&note.Note{Text: string(body)}, s)
	if err != nil {
		return nil, err
	}
	if len(entry) > MaxEntry {
		return nil, fieldErr("entry", "%d bytes is over the %d-byte limit of a log entry: split the record", len(entry), MaxEntry)
	}
	return entry, nil
}

// checkVerifierKey checks a note verifier key (name+hash+base64 key).
func checkVerifierKey(field, vkey string) error {
	if err := verifierKeyError(field, vkey); err != nil {
		return err
	}
	return nil
}

// verifierKeyError is checkVerifierKey as a *FieldError, nil when the key
// is good.
func verifierKeyError(field, vkey string) *FieldError {
	if strings.ContainsAny(vkey, " \t\r\n") {
		return fieldError(field, "a verifier key holds no white space")
	}
	if _, err := note.NewVerifier(vkey); err != nil {
		return fieldError(field, "%q is not a verifier key of the form name+hash+key (from tallylog keygen): %v", vkey, err)
	}
	if strings.ContainsFunc(vkey, election.Bidi) {
		return fieldError(field, "the key's name holds a bidirectional control character, which makes it display as another name: make a new key")
	}
	return nil
}
