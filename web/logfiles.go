package web

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
)

// tilePath matches the C2SP tlog-tiles resources: tile/<L>/<N>[.p/<W>] and
// tile/entries/<N>[.p/<W>], N in x-prefixed three-digit groups.
var tilePath = regexp.MustCompile(`^tile/(?:[0-9]{1,2}|entries)/(?:x[0-9]{3}/)*[0-9]{3}(?:\.p/[0-9]{1,3})?$`)

// routeLog serves the log as static files: /checkpoint (mutable, cached for
// a second) and the tiles and entry bundles (immutable: a path's content
// never changes, partial tiles included).
func (s *Server) routeLog(mux *http.ServeMux) {
	mux.HandleFunc("GET /checkpoint", func(w http.ResponseWriter, r *http.Request) {
		cp, _ := s.Log.Checkpoint()
		if cp == nil {
			http.Error(w, "no checkpoint is published yet", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=1")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(cp)
	})
	mux.HandleFunc("GET /tile/", func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path[1:]
		if !tilePath.MatchString(p) {
			http.Error(w, "not a tlog-tiles path", http.StatusNotFound)
			return
		}
		data, err := os.ReadFile(filepath.Join(s.Log.Dir(), filepath.FromSlash(p)))
		if err != nil {
			http.Error(w, "no such tile", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(data)
	})
}
