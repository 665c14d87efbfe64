package verify

import (
	"bytes"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"golang.org/x/mod/sumdb/tlog"
)

// TestReauthenticate reads a bundle ahead with no key registered, then
// registers the signer's key, as the replay of an earlier bundle would:
// reauthenticate must then verify the entries signed by that key, from the
// first entry it is given, leaving a forged entry and an entry by an
// unregistered key for the sequential replay.
func TestReauthenticate(t *testing.T) {
	e := testelection.New(t)
	reg := e.Replay(t)
	copyOf := func(i int) *record.Attestation {
		return &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
			Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50),
			Captured: time.Date(2024, 2, 8, 18, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)}
	}
	stranger, _ := testelection.Key("observer2")
	byStranger, err := record.Sign(copyOf(3), stranger)
	if err != nil {
		t.Fatal(err)
	}
	entries := [][]byte{
		e.Sign(t, "observer", copyOf(0)),
		e.Sign(t, "observer", copyOf(1)),
		bytes.Replace(e.Sign(t, "observer", copyOf(2)), []byte("votes 1 300"), []byte("votes 1 301"), 1),
		byStranger,
	}
	keys := &keyTable{m: map[registry.KeyID]*registry.Key{}}
	leaves, envs, vs := authenticate(keys, entries)
	for i := range entries {
		if leaves[i] != tlog.RecordHash(entries[i]) {
			t.Fatalf("entry %d read ahead: leaf hash %x, want %x", i, leaves[i], tlog.RecordHash(entries[i]))
		}
		if envs[i] == nil || vs[i] != nil {
			t.Fatalf("entry %d read ahead with no key: parsed %v, verified %v", i, envs[i] != nil, vs[i] != nil)
		}
	}
	key, ok := reg.Key(envs[0].KeyName, envs[0].KeyHash)
	if !ok {
		t.Fatal("the observer's key is not registered")
	}
	keys.m[registry.KeyID{Name: envs[0].KeyName, Hash: envs[0].KeyHash}] = key
	reauthenticate(keys, readBundle{entries: entries, envs: envs, vs: vs}, 1)
	for i, want := range []bool{false, true, false, false} {
		if got := vs[i] != nil; got != want {
			t.Errorf("entry %d: verified %v, want %v", i, got, want)
		}
	}
}
