package web

import "net/http"

// routeSite serves the public results pages and the read API. The site and
// API files of this package register their routes here.
func (s *Server) routeSite(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		cp, _ := s.Log.Checkpoint()
		w.Write([]byte("tallylog: " + s.Meta.Election + "\n\n"))
		w.Write(cp)
	})
}
