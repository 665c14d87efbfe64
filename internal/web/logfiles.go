package web

import (
	"compress/gzip"
	"errors"
	"net/http"
	"os"
	"strings"

	"github.com/tallylog/tallylog/internal/ledger"
)

// routeLog serves the log as C2SP tlog-tiles: /checkpoint (mutable, cached
// for a second) and the tiles and entry bundles (immutable: a path's
// content never changes, partial tiles included), read through the log's
// storage driver. The same resources are served under the path of the
// log's origin as well (/ge2024/checkpoint for the origin
// results.example.pk/ge2024), where tlog-tiles clients that derive the URL
// prefix from the origin look for them.
func (s *Server) routeLog(mux *http.ServeMux) {
	for _, prefix := range logPrefixes(s.Meta.Origin) {
		mux.HandleFunc("GET "+prefix+"checkpoint", s.handleCheckpoint)
		mux.HandleFunc("GET "+prefix+"tile/", func(w http.ResponseWriter, r *http.Request) {
			s.handleTile(w, r, strings.TrimPrefix(r.URL.Path, prefix))
		})
	}
}

// logPrefixes returns "/" and, when the origin names a path, "/<path>/".
func logPrefixes(origin string) []string {
	out := []string{"/"}
	if _, path, ok := strings.Cut(origin, "/"); ok && path != "" && !strings.ContainsAny(path, " {}") {
		p := "/" + strings.Trim(path, "/") + "/"
		if p != "//" && !strings.HasPrefix(p, "/tile/") && p != "/checkpoint/" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	cp, _ := s.Log.Checkpoint()
	if cp == nil {
		http.Error(w, "no checkpoint is published yet", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=1")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(cp)
}

func (s *Server) handleTile(w http.ResponseWriter, r *http.Request, path string) {
	data, err := s.Log.ReadPath(r.Context(), path)
	switch {
	case errors.Is(err, ledger.ErrNotTilePath):
		http.Error(w, "not a tlog-tiles path", http.StatusNotFound)
		return
	case errors.Is(err, os.ErrNotExist):
		http.Error(w, "no such tile", http.StatusNotFound)
		return
	case err != nil:
		s.logger.Error("reading the log's storage", "path", path, "err", err)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "the log's storage could not be read; retry", http.StatusServiceUnavailable)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Access-Control-Allow-Origin", "*")
	if strings.HasPrefix(path, "tile/entries/") {
		// tlog-tiles: entry bundles SHOULD be compressed in transit. Hash
		// tiles are random bytes and are sent as they are.
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			zw := gzipWriters.Get(w)
			zw.Write(data)
			zw.Close()
			gzipWriters.Put(zw)
			return
		}
	}
	w.Write(data)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (listed without q=0).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
				q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}

// gzipPool reuses gzip writers (each holds about 800 KB of state).
type gzipPool struct{ p chan *gzip.Writer }

var gzipWriters = gzipPool{p: make(chan *gzip.Writer, 16)}

func (g gzipPool) Get(w http.ResponseWriter) *gzip.Writer {
	select {
	case zw := <-g.p:
		zw.Reset(w)
		return zw
	default:
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		return zw
	}
}

func (g gzipPool) Put(zw *gzip.Writer) {
	select {
	case g.p <- zw:
	default:
	}
}
