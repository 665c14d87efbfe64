package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/metrics"
	"github.com/tallylog/tallylog/verify"
)

// Mirror makes a server a read-only mirror of the log published at
// Upstream (tallylog mirror): its log directory is a verified copy that
// the mirror's follower writes, its tally replays that copy checking every
// signature, and it serves the same site, API and tlog-tiles. It refuses
// submissions, and once the follower has seen a fork it says so on every
// page and in every answer's headers.
type Mirror struct {
	Upstream string

	mu       sync.Mutex
	fork     *verify.Fork
	upstream uint64    // size of the latest upstream checkpoint seen
	accepted uint64    // size of the latest verified checkpoint
	at       time.Time // when it was accepted
}

// SetFork records the fork the follower proved; the mirror stops
// following and every page shows it.
func (m *Mirror) SetFork(f *verify.Fork) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fork = f
}

// Fork returns the fork the follower proved, or nil.
func (m *Mirror) Fork() *verify.Fork {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fork
}

// Progress records the sizes of the upstream's latest checkpoint and of
// the latest one verified and copied.
func (m *Mirror) Progress(upstream, accepted uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.upstream = upstream
	if accepted > m.accepted || m.at.IsZero() {
		m.at = time.Now()
	}
	m.accepted = accepted
}

func (m *Mirror) writeMetrics(w *metrics.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Family("tallylog_mirror_upstream_size", "gauge", "Size of the latest checkpoint the upstream log published.")
	w.Sample("tallylog_mirror_upstream_size", float64(m.upstream))
	w.Family("tallylog_mirror_verified_size", "gauge", "Size of the latest upstream checkpoint verified and copied.")
	w.Sample("tallylog_mirror_verified_size", float64(m.accepted))
	w.Family("tallylog_mirror_last_advance_timestamp_seconds", "gauge", "When the mirror last accepted a larger checkpoint.")
	w.Sample("tallylog_mirror_last_advance_timestamp_seconds", float64(m.at.UnixNano())/1e9)
	w.Family("tallylog_mirror_forked", "gauge", "1 when the mirror has proved a fork of the upstream log and stopped.")
	w.Sample("tallylog_mirror_forked", b2f(m.fork != nil))
}

// forkAnswer is GET /api/v1/fork: both checkpoints and the failed proof.
type forkAnswer struct {
	Forked bool   `json:"forked"`
	Reason string `json:"reason,omitempty"`
	// Old is the checkpoint the mirror had verified; New the one signed
	// by the same key that cannot extend it.
	Old   string   `json:"old_checkpoint,omitempty"`
	New   string   `json:"new_checkpoint,omitempty"`
	Proof []string `json:"consistency_proof,omitempty"`
}

func (m *Mirror) answer() forkAnswer {
	f := m.Fork()
	if f == nil {
		return forkAnswer{}
	}
	a := forkAnswer{Forked: true, Reason: f.Reason, Old: string(f.Old), New: string(f.New), Proof: []string{}}
	for _, h := range f.Proof {
		a.Proof = append(a.Proof, h.String())
	}
	return a
}

// mirrorGuard wraps the handler of a mirror: it refuses anything but
// reads, fetches a scanned form the mirror lacks from the upstream
// (checking its hash), serves /api/v1/fork, and after a fork puts a
// banner on every HTML page and an X-Tallylog-Fork header on every answer.
func (s *Server) mirrorGuard(h http.Handler) http.Handler {
	m := s.mirror
	if m == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, &apiErr{Status: http.StatusMethodNotAllowed, Field: "server",
				Rule: "this is a read-only mirror of " + m.Upstream + "; submit records to the log's own server"})
			return
		}
		if r.URL.Path == "/app" || strings.HasPrefix(r.URL.Path, "/app/") {
			// The officers' app submits to the server it is loaded from,
			// which a mirror is not: officers are sent to the log's own.
			http.Redirect(w, r, strings.TrimSuffix(m.Upstream, "/")+r.URL.RequestURI(), http.StatusFound)
			return
		}
		if r.URL.Path == "/api/v1/fork" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			json.NewEncoder(w).Encode(m.answer())
			return
		}
		if hash, ok := strings.CutPrefix(r.URL.Path, "/images/"); ok && hexHash.MatchString(hash) {
			s.fetchImage(r.Context(), hash)
		}
		f := m.Fork()
		if f == nil {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("X-Tallylog-Fork", "the upstream log forked; see /api/v1/fork")
		rec := &bufferedResponse{header: http.Header{}}
		h.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if strings.HasPrefix(rec.header.Get("Content-Type"), "text/html") {
			body = insertBanner(body, f)
			rec.header.Del("Content-Length")
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Del("ETag")
		w.WriteHeader(rec.code())
		w.Write(body)
	})
}

// insertBanner puts the fork notice right after the page's <body> tag.
func insertBanner(page []byte, f *verify.Fork) []byte {
	i := bytes.Index(page, []byte("<body"))
	if i < 0 {
		return page
	}
	j := bytes.IndexByte(page[i:], '>')
	if j < 0 {
		return page
	}
	at := i + j + 1
	banner := `<div class="fork-banner" role="alert" style="background:#b00020;color:#fff;padding:1em;font-weight:bold">` +
		`This mirror has stopped: the log it follows forked (it signed two histories that cannot both be true). ` +
		`The results below are as of the last verified checkpoint. Both checkpoints and the proof: <a style="color:#fff" href="/api/v1/fork">/api/v1/fork</a>. ` +
		html.EscapeString(f.Reason) + `</div>`
	out := make([]byte, 0, len(page)+len(banner))
	out = append(out, page[:at]...)
	out = append(out, banner...)
	return append(out, page[at:]...)
}

// bufferedResponse holds a response so that the guard can change it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) code() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}

// fetchImage copies a scanned form from the upstream into the mirror's
// images when it is not there yet and its SHA-256 is the hash asked for.
func (s *Server) fetchImage(ctx context.Context, hash string) {
	path := filepath.Join(s.Dir.ImagesDir(), hash)
	if _, err := os.Stat(path); err == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(s.mirror.Upstream, "/")+"/images/"+hash, nil)
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxImage+1))
	if err != nil || len(data) > MaxImage {
		return
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) == hash {
		datadir.WriteFileAtomic(path, data, 0o644)
	}
}
