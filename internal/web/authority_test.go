package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/verify"
)

// TestAuthorityRoutes plays, through the submission API of a real server,
// the routes of issue 13 an official who knows the rules would take around
// the authority for a result, and checks that each ends refused (a 4xx
// naming the field, the log unchanged) or flagged with the records that
// prove it; then that tallylog's verifier, reading the log over HTTP,
// reaches byte-identical flags and summary.
func TestAuthorityRoutes(t *testing.T) {
	ts := newTestSite(t)
	e := ts.E
	post := func(entry []byte) (int, string, string) {
		t.Helper()
		resp, err := http.Post(ts.HTTP.URL+"/api/v1/records", "text/plain; charset=utf-8", bytes.NewReader(entry))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var je struct{ Field, Rule string }
		json.Unmarshal(body, &je)
		if resp.StatusCode == 200 {
			index, err := strconv.ParseUint(resp.Header.Get("X-Log-Index"), 10, 64)
			if err != nil {
				t.Fatalf("no X-Log-Index: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := ts.Srv.WaitApplied(ctx, index+1); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, je.Field, je.Rule
	}
	hashOf := func(entry []byte) string { h := sha256.Sum256(entry); return hex.EncodeToString(h[:]) }
	accept := func(what string, entry []byte) string {
		t.Helper()
		if status, field, rule := post(entry); status != 200 {
			t.Fatalf("%s: %d %s: %s", what, status, field, rule)
		}
		return hashOf(entry)
	}
	refuse := func(what string, entry []byte, status int, field, rule string) {
		t.Helper()
		size := ts.Srv.Tally.Size()
		flags := flagsJSON(t, ts.Srv.Tally)
		got, f, r := post(entry)
		if got != status || f != field || !strings.Contains(r, rule) {
			t.Errorf("%s: got %d %s: %s; want %d %s: ...%s...", what, got, f, r, status, field, rule)
		}
		if ts.Srv.Tally.Size() != size || flagsJSON(t, ts.Srv.Tally) != flags {
			t.Errorf("%s: the refused record changed the log or the flags", what)
		}
	}
	sheet := func(station string, votes ...int64) *record.Sheet { return e.Sheet("NA-57", station, votes...) }
	revision := func(station string, rev int64, supersedes, order string, votes ...int64) *record.Sheet {
		s := sheet(station, votes...)
		s.Revision, s.Supersedes, s.Order, s.Reason, s.Captured = rev, supersedes, order, "arithmetic error corrected", "2024-02-08T19:30:00Z"
		if order != "" {
			s.Captured = "2024-02-09T10:00:00Z" // after the order, at 09:00
		}
		return s
	}

	// 1. A presiding officer's sheet signed for a rehearsal log (same
	// definition, other origin) is refused; the genuine sheet is logged.
	rehearsal := sheet("NA-57/PS-1", 300, 200, 50)
	rehearsal.Log = "results.example.pk/rehearsal"
	refuse("sheet of a rehearsal log", e.Sign(t, "po.NA-57.PS-1", rehearsal), 422, "log", `signed for log "results.example.pk/rehearsal"`)
	s1 := accept("genuine sheet of PS-1", e.Sign(t, "po.NA-57.PS-1", sheet("NA-57/PS-1", 300, 200, 50)))

	// 2. Unauthorised self-correction: before the declaration it is
	// logged and flagged (medium); revisions go up by exactly one.
	s2 := accept("sheet of PS-2", e.Sign(t, "po.NA-57.PS-2", sheet("NA-57/PS-2", 240, 270, 40)))
	refuse("revision 1 to 5", e.Sign(t, "po.NA-57.PS-2", revision("NA-57/PS-2", 5, s2, "", 240, 310, 0)), 422, "revision", "exactly one more")
	refuse("revision 1 to 1,000,000,000", e.Sign(t, "po.NA-57.PS-2", revision("NA-57/PS-2", 1_000_000_000, s2, "", 240, 310, 0)), 422, "revision", "exactly one more")
	refuse("returning officer's correction without an order", e.Sign(t, "ro.NA-57", revision("NA-57/PS-2", 2, s2, "", 240, 310, 0)), 422, "order", "names the order record")
	self := accept("self-correction of PS-2", e.Sign(t, "po.NA-57.PS-2", revision("NA-57/PS-2", 2, s2, "", 200, 310, 40)))

	// 3. Re-key and replace: the commission grants a new key, of the same
	// name, for PS-3 after it reported; the new key replaces its sheet.
	s3 := accept("sheet of PS-3", e.Sign(t, "po.NA-57.PS-3", sheet("NA-57/PS-3", 280, 210, 30)))
	newKey, newVKey := testelection.KeyFrom("replacement", "po.NA-57.PS-3")
	grant := accept("new key for PS-3", e.Sign(t, "ecp", &record.Keys{Election: e.Def.ID, Log: e.Def.Origin,
		Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-3", Key: newVKey}}}))
	replacement, err := record.Sign(revision("NA-57/PS-3", 2, s3, "", 180, 310, 30), newKey)
	if err != nil {
		t.Fatal(err)
	}
	replaced := accept("replacement of PS-3 by the new key", replacement)

	// The returning officer declares to match the replaced sheets.
	accept("declaration", e.Sign(t, "ro.NA-57", &record.Declaration{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Form: 47,
		Votes: testelection.Counts(300+200+180, 200+310+310, 50+40+30), Declared: "2024-02-08T20:30:00Z"}))

	// After the declaration a presiding officer corrects only on an order.
	refuse("self-correction after the declaration", e.Sign(t, "po.NA-57.PS-2", revision("NA-57/PS-2", 3, self, "", 200, 300, 50)), 422, "order", "was declared at index")
	refuse("order signed by a presiding officer", e.Sign(t, "po.NA-57.PS-2", e.Order("NA-57", record.OrderRecount, "recount", "NA-57/PS-2")), 403, "signature", "ordered by its returning officer, the commission or a tribunal")
	order := accept("recount order", e.Sign(t, "ro.NA-57", e.Order("NA-57", record.OrderRecount, "recount at a candidate's request", "NA-57/PS-2")))
	refuse("order carried out at another station", e.Sign(t, "po.NA-57.PS-1", revision("NA-57/PS-1", 2, s1, order, 1, 2, 3)), 422, "order", "not for station NA-57/PS-1")
	recounted := accept("ordered recount", e.Sign(t, "po.NA-57.PS-2", revision("NA-57/PS-2", 3, self, order, 200, 300, 50)))
	refuse("order carried out twice", e.Sign(t, "po.NA-57.PS-2", revision("NA-57/PS-2", 4, recounted, order, 200, 305, 45)), 422, "order", "was carried out for station NA-57/PS-2")

	// What stands: one unordered correction (medium), the re-keying
	// (medium, naming both keys) and the replacement by the new key (high),
	// each citing its records.
	want := map[string]struct {
		sev  tally.Severity
		cite []string
		says []string
	}{
		tally.KindUnorderedCorrection: {tally.Medium, []string{self, s2}, []string{e.VKeys["po.NA-57.PS-2"], "without a recount or correction order"}},
		tally.KindStationRekeyed:      {tally.Medium, []string{grant, s3}, []string{newVKey, e.VKeys["po.NA-57.PS-3"]}},
		tally.KindRekeyReplace:        {tally.High, []string{replaced, s3, grant}, []string{newVKey, e.VKeys["po.NA-57.PS-3"]}},
	}
	var got []tally.Flag
	ts.Srv.Tally.Read(func(v *tally.View) { got = v.Flags(tally.Filter{Contest: "NA-57"}) })
	seen := map[string]int{}
	for _, f := range got {
		w, ok := want[f.Kind]
		if !ok {
			if f.Severity == tally.High || f.Severity == tally.Grave {
				t.Errorf("unexpected %s flag %s: %s", f.Severity, f.Kind, f.Message)
			}
			continue
		}
		seen[f.Kind]++
		if f.Severity != w.sev {
			t.Errorf("%s is %s, want %s", f.Kind, f.Severity, w.sev)
		}
		for _, h := range w.cite {
			if !cites(f, h) {
				t.Errorf("%s does not cite %s: %+v", f.Kind, h, f.Evidence)
			}
		}
		for _, s := range w.says {
			if !strings.Contains(f.Message, s) {
				t.Errorf("%s does not say %q: %s", f.Kind, s, f.Message)
			}
		}
	}
	for k := range want {
		if seen[k] != 1 {
			t.Errorf("%d %s flags, want 1", seen[k], k)
		}
	}

	// The verifier, reading the log over HTTP, reaches the same flags.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src, err := verify.NewSource(ts.HTTP.URL)
	if err != nil {
		t.Fatal(err)
	}
	var res *verify.Result
	for {
		if res, err = verify.Log(ctx, src, ts.Srv.LogVerifier, verify.Options{}); err != nil {
			t.Fatal(err)
		}
		if res.TreeSize == ts.Srv.Tally.Size() {
			break
		}
		select { // the checkpoint covering the last entry is published within 100 ms
		case <-ctx.Done():
			t.Fatalf("the checkpoint never covered %d entries", ts.Srv.Tally.Size())
		case <-time.After(50 * time.Millisecond):
		}
	}
	asOf := time.Date(2024, 2, 9, 0, 0, 0, 0, time.UTC)
	if a, b := ts.Srv.Tally.Summary(asOf).JSON(), res.Tally.Summary(asOf).JSON(); !bytes.Equal(a, b) {
		t.Errorf("server and verifier summaries differ:\n%s\n%s", a, b)
	}
	if a, b := flagsJSON(t, ts.Srv.Tally), flagsJSON(t, res.Tally); a != b {
		t.Errorf("server and verifier flags differ:\n%s\n%s", a, b)
	}
}

func flagsJSON(t *testing.T, tl *tally.Tally) string {
	var fs []tally.Flag
	tl.Read(func(v *tally.View) { fs = v.Flags(tally.Filter{Resolved: true}) })
	b, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cites(f tally.Flag, hash string) bool {
	for _, e := range f.Evidence {
		if e.Hash == hash {
			return true
		}
	}
	return false
}
