package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

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

// snapshotCache holds replayed tallies by log size.
type snapshotCache struct {
	mu    sync.Mutex // one replay at a time
	sizes []uint64   // oldest first
	byN   map[uint64]*tally.Tally
}

// tallyAt returns the tally of the log's first n entries.
func (x *site) tallyAt(r *http.Request, n uint64) (*tally.Tally, error) {
	c := x.snaps
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.byN[n]; ok {
		return t, nil
	}
	_, size := x.s.Log.Checkpoint()
	if n == 0 || n > size {
		return nil, fmt.Errorf("the log has %d published entries: a snapshot's size must be from 1 to %d", size, size)
	}
	t := tally.New(x.s.Meta.Origin)
	err := x.s.Log.ReadEntries(r.Context(), 0, n, size, func(i uint64, e []byte) error { return t.Apply(i, e) })
	if err != nil {
		return nil, fmt.Errorf("replaying the log's first %d entries: %v; retry, or run tallylog verify", n, err)
	}
	if c.byN == nil {
		c.byN = map[uint64]*tally.Tally{}
	}
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
