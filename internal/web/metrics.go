package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tallylog/tallylog/internal/metrics"
)

// serverMetrics are what GET /metrics exposes (docs/operations.md lists
// them): submissions accepted, refused by reason and left pending; the time
// to a receipt; uploads; the tally's lag behind the published checkpoint;
// the witnesses' state; the page cache; HTTP responses by status class; the
// Go runtime; and Tessera's own OpenTelemetry instruments.
type serverMetrics struct {
	reg      *metrics.Registry
	accepted *metrics.Counter
	refused  *metrics.Counter
	pending  *metrics.Counter
	receipt  *metrics.Histogram
	uploads  *metrics.Counter
	upBytes  *metrics.Counter
	requests *metrics.Counter
}

// Page-cache counters: process-wide, since the cache is per server but a
// process serves one election.
var cacheHits, cacheRenders atomic.Uint64

// latencyBounds are the receipt-latency buckets in seconds: the checkpoint
// interval (200 ms by default) is the floor, witnesses add round trips.
var latencyBounds = []float64{0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 15, 30}

func newServerMetrics(s *Server) *serverMetrics {
	r := metrics.NewRegistry()
	m := &serverMetrics{reg: r}
	m.accepted = r.Counter("tallylog_records_accepted_total", "Records appended to the log and answered with a receipt (or a receipt for a record already logged).")
	m.refused = r.Counter("tallylog_records_refused_total", "Records refused, by the field whose rule they broke (as in the error answer) and the HTTP status; nothing was logged.", "reason", "status")
	m.pending = r.Counter("tallylog_records_pending_total", "Records durable in the log but answered 503: no checkpoint covering them was published in time (witnesses not cosigning).")
	m.receipt = r.Histogram("tallylog_receipt_latency_seconds", "Time from a submission's arrival to its receipt.", latencyBounds)
	m.uploads = r.Counter("tallylog_image_uploads_total", "Scanned-form uploads by outcome (stored, or the field of the refusal).", "outcome")
	m.upBytes = r.Counter("tallylog_image_upload_bytes_total", "Bytes of scanned forms stored.")
	m.requests = r.Counter("tallylog_http_responses_total", "HTTP responses by status class.", "code")
	r.Gauge("tallylog_log_published_size", "Entries covered by the latest published checkpoint.", func() float64 {
		_, n := s.Log.Checkpoint()
		return float64(n)
	})
	r.Gauge("tallylog_log_integrated_size", "Entries sequenced and durable, published or not.", func() float64 {
		n, err := s.Log.IntegratedSize(context.Background())
		if err != nil {
			return -1
		}
		return float64(n)
	})
	r.Gauge("tallylog_tally_applied", "Entries the tally (the site and the API) has applied.", func() float64 {
		n, _ := s.Applied()
		return float64(n)
	})
	r.Gauge("tallylog_tally_lag_entries", "Published entries the tally has not applied yet.", func() float64 {
		_, pub := s.Log.Checkpoint()
		n, _ := s.Applied()
		return float64(pub - min(pub, n))
	})
	r.Gauge("tallylog_tally_failed", "1 when the tally stopped on an entry replay refuses (run tallylog verify), else 0.", func() float64 {
		return b2f(s.Failed())
	})
	r.Collect(func(w *metrics.Writer) { s.writeWitnessMetrics(w) })
	r.Collect(func(w *metrics.Writer) {
		w.Family("tallylog_page_cache_hits_total", "counter", "Page and API answers served from the per-checkpoint cache.")
		w.Sample("tallylog_page_cache_hits_total", float64(cacheHits.Load()))
		w.Family("tallylog_page_cache_renders_total", "counter", "Page and API answers rendered.")
		w.Sample("tallylog_page_cache_renders_total", float64(cacheRenders.Load()))
	})
	if s.mirror != nil {
		r.Collect(s.mirror.writeMetrics)
	}
	r.Collect(metrics.GoRuntime)
	r.Collect(metrics.OTel())
	return m
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// writeWitnessMetrics writes each policy witness's state: whether it
// cosigned the published checkpoint, and the outcome and time of the log's
// latest request to it.
func (s *Server) writeWitnessMetrics(w *metrics.Writer) {
	if s.Witnesses == nil {
		return
	}
	cp, _ := s.Log.Checkpoint()
	ws := s.witnessStatuses(cp)
	w.Family("tallylog_witness_cosigned", "gauge", "1 when the witness's cosignature on the published checkpoint verifies.")
	for _, x := range ws {
		w.Sample("tallylog_witness_cosigned", b2f(x.Cosigned), "witness", x.ID)
	}
	w.Family("tallylog_witness_last_ok", "gauge", "1 when the log's latest request to the witness was cosigned, 0 when it was refused or failed.")
	for _, x := range ws {
		if x.Last != nil {
			w.Sample("tallylog_witness_last_ok", b2f(x.Last.OK), "witness", x.ID)
		}
	}
	w.Family("tallylog_witness_last_request_timestamp_seconds", "gauge", "When the log last asked the witness to cosign.")
	for _, x := range ws {
		if x.Last != nil {
			w.Sample("tallylog_witness_last_request_timestamp_seconds", float64(x.Last.At.UnixNano())/1e9, "witness", x.ID)
		}
	}
}

func (s *Server) routeMetrics(mux *http.ServeMux) {
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", metrics.ContentType)
		w.Header().Set("Cache-Control", "no-store")
		s.metrics.reg.WriteText(w)
	})
}

// recorder remembers a response's status and size and, for errors, the
// start of its body (the JSON error naming the field).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	errBuf []byte
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.status >= 400 && len(r.errBuf) < 1024 {
		r.errBuf = append(r.errBuf, p[:min(len(p), 1024-len(r.errBuf))]...)
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// field returns the field a JSON error answer names, or "status_NNN".
func (r *recorder) field() string {
	var e struct {
		Field string `json:"field"`
	}
	if json.Unmarshal(bytes.TrimSpace(r.errBuf), &e) == nil && e.Field != "" {
		return e.Field
	}
	return "status_" + strconv.Itoa(r.code())
}

// measureRecords counts the submission handler's outcomes.
func (s *Server) measureRecords(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		h(rec, r)
		switch c := rec.code(); {
		case c == http.StatusOK:
			s.metrics.accepted.Inc()
			s.metrics.receipt.Observe(time.Since(start).Seconds())
		case c == http.StatusServiceUnavailable && rec.Header().Get("X-Log-Index") != "":
			s.metrics.pending.Inc()
		default:
			s.metrics.refused.Inc(rec.field(), strconv.Itoa(c))
		}
	}
}

// measureUploads counts the image upload handler's outcomes.
func (s *Server) measureUploads(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		body := &countingReader{r: r.Body}
		r.Body = struct {
			io.Reader
			io.Closer
		}{body, r.Body}
		h(rec, r)
		if rec.code() < 300 {
			s.metrics.uploads.Inc("stored")
			s.metrics.upBytes.Add(float64(body.n))
			return
		}
		s.metrics.uploads.Inc(rec.field())
	}
}

// observe counts every response by status class and, with an access
// logger, logs one line per request.
func (s *Server) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		code := rec.code()
		s.metrics.requests.Inc(strconv.Itoa(code/100) + "xx")
		if s.accessLog != nil {
			s.accessLog.LogAttrs(r.Context(), slog.LevelInfo, "http",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", code), slog.Int64("bytes", rec.bytes),
				slog.Float64("ms", float64(time.Since(start).Microseconds())/1000),
				slog.String("remote", r.RemoteAddr))
		}
	})
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
