package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tallylog/tallylog/tally"
)

// Snapshot permalinks: a page as the log stood at an earlier size, for
// sharing a number that later records may change.
//
//	GET /snapshot/{size}/                     the first assembly
//	GET /snapshot/{size}/assembly/{id}
//	GET /snapshot/{size}/contest/{id}
//	GET /snapshot/{size}/station/{id...}
//	GET /snapshot/{size}/flags
//
// The server replays the log's first size entries into a fresh tally,
// exactly as tallylog verify does, and renders the page from it; proofs
// on the page are against the latest checkpoint (they prove the same
// entries). Replays run one at a time and the last few are kept.

// maxSnapshots bounds the replayed tallies kept in memory.
const maxSnapshots = 4

// Replays are the only work an anonymous reader can make the server do
// that the page cache does not share: each new size replays the log from
// its start. They are bounded three ways, and a request over a bound gets
// 429 naming it, with Retry-After (nothing is replayed):
//
//   - one replay runs at a time, and at most replayWaiting more wait for
//     it (field "snapshots");
//   - one client address may start replaysPerAddr replays a minute, in a
//     burst of as many (field "snapshots-per-address");
//   - all clients together may start replaysPerMinute a minute, in a
//     burst of replayBurst (field "snapshots").
//
// A snapshot already replayed (the last maxSnapshots) is served without
// charge.
const (
	replayWaiting    = 2
	replaysPerAddr   = 3
	replaysPerMinute = 20
	replayBurst      = 5
)

// snapshotCache holds replayed tallies by log size.
type snapshotCache struct {
	mu    sync.Mutex // guards sizes and byN
	sizes []uint64   // oldest first
	byN   map[uint64]*tally.Tally

	replay  sync.Mutex    // one replay at a time
	waiting chan struct{} // a token per replay running or waiting
	perAddr *limiter      // replays started per client address
	global  *limiter      // replays started by everyone
}

// newSnapshotCache returns an empty cache whose rate limits read now.
func newSnapshotCache(now func() time.Time) *snapshotCache {
	return &snapshotCache{byN: map[uint64]*tally.Tally{}, waiting: make(chan struct{}, 1+replayWaiting),
		perAddr: newLimiter(replaysPerAddr/60.0, replaysPerAddr, now),
		global:  newLimiter(replaysPerMinute/60.0, replayBurst, now)}
}

// cached returns the replayed tally of size n, if it is kept.
func (c *snapshotCache) cached(n uint64) (*tally.Tally, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.byN[n]
	return t, ok
}

// admit charges a replay to addr and takes a place in the queue, or
// refuses with the bound it would pass. done gives the place back.
func (c *snapshotCache) admit(addr string) (done func(), err *replayRefused) {
	select {
	case c.waiting <- struct{}{}:
	default:
		return nil, &replayRefused{"snapshots", fmt.Sprintf(
			"the server replays one snapshot at a time and lets %d wait; the latest results, and the snapshots already made, are served at once: retry in a few seconds", replayWaiting), 5}
	}
	release := func() { <-c.waiting }
	if ok, wait := c.perAddr.take(addr); !ok {
		release()
		return nil, &replayRefused{"snapshots-per-address", fmt.Sprintf(
			"one address may ask for %d new snapshots a minute (the last %d made are served freely); retry in %d seconds", replaysPerAddr, maxSnapshots, seconds(wait)), seconds(wait)}
	}
	if ok, wait := c.global.take(""); !ok {
		release()
		return nil, &replayRefused{"snapshots", fmt.Sprintf(
			"the server makes at most %d new snapshots a minute for all readers (the last %d made are served freely); retry in %d seconds", replaysPerMinute, maxSnapshots, seconds(wait)), seconds(wait)}
	}
	return release, nil
}

// replayRefused is a snapshot refused for a bound on replays: field names
// the bound, rule says what it is and when to retry.
type replayRefused struct {
	field, rule string
	retryAfter  int // seconds
}

func (e *replayRefused) Error() string { return e.field + ": " + e.rule }

// seconds rounds a wait up to whole seconds, at least 1.
func seconds(d time.Duration) int { return max(1, int((d+time.Second-1)/time.Second)) }

// tallyAt returns the tally of the log's first n entries, replaying them
// if it is not kept, within the bounds above.
func (x *site) tallyAt(r *http.Request, n uint64) (*tally.Tally, error) {
	c := x.snaps
	if t, ok := c.cached(n); ok {
		return t, nil
	}
	_, size := x.s.Log.Checkpoint()
	if n == 0 || n > size {
		return nil, fmt.Errorf("the log has %d published entries: a snapshot's size must be from 1 to %d", size, size)
	}
	done, refused := c.admit(clientAddr(r))
	if refused != nil {
		return nil, refused
	}
	defer done()
	c.replay.Lock()
	defer c.replay.Unlock()
	if t, ok := c.cached(n); ok { // replayed while this request waited
		return t, nil
	}
	t := tally.New(x.s.Meta.Origin)
	err := x.s.Log.ReadEntries(r.Context(), 0, n, size, func(i uint64, e []byte) error { return t.Apply(i, e) })
	if err != nil {
		return nil, fmt.Errorf("replaying the log's first %d entries: %v; retry, or run tallylog verify", n, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sizes) == maxSnapshots {
		delete(c.byN, c.sizes[0])
		c.sizes = c.sizes[1:]
	}
	c.sizes = append(c.sizes, n)
	c.byN[n] = t
	return t, nil
}

// snapshotPage serves /snapshot/{size}/{page...}.
func (x *site) snapshotPage(r *http.Request) (*response, state) {
	n, err := strconv.ParseUint(r.PathValue("size"), 10, 64)
	if err != nil {
		return x.notFoundPage(r, "Not a log size: "+r.PathValue("size"), "A snapshot address is /snapshot/<log size>/<page>, for example /snapshot/1200/contest/NA-57.")
	}
	rest := r.PathValue("page")
	var (
		render renderFunc
		key    string
		value  string
	)
	sx := &site{s: x.s, forensics: x.forensics, snaps: x.snaps, snapSize: n}
	switch head, tail, _ := strings.Cut(rest, "/"); head {
	case "":
		render = sx.assemblyPage
	case "assembly":
		render, key, value = sx.assemblyPage, "id", tail
	case "contest":
		render, key, value = sx.contestPage, "id", tail
	case "station":
		render, key, value = sx.stationPage, "id", tail
	case "flags":
		render = sx.flagsPage
	default:
		return x.notFoundPage(r, "No snapshot of /"+rest, "Snapshots exist of the assembly, constituency, station and flags pages.")
	}
	t, err := x.tallyAt(r, n)
	if rerr, ok := errors.AsType[*replayRefused](err); ok {
		var common pageCommon
		st := x.read(func(v *tally.View) { common = x.common(r, v, "Too many snapshots") })
		resp := htmlResponse(http.StatusTooManyRequests, "notfound", struct {
			pageCommon
			What, Hint string
		}{common, "Too many snapshots asked for (" + rerr.field + ")", rerr.rule})
		resp.header = map[string]string{"Retry-After": strconv.Itoa(rerr.retryAfter)}
		return resp, st
	}
	if err != nil {
		return x.notFoundPage(r, "No snapshot at log size "+r.PathValue("size"), err.Error())
	}
	sx.snap = t
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = langPrefix(r)+"/"+rest, ""
	if key != "" {
		r2.SetPathValue(key, value)
	}
	resp, _ := render(r2)
	return resp, x.current()
}

// tallyOf is the tally the site reads: a snapshot's, or the live one.
func (x *site) tallyOf() *tally.Tally {
	if x.snap != nil {
		return x.snap
	}
	return x.s.Tally
}

// permalinkOf is the snapshot address of a page at log size n, or "" for
// pages that have no snapshot.
func permalinkOf(path string, n uint64) string {
	p, _, _ := strings.Cut(path, "?")
	if p != "/" && p != "/flags" && !strings.HasPrefix(p, "/assembly/") && !strings.HasPrefix(p, "/contest/") && !strings.HasPrefix(p, "/station/") {
		return ""
	}
	return "/snapshot/" + strconv.FormatUint(n, 10) + path
}
