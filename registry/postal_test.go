package registry_test

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestPostalAccountRules: who signs a postal-ballot account, and before
// the polls close.
func TestPostalAccountRules(t *testing.T) {
	e := testelection.NewWith(t, func(d *election.Definition) { d.PollsClose = "17:00" }) // 12:00 UTC in Asia/Karachi
	account := e.Sign(t, "ro.NA-57", e.PostalAccount("NA-57", 100))
	final := func(postal ...int64) *record.Declaration {
		return &record.Declaration{Election: "pk-test", Log: testelection.Origin, Contest: "NA-57", Form: 49, Votes: testelection.Counts(500, 400, 10),
			Postal: testelection.Counts(postal...), Readmitted: testelection.Counts(0, 0, 0), Declared: "2024-02-10T09:00:00Z"}
	}
	r := e.Replay(t, account)
	late := e.PostalAccount("NA-58", 10)
	late.Accounted = "2024-02-08T12:00:01Z"
	cases := []struct {
		name, key string
		rec       record.Record
		want      string
	}{
		{"signed by a presiding officer", "po.NA-57.PS-1", e.PostalAccount("NA-58", 10), "a postal-ballot account is signed by the returning officer registered for contest NA-58"},
		{"another contest's returning officer", "ro.NA-57", e.PostalAccount("NA-58", 10), "returning officer registered for contest NA-58"},
		{"unknown contest", "ro.NA-57", e.PostalAccount("NA-99", 10), `contest: unknown contest "NA-99"`},
		{"after polls close", "ro.NA-58", late, "accounted: 2024-02-08T12:00:01Z is after polling closed at 2024-02-08T12:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, err := record.Open(e.Sign(t, c.key, c.rec))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Admit(env); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	// A second account and a form 49 beyond the account are the tally's to
	// flag (see tally's TestPostalChecks): admitting them must not depend
	// on which of two records in flight is appended first.
	for _, rec := range []record.Record{final(60, 41, 0), final(0, 0, 0), e.PostalAccount("NA-57", 5000)} {
		env, _ := record.Open(e.Sign(t, "ro.NA-57", rec))
		if _, err := r.Admit(env); err != nil {
			t.Errorf("%+v refused: %v", rec, err)
		}
	}
}
