package evidence_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/evidence"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/internal/web"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/note"
)

// TestPackSaysWhoSigned: a pack states who signed each correction (the
// key, and the entry that granted it) and an order only where the sheet
// names one the pack proves; a correction without one is its signer's own
// act, never "on the order of" anyone.
func TestPackSaysWhoSigned(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e := testelection.New(t)
	dir := datadir.Dir{Root: t.TempDir()}
	logSKey, logVKey, err := note.GenerateKey(rand.Reader, testelection.Origin)
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.Create(&datadir.Meta{Origin: testelection.Origin, LogKey: logVKey, Election: e.Def.ID}, logSKey); err != nil {
		t.Fatal(err)
	}
	srv, err := web.Open(ctx, dir, web.Options{Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	var size uint64
	appendEntry := func(entry []byte) string {
		t.Helper()
		if _, err := srv.Intake.Append(ctx, entry); err != nil {
			t.Fatal(err)
		}
		size++
		h := sha256.Sum256(entry)
		return hex.EncodeToString(h[:])
	}
	for _, g := range e.Genesis {
		appendEntry(g)
	}
	add := func(key string, r record.Record) string { t.Helper(); return appendEntry(e.Sign(t, key, r)) }
	fix := func(station string, supersedes, order string, votes ...int64) *record.Sheet {
		s := e.Sheet("NA-57", station, votes...)
		s.Revision, s.Supersedes, s.Order, s.Reason = 2, supersedes, order, "arithmetic error corrected"
		if order != "" {
			s.Captured = "2024-02-09T10:00:00Z" // after the order, at 09:00
		}
		return s
	}
	s1 := add("po.NA-57.PS-1", e.Sheet("NA-57", "NA-57/PS-1", 300, 200, 50))
	s2 := add("po.NA-57.PS-2", e.Sheet("NA-57", "NA-57/PS-2", 240, 270, 40))
	s3 := add("po.NA-57.PS-3", e.Sheet("NA-57", "NA-57/PS-3", 280, 210, 30))
	order := add("ro.NA-57", e.Order("NA-57", record.OrderRecount, "recount at a candidate's request", "NA-57/PS-1"))
	add("ro.NA-57", fix("NA-57/PS-1", s1, order, 290, 210, 50))
	add("po.NA-57.PS-2", fix("NA-57/PS-2", s2, "", 200, 310, 40))
	newKey, vkey := testelection.KeyFrom("new key", "po.NA-57.PS-3")
	add("ecp", &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-3", Key: vkey}}})
	replacement, err := record.Sign(fix("NA-57/PS-3", s3, "", 180, 310, 30), newKey)
	if err != nil {
		t.Fatal(err)
	}
	appendEntry(replacement)
	if _, _, err := srv.Log.WaitCheckpoint(ctx, size); err != nil {
		t.Fatal(err)
	}
	src, err := verify.NewSource(dir.Root)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := evidence.Export(ctx, &buf, src, evidence.ImagesAt(dir.Root), srv.LogVerifier, "NA-57", evidence.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := evidence.Verify(buf.Bytes(), srv.LogVerifier, nil)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, s := range got.Statements {
		all = append(all, "["+s.Severity+"] "+s.Text)
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		// The ordered recount: the signer, its grant, the order and its signer.
		"At NA-57/PS-1, revision 2 of the sheet",
		"It is signed by key " + e.VKeys["ro.NA-57"] + ", granted to the returning officer of NA-57 at entry",
		"carries out the recount order logged at index",
		"signed by key " + e.VKeys["ro.NA-57"] + ", granted to the returning officer of NA-57",
		// The self-correction: the officer's own act.
		"[medium] At NA-57/PS-2, revision 2 of the sheet",
		"It is signed by key " + e.VKeys["po.NA-57.PS-2"] + ", granted to the presiding officer of NA-57/PS-2 at entry",
		"names no recount or correction order: the signer made this change on their own",
		// The re-keyed replacement: both keys.
		"It is signed by key " + vkey + ", granted to the presiding officer of NA-57/PS-3 at entry",
		"[high] The tally raises a rekey-replace flag at NA-57/PS-3: revision 2 of the sheet replaces the station's reported revision 1 without a recount or correction order; it is signed by key " + vkey,
		"[medium] The tally raises a station-rekeyed flag at NA-57/PS-3: key " + vkey + " was granted for this station after it had reported with key " + e.VKeys["po.NA-57.PS-3"],
		"[medium] The tally raises a unordered-correction flag at NA-57/PS-2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the pack does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "on the order of") {
		t.Errorf("the pack states an order as fact:\n%s", text)
	}
}
