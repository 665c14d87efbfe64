package web

import (
	"net/http"

	"github.com/tallylog/tallylog/app"
	"github.com/tallylog/tallylog/tally"
)

// routeApp serves the officers' web app (package app) at /app/, configured
// with this log's origin and key and the witnesses' keys, and the
// definition it fills its forms from:
//
//	GET /app/                 the app (docs/app.md)
//	GET /api/v1/definition    the definition's canonical JSON, the bytes the
//	                          definition records carry; its SHA-256 is the
//	                          election record's definition-sha256
func (s *Server) routeApp(mux *http.ServeMux) {
	cfg := app.Config{Election: s.Meta.Election, Origin: s.Meta.Origin, LogKey: s.Meta.LogKey}
	if s.Witnesses != nil {
		for _, m := range s.Witnesses.Members {
			cfg.Witnesses = append(cfg.Witnesses, m.Key.VKey)
		}
	}
	mux.Handle("GET /app/", app.Handler("/app/", cfg))
	// The definition changes only when the log opens: a site of its own
	// (its own small response cache) serves it.
	x := &site{s: s}
	x.page(mux, "GET /api/v1/definition", x.apiDefinition)
}

func (x *site) apiDefinition(r *http.Request) (*response, state) {
	var body []byte
	st := x.read(func(v *tally.View) {
		if d := v.Definition(); d != nil {
			body = d.Canonical()
		}
	})
	if body == nil {
		return apiError(http.StatusNotFound, "the election's definition is not logged yet: retry when the log holds its definition records"), st
	}
	return &response{status: http.StatusOK, ctype: "application/json", body: body,
		header: map[string]string{"Access-Control-Allow-Origin": "*"}}, st
}
