package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/testelection"
)

// sampleLine is one sample of the text exposition format.
var sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$`)

// TestMetrics submits an accepted and a refused record over HTTP and reads
// them back from /metrics, with the tally's lag, the Go runtime and
// Tessera's own instruments, in a well-formed exposition.
func TestMetrics(t *testing.T) {
	ts := newTestSite(t)
	var access bytes.Buffer
	ts.Srv.accessLog = slog.New(slog.NewJSONHandler(&access, nil))
	entry := ts.E.Sign(t, testelection.StationKey("NA-57/PS-1"), ts.E.Sheet("NA-57", "NA-57/PS-1", 300, 200, 50))
	post := func(body []byte) int {
		resp, err := http.Post(ts.HTTP.URL+"/api/v1/records", "text/plain", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(entry); code != 200 {
		t.Fatalf("submitting a sheet: %d", code)
	}
	if code := post([]byte("not a record")); code < 400 {
		t.Fatalf("submitting garbage: %d", code)
	}
	resp, body := ts.get(t, "/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	types := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if f, ok := strings.CutPrefix(l, "# TYPE "); ok {
			types[strings.Fields(f)[0]]++
			continue
		}
		if strings.HasPrefix(l, "# HELP ") {
			continue
		}
		if !sampleLine.MatchString(l) {
			t.Errorf("not a sample line: %q", l)
		}
	}
	for name, n := range types {
		if n > 1 {
			t.Errorf("family %s declared %d times", name, n)
		}
	}
	for _, want := range []string{
		"\ntallylog_records_accepted_total 1\n",
		"\ntallylog_records_refused_total{reason=\"signature\",status=\"400\"} 1\n",
		"\ntallylog_receipt_latency_seconds_count 1\n",
		"\ntallylog_tally_failed 0\n",
		"\ngo_goroutines ",
		"\ntessera_appender_add_calls_total",
		"\ntallylog_http_responses_total{code=\"2xx\"} 1\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", strings.TrimSpace(want), body)
		}
	}
	if !regexp.MustCompile(`"method":"POST","path":"/api/v1/records","status":200`).Match(access.Bytes()) {
		t.Errorf("access log lacks the submission:\n%s", access.String())
	}
}
