package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
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
}

// etag returns the strong entity tag of the state: "a<applied>-c<size>[-late]".
func (st state) etag() string {
	late := ""
	if st.overdue {
		late = "-late"
	}
	return fmt.Sprintf(`"a%d-c%d%s"`, st.applied, st.checkpoint, late)
}

// before reports whether st is older than o: a response rendered at st must
// not replace the cache of o.
func (st state) before(o state) bool {
	return st.applied < o.applied || st.checkpoint < o.checkpoint || (!st.overdue && o.overdue)
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
}

// maxCached bounds the responses kept for one state: query strings are
// chosen by clients, so the number of keys must not be.
const maxCached = 8192

// respCache holds the responses rendered for the latest state.
type respCache struct {
	mu sync.Mutex
	st state
	m  map[string]*response
}

// get returns the response for key at st, rendering it at most once per
// state however many requests ask for it at the same time. render returns
// the response and the state it actually observed (the tally may have
// moved on since st was read); the response is cached under that state.
func (c *respCache) get(key string, st state, render func() (*response, state)) *response {
	c.mu.Lock()
	if c.m == nil || c.st.before(st) {
		c.st, c.m = st, make(map[string]*response)
	}
	if c.st == st {
		if r, ok := c.m[key]; ok {
			c.mu.Unlock()
			<-r.ready
			return r
		}
	}
	shared := c.st == st && len(c.m) < maxCached
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
	r.status, r.ctype, r.body, r.etag, r.header = got.status, got.ctype, got.body, got.etag, got.header
	close(r.ready)
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
	h.Set("ETag", r.etag)
	h.Set("Cache-Control", cacheCurrent)
	if etagMatch(req.Header.Get("If-None-Match"), r.etag) {
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
