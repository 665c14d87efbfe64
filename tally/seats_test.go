package tally

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/seats"
)

// TestAffiliationWindow: an independent winner counts for the party joined
// only within AffiliationDays of the assembly's gazette notification.
func TestAffiliationWindow(t *testing.T) {
	cases := []struct {
		joined  string
		counted bool
	}{{"2024-02-15", true}, {"2024-02-18", true}, {"2024-02-19", false}, {"2024-02-14", false}}
	for _, c := range cases {
		t.Run(c.joined, func(t *testing.T) {
			f := newFixture(t)
			f.sheet(t, "NA-57", "NA-57/PS-1", 100, 200, 300)
			f.sheet(t, "NA-58", "NA-58/PS-1", 300, 200, 100)
			f.add(t, "ecp", &record.Gazette{Election: "pk-test", Log: testelection.Origin, Assembly: "NA", Notified: "2024-02-15"})
			f.add(t, "ecp", &record.Affiliation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Candidate: "3", Party: "pti", Joined: c.joined})
			var na AssemblySeats
			f.t.Read(func(v *View) { na = v.Seats()[0] })
			if na.Error != "" || na.House == nil {
				t.Fatalf("seats refused: %s", na.Error)
			}
			if len(na.Won) != 2 || na.Won[0] != (PartySeats{seats.Independent, 1}) || na.Won[1] != (PartySeats{"pmln", 1}) || na.Unreported != 0 {
				t.Fatalf("won %+v", na.Won)
			}
			if len(na.Joins) != 1 || na.Joins[0].Counted != c.counted {
				t.Fatalf("joins %+v", na.Joins)
			}
			pti := member(na.House, "pti")
			if c.counted != (pti.General == 1 && pti.Women > 0) || c.counted == (na.House.Independents == 1) {
				t.Fatalf("house %+v", na.House)
			}
			if na.House.Simple.Seats != 169 || na.House.TwoThirds.Seats != 224 {
				t.Fatalf("majority lines %d/%d", na.House.Simple.Seats, na.House.TwoThirds.Seats)
			}
		})
	}
}

func member(h *seats.House, party string) seats.Member {
	for _, m := range h.Members {
		if m.Party == party {
			return m
		}
	}
	return seats.Member{}
}

// TestTieIsVacant: a tied contest is reported as a tie and fills no seat.
func TestTieIsVacant(t *testing.T) {
	f := newFixture(t)
	f.sheet(t, "NA-58", "NA-58/PS-1", 300, 300, 100)
	var na AssemblySeats
	f.t.Read(func(v *View) { na = v.Seats()[0] })
	if len(na.Ties) != 1 || na.Ties[0] != "NA-58" || len(na.Won) != 0 {
		t.Fatalf("seats %+v", na)
	}
}

// story is a small election night touching every rule: sheets, a
// correction, a conflict, copies, declarations honest and not, an
// affiliation.
func story(t testing.TB) *fixture {
	f := newFixture(t)
	_, h1 := f.sheet(t, "NA-57", "NA-57/PS-1", 210, 640, 20)
	f.sheet(t, "NA-57", "NA-57/PS-2", 180, 700, 15)
	f.sheet(t, "PP-12", "NA-57/PS-1", 100, 200, 560)
	f.add(t, "agent.NA-57", &record.Attestation{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy", Registered: 1000, Cast: 870,
		Votes: []record.Count{{Candidate: "1", Votes: 200}, {Candidate: "2", Votes: 650}, {Candidate: "3", Votes: 20}}, Captured: "2024-02-08T18:20:00Z"})
	f.add(t, "ro.NA-57", f.recount(t, "NA-57", "NA-57/PS-1", 2, h1, 200, 650, 20))
	f.sheet(t, "NA-57", "NA-57/PS-3", 250, 610, 30)
	f.sheet(t, "NA-58", "NA-58/PS-1", 300, 290, 10)
	bad := f.e.Sheet("NA-58", "NA-58/PS-1", 310, 280, 10)
	bad.Captured = "2024-02-08T19:00:00Z"
	f.add(t, "po.NA-58.PS-1", bad)
	f.add(t, "ro.NA-57", declare("NA-57", 47, onTime, 52000, 2000, 65))
	f.add(t, "ro.NA-58", declare("NA-58", 47, late, 300, 290, 10))
	f.add(t, "ecp", &record.Gazette{Election: "pk-test", Log: testelection.Origin, Assembly: "PP", Notified: "2024-02-15"})
	f.add(t, "ecp", &record.Affiliation{Election: "pk-test", Log: testelection.Origin, Contest: "PP-12", Candidate: "3", Party: "ipp", Joined: "2024-02-16"})
	return f
}

var update = flag.Bool("update", false, "rewrite testdata/summary.golden.json")

// TestSummaryGolden: the summary of the story, byte for byte; and the same
// entries applied in a fresh tally give the same bytes.
func TestSummaryGolden(t *testing.T) {
	f := story(t)
	asOf := time.Date(2024, 2, 9, 12, 0, 0, 0, time.UTC)
	got := f.t.Summary(asOf).JSON()
	again := New(f.t.Registry().Origin())
	for i, e := range f.entries {
		if err := again.Apply(uint64(i), e); err != nil {
			t.Fatal(err)
		}
	}
	if b := again.Summary(asOf).JSON(); !bytes.Equal(got, b) {
		t.Fatalf("replay differs:\n%s\n%s", got, b)
	}
	var v1, v2 []ContestResult
	f.t.Read(func(v *View) { v1 = v.Contests(asOf) })
	again.Read(func(v *View) { v2 = v.Contests(asOf) })
	if !bytes.Equal(mustJSON(t, v1), mustJSON(t, v2)) {
		t.Fatal("contest views differ between replays")
	}
	const golden = "testdata/summary.golden.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./tally -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("summary differs from %s:\n%s", golden, got)
	}
}

// TestReadDuringApply: readers run while entries are applied (run with
// -race).
func TestReadDuringApply(t *testing.T) {
	f := story(t)
	fresh := New(f.t.Registry().Origin())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, e := range f.entries {
			if err := fresh.Apply(uint64(i), e); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	asOf := time.Date(2024, 2, 9, 12, 0, 0, 0, time.UTC)
	for {
		select {
		case <-done:
			if !bytes.Equal(fresh.Summary(asOf).JSON(), f.t.Summary(asOf).JSON()) {
				t.Fatal("summaries differ")
			}
			return
		default:
			fresh.Read(func(v *View) { v.Contests(asOf); v.Flags(Filter{Resolved: true}); v.Seats() })
		}
	}
}
