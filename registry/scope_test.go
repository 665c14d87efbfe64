package registry_test

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// TestClaimsConflict is the table of which records must be checked and
// logged in order: exactly those where one's admission can change or
// depend on the other's place in the log.
func TestClaimsConflict(t *testing.T) {
	e := testelection.New(t)
	id, lg := e.Def.ID, e.Def.Origin
	sign := func(key string, r record.Record) registry.Claim {
		env, err := record.Open(e.Sign(t, key, r))
		if err != nil {
			t.Fatal(err)
		}
		return registry.Claims(env)
	}
	sheet := e.Sheet("NA-57", "NA-57/PS-1", 10, 20, 30)
	correction := *sheet
	correction.Revision, correction.Supersedes, correction.Reason = 2, strings.Repeat("ab", 32), "slip"
	ordered := correction
	ordered.Order = strings.Repeat("cd", 32)
	copyBy := func(contest, station string) *record.Attestation {
		return &record.Attestation{Election: id, Log: lg, Contest: contest, Station: station, Kind: "copy",
			Registered: 1000, Cast: 60, Votes: testelection.Counts(10, 20, 30), Captured: "2024-02-08T18:00:00Z"}
	}
	declaration := func(contest string) *record.Declaration {
		return &record.Declaration{Election: id, Log: lg, Contest: contest, Form: 47, Votes: testelection.Counts(10, 20, 30), Declared: "2024-02-09T01:00:00Z"}
	}
	revoke := func(names ...string) *record.Keys {
		k := &record.Keys{Election: id, Log: lg}
		for _, n := range names {
			k.Revoke = append(k.Revoke, e.VKeys[n])
		}
		return k
	}
	grant := &record.Keys{Election: id, Log: lg, Grants: []record.Grant{{Role: "observer", Scope: "*", Key: e.VKeys["agent.NA-58"]}}}

	c := map[string]registry.Claim{
		"sheet PS-1":                sign("po.NA-57.PS-1", sheet),
		"sheet PS-2":                sign("po.NA-57.PS-2", e.Sheet("NA-57", "NA-57/PS-2", 1, 2, 3)),
		"sheet PS-1 in PP-12":       sign("po.NA-57.PS-1", e.Sheet("PP-12", "NA-57/PS-1", 1, 2, 3)),
		"unordered correction PS-1": sign("po.NA-57.PS-1", &correction),
		"ordered correction PS-1":   sign("ro.NA-57", &ordered),
		"declaration NA-57":         sign("ro.NA-57", declaration("NA-57")),
		"declaration NA-58":         sign("ro.NA-58", declaration("NA-58")),
		"order PS-1":                sign("ro.NA-57", e.Order("NA-57", record.OrderRecount, "margin", "NA-57/PS-1")),
		"order PS-2":                sign("ro.NA-57", e.Order("NA-57", record.OrderRecount, "margin", "NA-57/PS-2")),
		"copy by agent NA-57":       sign("agent.NA-57", copyBy("NA-57", "NA-57/PS-1")),
		"copy by agent NA-58":       sign("agent.NA-58", copyBy("NA-58", "NA-58/PS-1")),
		"postal account":            sign("ro.NA-57", e.PostalAccount("NA-57", 100)),
		"revoke agent NA-57":        sign("ecp", revoke("agent.NA-57")),
		"revoke ro NA-58":           sign("ecp", revoke("ro.NA-58")),
		"grant agent NA-58":         sign("ecp", grant),
		"definition part":           sign("ecp", &record.DefinitionPart{Election: id, Log: lg, Part: 1, Data: "x"}),
	}
	conflict := map[[2]string]bool{
		{"sheet PS-1", "unordered correction PS-1"}:                true, // the correction's station
		{"sheet PS-1", "ordered correction PS-1"}:                  true,
		{"sheet PS-1", "order PS-1"}:                               true, // an order names stations with a sheet
		{"unordered correction PS-1", "ordered correction PS-1"}:   true, // one station's corrections in turn
		{"unordered correction PS-1", "declaration NA-57"}:         true, // only before the first declaration
		{"unordered correction PS-1", "order PS-1"}:                true,
		{"ordered correction PS-1", "order PS-1"}:                  true,
		{"copy by agent NA-57", "revoke agent NA-57"}:              true, // refused once the key is revoked
		{"declaration NA-58", "revoke ro NA-58"}:                   true,
		{"copy by agent NA-58", "grant agent NA-58"}:               true, // a batch sends it after the grant
		{"revoke agent NA-57", "revoke ro NA-58"}:                  true, // keys records in turn
		{"revoke agent NA-57", "grant agent NA-58"}:                true,
		{"revoke ro NA-58", "grant agent NA-58"}:                   true,
		{"unordered correction PS-1", "unordered correction PS-1"}: true,
		{"ordered correction PS-1", "ordered correction PS-1"}:     true,
		{"order PS-1", "order PS-1"}:                               true,
		{"order PS-2", "order PS-2"}:                               true,
		{"sheet PS-2", "order PS-2"}:                               true,
		{"revoke agent NA-57", "revoke agent NA-57"}:               true,
		{"revoke ro NA-58", "revoke ro NA-58"}:                     true,
		{"grant agent NA-58", "grant agent NA-58"}:                 true,
	}
	for a, ca := range c {
		for b, cb := range c {
			want := conflict[[2]string{a, b}] || conflict[[2]string{b, a}] || a == "definition part" || b == "definition part"
			if got := ca.Conflicts(cb); got != want {
				t.Errorf("%s and %s: conflict %v, want %v", a, b, got, want)
			}
		}
	}
	for name, claim := range c {
		if claim.Whole != (name == "definition part") {
			t.Errorf("%s: Whole %v", name, claim.Whole)
		}
	}
}
