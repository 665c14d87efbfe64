package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/intake"
)

// TestIntakeStatus: every kind of intake error has its status, and the
// answer keeps the intake's field and rule.
func TestIntakeStatus(t *testing.T) {
	for _, tc := range []struct {
		kind   error
		status int
		code   string
	}{
		{intake.ErrMalformed, 400, "bad_request"},
		{intake.ErrForbidden, 403, "forbidden"},
		{intake.ErrConflict, 409, "conflict"},
		{intake.ErrRefused, 422, "refused"},
		{intake.ErrUnavailable, 503, "unavailable"},
		{intake.ErrInternal, 500, "internal"},
	} {
		e := asAPIError(&intake.Error{Kind: tc.kind, Field: "station", Rule: "the rule"})
		b := e.body()
		if e.Status != tc.status || b.Code != tc.code || b.Field != "station" || b.Rule != "the rule" || b.Error != "station: the rule" {
			t.Errorf("%v: %d %+v; want %d %s", tc.kind, e.Status, b, tc.status, tc.code)
		}
	}
	if e := asAPIError(errors.New("disk full")); e.Status != 503 || e.Field != "server" {
		t.Errorf("an unclassified error answers %d %+v, want 503 on field server", e.Status, e)
	}
}

// TestErrorShape: the read API, the submission API and the claim checker
// answer errors in the one JSON shape, whose code matches the status.
func TestErrorShape(t *testing.T) {
	ts := newTestSite(t)
	post := func(path, ctype, body string) *http.Response {
		req, _ := http.NewRequest("POST", ts.HTTP.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		resp, err := ts.HTTP.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	get := func(path string) *http.Response {
		resp, err := ts.HTTP.Client().Get(ts.HTTP.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, tc := range []struct {
		name   string
		resp   func() *http.Response
		status int
		field  string
	}{
		{"unknown contest", func() *http.Response { return get("/api/v1/contests/NA-999") }, 404, ""},
		{"bad proof index", func() *http.Response { return get("/api/v1/proofs/01") }, 404, ""},
		{"garbage record", func() *http.Response { return post("/api/v1/records", "text/plain", "hello\n") }, 400, "signature"},
		{"evidence of an unknown contest", func() *http.Response { return get("/api/v1/evidence/NA-999") }, 404, ""},
		{"unsigned claim", func() *http.Response { return post("/api/v1/claims", "application/json", "{") }, 400, ""},
	} {
		resp := tc.resp()
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e map[string]string
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("%s: %d %s is not the JSON error shape: %v", tc.name, resp.StatusCode, body, err)
			continue
		}
		_, hasField := e["field"]
		if resp.StatusCode != tc.status || e["code"] != statusCodes[tc.status] || !hasField || e["field"] != tc.field || e["rule"] == "" || e["error"] == "" || len(e) != 4 {
			t.Errorf("%s: %d %s; want %d with code %q and field %q", tc.name, resp.StatusCode, body, tc.status, statusCodes[tc.status], tc.field)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tc.name, cc)
		}
	}
}
