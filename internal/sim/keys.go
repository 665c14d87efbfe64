package sim

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/mod/sumdb/note"
)

// Key is one simulated signing key: its note key name, the private key in
// note's PRIVATE+KEY form (SKey) and the verifier key (VKey). The Ed25519
// seed is derived from the run's seed and the key's name, so a key is the
// same whatever else the run contains, and SKey and VKey are exactly what
// note.GenerateKey returns when it reads that seed.
type Key struct {
	Name string
	SKey string
	VKey string

	priv ed25519.PrivateKey // nil for keys read back from disk until Signer is called
	hash uint32
}

// Key names: the commission, the log, the observer, and one per officer.
const (
	CommissionKeyName = "ecp"
	ObserverKeyName   = "observer.fafen"
)

// The first keys of every run: the commission's, the log's, the observer's.
const observerKey = 2

// PresidingKeyName is the key name of a station's presiding officer:
// "po." and the station ID with '/' replaced by '.'.
func PresidingKeyName(station string) string { return "po." + strings.ReplaceAll(station, "/", ".") }

// ReplacementKeyName is the key name of the key the commission grants on
// election night for a station that has already reported (the re-key and
// replace fraud): the presiding officer's key name and ".2".
func ReplacementKeyName(station string) string { return PresidingKeyName(station) + ".2" }

// ReturningKeyName is the key name of a contest's returning officer.
func ReturningKeyName(contest string) string { return "ro." + contest }

// AgentKeyName is the key name of the polling agent of a party (or of the
// PTI-backed independents, "pti") in a contest.
func AgentKeyName(contest, bloc string) string { return "agent." + contest + "." + bloc }

// newKey derives the named key from the run's seed.
func newKey(seed uint64, name string) Key {
	s := derive(seed, "key", name)
	priv := ed25519.NewKeyFromSeed(s[:])
	vkey, err := note.NewEd25519VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		panic("sim: " + err.Error()) // the public key has the right size
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		panic(fmt.Sprintf("sim: key name %q is not a valid note key name: %v", name, err))
	}
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, v.KeyHash(), base64.StdEncoding.EncodeToString(append([]byte{1}, s[:]...)))
	return Key{Name: name, SKey: skey, VKey: vkey, priv: priv, hash: v.KeyHash()}
}

// newKeys derives the named keys in parallel; the result is in names' order.
func newKeys(seed uint64, names []string) []Key {
	keys := make([]Key, len(names))
	parallel(len(names), func(i int) { keys[i] = newKey(seed, names[i]) })
	return keys
}

// Signer returns a note signer for the key.
func (k *Key) Signer() (note.Signer, error) {
	if k.priv == nil {
		return note.NewSigner(k.SKey)
	}
	return signer{k}, nil
}

// signer signs with a derived key without parsing its SKey again.
type signer struct{ k *Key }

func (s signer) Name() string                    { return s.k.Name }
func (s signer) KeyHash() uint32                 { return s.k.hash }
func (s signer) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.k.priv, msg), nil }

// parallel calls f(0..n-1) on every CPU, in chunks. f must write only to its
// own index's slot, so the result does not depend on scheduling.
func parallel(n int, f func(i int)) {
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk) {
		wg.Go(func() {
			for lo := int(next.Add(chunk) - chunk); lo < n; lo = int(next.Add(chunk) - chunk) {
				for i := lo; i < min(lo+chunk, n); i++ {
					f(i)
				}
			}
		})
	}
	wg.Wait()
}
