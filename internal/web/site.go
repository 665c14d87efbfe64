package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tallylog/tallylog/tally"
)

// The public site. Every page is server-rendered HTML that reads without
// JavaScript; charts are SVG drawn in Go. Everything on the pages is also in
// the JSON read API (docs/api.md), and the downloads carry the same numbers.
//
//	GET /                              the first assembly (the National Assembly)
//	GET /assembly/{id}                 hemicycle, party seats, stations reported, latest flags, contests
//	GET /contest/{id}                  candidates, declared vs logged sheets, stations
//	GET /station/{id...}               sheets, signers, attestations, versions, inclusion proof
//	GET /entry/{index}                 one logged record and its inclusion proof
//	GET /flags                         flags and forensic signals, filtered and paginated
//	GET /forensics                     the first assembly's forensic screening
//	GET /forensics/assembly/{id}       an assembly's forensic screening
//	GET /forensics/contest/{id}        a contest's forensic screening
//	GET /forensics/{scope}/{id}/{chart}.svg   fingerprint, turnout, leader-share
//	                                   (under /ur/ with Urdu words)
//	GET /log                           checkpoint, cosignatures, how to verify
//	GET /claim, POST /claim            the claim checker: is this sheet real? (claim.go)
//	GET /static/{file}                 the stylesheet and the optional script
//	GET /card/{assembly|contest}/{id}.png   share cards, the pages' og:image (card.go)
//
//	GET /api/v1/...                    the read API (api.go)
//	GET /export/{assembly}/...         CSV and NIST SP 1500-100 downloads (export.go)
//
// Responses are cached per state (see cache.go): a burst of requests for
// one page costs one render, and clients revalidate with the ETag.
func (s *Server) routeSite(mux *http.ServeMux) {
	x := &site{s: s, forensics: newForensicsCache(), snaps: newSnapshotCache(time.Now), cards: newCardCache(time.Now), scans: &scanCounts{}}
	x.cache.maxBytes = s.limits.cfg.CacheBytes
	x.htmlPage(mux, "GET /{$}", x.assemblyPage)
	x.htmlPage(mux, "GET /assembly/{id}", x.assemblyPage)
	x.htmlPage(mux, "GET /contest/{id}", x.contestPage)
	x.htmlPage(mux, "GET /station/{id...}", x.stationPage)
	x.htmlPage(mux, "GET /entry/{index}", x.entryPage)
	x.htmlPage(mux, "GET /flags", x.flagsPage)
	x.htmlPage(mux, "GET /forensics", x.forensicsPage)
	x.htmlPage(mux, "GET /forensics/{scope}/{id}", x.forensicsPage)
	x.page(mux, "GET /forensics/{scope}/{id}/{chart}", x.forensicsChart)
	x.page(mux, "GET /ur/forensics/{scope}/{id}/{chart}", x.forensicsChart)
	x.htmlPage(mux, "GET /log", x.logPage)
	x.htmlPage(mux, "GET /claim", x.claimGet)
	mux.HandleFunc("POST /claim", x.claimPost)
	mux.HandleFunc("POST /ur/claim", x.claimPost)
	x.htmlPage(mux, "GET /search", x.searchPage)
	x.routeAudits(mux)
	x.routeReceipt(mux)
	x.htmlPage(mux, "GET /snapshot/{size}/{page...}", x.snapshotPage)
	mux.HandleFunc("GET /card/{kind}/{file}", x.cardHandler)
	mux.HandleFunc("GET /docs/api.md", serveAPIDoc)
	mux.Handle("GET /ur", http.RedirectHandler("/ur/", http.StatusMovedPermanently))
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	x.routeAPI(mux)
	x.routeExport(mux)
}

// site holds what the site keeps between requests.
type site struct {
	s         *Server
	cache     respCache
	forensics *forensicsCache
	deadline  atomic.Pointer[time.Time]
	// snap, when set, is the tally of the log's first snapSize entries
	// that a snapshot page reads instead of the live one (snapshot.go).
	snap     *tally.Tally
	snapSize uint64
	snaps    *snapshotCache
	cards    *cardCache  // share cards (card.go)
	scans    *scanCounts // scan coverage (scans.go)
}

// renderFunc answers one request. It reads the tally itself (through
// x.read) and returns the state it observed.
type renderFunc func(r *http.Request) (*response, state)

// renderTimeout bounds the I/O of one render (reading entries for proofs).
const renderTimeout = 10 * time.Second

// page registers a cached handler.
func (x *site) page(mux *http.ServeMux, pattern string, f renderFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		key, query := cacheKey(r)
		resp := x.cache.get(key, x.current(), func() (*response, state) {
			// The render may serve many waiting requests: it must not stop
			// when the client that started it goes away, and it sees only
			// what the key holds.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), renderTimeout)
			defer cancel()
			rr := r.Clone(ctx)
			rr.URL.RawQuery = query
			return f(rr)
		})
		resp.write(w, r)
	})
}

// current returns the state now. It takes no lock of the tally's, so
// requests answered from the cache never wait for the tally to apply an
// entry.
func (x *site) current() state {
	_, size := x.s.Log.Checkpoint()
	applied, _ := x.s.Applied()
	return state{applied: applied, checkpoint: size, overdue: x.overdue(), minute: x.minute(), stopped: x.s.Stopped() != ""}
}

// minute returns the server's clock in minutes once it is past a time at
// which some flag changes with the clock alone, else 0.
func (x *site) minute() int64 {
	due := x.s.Tally.NextDue()
	if now := x.s.Now(); !due.IsZero() && now.After(due) {
		return now.Unix() / 60
	}
	return 0
}

// overdue reports whether the provisional deadline has passed by the
// server's clock.
func (x *site) overdue() bool {
	d := x.deadline.Load()
	if d == nil {
		var dl time.Time
		x.s.Tally.Read(func(v *tally.View) {
			if v.Definition() != nil {
				dl = v.Deadline()
			}
		})
		if dl.IsZero() {
			return false
		}
		x.deadline.Store(&dl)
		d = &dl
	}
	return x.s.Now().After(*d)
}

// read runs f under the tally's read lock and returns the state it saw.
// f must only copy data out; rendering happens after read returns.
func (x *site) read(f func(v *tally.View)) state {
	_, size := x.s.Log.Checkpoint()
	st := state{checkpoint: size, overdue: x.overdue(), minute: x.minute(), stopped: x.s.Stopped() != ""}
	x.tallyOf().Read(func(v *tally.View) {
		st.applied = v.Size()
		f(v)
	})
	return st
}

// asOf is the clock deadlines are judged by.
func (x *site) asOf() time.Time { return x.s.Now().UTC() }

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The files change only with the binary; a day is a safe lifetime.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}

// htmlResponse executes the named page template with data, in the
// language of the page (pageCommon.Lang, English by default).
func htmlResponse(status int, name string, data any) *response {
	lang := "en"
	if l, ok := data.(interface{ language() string }); ok {
		lang = l.language()
	}
	var buf bytes.Buffer
	if err := pagesIn(lang)[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return textResponse(http.StatusInternalServerError, "could not render the page: "+err.Error()+"; report this to the site's operator")
	}
	body := buf.Bytes()
	if lang != "en" {
		body = localLinks(body, "/"+lang)
	}
	return &response{status: status, ctype: "text/html; charset=utf-8", body: body}
}

// jsonResponse encodes v as indented JSON.
func jsonResponse(status int, v any) *response {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return textResponse(http.StatusInternalServerError, "could not encode the answer: "+err.Error())
	}
	return &response{status: status, ctype: "application/json", body: append(body, '\n'),
		header: map[string]string{"Access-Control-Allow-Origin": "*"}}
}

// apiError is a read API error answer, in the one error shape (errors.go):
// msg is the rule, concerning the request as a whole.
func apiError(status int, msg string) *response {
	return jsonResponse(status, (&apiErr{Status: status, Rule: msg}).body())
}

func textResponse(status int, msg string) *response {
	return &response{status: status, ctype: "text/plain; charset=utf-8", body: []byte(msg + "\n")}
}

// notFoundPage is the HTML answer for an unknown identifier.
func (x *site) notFoundPage(r *http.Request, what, hint string) (*response, state) {
	var common pageCommon
	st := x.read(func(v *tally.View) { common = x.common(r, v, "Not found") })
	return htmlResponse(http.StatusNotFound, "notfound", struct {
		pageCommon
		What, Hint string
	}{common, what, hint}), st
}
