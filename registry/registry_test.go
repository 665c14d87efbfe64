package registry_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

func TestGenesisReplays(t *testing.T) {
	e := testelection.New(t)
	r := e.Replay(t)
	if r.Definition() == nil || r.Definition().ID != "pk-test" {
		t.Fatal("definition not established")
	}
	if _, ok := r.Key("po.NA-57.PS-1", e.Signers["po.NA-57.PS-1"].KeyHash()); !ok {
		t.Fatal("presiding key not registered")
	}
}

// TestAdmitRefuses is the catalogue of records the log refuses, each with
// the rule that names why. None of them changes the registry.
func TestAdmitRefuses(t *testing.T) {
	e := testelection.New(t)
	good := e.Sheet("NA-57", "NA-57/PS-1", 100, 200, 50)
	goodEntry := e.Sign(t, "po.NA-57.PS-1", good)
	goodEnv, _ := record.Open(goodEntry)
	goodHash := goodEnv.HashHex()
	other := e.Sheet("NA-58", "NA-58/PS-1", 1, 2, 3)
	otherEnv, _ := record.Open(e.Sign(t, "po.NA-58.PS-1", other))
	_, stranger := testelection.Key("stranger")
	strangerSigner, _ := testelection.Key("stranger")

	mod := func(f func(s *record.Sheet)) *record.Sheet {
		c := *e.Sheet("NA-57", "NA-57/PS-2", 100, 200, 50)
		c.Votes = append([]record.Count(nil), c.Votes...)
		f(&c)
		return &c
	}
	cases := []struct {
		name  string
		key   string
		rec   record.Record
		entry []byte
		want  string
	}{
		{name: "wrong station's officer", key: "po.NA-57.PS-2", rec: good, want: "signature: key po.NA-57.PS-2 may not sign this record"},
		{name: "unregistered key", entry: mustSign(t, strangerSigner, good), want: "signature: key stranger+"},
		{name: "another election", key: "po.NA-57.PS-1", rec: func() *record.Sheet { c := *good; c.Election = "pk-ge2018"; return &c }(), want: `election: the record is for election "pk-ge2018"`},
		{name: "unknown contest", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Contest = "NA-999" }), want: `contest: unknown contest "NA-999"`},
		{name: "unknown station", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Station = "NA-57/PS-99" }), want: `station: unknown station "NA-57/PS-99"`},
		{name: "station not in contest", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Contest = "NA-58" }), want: "station: station NA-57/PS-2 does not vote in contest NA-58"},
		{name: "missing candidate", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Votes = s.Votes[:2] }), want: "votes: 2 candidates listed, contest NA-57 has 3"},
		{name: "unknown candidate", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Votes[2].Candidate = "9" }), want: `votes: line 3 names candidate "9"`},
		{name: "supersedes nothing logged", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) {
			s.Revision, s.Supersedes, s.Reason = 2, strings.Repeat("ab", 32), "recount"
		}), want: "supersedes: no record with hash abab"},
		{name: "supersedes another station", key: "ro.NA-57", rec: mod(func(s *record.Sheet) {
			s.Revision, s.Supersedes, s.Reason = 2, goodHash, "recount"
		}), want: "is not a sheet of station NA-57/PS-2"},
		{name: "declaration by presiding officer", key: "po.NA-57.PS-1", rec: &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(1, 2, 3), Declared: "2024-02-08T20:00:00Z"}, want: "may not sign this record: a declaration is signed by the returning officer"},
		{name: "declaration by another contest's RO", key: "ro.NA-58", rec: &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(1, 2, 3), Declared: "2024-02-08T20:00:00Z"}, want: "returning officer registered for contest NA-57"},
		{name: "declaration missing a foreign station", key: "ro.NA-57", rec: &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(1, 2, 3), Missing: []string{"NA-58/PS-1"}, Declared: "2024-02-08T20:00:00Z"}, want: `missing: station "NA-58/PS-1" does not vote in contest NA-57`},
		{name: "countersign of another station's sheet", key: "agent.NA-58", rec: &record.Attestation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-58", Station: "NA-58/PS-2", Kind: "countersign", Sheet: otherEnv.HashHex(), Captured: "2024-02-08T20:00:00Z"}, want: "sheet: no record with hash"},
		{name: "agent outside their contest", key: "agent.NA-58", rec: &record.Attestation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy", Votes: testelection.Counts(1, 2, 3), Captured: "2024-02-08T20:00:00Z"}, want: "may not sign this record: an attestation"},
		{name: "keys by a returning officer", key: "ro.NA-57", rec: &record.Keys{Election: "pk-test", Log: testelection.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-1", Key: stranger}}}, want: "only the commission registers"},
		{name: "grant for unknown station", key: "ecp", rec: &record.Keys{Election: "pk-test", Log: testelection.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-77", Key: stranger}}}, want: `grant 1: unknown station "NA-57/PS-77"`},
		{name: "revoke the root key", key: "ecp", rec: &record.Keys{Election: "pk-test", Log: testelection.Origin, Revoke: []string{e.VKeys["ecp"]}}, want: "cannot be revoked"},
		{name: "affiliation of a party candidate", key: "ecp", rec: &record.Affiliation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Candidate: "1", Party: "sic", Joined: "2024-02-17"}, want: "candidate 1 stood for party pmln"},
		{name: "second election record", key: "ecp", rec: &record.Election{Election: "pk-test", Origin: testelection.Origin, Commission: e.VKeys["ecp"], DefinitionSHA256: strings.Repeat("00", 32), DefinitionParts: 1, Created: "2024-01-01T00:00:00Z"}, want: "already has its election record"},
		{name: "duplicate", entry: goodEntry, want: "already in the log"},
		// One log, one election, one time.
		{name: "record of a rehearsal log", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Log = "results.example.pk/rehearsal" }), want: `log: the record is signed for log "results.example.pk/rehearsal" but this log is "results.example.pk/test"`},
		{name: "captured in year 0000", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Captured = "0000-01-01T00:00:00Z" }), want: "captured: 0000-01-01T00:00:00Z is outside the election's window, 2024-02-07T19:00:00Z to 2024-08-06T19:00:00Z"},
		{name: "captured in year 9999", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Captured = "9999-12-31T23:59:59Z" }), want: "captured: 9999-12-31T23:59:59Z is outside the election's window"},
		{name: "captured the day before polling day", key: "po.NA-57.PS-2", rec: mod(func(s *record.Sheet) { s.Captured = "2024-02-07T18:59:59Z" }), want: "captured: 2024-02-07T18:59:59Z is outside"},
		{name: "declared after the window closes", key: "ro.NA-57", rec: &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(1, 2, 3), Declared: "2024-08-06T19:00:00Z"}, want: "declared: 2024-08-06T19:00:00Z is outside"},
		{name: "attestation captured in 9999", key: "agent.NA-57", rec: &record.Attestation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "countersign", Sheet: goodHash, Captured: "9999-01-01T00:00:00Z"}, want: "captured: 9999-01-01T00:00:00Z is outside"},
		// A definition without polls_close bounds an account by the window
		// alone: in 9999 it moved the log's clock (every declaration
		// awaiting sheets overdue, every reader's deadline past).
		{name: "postal account accounted in 9999", key: "ro.NA-57", rec: &record.PostalAccount{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Issued: 10, Accounted: "9999-12-31T23:59:59Z"}, want: "accounted: 9999-12-31T23:59:59Z is outside the election's window"},
		{name: "postal account accounted before the poll", key: "ro.NA-57", rec: &record.PostalAccount{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Issued: 10, Accounted: "2020-01-01T00:00:00Z"}, want: "accounted: 2020-01-01T00:00:00Z is outside"},
		{name: "gazette notified before the poll", key: "ecp", rec: &record.Gazette{Election: "pk-test", Log: testelection.Origin, Assembly: "NA", Notified: "2024-02-07"}, want: "notified: 2024-02-07 is outside"},
	}
	r := e.Replay(t, goodEntry)
	size := r.Size()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entry := c.entry
			if entry == nil {
				entry = e.Sign(t, c.key, c.rec)
			}
			env, err := record.Open(entry)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Admit(env)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if r.Size() != size {
				t.Fatal("a refused record changed the registry")
			}
		})
	}
}

// TestWindowEdges admits the first and last second of the election's
// window.
func TestWindowEdges(t *testing.T) {
	e := testelection.New(t)
	r := e.Replay(t)
	for _, at := range []string{"2024-02-07T19:00:00Z", "2024-08-06T18:59:59Z"} {
		s := e.Sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
		s.Captured = at
		env, _ := record.Open(e.Sign(t, "po.NA-57.PS-2", s))
		if _, err := r.Admit(env); err != nil {
			t.Errorf("captured %s: %v", at, err)
		}
	}
	start, end := registry.Window(e.Def)
	if got := end.Sub(start); got != (registry.WindowDays+1)*24*time.Hour {
		t.Errorf("window lasts %v", got)
	}
}

// TestKeysByFullHash: two keys with the same name and 4-byte key ID are
// different keys. The second cannot be granted (a signature could not say
// which signed), and revoking it does not revoke the first.
func TestKeysByFullHash(t *testing.T) {
	e := testelection.New(t)
	a, b := testelection.CollidingKeys("po.NA-57.PS-3")
	if a == b || a[:len("po.NA-57.PS-3")+9] != b[:len("po.NA-57.PS-3")+9] {
		t.Fatalf("not a collision: %s %s", a, b)
	}
	grantA := e.Sign(t, "ecp", &record.Keys{Election: "pk-test", Log: testelection.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-3", Key: a}}})
	r := e.Replay(t, grantA)
	size := r.Size()
	for _, c := range []struct {
		name string
		rec  *record.Keys
		want string
	}{
		{"grant a colliding key", &record.Keys{Election: "pk-test", Log: testelection.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-3", Key: b}}}, "grant 1: key po.NA-57.PS-3+"},
		{"revoke a colliding key", &record.Keys{Election: "pk-test", Log: testelection.Origin, Revoke: []string{b}}, "revoke 1: key po.NA-57.PS-3 (full key hash"},
	} {
		env, _ := record.Open(e.Sign(t, "ecp", c.rec))
		if _, err := r.Admit(env); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		if r.Size() != size {
			t.Fatal("a refused record changed the registry")
		}
	}
	both := &record.Keys{Election: "pk-test", Log: testelection.Origin, Grants: []record.Grant{
		{Role: "presiding", Scope: "NA-57/PS-3", Key: b}, {Role: "presiding", Scope: "NA-57/PS-2", Key: a}}}
	env, _ := record.Open(e.Sign(t, "ecp", both))
	if _, err := e.Replay(t).Admit(env); err == nil || !strings.Contains(err.Error(), "grant 2: key po.NA-57.PS-3+") {
		t.Errorf("two colliding keys in one record: got %v", err)
	}
	// Revoking a by its full key revokes a, found by its full hash.
	revokeA := e.Sign(t, "ecp", &record.Keys{Election: "pk-test", Log: testelection.Origin, Revoke: []string{a}})
	r = e.Replay(t, grantA, revokeA)
	k, ok := r.KeyOf(a)
	if !ok || !k.Revoked || k.RevokedAt != uint64(len(e.Genesis)+1) || k.Grants[0].At != uint64(len(e.Genesis)) {
		t.Errorf("key a after its revocation: %+v", k)
	}
	if _, ok := r.KeyOf(b); ok {
		t.Error("key b is registered")
	}
}

func TestRevokedKeyRefused(t *testing.T) {
	e := testelection.New(t)
	revoke := e.Sign(t, "ecp", &record.Keys{Election: "pk-test", Log: testelection.Origin, Revoke: []string{e.VKeys["po.NA-57.PS-1"]}})
	r := e.Replay(t, revoke)
	env, _ := record.Open(e.Sign(t, "po.NA-57.PS-1", e.Sheet("NA-57", "NA-57/PS-1", 1, 2, 3)))
	if _, err := r.Admit(env); err == nil || !strings.Contains(err.Error(), "was revoked") {
		t.Fatalf("got %v", err)
	}
}

func TestFirstEntryMustBeElection(t *testing.T) {
	e := testelection.New(t)
	r := registry.New(testelection.Origin)
	env, _ := record.Open(e.Genesis[1])
	if _, err := r.Admit(env); err == nil || !strings.Contains(err.Error(), "first entry of a log must be the election record") {
		t.Fatalf("got %v", err)
	}
	r2 := registry.New("results.example.pk/other")
	env0, _ := record.Open(e.Genesis[0])
	if _, err := r2.Admit(env0); err == nil || !strings.Contains(err.Error(), "this log is") {
		t.Fatalf("got %v", err)
	}
}

func mustSign(t *testing.T, s interface {
	Name() string
	KeyHash() uint32
	Sign([]byte) ([]byte, error)
}, r record.Record) []byte {
	entry, err := record.Sign(r, s)
	if err != nil {
		t.Fatal(err)
	}
	return entry
}
