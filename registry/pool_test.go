package registry_test

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// TestPoolKeepsRulingsApart holds two registries of one pool at different
// points of the same log, as a server's intake (ahead) and tally (behind)
// are: they share the definition and a key's identity, but a grant or a
// revocation counts in a registry only once it has recorded it, and every
// verdict is the one a registry of its own reaches.
func TestPoolKeepsRulingsApart(t *testing.T) {
	e := testelection.New(t)
	signer, vkey := testelection.Key("po.NA-57.PS-2.spare")
	grant := e.Sign(t, "ecp", &record.Keys{Election: "pk-test", Log: testelection.Origin,
		Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-2", Key: vkey}}})
	sheet := mustSign(t, signer, e.Sheet("NA-57", "NA-57/PS-2", 100, 200, 50))
	revoke := e.Sign(t, "ecp", &record.Keys{Election: "pk-test", Log: testelection.Origin, Revoke: []string{vkey}})
	log := append(append([][]byte{}, e.Genesis...), grant, sheet, revoke)
	envs := make([]*record.Envelope, len(log))
	for i, entry := range log {
		env, err := record.Open(entry)
		if err != nil {
			t.Fatal(err)
		}
		envs[i] = env
	}
	pool := registry.NewPool()
	ahead, behind, alone := pool.New(testelection.Origin), pool.New(testelection.Origin), registry.New(testelection.Origin)

	// verdicts checks that behind and a registry of its own, at the same
	// point of the log, rule alike on every entry of it.
	verdicts := func(at string) {
		t.Helper()
		for i, env := range envs {
			_, got := behind.Admit(env)
			_, want := alone.Admit(env)
			if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
				t.Errorf("%s: entry %d: pooled registry says %v, a registry of its own %v", at, i, got, want)
			}
		}
	}
	record := func(r *registry.Registry, upto int) {
		t.Helper()
		for i := int(r.Size()); i < upto; i++ {
			if _, err := r.Admit(envs[i]); err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			r.Record(uint64(i), envs[i])
		}
	}
	g := len(e.Genesis)
	record(ahead, g+2) // the grant and the spare key's sheet
	record(behind, g)
	record(alone, g)
	if ahead.Definition() != behind.Definition() {
		t.Error("the two registries of the pool hold two definitions")
	}
	if _, ok := behind.KeyOf(vkey); ok {
		t.Error("a key granted in the registry ahead is registered in the one behind")
	}
	if _, err := behind.Admit(envs[g+1]); err == nil || !strings.Contains(err.Error(), "is not registered") {
		t.Errorf("the registry behind admits the spare key's sheet before its grant: %v", err)
	}
	verdicts("before the grant")

	record(ahead, g+3) // the revocation
	record(behind, g+1)
	record(alone, g+1)
	ka, _ := ahead.KeyOf(vkey)
	kb, ok := behind.KeyOf(vkey)
	if !ok || ka.Verifier != kb.Verifier || ka.VKey != kb.VKey {
		t.Fatalf("the key's identity is not shared: %+v, %+v", ka, kb)
	}
	if !ka.Revoked || kb.Revoked {
		t.Errorf("revoked ahead %v (want true), behind %v (want false)", ka.Revoked, kb.Revoked)
	}
	if len(kb.Grants) != 1 || kb.Grants[0].Role() != "presiding" || kb.Grants[0].Scope != "NA-57/PS-2" || kb.Grants[0].At != uint64(g) {
		t.Errorf("grants behind: %+v", kb.Grants)
	}
	verdicts("after the grant")

	record(behind, g+3)
	record(alone, g+3)
	verdicts("at the end")
	if kb, _ := behind.KeyOf(vkey); !kb.Revoked || kb.RevokedAt != uint64(g+2) {
		t.Errorf("behind, after the revocation: %+v", kb)
	}
	for i, env := range envs {
		a, _ := ahead.Lookup(env.Hash)
		b, _ := behind.Lookup(env.Hash)
		c, _ := alone.Lookup(env.Hash)
		if a != b || b != c || a.Index != uint64(i) {
			t.Errorf("entry %d: refs %+v, %+v, %+v", i, a, b, c)
		}
	}
}
