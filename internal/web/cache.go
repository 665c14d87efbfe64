package web

import (
	"fmt"
	"net/http"
	"net/url"
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
	stopped    bool   // the server refuses submissions (guard.go): every page says so
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
	if st.stopped {
		late += "-stopped"
	}
	if st.minute != 0 {
		late += fmt.Sprintf("-m%d", st.minute)
	}
	return fmt.Sprintf(`"a%d-c%d%s"`, st.applied, st.checkpoint, late)
}

// before reports whether st is older than o: a response rendered at st must
// not replace the cache of o.
func (st state) before(o state) bool {
	return st.applied < o.applied || st.checkpoint < o.checkpoint || (!st.overdue && o.overdue) || st.stopped != o.stopped || st.minute < o.minute
}

// knownParams are the query parameters some page or API answer reads; a
// cache key holds these and no others, each once and at most
// maxParamBytes long (longer values are refused by the parsers anyway).
var knownParams = []string{"all", "assembly", "contest", "kind", "page", "q", "region", "resolved", "severity", "station"}

const maxParamBytes = 128

// cacheKey is the cache key of a request, built from its path and its
// known query parameters only, and the canonical query the render must
// see (so that a response shared by several requests depends on nothing
// else). The /log page shows commands with the URL the site was reached
// by, so its key holds the Host too.
func cacheKey(r *http.Request) (key, query string) {
	q := r.URL.Query()
	kept := url.Values{}
	for _, name := range knownParams {
		if v, ok := q[name]; ok && len(v) > 0 {
			kept.Set(name, v[0][:min(len(v[0]), maxParamBytes)])
		}
	}
	query = kept.Encode()
	key = r.URL.Path + "?" + query
	if r.URL.Path == "/log" {
		key = r.Host + key
	}
	return key, query
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

// maxCached bounds the responses kept for one state, and CacheBytes (a
// server limit, DefaultLimits.CacheBytes unless set) the bytes they hold:
// paths are chosen by clients, so neither the number of keys nor their
// size may be. Keys are built by cacheKey from the path and the query
// parameters the site knows, never the raw query string. A response that
// would take the cache past its bytes is served but not kept.
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
	maxBytes int64 // 0: DefaultLimits.CacheBytes

	mu    sync.Mutex
	st    state
	at    time.Time // when st became the cached state
	m     map[string]*response
	bytes int64 // held by the responses of m
}

// size is what a cached response costs: its key, body and headers, and a
// fixed overhead for the structures around them.
func (r *response) size(key string) int64 {
	n := int64(len(key)+len(r.body)+len(r.etag)+len(r.ctype)) + 256
	for k, v := range r.header {
		n += int64(len(k) + len(v))
	}
	return n
}

// get returns the response for key at st (or at an earlier state, for at
// most minRerender after st appeared), rendering it at most once however
// many requests ask for it at the same time. render returns the response
// and the state it actually observed (the tally may have moved on since st
// was read), whose ETag the response carries.
func (c *respCache) get(key string, st state, render func() (*response, state)) *response {
	c.mu.Lock()
	if c.m == nil || c.st.before(st) && time.Since(c.at) >= minRerender {
		c.st, c.at, c.m, c.bytes = st, time.Now(), make(map[string]*response), 0
	}
	if r, ok := c.m[key]; ok {
		c.mu.Unlock()
		cacheHits.Add(1)
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

	cacheRenders.Add(1)
	got, seen := render()
	got.etag = seen.etag()
	if !shared {
		return got
	}
	r.status, r.ctype, r.body, r.etag, r.header, r.noStore = got.status, got.ctype, got.body, got.etag, got.header, got.noStore
	close(r.ready)
	size := r.size(key)
	limit := c.maxBytes
	if limit <= 0 {
		limit = DefaultLimits.CacheBytes
	}
	c.mu.Lock()
	if c.m[key] == r {
		// Errors are not kept (any path can make one), nor what was made
		// from lagging data, nor what would pass the bytes bound; the
		// requests already waiting for r still get it.
		if got.noStore || got.status != http.StatusOK || c.bytes+size > limit {
			delete(c.m, key)
		} else {
			c.bytes += size
		}
	}
	c.mu.Unlock()
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
