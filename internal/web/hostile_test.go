package web

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// hostileSite is a test site served by the server's own http.Server (the
// one `tallylog serve` runs, with its timeouts and header limits) on a
// loopback port, with records a hostile client can refer to.
type hostileSite struct {
	*testSite
	URL    string
	client *http.Client

	sheet1     []byte // NA-57/PS-1, revision 1, names image1
	sheet1Hash string
	sheet2Hash string // NA-57/PS-2, revision 1
	order2     string // ro.NA-57's recount order for NA-57/PS-2
	recount2   string // NA-57/PS-2, revision 2, superseding sheet2, carrying out order2
	image1     []byte
	image1Hash string
}

func newHostileSite(t *testing.T) *hostileSite {
	t.Helper()
	hs := &hostileSite{testSite: newTestSite(t)}
	hs.image1 = []byte("a scanned Form-45 of NA-57/PS-1")
	sum := sha256.Sum256(hs.image1)
	hs.image1Hash = hex.EncodeToString(sum[:])

	s1 := hs.E.Sheet("NA-57", "NA-57/PS-1", 300, 200, 50)
	s1.Image = hs.image1Hash
	hs.sheet1 = hs.E.Sign(t, "po.NA-57.PS-1", s1)
	_, hs.sheet1Hash = hs.submit(t, "po.NA-57.PS-1", s1)
	_, hs.sheet2Hash = hs.sheet(t, "NA-57", "NA-57/PS-2", 240, 270, 40)
	_, hs.order2 = hs.submit(t, "ro.NA-57", hs.E.Order("NA-57", record.OrderRecount, "recount under section 95(5)", "NA-57/PS-2"))
	rc := hs.E.Sheet("NA-57", "NA-57/PS-2", 250, 260, 40)
	rc.Revision, rc.Supersedes, rc.Order, rc.Reason = 2, hs.sheet2Hash, hs.order2, "recount"
	rc.Captured = "2024-02-09T10:00:00Z" // after the order, at 09:00
	_, hs.recount2 = hs.submit(t, "ro.NA-57", rc)
	// The commission revokes the key of NA-58/PS-2's presiding officer.
	hs.submit(t, "ecp", &record.Keys{Election: hs.E.Def.ID, Log: hs.E.Def.Origin, Revoke: []string{hs.E.VKeys["po.NA-58.PS-2"]}})

	srv := hs.Srv.HTTPServer("127.0.0.1:0")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	hs.URL = "http://" + ln.Addr().String()
	hs.client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return hs
}

// state is what a refused request must not change: the log's size and the
// tally's summary.
func (hs *hostileSite) state(t *testing.T) (uint64, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := hs.Srv.Log.IntegratedSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := json.Marshal(hs.Srv.Tally.Summary(time.Date(2024, 2, 9, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	return n, string(sum)
}

// hostileRequest is one row of the catalogue.
type hostileRequest struct {
	name   string
	method string
	path   string
	header map[string]string
	body   []byte
	status int
	// field is the JSON error's field (for API refusals); text is a
	// substring the response body must hold.
	field string
	text  string
}

// TestHostileInput sends a catalogue of bad requests to a real server and
// checks that each is refused with the documented status, names the field
// or rule it breaks, and leaves the log and the tally as they were.
func TestHostileInput(t *testing.T) {
	hs := newHostileSite(t)
	e := hs.E
	sign := func(key string, r record.Record) []byte { return e.Sign(t, key, r) }
	sheet := func(contest, station string, votes ...int64) *record.Sheet {
		return e.Sheet(contest, station, votes...)
	}
	// edit replaces old with new in a validly signed sheet of NA-57/PS-3
	// (never logged): the parser must refuse it before any signature check.
	fresh := sign("po.NA-57.PS-3", sheet("NA-57", "NA-57/PS-3", 280, 210, 30))
	edit := func(old, new string) []byte {
		if !bytes.Contains(fresh, []byte(old)) {
			t.Fatalf("the test sheet has no %q", old)
		}
		return bytes.Replace(fresh, []byte(old), []byte(new), 1)
	}
	mallorySK, _, _ := note.GenerateKey(rand.Reader, "po.NA-57.PS-3")
	mallory, _ := note.NewSigner(mallorySK)
	impostor, err := record.Sign(sheet("NA-57", "NA-57/PS-3", 280, 210, 30), mallory)
	if err != nil {
		t.Fatal(err)
	}
	other := sheet("NA-57", "NA-57/PS-3", 280, 210, 30)
	other.Election = "pk-ge2018"
	wrongStation := sheet("NA-57", "NA-57/PS-3", 280, 210, 30)
	rehearsal := sheet("NA-57", "NA-57/PS-3", 280, 210, 30)
	rehearsal.Log = "results.example.pk/rehearsal"
	year0 := sheet("NA-57", "NA-57/PS-3", 280, 210, 30)
	year0.Captured = "0000-01-01T00:00:00Z"
	year9999 := sheet("NA-57", "NA-57/PS-3", 280, 210, 30)
	year9999.Captured = "9999-12-31T23:59:59Z"
	declaredEarly := &record.Declaration{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(1, 2, 3), Declared: "2024-02-01T21:00:00Z"}
	supersedeMissing := sheet("NA-57", "NA-57/PS-1", 1, 2, 3)
	supersedeMissing.Revision, supersedeMissing.Supersedes, supersedeMissing.Reason = 2, strings.Repeat("ab", 32), "recount"
	noIncrease := sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
	noIncrease.Revision, noIncrease.Supersedes, noIncrease.Reason = 2, hs.recount2, "second recount"
	crossStation := sheet("NA-57", "NA-57/PS-3", 1, 2, 3)
	crossStation.Revision, crossStation.Supersedes, crossStation.Reason = 2, hs.sheet1Hash, "recount"
	jump := sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
	jump.Revision, jump.Supersedes, jump.Order, jump.Reason = 1_000_000_000, hs.recount2, hs.order2, "recount"
	unordered := sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
	unordered.Revision, unordered.Supersedes, unordered.Reason = 3, hs.recount2, "recount"
	noSuchOrder := sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
	noSuchOrder.Revision, noSuchOrder.Supersedes, noSuchOrder.Order, noSuchOrder.Reason = 3, hs.recount2, strings.Repeat("ef", 32), "recount"
	orderNotOrder := sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
	orderNotOrder.Revision, orderNotOrder.Supersedes, orderNotOrder.Order, orderNotOrder.Reason = 3, hs.recount2, hs.sheet1Hash, "recount"
	usedTwice := sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
	usedTwice.Revision, usedTwice.Supersedes, usedTwice.Order, usedTwice.Reason = 3, hs.recount2, hs.order2, "second recount"
	orderByPO := e.Order("NA-57", record.OrderRecount, "recount", "NA-57/PS-1")
	orderByAgent := e.Order("NA-57", record.OrderCorrection, "correction", "NA-57/PS-1")
	orderNoSheet := e.Order("NA-57", record.OrderRecount, "recount", "NA-57/PS-3")
	orderForeign := e.Order("NA-57", record.OrderRecount, "recount", "NA-58/PS-1")
	orderOtherRO := e.Order("NA-57", record.OrderRecount, "recount", "NA-57/PS-1")
	tribunalOtherContest := &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: []record.Grant{{Role: "tribunal", Scope: "NA-99", Key: e.VKeys["observer"]}}}
	correctionSigned := sign("ro.NA-57", usedTwice)
	byAgent := sheet("NA-57", "NA-57/PS-2", 1, 2, 3)
	byAgent.Revision, byAgent.Supersedes, byAgent.Reason = 3, hs.recount2, "recount"
	short := sheet("NA-57", "NA-57/PS-3", 280, 210)
	outOfOrder := sheet("NA-57", "NA-57/PS-3", 280, 210, 30)
	outOfOrder.Votes[0].Candidate, outOfOrder.Votes[1].Candidate = "2", "1"
	unknownContest := sheet("NA-57", "NA-57/PS-3", 280, 210, 30)
	unknownContest.Contest = "NA-999"
	notVoting := sheet("NA-58", "NA-57/PS-3", 280, 210, 30)
	decl := &record.Declaration{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Form: 47, Votes: testelection.Counts(1, 2, 3), Declared: "2024-02-08T21:00:00Z"}
	countersignOther := &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-2", Kind: "countersign", Sheet: hs.sheet1Hash, Captured: "2024-02-08T19:00:00Z"}
	countersignMissing := &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "countersign", Sheet: strings.Repeat("cd", 32), Captured: "2024-02-08T19:00:00Z"}
	secondElection := &record.Election{Election: e.Def.ID, Origin: testelection.Origin, Commission: e.VKeys["ecp"],
		DefinitionSHA256: strings.Repeat("00", 32), DefinitionParts: 1, Created: "2024-02-01T00:00:00Z"}
	revokeCommission := &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Revoke: []string{e.VKeys["ecp"]}}
	regrant := &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-58/PS-2", Key: e.VKeys["po.NA-58.PS-2"]}}}
	grantUnknown := &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-99/PS-1", Key: e.VKeys["observer"]}}}
	// Two keys of one name sharing a 4-byte key ID (a birthday search of
	// about 2^16 tries): the commission grants the first; a grant of the
	// second is refused, and a revocation naming it does not reach the first.
	collideA, collideB := testelection.CollidingKeys("po.NA-57.PS-3")
	hs.submit(t, "ecp", &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: []record.Grant{{Role: "observer", Scope: "NA-57", Key: collideA}}})
	grantColliding := &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: []record.Grant{{Role: "presiding", Scope: "NA-57/PS-3", Key: collideB}}}
	revokeColliding := &record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Revoke: []string{collideB}}
	forged := bytes.Replace(hs.sheet1, []byte("votes 1 300"), []byte("votes 1 900"), 1)
	forged = bytes.Replace(forged, []byte("image "+hs.image1Hash+"\n"), nil, 1)
	twoSigs := append(bytes.Clone(fresh), fresh[bytes.LastIndex(fresh[:len(fresh)-1], []byte("\n"))+1:]...)
	sigStart := bytes.LastIndex(fresh, []byte(" ")) + 1
	badB64 := append(append(bytes.Clone(fresh[:sigStart]), '!'), fresh[sigStart+1:]...)
	wrongImage := bytes.Repeat([]byte{'x'}, 100)
	unnamed := sha256.Sum256([]byte("never named"))

	post := func(name string, body []byte, status int, field string) hostileRequest {
		return hostileRequest{name: name, method: "POST", path: "/api/v1/records", body: body, status: status, field: field}
	}
	cases := []hostileRequest{
		// Authentication: who signed, and may they?
		post("forged: votes changed after signing", forged, 403, "signature"),
		post("impostor key with an officer's name", impostor, 403, "signature"),
		post("key registered for another station", sign("po.NA-57.PS-2", wrongStation), 403, "signature"),
		post("revoked key", sign("po.NA-58.PS-2", sheet("NA-58", "NA-58/PS-2", 300, 200, 100)), 403, "signature"),
		post("correction signed by an agent", sign("agent.NA-57", byAgent), 403, "signature"),
		post("declaration signed by a presiding officer", sign("po.NA-57.PS-1", decl), 403, "signature"),
		post("keys record signed by a presiding officer", sign("po.NA-57.PS-1", regrant), 403, "signature"),
		post("sheet signed by an observer", sign("observer", wrongStation), 403, "signature"),
		// Replays and identity.
		post("record of another election", sign("po.NA-57.PS-3", other), 422, "election"),
		post("record of a rehearsal log of the same election", sign("po.NA-57.PS-3", rehearsal), 422, "log"),
		post("record naming no log", edit("log "+e.Def.Origin+"\n", ""), 400, "log"),
		// Times outside the election's window.
		post("captured in year 0000", sign("po.NA-57.PS-3", year0), 422, "captured"),
		post("captured in year 9999", sign("po.NA-57.PS-3", year9999), 422, "captured"),
		post("declared a week before polling day", sign("ro.NA-57", declaredEarly), 422, "declared"),
		post("second election record", sign("ecp", secondElection), 422, "type"),
		post("replayed genesis entry: a duplicate", e.Genesis[1], 200, ""),
		post("definition part after the definition is complete", sign("ecp", &record.DefinitionPart{Election: e.Def.ID, Log: e.Def.Origin, Part: 2, Data: "{}"}), 422, "part"),
		// Rules of the log.
		post("supersedes a record not in the log", sign("ro.NA-57", supersedeMissing), 422, "supersedes"),
		post("revision does not increase", sign("ro.NA-57", noIncrease), 422, "revision"),
		// Corrections need authority (issue 13): an order of an entitled
		// key, named by hash, carried out once; revisions go up by one.
		post("revision jumps to 1,000,000,000", sign("ro.NA-57", jump), 422, "revision"),
		post("returning officer's correction without an order", sign("ro.NA-57", unordered), 422, "order"),
		post("correction naming an order not in the log", sign("ro.NA-57", noSuchOrder), 422, "order"),
		post("correction naming a sheet as its order", sign("ro.NA-57", orderNotOrder), 422, "order"),
		post("order carried out twice at a station", correctionSigned, 422, "order"),
		post("order signed by a presiding officer", sign("po.NA-57.PS-1", orderByPO), 403, "signature"),
		post("order signed by a polling agent", sign("agent.NA-57", orderByAgent), 403, "signature"),
		post("order signed by another contest's returning officer", sign("ro.NA-58", orderOtherRO), 403, "signature"),
		post("order for a station with no sheet", sign("ro.NA-57", orderNoSheet), 422, "station"),
		post("order for a station of another contest", sign("ro.NA-57", orderForeign), 422, "station"),
		post("tribunal granted for an unknown contest", sign("ecp", tribunalOtherContest), 422, "grant"),
		post("order of an unknown kind", bytes.Replace(sign("ro.NA-57", orderOtherRO), []byte("kind recount"), []byte("kind annulment"), 1), 400, "kind"),
		post("right-to-left override in a correction's reason", bytes.Replace(correctionSigned, []byte("reason second"), []byte("reason \u202esecond"), 1), 400, "reason"),
		post("supersedes a sheet of another station", sign("ro.NA-57", crossStation), 422, "supersedes"),
		post("countersignature of another station's sheet", sign("agent.NA-57", countersignOther), 422, "sheet"),
		post("countersignature of a sheet not in the log", sign("agent.NA-57", countersignMissing), 422, "sheet"),
		post("candidate missing", sign("po.NA-57.PS-3", short), 422, "votes"),
		post("candidates out of ballot order", sign("po.NA-57.PS-3", outOfOrder), 422, "votes"),
		post("unknown contest", sign("po.NA-57.PS-3", unknownContest), 422, "contest"),
		post("station does not vote in the contest", sign("po.NA-57.PS-3", notVoting), 422, "station"),
		post("revoking the commission's own key", sign("ecp", revokeCommission), 422, "revoke"),
		post("re-granting a revoked key", sign("ecp", regrant), 422, "grant"),
		post("grant for an unknown station", sign("ecp", grantUnknown), 422, "grant"),
		post("grant of a key colliding in name and 4-byte key ID", sign("ecp", grantColliding), 422, "grant"),
		post("revoke by name and 4-byte key ID of another key", sign("ecp", revokeColliding), 422, "revoke"),
		// Encodings: the parser refuses before any signature check.
		post("count over the maximum", edit("votes 1 280", "votes 1 1000000001"), 400, "votes"),
		post("count overflowing int64", edit("votes 1 280", "votes 1 18446744073709551617"), 400, "votes"),
		post("negative count", edit("votes 1 280", "votes 1 -280"), 400, "votes"),
		post("count with a leading zero", edit("votes 1 280", "votes 1 0280"), 400, "votes"),
		post("invalid UTF-8", edit("NA-57/PS-3", "NA-57/PS-\xff"), 400, ""),
		post("NUL byte", edit("revision 1", "revision 1\x00"), 400, ""),
		post("CRLF line endings", bytes.ReplaceAll(fresh, []byte("\n"), []byte("\r\n")), 400, ""),
		post("tab in a value", edit("contest NA-57", "contest\tNA-57"), 400, ""),
		post("right-to-left override in a station", edit("station NA-57/PS-3", "station NA-57/PS-3\u202e"), 400, "station"),
		post("first-strong isolate in the log", edit("log "+e.Def.Origin, "log \u2068"+e.Def.Origin), 400, "log"),
		post("left-to-right mark in a contest", edit("contest NA-57", "contest NA-57\u200e"), 400, "contest"),
		post("Arabic letter mark in a count", edit("votes 1 280", "votes 1 280\u061c"), 400, "votes"),
		post("unknown field", edit("captured ", "colour green\ncaptured "), 400, ""),
		post("duplicate field", edit("revision 1\n", "revision 1\nrevision 1\n"), 400, ""),
		post("fields out of order", edit("registered 1000\ncast 520\n", "cast 520\nregistered 1000\n"), 400, ""),
		post("no signature", bytes.TrimRight(fresh[:bytes.Index(fresh, []byte("\n\n"))+1], "\n"), 400, "signature"),
		post("two signatures", twoSigs, 400, "signature"),
		post("non-canonical base64 signature", badB64, 400, "signature"),
		post("empty body", nil, 400, ""),
		post("JSON instead of a signed record", []byte(`{"type":"sheet","election":"pk-test"}`), 400, ""),
		post("oversized body", bytes.Repeat([]byte("a"), record.MaxEntry+1), 413, "body"),
		// Idempotence: the same bytes again get the same index.
		post("duplicate submission", hs.sheet1, 200, ""),
		// Cross-origin requests that change state.
		{name: "cross-origin POST", method: "POST", path: "/api/v1/records", body: fresh,
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: 403, text: "cross-origin"},
		{name: "cross-origin POST by Origin", method: "POST", path: "/api/v1/records", body: fresh,
			header: map[string]string{"Origin": "https://evil.example"}, status: 403, text: "cross-origin"},
		{name: "cross-origin image PUT", method: "PUT", path: "/api/v1/images/" + hs.image1Hash, body: hs.image1,
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: 403, text: "cross-origin"},
		// Images.
		{name: "image that does not hash to its name", method: "PUT", path: "/api/v1/images/" + hs.image1Hash, body: wrongImage, status: 400, field: "body"},
		{name: "image no record names", method: "PUT", path: "/api/v1/images/" + hex.EncodeToString(unnamed[:]), body: []byte("never named"), status: 403, field: "hash"},
		{name: "image hash not hex", method: "PUT", path: "/api/v1/images/" + strings.Repeat("G", 64), body: hs.image1, status: 400, field: "hash"},
		{name: "image hash in upper case", method: "PUT", path: "/api/v1/images/" + strings.ToUpper(hs.image1Hash), body: hs.image1, status: 400, field: "hash"},
		{name: "image too large", method: "PUT", path: "/api/v1/images/" + hs.image1Hash, body: make([]byte, MaxImage+1), status: 413, field: "body"},
		{name: "GET of an image never uploaded", method: "GET", path: "/images/" + hs.image1Hash, status: 404, text: "no image"},
		// The log's files.
		{name: "path traversal out of /tile/", method: "GET", path: "/tile/../tallylog.json", status: 307, text: `href="/tallylog.json"`},
		{name: "the traversal's target is not served", method: "GET", path: "/tallylog.json", status: 404},
		{name: "the log's private key is not served", method: "GET", path: "/keys/log.key", status: 404},
		{name: "escaped path traversal", method: "GET", path: "/tile/0/..%2f..%2ftallylog.json", status: 404, text: "not a tlog-tiles path"},
		{name: "partial tile that does not exist", method: "GET", path: "/tile/0/000.p/255", status: 404, text: "no such tile"},
		{name: "entry bundle beyond the log", method: "GET", path: "/tile/entries/x001/000", status: 404, text: "no such tile"},
		{name: "tile path with four digits", method: "GET", path: "/tile/0/0000", status: 404, text: "not a tlog-tiles path"},
		// Methods and endpoints.
		{name: "DELETE a record", method: "DELETE", path: "/api/v1/records", status: 405},
		{name: "GET the submission endpoint", method: "GET", path: "/api/v1/records", status: 405},
		{name: "PUT the checkpoint", method: "PUT", path: "/checkpoint", body: []byte("x"), status: 405},
		{name: "POST to a tile", method: "POST", path: "/tile/0/000", body: []byte("x"), status: 405},
		{name: "admin endpoint does not exist", method: "POST", path: "/api/v1/admin/keys", body: fresh, status: 404},
		{name: "header too large", method: "GET", path: "/checkpoint", header: map[string]string{"X-Pad": strings.Repeat("a", 64<<10)}, status: 431},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			size, tally := hs.state(t)
			req, err := http.NewRequest(tc.method, hs.URL+tc.path, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tc.path, "%2f") {
				req.URL.RawPath = tc.path
			}
			req.Header.Set("Content-Type", "text/plain; charset=utf-8")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := hs.client.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.method, tc.path, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d; body: %.300s", resp.StatusCode, tc.status, body)
			}
			if tc.field != "" {
				var je struct{ Field, Rule string }
				if err := json.Unmarshal(body, &je); err != nil || je.Field != tc.field || je.Rule == "" {
					t.Errorf("answer %.300s: want JSON naming field %q and a rule", body, tc.field)
				}
			}
			if tc.text != "" && !strings.Contains(string(body), tc.text) {
				t.Errorf("answer %.300q does not say %q", body, tc.text)
			}
			if tc.status == 200 {
				if resp.Header.Get("X-Log-Index") == "" {
					t.Errorf("a duplicate was answered without its index")
				}
			}
			if n, tl := hs.state(t); n != size || tl != tally {
				t.Errorf("the request changed the log (size %d -> %d) or the tally", size, n)
			}
		})
	}
	if len(cases) < 30 {
		t.Errorf("the catalogue has %d kinds of bad request, want at least 30", len(cases))
	}

	// The image a logged sheet names is accepted after all that, once.
	for range 2 {
		req, _ := http.NewRequest("PUT", hs.URL+"/api/v1/images/"+hs.image1Hash, bytes.NewReader(hs.image1))
		resp, err := hs.client.Do(req)
		if err != nil || resp.StatusCode != 204 {
			t.Fatalf("PUT of the named image: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	if resp, body := hs.get(t, "/images/"+hs.image1Hash); resp.StatusCode != 200 || body != string(hs.image1) {
		t.Errorf("GET of the uploaded image: %d %q", resp.StatusCode, body)
	}
}

// TestSlowloris checks that a client that sends its headers too slowly is
// cut off by the server's ReadHeaderTimeout rather than holding a
// connection open, and that the timeouts are all set.
func TestSlowloris(t *testing.T) {
	if testing.Short() {
		t.Skip("takes ReadHeaderTimeout (5 s)")
	}
	t.Parallel()
	ts := newTestSite(t)
	srv := ts.Srv.HTTPServer("127.0.0.1:0")
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s is %v", name, d)
		}
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes is %d", srv.MaxHeaderBytes)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		// The server answers (408, or nothing) and closes: read until EOF.
		io.Copy(io.Discard, bufio.NewReader(conn))
		closed <- time.Since(start)
	}()
	header := "GET /checkpoint HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Slow: a\r\n", 100)
	deadline := time.After(srv.ReadHeaderTimeout + 10*time.Second)
	for i := 0; ; i++ {
		select {
		case d := <-closed:
			if d < srv.ReadHeaderTimeout-time.Second {
				t.Fatalf("connection closed after %v, before the header timeout %v: the test did not test it", d, srv.ReadHeaderTimeout)
			}
			t.Logf("slow client cut off after %v (ReadHeaderTimeout %v)", d.Round(time.Millisecond), srv.ReadHeaderTimeout)
			return
		case <-deadline:
			t.Fatalf("a client sending one header byte every 100 ms held its connection for %v", time.Since(start))
		case <-time.After(100 * time.Millisecond):
			if i < len(header) {
				conn.Write([]byte{header[i]}) // errors once the server has closed: the reader sees it
			}
		}
	}
}
