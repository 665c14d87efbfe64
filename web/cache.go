package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Every page and API response of the site is a function of three things:
// the entries the tally has applied, the published checkpoint (proofs are
// made against it), and whether provisional results are overdue (the one
// clock-dependent flag). A state names them; responses are cached per
// (state, request URI) so that a burst of requests for a page costs one
// render, and carry an ETag naming the state so that clients and CDNs can
// revalidate cheaply.

// state is what a response is a function of.
type state struct {
	applied    uint64 // entries the tally had applied
	checkpoint uint64 // size of the published checkpoint
	overdue    bool   // the provisional-results deadline has passed (by the server's clock)
	// minute is the server's clock in minutes once it has passed a time at
	// which flags change with the clock alone (tally.NextDue), else 0.
	minute int64
}

// etag returns the strong entity tag of the state: "a<applied>-c<size>[-late]".
func (st state) etag() string {
	late := ""
	if st.overdue {
		late = "-late"
	}
	if st.minute != 0 {
		late += fmt.Sprintf("-m%d", st.minute)
	}
	return fmt.Sprintf(`"a%d-c%d%s"`, st.applied, st.checkpoint, late)
}

// before reports whether st is older than o: a response rendered at st must
// not replace the cache of o.
func (st state) before(o state) bool {
	return st.applied < o.applied || st.checkpoint < o.checkpoint || (!st.overdue && o.overdue) || st.minute < o.minute
}

// response is one rendered answer. ready is closed once it is filled in.
type response struct {
	ready  chan struct{}
	status int
	ctype  string
	body   []byte
	etag   string
	// extra headers, such as Content-Disposition for downloads.
	header map[string]string
	// noStore keeps the response out of the cache: it was made from data
	// that lags the state (a forensic analysis not yet redone).
	noStore bool
}

// maxCached bounds the responses kept for one state: query strings are
// chosen by clients, so the number of keys must not be.
const maxCached = 8192

// minRerender is how long the responses of a state keep being served
// after the state has moved on. On election night every applied entry is a
// new state, thousands a second; re-rendering each page at most this often
// bounds the rendering work to a few renders per page per second, whatever
// the ingestion rate, at the price of pages that lag the log by up to this
// much (less than the checkpoint interval plus the 2 s max-age clients
// already allow). Each response carries the ETag of the state it shows.
// Tests set it to 0 so that a page read after a record is applied shows
// it.
var minRerender = 250 * time.Millisecond

// respCache holds the responses rendered for the latest state.
type respCache struct {
	mu sync.Mutex
	st state
	at time.Time // when st became the cached state
	m  map[string]*response
}

// get returns the response for key at st (or at an earlier state, for at
// most minRerender after st appeared), rendering it at most once however
// many requests ask for it at the same time. render returns the response
// and the state it actually observed (the tally may have moved on since st
// was read), whose ETag the response carries.
func (c *respCache) get(key string, st state, render func() (*response, state)) *response {
	c.mu.Lock()
	if c.m == nil || c.st.before(st) && time.Since(c.at) >= minRerender {
		c.st, c.at, c.m = st, time.Now(), make(map[string]*response)
	}
	if r, ok := c.m[key]; ok {
		c.mu.Unlock()
		<-r.ready
		return r
	}
	shared := len(c.m) < maxCached
	var r *response
	if shared {
		r = &response{ready: make(chan struct{})}
		c.m[key] = r
	}
	c.mu.Unlock()

	got, seen := render()
	got.etag = seen.etag()
	if !shared {
		return got
	}
	r.status, r.ctype, r.body, r.etag, r.header, r.noStore = got.status, got.ctype, got.body, got.etag, got.header, got.noStore
	close(r.ready)
	if got.noStore {
		c.mu.Lock()
		if c.m[key] == r {
			delete(c.m, key)
		}
		c.mu.Unlock()
	}
	return r
}

// Cache-Control values. Pages and API answers change with every
// checkpoint, so caches keep them for a couple of seconds and then
// revalidate with the ETag; errors are not cached by shared caches.
const (
	cacheCurrent = "public, max-age=2, stale-while-revalidate=10"
	cacheError   = "no-store"
)

// write sends r, or 304 Not Modified when the request already holds it.
func (r *response) write(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	for k, v := range r.header {
		h.Set(k, v)
	}
	if r.status != http.StatusOK {
		h.Set("Cache-Control", cacheError)
		h.Set("Content-Type", r.ctype)
		w.WriteHeader(r.status)
		w.Write(r.body)
		return
	}
	if r.noStore {
		h.Set("Cache-Control", "no-cache")
	} else {
		h.Set("ETag", r.etag)
		h.Set("Cache-Control", cacheCurrent)
	}
	if !r.noStore && etagMatch(req.Header.Get("If-None-Match"), r.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", r.ctype)
	if req.Method == http.MethodHead {
		h.Set("Content-Length", fmt.Sprint(len(r.body)))
		return
	}
	w.Write(r.body)
}

// etagMatch reports whether an If-None-Match header names etag.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
