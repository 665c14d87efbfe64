// Package testelection builds a small, fully signed election for tests: a
// definition with two National Assembly contests and one provincial one,
// five stations, deterministic keys for every officer, and the genesis and
// key entries that open its log.
package testelection

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"golang.org/x/mod/sumdb/note"
)

// Origin is the test log's origin.
const Origin = "results.example.pk/test"

// Election is a test election with its keys.
type Election struct {
	Def     *election.Definition
	Signers map[string]note.Signer // by key name
	VKeys   map[string]string      // by key name
	// Genesis are the entries that open the log: election, definition parts,
	// then keys.
	Genesis [][]byte
	// LogSigner signs checkpoints; LogVKey verifies them.
	LogSigner note.Signer
	LogVKey   string
}

// Key returns a deterministic key pair: the Ed25519 seed is SHA-256 of the
// name, so tests and their golden files are stable.
func Key(name string) (note.Signer, string) { return KeyFrom(name, name) }

// KeyFrom is Key with the seed taken from seedText: another key of the same
// name, such as the one a commission clerk registers to replace an
// officer's.
func KeyFrom(seedText, name string) (note.Signer, string) {
	seed := sha256.Sum256([]byte(seedText))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		panic(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		panic(err)
	}
	return s, vkey
}

// New builds the test election. Key names: "ecp" (commission), "po.<station>"
// with '/' replaced by '.', "ro.<contest>", "agent.<contest>", "observer".
func New(t testing.TB) *Election { return NewWith(t, nil) }

// NewWith is New with the definition changed by mod (when not nil) before
// it is validated and logged: a test of a definition setting.
func NewWith(t testing.TB, mod func(d *election.Definition)) *Election {
	d, err := election.Builtin("pk-ge2024")
	if err != nil {
		t.Fatal(err)
	}
	d.ID, d.Origin = "pk-test", Origin
	var contests []election.Contest
	for _, id := range []string{"NA-57", "NA-58", "PP-12"} {
		c, _ := d.Contest(id)
		cc := *c
		cc.Name = map[string]string{"NA-57": "Rawalpindi-VI", "NA-58": "Chakwal", "PP-12": "Rawalpindi-VI (PP)"}[id]
		cc.Candidates = []election.Candidate{
			{ID: "1", Name: "Candidate One", LocalName: "امیدوار ایک", Party: "pmln"},
			{ID: "2", Name: "Candidate Two", Party: "pti"},
			{ID: "3", Name: "Candidate Three"},
		}
		contests = append(contests, cc)
	}
	d.Contests = contests
	for i := 1; i <= 3; i++ {
		d.Stations = append(d.Stations, election.Station{ID: fmt.Sprintf("NA-57/PS-%d", i), Registered: 1000, Contests: []string{"NA-57", "PP-12"}})
	}
	for i := 1; i <= 2; i++ {
		d.Stations = append(d.Stations, election.Station{ID: fmt.Sprintf("NA-58/PS-%d", i), Registered: 800, Contests: []string{"NA-58"}})
	}
	if mod != nil {
		mod(d)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	e := &Election{Def: d, Signers: map[string]note.Signer{}, VKeys: map[string]string{}}
	add := func(name string) {
		e.Signers[name], e.VKeys[name] = Key(name)
	}
	add("ecp")
	var grants []record.Grant
	grant := func(role, scope, name string) {
		add(name)
		grants = append(grants, record.Grant{Role: role, Scope: scope, Key: e.VKeys[name]})
	}
	for _, s := range d.Stations {
		grant("presiding", s.ID, StationKey(s.ID))
	}
	for _, c := range d.Contests {
		grant("returning", c.ID, "ro."+c.ID)
		grant("agent", c.ID, "agent."+c.ID)
	}
	grant("observer", "*", "observer")
	e.LogSigner, e.LogVKey = Key(Origin)
	gen, err := registry.Genesis(d, e.Signers["ecp"], e.VKeys["ecp"], time.Date(2024, 1, 20, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := registry.GrantRecords(d.ID, d.Origin, grants, e.Signers["ecp"])
	if err != nil {
		t.Fatal(err)
	}
	e.Genesis = append(gen, keys...)
	return e
}

// CollidingKeys returns two verifier keys of the given name whose 4-byte
// note key IDs are equal but whose keys differ: a birthday search over
// deterministic 32-byte public keys (about 2^16 SHA-256 computations).
// Nobody holds their private keys; they are for grants and revocations.
func CollidingKeys(name string) (string, string) {
	seen := map[uint32]string{}
	for i := uint64(0); ; i++ {
		pub := sha256.Sum256(binary.BigEndian.AppendUint64(nil, i))
		key := append([]byte{1}, pub[:]...)
		h := sha256.Sum256(append([]byte(name+"\n"), key...))
		id := binary.BigEndian.Uint32(h[:4])
		vkey := fmt.Sprintf("%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(key))
		if prev, ok := seen[id]; ok {
			return prev, vkey
		}
		seen[id] = vkey
	}
}

// StationKey returns the key name of a station's presiding officer.
func StationKey(station string) string {
	return "po." + string(bytes.ReplaceAll([]byte(station), []byte("/"), []byte(".")))
}

// Sign signs a record with the named key.
func (e *Election) Sign(t testing.TB, key string, r record.Record) []byte {
	s, ok := e.Signers[key]
	if !ok {
		t.Fatalf("no test key %q", key)
	}
	entry, err := record.Sign(r, s)
	if err != nil {
		t.Fatal(err)
	}
	return entry
}

// Sheet returns a first-revision sheet for a station with the given votes
// (rejected 0, cast the sum of the votes).
func (e *Election) Sheet(contest, station string, votes ...int64) *record.Sheet {
	s := &record.Sheet{Election: e.Def.ID, Log: e.Def.Origin, Contest: contest, Station: station, Revision: 1, Captured: "2024-02-08T18:00:00Z"}
	st, _ := e.Def.Station(station)
	s.Registered = st.Registered
	for i, v := range votes {
		s.Votes = append(s.Votes, record.Count{Candidate: fmt.Sprint(i + 1), Votes: v})
		s.Cast += v
	}
	return s
}

// Order returns an order of a recount or correction of stations of a
// contest, made the morning after polling day.
func (e *Election) Order(contest, kind, reason string, stations ...string) *record.Order {
	return &record.Order{Election: e.Def.ID, Log: e.Def.Origin, Contest: contest, Kind: kind, Stations: stations,
		Reason: reason, Ordered: "2024-02-09T09:00:00Z"}
}

// PostalAccount returns a contest's postal-ballot account, signed in the
// morning of polling day.
func (e *Election) PostalAccount(contest string, issued int64) *record.PostalAccount {
	return &record.PostalAccount{Election: e.Def.ID, Log: e.Def.Origin, Contest: contest, Issued: issued, Accounted: "2024-02-08T04:00:00Z"}
}

// Counts builds a count list for candidates 1..n.
func Counts(votes ...int64) []record.Count {
	var cs []record.Count
	for i, v := range votes {
		cs = append(cs, record.Count{Candidate: fmt.Sprint(i + 1), Votes: v})
	}
	return cs
}

// Replay admits and records entries into a fresh registry, failing the test
// on the first rejection.
func (e *Election) Replay(t testing.TB, entries ...[]byte) *registry.Registry {
	r := registry.New(Origin)
	for i, entry := range append(append([][]byte{}, e.Genesis...), entries...) {
		env, err := record.Open(entry)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if _, err := r.Admit(env); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		r.Record(uint64(i), env)
	}
	return r
}

// GenesisBatches splits the genesis as an intake takes it: the election
// record alone, then the definition's parts (appended unordered), then the
// keys records (appended unordered).
func (e *Election) GenesisBatches(t testing.TB) (electionRecord []byte, definition, keys [][]byte) {
	byType := map[string][][]byte{}
	for _, entry := range e.Genesis[1:] {
		env, err := record.Open(entry)
		if err != nil {
			t.Fatal(err)
		}
		byType[env.Record.Type()] = append(byType[env.Record.Type()], entry)
	}
	return e.Genesis[0], byType["definition"], byType["keys"]
}
