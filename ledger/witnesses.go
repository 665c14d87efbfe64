package ledger

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WitnessReport is the outcome of the latest request the log made to one
// witness (C2SP tlog-witness add-checkpoint).
type WitnessReport struct {
	URL string    `json:"url"`
	At  time.Time `json:"at"`
	// Size is the size of the checkpoint offered.
	Size uint64 `json:"size"`
	// OK is true when the witness cosigned it.
	OK bool `json:"ok"`
	// Problem says why not, in words an operator can act on.
	Problem string `json:"problem,omitempty"`
}

// witnessRecorder is the HTTP transport of the log's requests to
// witnesses. It changes nothing; it keeps the latest outcome per witness so
// the server can say why no checkpoint is being published.
type witnessRecorder struct {
	next    http.RoundTripper
	mu      sync.Mutex
	reports map[string]WitnessReport
}

func (w *witnessRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	rep := WitnessReport{URL: req.URL.String(), At: time.Now()}
	old := uint64(0)
	if req.Body != nil && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			old, rep.Size = parseAddCheckpoint(body)
			body.Close()
		}
	}
	resp, err := w.next.RoundTrip(req)
	switch {
	case err != nil:
		rep.Problem = "unreachable: " + err.Error()
	case resp.StatusCode == http.StatusOK:
		rep.OK = true
	default:
		// Read the small body the protocol defines, and hand Tessera an
		// identical copy.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		rep.Problem = explain(resp, body, old, rep.Size)
	}
	w.mu.Lock()
	if w.reports == nil {
		w.reports = map[string]WitnessReport{}
	}
	w.reports[rep.URL] = rep
	w.mu.Unlock()
	return resp, err
}

// parseAddCheckpoint reads the old size and the offered checkpoint's size
// from an add-checkpoint request body.
func parseAddCheckpoint(body io.Reader) (old, size uint64) {
	sc := bufio.NewScanner(io.LimitReader(body, 1<<16))
	if sc.Scan() {
		old, _ = strconv.ParseUint(strings.TrimPrefix(sc.Text(), "old "), 10, 64)
	}
	for sc.Scan() && sc.Text() != "" { // consistency proof lines
	}
	if sc.Scan() && sc.Scan() { // origin, then size
		size, _ = strconv.ParseUint(sc.Text(), 10, 64)
	}
	return old, size
}

// explain turns a witness's refusal into what it means for this log,
// following the status codes of C2SP tlog-witness.
func explain(resp *http.Response, body []byte, old, size uint64) string {
	switch resp.StatusCode {
	case http.StatusConflict:
		if resp.Header.Get("Content-Type") == "text/x.tlog.size" {
			n, err := strconv.ParseUint(strings.TrimSpace(string(body)), 10, 64)
			if err == nil && n > size {
				return fmt.Sprintf("refused: the witness has already cosigned a tree of %d entries under this log's key, and this log has %d; this log is not the one it witnessed (was the log reset, or forked?)", n, size)
			}
			return fmt.Sprintf("the witness last cosigned size %d, not %d; the log retries with a proof from there", n, old)
		}
		return fmt.Sprintf("refused: the witness cosigned a different tree of size %d under this log's key; this log is a fork of the one it witnessed", old)
	case http.StatusUnprocessableEntity:
		return fmt.Sprintf("refused: the consistency proof from size %d does not verify; this log is not an extension of the tree the witness cosigned (was the log reset, or forked?)", old)
	case http.StatusNotFound:
		return "the witness does not know this log's origin; ask its operator to add the log (origin and key)"
	case http.StatusForbidden:
		return "the witness does not trust this log's key; ask its operator to configure the log's verifier key"
	case http.StatusBadRequest:
		return fmt.Sprintf("the witness refused old size %d as larger than the checkpoint (%d)", old, size)
	}
	return fmt.Sprintf("the witness answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
}

// WitnessReports returns the latest outcome of each witness's requests, in
// no particular order; it is empty when the log has no witnesses or has not
// asked them yet.
func (l *Log) WitnessReports() []WitnessReport {
	if l.witnesses == nil {
		return nil
	}
	l.witnesses.mu.Lock()
	defer l.witnesses.mu.Unlock()
	out := make([]WitnessReport, 0, len(l.witnesses.reports))
	for _, r := range l.witnesses.reports {
		out = append(out, r)
	}
	return out
}
