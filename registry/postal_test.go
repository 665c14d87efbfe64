package registry_test

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestPostalAccountRules: who signs a postal-ballot account, once per
// contest, before the polls close; and the final results it bounds.
func TestPostalAccountRules(t *testing.T) {
	e := testelection.NewWith(t, func(d *election.Definition) { d.PollsClose = "17:00" }) // 12:00 UTC in Asia/Karachi
	account := e.Sign(t, "ro.NA-57", e.PostalAccount("NA-57", 100))
	final := func(postal ...int64) *record.Declaration {
		return &record.Declaration{Election: "pk-test", Contest: "NA-57", Form: 49, Votes: testelection.Counts(500, 400, 10),
			Postal: testelection.Counts(postal...), Readmitted: testelection.Counts(0, 0, 0), Declared: "2024-02-10T09:00:00Z"}
	}
	r := e.Replay(t, account)
	if a, ok := r.Postal("NA-57"); !ok || a.Issued != 100 || a.Index != uint64(len(e.Genesis)) {
		t.Fatalf("account not kept: %+v %v", a, ok)
	}
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
		{"second account", "ro.NA-57", e.PostalAccount("NA-57", 5000), "contest NA-57 already has a postal-ballot account, logged at index"},
		{"after polls close", "ro.NA-58", late, "accounted: 2024-02-08T12:00:01Z is after polling closed at 2024-02-08T12:00:00Z"},
		{"form 49 over the account", "ro.NA-57", final(60, 41, 0), "postal: 101 postal ballots counted, but the postal-ballot account of contest NA-57"},
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
	for _, ok := range []*record.Declaration{final(60, 40, 0), final(0, 0, 0)} {
		env, _ := record.Open(e.Sign(t, "ro.NA-57", ok))
		if _, err := r.Admit(env); err != nil {
			t.Errorf("form 49 within the account refused: %v", err)
		}
	}
	// Without an account, the registry cannot judge a form 49's postal
	// ballots: it admits it, and the tally flags it.
	env, _ := record.Open(e.Sign(t, "ro.NA-58", &record.Declaration{Election: "pk-test", Contest: "NA-58", Form: 49,
		Votes: testelection.Counts(5, 4, 1), Postal: testelection.Counts(5000, 0, 0), Readmitted: testelection.Counts(0, 0, 0), Declared: "2024-02-10T09:00:00Z"}))
	if _, err := r.Admit(env); err != nil {
		t.Errorf("form 49 of a contest with no account refused: %v", err)
	}
}
