package registry_test

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestOrderRules is the catalogue of the authority rules for corrections:
// who may order, what a sheet may carry out, and what a presiding officer
// may correct alone. Each row is admitted or refused naming its rule, and
// a refusal changes nothing.
func TestOrderRules(t *testing.T) {
	e := testelection.New(t)
	tribunalSigner, tribunal := testelection.Key("tribunal.lahore")
	e.Signers["tribunal.lahore"], e.VKeys["tribunal.lahore"] = tribunalSigner, tribunal
	el := "pk-test"
	sheet1 := e.Sign(t, "po.NA-57.PS-1", e.Sheet("NA-57", "NA-57/PS-1", 300, 200, 50))
	sheet2 := e.Sign(t, "po.NA-57.PS-2", e.Sheet("NA-57", "NA-57/PS-2", 240, 270, 40))
	h1, h2 := hashOf(t, sheet1), hashOf(t, sheet2)
	order := e.Sign(t, "ro.NA-57", e.Order("NA-57", record.OrderRecount, "recount", "NA-57/PS-1"))
	ho := hashOf(t, order)
	grantTribunal := e.Sign(t, "ecp", &record.Keys{Election: el, Log: testelection.Origin, Grants: []record.Grant{{Role: "tribunal", Scope: "NA-57", Key: tribunal}}})
	fix := func(station, supersedes, ord string, rev int64) *record.Sheet {
		s := e.Sheet("NA-57", station, 1, 2, 3)
		s.Revision, s.Supersedes, s.Order, s.Reason = rev, supersedes, ord, "recount"
		s.Captured = "2024-02-09T10:00:00Z" // after the order, at 09:00
		return s
	}
	at := func(s *record.Sheet, captured string) *record.Sheet { s.Captured = captured; return s }
	declaration := e.Sign(t, "ro.NA-57", &record.Declaration{Election: el, Log: testelection.Origin, Contest: "NA-57", Form: 47,
		Votes: testelection.Counts(540, 470, 90), Missing: []string{"NA-57/PS-3"}, Declared: "2024-02-08T20:00:00Z"})

	cases := []struct {
		name   string
		before [][]byte // logged first
		key    string
		rec    record.Record
		want   string // "" for admitted
	}{
		{"the returning officer orders", nil, "ro.NA-57", e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-2"), ""},
		{"the commission orders", nil, "ecp", e.Order("NA-57", record.OrderCorrection, "r", "NA-57/PS-2"), ""},
		{"a tribunal of the contest orders", [][]byte{grantTribunal}, "tribunal.lahore", e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-1", "NA-57/PS-2"), ""},
		{"a tribunal of another contest", [][]byte{e.Sign(t, "ecp", &record.Keys{Election: el, Log: testelection.Origin, Grants: []record.Grant{{Role: "tribunal", Scope: "NA-58", Key: tribunal}}})},
			"tribunal.lahore", e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-2"), "signature: key tribunal.lahore may not sign this record: a recount or correction of contest NA-57 is ordered by"},
		{"a presiding officer orders", nil, "po.NA-57.PS-2", e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-2"), "signature: key po.NA-57.PS-2 may not sign"},
		{"an agent orders", nil, "agent.NA-57", e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-2"), "signature: key agent.NA-57 may not sign"},
		{"another contest's returning officer orders", nil, "ro.NA-58", e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-2"), "signature: key ro.NA-58 may not sign"},
		{"an order for a station with no sheet", nil, "ro.NA-57", e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-3"), "station: station NA-57/PS-3 has no sheet logged in contest NA-57"},
		{"an order for another contest's station", nil, "ro.NA-57", e.Order("NA-57", record.OrderRecount, "r", "NA-58/PS-1"), "station: station NA-58/PS-1 does not vote in contest NA-57"},
		{"an order ordered before polling day", nil, "ro.NA-57", func() *record.Order {
			o := e.Order("NA-57", record.OrderRecount, "r", "NA-57/PS-1")
			o.Ordered = "2024-01-01T00:00:00Z"
			return o
		}(), "ordered: 2024-01-01T00:00:00Z is outside the election's window"},
		// Carrying out an order.
		{"the officer carries out the order", nil, "po.NA-57.PS-1", fix("NA-57/PS-1", h1, ho, 2), ""},
		{"the returning officer carries out the order", nil, "ro.NA-57", fix("NA-57/PS-1", h1, ho, 2), ""},
		{"after the declaration, on an order", [][]byte{declaration}, "po.NA-57.PS-1", fix("NA-57/PS-1", h1, ho, 2), ""},
		// The sheet names the order's hash, so it was signed after the
		// order: a time before the order's (beyond a device clock's few
		// minutes) is a backdated recount.
		{"a recount captured the evening before its order", nil, "po.NA-57.PS-1", at(fix("NA-57/PS-1", h1, ho, 2), "2024-02-08T18:30:00Z"),
			"captured: 2024-02-08T18:30:00Z is before the order it carries out was made (2024-02-09T09:00:00Z)"},
		{"a recount from a device 10 minutes slow", nil, "po.NA-57.PS-1", at(fix("NA-57/PS-1", h1, ho, 2), "2024-02-09T08:50:00Z"), ""},
		{"the order of another station", nil, "po.NA-57.PS-2", fix("NA-57/PS-2", h2, ho, 2), "order: order " + ho + " is for recount of 1 station(s) of NA-57, not for station NA-57/PS-2"},
		{"an order not in the log", nil, "ro.NA-57", fix("NA-57/PS-1", h1, strings.Repeat("ab", 32), 2), "order: no order with hash abab"},
		{"a sheet named as the order", nil, "ro.NA-57", fix("NA-57/PS-1", h1, h2, 2), "order: record " + h2 + " is a sheet, not an order"},
		{"the order carried out twice", [][]byte{e.Sign(t, "ro.NA-57", fix("NA-57/PS-1", h1, ho, 2))}, "po.NA-57.PS-1", func() *record.Sheet {
			s := fix("NA-57/PS-1", h1, ho, 2)
			s.Votes[0].Votes, s.Cast = 9, s.Cast+8
			return s
		}(), "order: order " + ho + " was carried out for station NA-57/PS-1 by the sheet at index"},
		{"revision 1 to 3", nil, "ro.NA-57", fix("NA-57/PS-1", h1, ho, 3), "revision: revision 3 does not follow the superseded revision 1: a correction's revision is exactly one more"},
		{"revision 1 to 1,000,000,000", nil, "ro.NA-57", fix("NA-57/PS-1", h1, ho, 1_000_000_000), "revision: revision 1000000000 does not follow"},
		// Without an order.
		{"the officer corrects alone before the declaration", nil, "po.NA-57.PS-2", fix("NA-57/PS-2", h2, "", 2), ""},
		{"the officer corrects alone after the declaration", [][]byte{declaration}, "po.NA-57.PS-2", fix("NA-57/PS-2", h2, "", 2), "order: contest NA-57 was declared at index"},
		{"the returning officer corrects without an order", nil, "ro.NA-57", fix("NA-57/PS-2", h2, "", 2), "order: a returning officer's correction or recount names the order record"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Replay(t, append([][]byte{sheet1, sheet2, order}, c.before...)...)
			size := r.Size()
			env, err := record.Open(e.Sign(t, c.key, c.rec))
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Admit(env)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if r.Size() != size {
				t.Fatal("Admit changed the registry")
			}
		})
	}
}

func hashOf(t *testing.T, entry []byte) string {
	env, err := record.Open(entry)
	if err != nil {
		t.Fatal(err)
	}
	return env.HashHex()
}
