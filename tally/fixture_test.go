package tally

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// fixture is a tally of the test election, opened with its genesis entries.
type fixture struct {
	e       *testelection.Election
	t       *Tally
	entries [][]byte // every entry applied, genesis included
}

func newFixture(tb testing.TB) *fixture {
	e := testelection.New(tb)
	f := &fixture{e: e, t: New(testelection.Origin)}
	for _, entry := range e.Genesis {
		f.apply(tb, entry)
	}
	return f
}

// apply applies an entry, fails on refusal, and checks after every entry
// that the incrementally kept state equals a recomputation from scratch.
func (f *fixture) apply(tb testing.TB, entry []byte) uint64 {
	tb.Helper()
	i := f.t.Size()
	if err := f.t.Apply(i, entry); err != nil {
		tb.Fatalf("index %d: %v", i, err)
	}
	if err := f.t.retabulate(); err != nil {
		tb.Fatalf("after index %d: %v", i, err)
	}
	f.entries = append(f.entries, entry)
	return i
}

// add signs a record with the named key and applies it, returning its
// index and hash.
func (f *fixture) add(tb testing.TB, key string, r record.Record) (uint64, string) {
	tb.Helper()
	entry := f.e.Sign(tb, key, r)
	env, err := record.Open(entry)
	if err != nil {
		tb.Fatal(err)
	}
	return f.apply(tb, entry), env.HashHex()
}

// sheet applies a first-revision sheet signed by the station's presiding
// officer.
func (f *fixture) sheet(tb testing.TB, contest, station string, votes ...int64) (uint64, string) {
	tb.Helper()
	return f.add(tb, testelection.StationKey(station), f.e.Sheet(contest, station, votes...))
}

// correction returns a revision of a sheet that supersedes hash, carrying
// out no order.
func (f *fixture) correction(contest, station string, rev int64, supersedes string, votes ...int64) *record.Sheet {
	s := f.e.Sheet(contest, station, votes...)
	s.Revision, s.Supersedes, s.Reason = rev, supersedes, "recount ordered under section 95(5)"
	s.Captured = "2024-02-09T10:00:00Z"
	return s
}

// recount logs the returning officer's recount order for the station and
// returns the recount's sheet, which carries it out.
func (f *fixture) recount(tb testing.TB, contest, station string, rev int64, supersedes string, votes ...int64) *record.Sheet {
	tb.Helper()
	_, order := f.add(tb, "ro."+contest, f.e.Order(contest, record.OrderRecount, "recount under section 95(5)", station))
	s := f.correction(contest, station, rev, supersedes, votes...)
	s.Order = order
	return s
}

func declare(contest string, form int64, declared string, votes ...int64) *record.Declaration {
	return &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: contest, Form: form, Votes: testelection.Counts(votes...), Declared: declared}
}

// flags returns the standing flags of kind (all kinds if empty).
func (f *fixture) flags(kind string) []Flag {
	var out []Flag
	f.t.Read(func(v *View) { out = v.Flags(Filter{Kind: kind}) })
	return out
}

// history returns the flags of kind (all kinds if empty), resolved ones
// included.
func (f *fixture) history(kind string) []Flag {
	var out []Flag
	f.t.Read(func(v *View) { out = v.Flags(Filter{Kind: kind, Resolved: true}) })
	return out
}

func (f *fixture) contest(tb testing.TB, id string) ContestResult {
	var c ContestResult
	var ok bool
	f.t.Read(func(v *View) { c, ok = v.Contest(id, time.Time{}) })
	if !ok {
		tb.Fatalf("no contest %s", id)
	}
	return c
}

func (f *fixture) station(tb testing.TB, id string) StationResult {
	var s StationResult
	var ok bool
	f.t.Read(func(v *View) { s, ok = v.Station(id) })
	if !ok {
		tb.Fatalf("no station %s", id)
	}
	return s
}

func kinds(fs []Flag) string {
	var k []string
	for _, f := range fs {
		k = append(k, f.Kind)
	}
	return strings.Join(k, ",")
}

// onTime and late are declaration times either side of the test
// election's deadline (2024-02-09 02:00 Asia/Karachi = 2024-02-08T21:00Z).
const (
	onTime = "2024-02-08T20:00:00Z"
	late   = "2024-02-08T21:30:00Z"
)

func mustJSON(tb testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
