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

// TestCountAfterTheClose: when the definition says when polling closes,
// nothing that follows the count (a station's sheet, an agent's or
// observer's word on it, a declaration, an order to count again) is dated
// before the close, less ClockSkew for a device's clock: a sheet dated at
// midday on polling day is a count made while people were still voting.
func TestCountAfterTheClose(t *testing.T) {
	e := testelection.NewWith(t, func(d *election.Definition) { d.PollsClose = "17:00" }) // 12:00 UTC in Asia/Karachi
	sheetAt := func(station, captured string) *record.Sheet {
		s := e.Sheet("NA-57", station, 300, 200, 10)
		s.Captured = captured
		return s
	}
	first := e.Sign(t, "po.NA-57.PS-2", sheetAt("NA-57/PS-2", "2024-02-08T13:00:00Z"))
	r := e.Replay(t, first)
	h := hashOf(t, first)
	el, lg := e.Def.ID, e.Def.Origin
	cases := []struct {
		name, key string
		rec       record.Record
		want      string // "" for admitted
	}{
		{"a sheet dated at midday", "po.NA-57.PS-1", sheetAt("NA-57/PS-1", "2024-02-08T07:00:00Z"),
			"captured: 2024-02-08T07:00:00Z is before polling closed at 2024-02-08T12:00:00Z"},
		{"a sheet from a device 10 minutes slow", "po.NA-57.PS-1", sheetAt("NA-57/PS-1", "2024-02-08T11:50:00Z"), ""},
		{"a declaration before the close", "ro.NA-57", &record.Declaration{Election: el, Log: lg, Contest: "NA-57", Form: 47, Votes: testelection.Counts(1, 2, 3), Declared: "2024-02-08T10:00:00Z"},
			"declared: 2024-02-08T10:00:00Z is before polling closed"},
		{"a countersignature before the close", "agent.NA-57", &record.Attestation{Election: el, Log: lg, Contest: "NA-57", Station: "NA-57/PS-2", Kind: "countersign", Sheet: h, Captured: "2024-02-08T11:00:00Z"},
			"captured: 2024-02-08T11:00:00Z is before polling closed"},
		{"an order before the close", "ro.NA-57", func() *record.Order {
			o := e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-2")
			o.Ordered = "2024-02-08T09:00:00Z"
			return o
		}(), "ordered: 2024-02-08T09:00:00Z is before polling closed"},
		{"a postal-ballot account before the close", "ro.NA-57", e.PostalAccount("NA-57", 10), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, err := record.Open(e.Sign(t, c.key, c.rec))
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Admit(env)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}
