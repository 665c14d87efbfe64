package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
)

// postBatch sends entries to the batch endpoint and decodes the answer.
func postBatch(t *testing.T, url string, entries ...[]byte) (int, []BatchResult) {
	t.Helper()
	var req BatchRequest
	for _, e := range entries {
		req.Records = append(req.Records, string(e))
	}
	body, _ := json.Marshal(req)
	resp, err := http.Post(url+"/api/v1/records/batch", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans BatchAnswer
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, ans.Results
}

// TestBatch submits one batch holding, in order: a sheet, its
// countersignature (which names it), the sheet again, a forgery, bytes
// that do not parse, a keys record granting a new observer key and a copy
// signed by that key. Each record gets the result it would get alone; the
// records that depend on earlier ones in the batch are logged after them;
// every receipt verifies; the same batch again gets the same indexes, and
// the sheet sent alone the same index too.
func TestBatch(t *testing.T) {
	ts := newTestSite(t)
	e := ts.E
	ctx := context.Background()
	sheet := e.Sign(t, testelection.StationKey("NA-57/PS-1"), e.Sheet("NA-57", "NA-57/PS-1", 300, 200, 50))
	env, _ := record.Open(sheet)
	counter := e.Sign(t, "agent.NA-57", &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1",
		Kind: "countersign", Sheet: env.HashHex(), Captured: "2024-02-08T18:40:00Z"})
	copyOf := func(votes int64) *record.Attestation {
		return &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-58", Station: "NA-58/PS-1", Kind: "copy",
			Registered: 800, Cast: 300 + votes, Votes: testelection.Counts(300, votes, 0), Captured: "2024-02-08T18:41:00Z"}
	}
	forgery := bytes.Replace(e.Sign(t, "observer", copyOf(1)), []byte("votes 2 1"), []byte("votes 2 2"), 1)
	newSigner, newVKey := testelection.Key("observer2")
	grant, err := record.Sign(&record.Keys{Election: e.Def.ID, Log: e.Def.Origin, Grants: []record.Grant{{Role: "observer", Scope: "*", Key: newVKey}}}, e.Signers["ecp"])
	if err != nil {
		t.Fatal(err)
	}
	byNewKey, err := record.Sign(copyOf(7), newSigner)
	if err != nil {
		t.Fatal(err)
	}
	batch := [][]byte{sheet, counter, sheet, forgery, []byte("hello"), grant, byNewKey}
	want := []int{200, 200, 200, 403, 400, 200, 200}

	before, _ := ts.Srv.Log.IntegratedSize(ctx)
	status, results := postBatch(t, ts.HTTP.URL, batch...)
	if status != 200 || len(results) != len(batch) {
		t.Fatalf("batch answer: status %d, %d results; want 200 and %d", status, len(results), len(batch))
	}
	for i, res := range results {
		if res.Status != want[i] {
			t.Fatalf("record %d: status %d (%s); want %d", i, res.Status, res.Error, want[i])
		}
		if res.Status != 200 {
			if res.Index != nil || res.Receipt != "" || res.Code == "" || res.Field == "" || !strings.Contains(res.Error, res.Rule) {
				t.Errorf("record %d: refusal %+v is not in the error shape, or has an index", i, res)
			}
			continue
		}
		rc, err := receipt.Parse([]byte(res.Receipt))
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if _, err := rc.Verify(ts.Srv.LogVerifier); err != nil || !bytes.Equal(rc.Entry, batch[i]) || rc.Index != *res.Index {
			t.Fatalf("record %d: receipt for index %d does not verify or is for another entry: %v", i, rc.Index, err)
		}
	}
	if m := getBody(t, ts.HTTP.URL+"/metrics"); !strings.Contains(m, "tallylog_records_accepted_total 5") || !strings.Contains(m, `reason="signature",status="403"`) {
		t.Errorf("the batch's records are not counted one by one in /metrics:\n%s", m)
	}
	if *results[0].Index != *results[2].Index {
		t.Errorf("the same sheet twice in a batch got indexes %d and %d", *results[0].Index, *results[2].Index)
	}
	if *results[1].Index < *results[0].Index || *results[6].Index < *results[5].Index {
		t.Errorf("records were logged before the records of the batch they depend on: %d < %d or %d < %d",
			*results[1].Index, *results[0].Index, *results[6].Index, *results[5].Index)
	}
	after, _ := ts.Srv.Log.IntegratedSize(ctx)
	if after != before+4 {
		t.Errorf("the log grew by %d entries; want 4 (sheet, countersignature, keys, copy)", after-before)
	}

	// The same bytes again: the same indexes, nothing appended.
	_, again := postBatch(t, ts.HTTP.URL, batch...)
	for i := range results {
		if again[i].Status != want[i] || (want[i] == 200 && *again[i].Index != *results[i].Index) {
			t.Errorf("record %d sent again: %+v; want status %d and index %v", i, again[i], want[i], results[i].Index)
		}
	}
	resp, err := http.Post(ts.HTTP.URL+"/api/v1/records", "text/plain", bytes.NewReader(sheet))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Log-Index"); got != fmt.Sprint(*results[0].Index) {
		t.Errorf("the sheet sent alone got index %s; the batch gave %d", got, *results[0].Index)
	}
	if end, _ := ts.Srv.Log.IntegratedSize(ctx); end != after {
		t.Errorf("sending the same records again grew the log from %d to %d", after, end)
	}
}

// TestBatchBounds refuses batches that cannot be read as a whole, in the
// one error shape, and logs nothing.
func TestBatchBounds(t *testing.T) {
	ts := newTestSite(t)
	before, _ := ts.Srv.Log.IntegratedSize(context.Background())
	tooMany := make([]string, MaxBatchRecords+1)
	for i := range tooMany {
		tooMany[i] = "x"
	}
	many, _ := json.Marshal(BatchRequest{Records: tooMany})
	for _, c := range []struct {
		name   string
		body   []byte
		status int
		field  string
	}{
		{"not JSON", []byte("tallylog/v1 sheet\n"), 400, "body"},
		{"empty", []byte(`{"records": []}`), 400, "records"},
		{"two objects", []byte(`{"records": ["a"]} {}`), 400, "body"},
		{"too many records", many, 400, "records"},
		{"too many bytes", append(append([]byte(`{"records": ["`), bytes.Repeat([]byte("a"), MaxBatchBytes)...), `"]}`...), 413, "body"},
		// 4 MiB of empty strings were 1.4 million strings decoded before
		// their number was checked: refused at the 1,001st.
		{"millions of empty records", append(append([]byte(`{"records": [""`), bytes.Repeat([]byte(`,""`), (MaxBatchBytes-20)/3)...), `]}`...), 400, "records"},
		{"a record that is not a string", []byte(`{"records": ["a", {"b": [[[[1]]]]}]}`), 400, "records"},
		{"an unknown field", []byte(`{"records": ["a"], "x": {"deep": [[[[[[[[1]]]]]]]]}}`), 400, "body"},
		{"records twice", []byte(`{"records": ["a"], "records": ["b"]}`), 400, "body"},
		{"records not a list", []byte(`{"records": "a"}`), 400, "records"},
	} {
		resp, err := http.Post(ts.HTTP.URL+"/api/v1/records/batch", "application/json", bytes.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		var eb errorBody
		json.NewDecoder(resp.Body).Decode(&eb)
		resp.Body.Close()
		if resp.StatusCode != c.status || eb.Field != c.field || eb.Code == "" {
			t.Errorf("%s: status %d %+v; want %d field %q", c.name, resp.StatusCode, eb, c.status, c.field)
		}
	}
	if after, _ := ts.Srv.Log.IntegratedSize(context.Background()); after != before {
		t.Errorf("refused batches grew the log from %d to %d", before, after)
	}
}

// TestBatchesAtOnce: batch bodies read at once are bounded, in all and
// per client address (a batch holds up to 4 MiB while it is read and
// checked, and nothing else bounded how many were); beyond, 429 naming
// the serve flag, with Retry-After, and nothing logged.
func TestBatchesAtOnce(t *testing.T) {
	ts := newTestSiteWith(t, Limits{Batches: 2, BatchesPerAddr: 1})
	body, _ := json.Marshal(BatchRequest{Records: []string{string(ts.E.Sign(t, "po.NA-57.PS-1", ts.E.Sheet("NA-57", "NA-57/PS-1", 300, 200, 10)))}})
	post := func() (int, errorBody, string) {
		resp, err := http.Post(ts.HTTP.URL+"/api/v1/records/batch", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var eb errorBody
		json.NewDecoder(resp.Body).Decode(&eb)
		return resp.StatusCode, eb, resp.Header.Get("Retry-After")
	}
	hold := func(addr string) func() {
		done, err := ts.Srv.limits.batches.start(addr)
		if err != nil {
			t.Fatalf("holding a batch slot for %s: %v", addr, err)
		}
		return done
	}
	size, _ := ts.Srv.Log.IntegratedSize(context.Background())
	release := hold("127.0.0.1")
	if code, eb, ra := post(); code != 429 || eb.Field != "batches" || !strings.Contains(eb.Rule, "--max-batches-per-addr") || ra == "" {
		t.Errorf("a second batch from one address: %d %+v Retry-After %q", code, eb, ra)
	}
	release()
	a, b := hold("203.0.113.1"), hold("203.0.113.2")
	if code, eb, _ := post(); code != 429 || eb.Field != "batches" || !strings.Contains(eb.Rule, "--max-batches)") {
		t.Errorf("a batch while the server reads its most: %d %+v", code, eb)
	}
	a()
	b()
	if after, _ := ts.Srv.Log.IntegratedSize(context.Background()); after != size {
		t.Errorf("refused batches grew the log from %d to %d", size, after)
	}
	if code, eb, _ := post(); code != 200 {
		t.Errorf("once the slots are free: %d %+v", code, eb)
	}
}

// TestBatchRateLimits: the per-key and per-address limits apply to each
// record of a batch as if it were sent alone.
func TestBatchRateLimits(t *testing.T) {
	ts := newTestSite(t)
	e := ts.E
	clock := func() time.Time { return time.Unix(1_700_000_000, 0) }
	hs := httptest.NewServer(ts.Srv.handleBatch(newRecordLimits(RateLimits{PerKey: 1, KeyBurst: 2, PerAddr: 1, AddrBurst: 1}, clock)))
	defer hs.Close()
	copyBy := func(key string, minute int) []byte {
		return e.Sign(t, key, &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
			Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50), Captured: fmt.Sprintf("2024-02-08T18:%02d:00Z", minute)})
	}
	batch := [][]byte{copyBy("observer", 1), copyBy("observer", 2), copyBy("observer", 3), copyBy("agent.NA-57", 4), []byte("x"), []byte("y")}
	want := []int{200, 200, 429, 200, 400, 429}
	var req BatchRequest
	for _, b := range batch {
		req.Records = append(req.Records, string(b))
	}
	body, _ := json.Marshal(req)
	resp, err := http.Post(hs.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans BatchAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatal(err)
	}
	for i, res := range ans.Results {
		if res.Status != want[i] || (res.Status == 429 && (res.RetryAfter < 1 || res.Field != "rate" || res.Index != nil)) {
			t.Errorf("record %d: %+v; want status %d", i, res, want[i])
		}
	}
}

// FuzzBatchBody posts arbitrary bodies to the batch endpoint: the answer
// is a batch answer with one result per record, each 200 or in the error
// shape, or the whole request refused in the error shape; bytes that hold
// no signed record of this log never grow it.
func FuzzBatchBody(f *testing.F) {
	ts := newTestSite(f)
	h := ts.Srv.handleBatch(newRecordLimits(RateLimits{}, time.Now))
	f.Add([]byte(`{"records": ["hello"]}`))
	f.Add([]byte(`{"records": []}`))
	f.Add([]byte(`{"records": ["tallylog/v1 sheet\nelection pk-test\n\n— x AAAA\n", 1]}`))
	f.Add([]byte(`[]`))
	before, _ := ts.Srv.Log.IntegratedSize(context.Background())
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest("POST", "/api/v1/records/batch", bytes.NewReader(body)))
		if rec.Code != 200 {
			var eb errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Code == "" || eb.Error == "" {
				t.Fatalf("status %d with %q: not the error shape", rec.Code, rec.Body.Bytes())
			}
			return
		}
		var req BatchRequest
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("a body that is not a batch was answered 200: %q", body)
		}
		var ans BatchAnswer
		if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || len(ans.Results) != len(req.Records) {
			t.Fatalf("answer %q to %d records", rec.Body.Bytes(), len(req.Records))
		}
		for _, res := range ans.Results {
			if res.Status != 200 && (res.Code == "" || res.Error == "") {
				t.Fatalf("result %+v is not in the error shape", res)
			}
		}
		if after, _ := ts.Srv.Log.IntegratedSize(context.Background()); after != before {
			t.Fatalf("fuzzed bytes grew the log from %d to %d", before, after)
		}
	})
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
