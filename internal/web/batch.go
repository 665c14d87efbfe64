package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/tallylog/tallylog/internal/intake"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// Bounds of one batch: a store-and-forward gateway splits a larger backlog
// into several requests.
const (
	// MaxBatchRecords is the most records one batch may hold.
	MaxBatchRecords = 1000
	// MaxBatchBytes bounds a batch request's body (JSON).
	MaxBatchBytes = 4 << 20
)

// handleBatch serves POST /api/v1/records/batch: many signed records in
// one request, each treated as if sent alone to POST /api/v1/records (the
// same checks, the same rate limits per record, the same index for the
// same bytes), with one result per record in the request's order. A record
// that names another of the batch is logged after it; see
// intake.AppendAll. The answer is 200 whenever the batch could be read,
// whatever happened to each record; the request as a whole is refused
// (400, 413) only when it cannot be read.
func (s *Server) handleBatch(lim *recordLimits) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.refuseStopped(w) {
			return
		}
		done, err := s.limits.batches.start(clientAddr(r))
		if err != nil {
			w.Header().Set("Retry-After", "2")
			writeError(w, err)
			return
		}
		defer done()
		entries, aerr := readBatch(http.MaxBytesReader(w, r.Body, MaxBatchBytes))
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		start := time.Now()
		results := s.submitBatch(r, lim, entries)
		s.measureBatch(start, results)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(BatchAnswer{Results: results})
	}
}

// readBatch reads a batch body, {"records": ["<signed record>", ...]},
// one record at a time: a body is refused at its 1,001st record, at a
// field other than "records" (or "records" twice), or at a record that is
// not a string, before the rest is decoded (4 MiB of empty strings would
// otherwise be 1.4 million strings held before their number was checked).
func readBatch(body io.Reader) ([][]byte, *apiErr) {
	dec := json.NewDecoder(body)
	bad := func(field, rule string, err error) *apiErr {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiErr{Status: http.StatusRequestEntityTooLarge, Field: "body",
				Rule: fmt.Sprintf("a batch is at most %d bytes: split it into several requests", MaxBatchBytes)}
		}
		if err != nil && err != io.EOF {
			rule += ": " + err.Error()
		}
		return &apiErr{Status: http.StatusBadRequest, Field: field, Rule: rule}
	}
	const shape = `a batch is JSON {"records": ["<signed record>", ...]}`
	delim := func(want json.Delim) error {
		tok, err := dec.Token()
		if err == nil && tok != want {
			err = fmt.Errorf("found %v where %v belongs", tok, want)
		}
		return err
	}
	if err := delim('{'); err != nil {
		return nil, bad("body", shape, err)
	}
	var entries [][]byte
	seen := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad("body", shape, err)
		}
		if key, _ := tok.(string); key != "records" || seen {
			return nil, bad("body", fmt.Sprintf("%s, with one field \"records\", not %q", shape, key), nil)
		}
		seen = true
		if err := delim('['); err != nil {
			return nil, bad("records", `"records" is a list of signed records, each its exact text as a JSON string`, err)
		}
		for dec.More() {
			if len(entries) == MaxBatchRecords {
				return nil, bad("records", fmt.Sprintf("a batch holds 1 to %d records, not more: split it into several requests", MaxBatchRecords), nil)
			}
			var rec string
			if err := dec.Decode(&rec); err != nil {
				return nil, bad("records", fmt.Sprintf("record %d is not a signed record's text as a JSON string", len(entries)+1), err)
			}
			entries = append(entries, []byte(rec))
		}
		if err := delim(']'); err != nil {
			return nil, bad("records", shape, err)
		}
	}
	if err := delim('}'); err != nil {
		return nil, bad("body", shape, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("body", "a batch is one JSON object and nothing after it", err)
	}
	if len(entries) == 0 {
		return nil, bad("records", fmt.Sprintf("a batch holds 1 to %d records, not 0", MaxBatchRecords), nil)
	}
	return entries, nil
}

// submitBatch authenticates the entries on every core, charges each to its
// signer's (or the client's) rate limit, appends them and builds their
// receipts against one checkpoint.
func (s *Server) submitBatch(r *http.Request, lim *recordLimits, entries [][]byte) []BatchResult {
	n := len(entries)
	results := make([]BatchResult, n)
	skip := make([]error, n)
	for i, e := range entries {
		if len(e) > record.MaxEntry {
			skip[i] = &apiErr{Status: http.StatusRequestEntityTooLarge, Field: "body", Rule: "a record is at most 65535 bytes"}
		}
	}
	vs, _ := s.Intake.AuthenticateAll(entries)
	for i := range entries {
		if skip[i] != nil {
			continue
		}
		if refused, secs := lim.charge(r, vs[i]); refused != nil {
			skip[i] = refused
			results[i].RetryAfter = secs
		}
	}
	// The attestation quotas, as for a record sent alone (limits.go).
	charged := make([]func(ok, applied bool), n)
	for i, e := range entries {
		if skip[i] != nil {
			continue
		}
		env := (*record.Envelope)(nil)
		if vs[i] != nil {
			env = vs[i].Envelope()
		} else if opened, err := record.Open(e); err == nil {
			env = opened
		}
		if env == nil {
			continue
		}
		logged := func() (in bool) {
			s.Intake.Registry(func(reg *registry.Registry) { _, in = reg.Lookup(env.Hash) })
			return in
		}
		done, err := s.limits.admitAttestation(env, len(e), logged)
		if err != nil {
			skip[i] = err
			continue
		}
		charged[i] = done
	}
	idx, errs := s.Intake.AppendAll(r.Context(), entries, vs, skip)
	applied, _ := s.Applied()
	for i := range idx {
		if charged[i] != nil {
			charged[i](errs[i] == nil, errs[i] == nil && idx[i] < applied)
		}
		if errs[i] != nil {
			idx[i] = intake.NoIndex
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.receiptWait)
	defer cancel()
	rcs, rerrs, err := s.Intake.Receipts(ctx, entries, idx)
	for i := range results {
		res := &results[i]
		if errs[i] != nil {
			res.setError(errs[i])
			continue
		}
		index := idx[i]
		res.Index = &index
		switch {
		case err != nil:
			rule := fmt.Sprintf("the record is durable at index %d, but no checkpoint covering it has been published yet", index)
			if why := s.publicationProblem(); why != "" {
				rule += " (" + why + ")"
			}
			res.setError(&apiErr{Status: http.StatusServiceUnavailable, Field: "checkpoint", Rule: rule + "; submit the same record again to get its receipt"})
			res.RetryAfter = 5
		case rerrs[i] != nil:
			res.setError(rerrs[i])
		default:
			res.Status = http.StatusOK
			res.Receipt = string(rcs[i].Marshal())
		}
	}
	return results
}

// setError fills the result with err in the one error shape.
func (res *BatchResult) setError(err error) {
	e := asAPIError(err)
	b := e.body()
	res.Status, res.Error, res.Code, res.Field, res.Rule = e.Status, b.Error, b.Code, b.Field, b.Rule
}

// measureBatch counts a batch's records in the submission metrics
// (metrics.go) as if each had been sent alone, its receipt time the
// batch's.
func (s *Server) measureBatch(start time.Time, results []BatchResult) {
	for _, res := range results {
		switch {
		case res.Status == http.StatusOK:
			s.metrics.accepted.Inc()
			s.metrics.receipt.Observe(time.Since(start).Seconds())
		case res.Status == http.StatusServiceUnavailable && res.Index != nil:
			s.metrics.pending.Inc()
		default:
			s.metrics.refused.Inc(res.Field, strconv.Itoa(res.Status))
		}
	}
}
