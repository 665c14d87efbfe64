package night

import (
	"slices"
	"testing"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/sim"
)

// TestReferences: the references read from an entry's lines are those of
// the parsed record, for every record of a small simulated election.
func TestReferences(t *testing.T) {
	el, err := sim.Generate(sim.Config{Seed: 3, Stations: 600})
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, ev := range el.Records {
		env, err := record.Open(ev.Entry)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		switch r := env.Record.(type) {
		case *record.Sheet:
			want = append(want, r.Supersedes)
		case *record.Declaration:
			want = append(want, r.Supersedes)
		case *record.Attestation:
			want = append(want, r.Sheet)
		}
		want = slices.DeleteFunc(want, func(s string) bool { return s == "" })
		if got := references(ev.Entry); !slices.Equal(got, want) {
			t.Fatalf("%s record %s: references %q, want %q", env.Record.Type(), ev.HashHex()[:12], got, want)
		}
		named += len(want)
	}
	if named == 0 {
		t.Fatal("no simulated record names another: the test tests nothing")
	}
}
