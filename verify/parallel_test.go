package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/note"
)

// TestCoresDoNotMatter verifies the same logs with one core and with
// several: the signatures are checked on every core ahead of the replay,
// and the results must be the same bytes, and a failure the same failure
// at the same index, whatever the number of cores. One log is the fixture;
// the other is written with the ledger alone (no intake to refuse it),
// with a forged record in the middle of a bundle, between records whose
// signer's key is granted in the same bundle.
func TestCoresDoNotMatter(t *testing.T) {
	clean, e := tamperLog(t)
	v, err := note.NewVerifier(e.LogVKey)
	if err != nil {
		t.Fatal(err)
	}
	forged, forgedAt := forgedLog(t, e)
	run := func(dir string) string {
		src, err := verify.NewSource(dir)
		if err != nil {
			t.Fatal(err)
		}
		res, err := verify.Log(context.Background(), src, v, verify.Options{})
		if err != nil {
			return "error: " + err.Error()
		}
		out, err := json.Marshal(res.Tally.Summary(res.Tally.Latest()))
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d %s %s", res.TreeSize, res.Root, out)
	}
	for _, dir := range []string{clean, forged} {
		old := runtime.GOMAXPROCS(1)
		one := run(dir)
		runtime.GOMAXPROCS(4)
		four := run(dir)
		runtime.GOMAXPROCS(old)
		if one != four {
			t.Errorf("%s: one core gives\n%s\nfour give\n%s", dir, one, four)
		}
	}
	want := fmt.Sprintf("error: index %d (attestation record): attestation refused: signature: ", forgedAt)
	if got := run(forged); !bytes.HasPrefix([]byte(got), []byte(want)) {
		t.Errorf("the forged log: %s; want a signature failure naming its index", got)
	}
}

// forgedLog writes a log through the ledger alone: the genesis, a copy by
// the observer, a keys record granting a new observer key, a copy by that
// key, a forged copy (one vote changed after signing), and more copies.
// It returns the log's directory and the forged copy's index.
func forgedLog(t *testing.T, e *testelection.Election) (string, int) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lg, err := ledger.Open(ctx, dir, e.LogSigner, e.LogVKey, ledger.Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	copyOf := func(i int) *record.Attestation {
		return &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
			Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50),
			Captured: time.Date(2024, 2, 8, 18, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)}
	}
	newSigner, newVKey := testelection.Key("observer2")
	grant, err := record.Sign(&record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: []record.Grant{{Role: "observer", Scope: "*", Key: newVKey}}}, e.Signers["ecp"])
	if err != nil {
		t.Fatal(err)
	}
	byNew, err := record.Sign(copyOf(1), newSigner)
	if err != nil {
		t.Fatal(err)
	}
	entries := append([][]byte{}, e.Genesis...)
	entries = append(entries, e.Sign(t, "observer", copyOf(0)), grant, byNew,
		bytes.Replace(e.Sign(t, "observer", copyOf(2)), []byte("votes 1 300"), []byte("votes 1 301"), 1))
	for i := range 20 {
		entries = append(entries, e.Sign(t, "observer", copyOf(3+i)))
	}
	for _, entry := range entries { // one at a time: the order is the log's
		if _, err := lg.Append(ctx, entry); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := lg.WaitCheckpoint(ctx, uint64(len(entries))); err != nil {
		t.Fatal(err)
	}
	if err := lg.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return dir, len(e.Genesis) + 3
}
