package registry

import "github.com/tallylog/tallylog/record"

// Verified is a record whose signature has been verified with a key: the
// one check a process may skip when it meets the same record again (a
// server's tally applying what its own intake appended). Only Authenticate
// makes one, so holding a *Verified is the proof that the check ran in this
// process; it cannot be claimed with a string or a flag.
//
// It says nothing about whether the key may sign the record, or whether the
// key is still registered: AdmitVerified asks the registry of the moment,
// and verifies again if the record's signer is now another key.
type Verified struct {
	env  *record.Envelope
	vkey string // the verifier key the signature verified with
}

// Authenticate verifies env's signature with key and returns the proof.
// The error is a *Rejection of field "signature".
func Authenticate(env *record.Envelope, key *Key) (*Verified, error) {
	if err := env.Verify(key.Verifier); err != nil {
		return nil, reject("signature", "%v", err)
	}
	return &Verified{env: env, vkey: key.VKey}, nil
}

// Envelope returns the verified record.
func (v *Verified) Envelope() *record.Envelope { return v.env }

// By reports whether the signature was verified with key. Key identity is
// the verifier key itself, so a key registered again under the same name
// and key hash but different bytes is not the same key.
func (v *Verified) By(key *Key) bool { return key != nil && v.vkey == key.VKey }

// Authenticate looks up the key registered to sign env (Signer) and
// verifies the signature with it. It changes nothing and does not apply
// the other rules (Check does).
func (r *Registry) Authenticate(env *record.Envelope) (*Verified, error) {
	key, err := r.Signer(env)
	if err != nil {
		return nil, err
	}
	return Authenticate(env, key)
}

// AdmitVerified is Admit for a record whose signature this process has
// verified: the signature is verified again only if the key now
// registered for its signer is not the one it was verified with.
func (r *Registry) AdmitVerified(v *Verified) (*Key, error) {
	key, err := r.Signer(v.env)
	if err != nil {
		return nil, err
	}
	if !v.By(key) {
		if _, err := Authenticate(v.env, key); err != nil {
			return nil, err
		}
	}
	return key, r.Check(v.env, key)
}
