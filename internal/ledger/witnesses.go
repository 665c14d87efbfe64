package ledger

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
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
	keys    map[string]note.Verifier // add-checkpoint URL -> the witness's cosignature key
	mu      sync.Mutex
	reports map[string]WitnessReport
}

func (w *witnessRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	rep := WitnessReport{URL: req.URL.String(), At: time.Now()}
	var old uint64
	var cp []byte
	if req.Body != nil && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			old, rep.Size, cp = parseAddCheckpoint(body)
			body.Close()
		}
	}
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		rep.Problem = "unreachable: " + err.Error()
	} else {
		// Whatever the witness sends, at most maxWitnessResponse bytes are
		// read, here and by Tessera, which gets an identical copy: a
		// cosignature is a line of about a hundred bytes.
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxWitnessResponse+1))
		resp.Body.Close()
		over := len(body) > maxWitnessResponse
		if over {
			body = body[:maxWitnessResponse]
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		switch {
		case rerr != nil:
			rep.Problem = "the answer could not be read: " + rerr.Error()
		case resp.StatusCode != http.StatusOK:
			rep.Problem = explain(resp, body, old, rep.Size)
		case over:
			rep.Problem = fmt.Sprintf("answered 200 with more than %d bytes, which is not a cosignature; it does not count toward the policy", maxWitnessResponse)
		default:
			// 200 is only a claim: the witness is healthy when its
			// cosignature verifies with its key, as Tessera checks it.
			rep.OK, rep.Problem = w.cosigned(req.URL.String(), cp, body)
		}
	}
	w.mu.Lock()
	if w.reports == nil {
		w.reports = map[string]WitnessReport{}
	}
	// A witness that answers "I last cosigned size n" is only telling the
	// log where to prove from; the retry's outcome is the verdict. Tessera
	// asks from its own last checkpoint every time, so without this the
	// report would flip between the step and the verdict on each attempt.
	if prev, ok := w.reports[rep.URL]; !ok || !retryStep(resp, rep) || prev.OK || prev.Size != rep.Size {
		w.reports[rep.URL] = rep
	}
	w.mu.Unlock()
	return resp, err
}

// retryStep reports whether the witness's answer asks the log to prove
// consistency from another size, which Tessera does at once.
func retryStep(resp *http.Response, rep WitnessReport) bool {
	return resp != nil && resp.StatusCode == http.StatusConflict && strings.HasSuffix(rep.Problem, retryProblem)
}

// maxWitnessResponse bounds what is read of a witness's answer.
const maxWitnessResponse = 16 << 10

// cosigned checks a witness's 200 answer: its signature lines appended to
// the checkpoint offered must verify with the key configured for url.
func (w *witnessRecorder) cosigned(url string, cp, sigs []byte) (bool, string) {
	v := w.keys[url]
	if v == nil {
		return false, "answered 200, but no key is configured for this URL, so its cosignature cannot be checked"
	}
	if len(cp) == 0 {
		return false, "answered 200, but the checkpoint offered could not be read back to check the cosignature"
	}
	signed := append(bytes.Clone(cp), sigs...)
	if _, err := note.Open(signed, note.VerifierList(v)); err != nil {
		return false, fmt.Sprintf("answered 200, but its cosignature does not verify with its key %s (%v); it does not count toward the policy: check the witness's key in the policy", v.Name(), err)
	}
	return true, ""
}

// parseAddCheckpoint reads the old size, the offered checkpoint's size and
// the checkpoint itself from an add-checkpoint request body.
func parseAddCheckpoint(body io.Reader) (old, size uint64, cp []byte) {
	data, _ := io.ReadAll(io.LimitReader(body, 1<<16))
	head, rest, ok := bytes.Cut(data, []byte("\n\n"))
	if !ok {
		return 0, 0, nil
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	old, _ = strconv.ParseUint(strings.TrimPrefix(string(first), "old "), 10, 64)
	lines := strings.SplitN(string(rest), "\n", 3)
	if len(lines) >= 2 {
		size, _ = strconv.ParseUint(lines[1], 10, 64)
	}
	return old, size, rest
}

// retryProblem ends the report of a witness's answer that only asks for a
// proof from the size it last cosigned.
const retryProblem = "the log retries with a proof from there"

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
			return fmt.Sprintf("the witness last cosigned size %d, not %d; %s", n, old, retryProblem)
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
