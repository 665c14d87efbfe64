package tally

import (
	"strings"
	"testing"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

// TestAuthorityFlags: who stands behind each sheet, flag by flag.
func TestAuthorityFlags(t *testing.T) {
	newKey, vkey := testelection.KeyFrom("a new key for NA-57/PS-1", "po.NA-57.PS-1")
	grant := func(f *fixture, station, key string) uint64 {
		i, _ := f.add(t, "ecp", &record.Keys{Election: "pk-test", Log: f.e.Def.Origin, Grants: []record.Grant{{Role: "presiding", Scope: station, Key: key}}})
		return i
	}
	cases := []struct {
		name  string
		play  func(f *fixture)
		flags string // standing flag kinds, in log order
	}{
		{"a presiding officer's own correction before the declaration", func(f *fixture) {
			_, h := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			f.add(t, "po.NA-57.PS-1", f.correction("NA-57", "NA-57/PS-1", 2, h, 290, 210, 10))
		}, KindUnorderedCorrection},
		{"an ordered recount raises nothing", func(f *fixture) {
			_, h := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			f.add(t, "po.NA-57.PS-1", f.recount(t, "NA-57", "NA-57/PS-1", 2, h, 290, 210, 10))
		}, ""},
		{"a key granted before the station reports is no re-keying", func(f *fixture) {
			grant(f, "NA-57/PS-1", vkey)
			f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
		}, ""},
		{"re-granting the key that signed is no re-keying", func(f *fixture) {
			f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			grant(f, "NA-57/PS-1", f.e.VKeys["po.NA-57.PS-1"])
		}, ""},
		{"a new key after the station reported, once per station", func(f *fixture) {
			f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			f.sheet(t, "PP-12", "NA-57/PS-1", 100, 200, 10)
			grant(f, "NA-57/PS-1", vkey)
		}, KindStationRekeyed},
		{"the new key replaces the sheet without an order", func(f *fixture) {
			_, h := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			grant(f, "NA-57/PS-1", vkey)
			e, err := record.Sign(f.correction("NA-57", "NA-57/PS-1", 2, h, 200, 300, 10), newKey)
			if err != nil {
				t.Fatal(err)
			}
			f.apply(t, e)
		}, KindStationRekeyed + "," + KindRekeyReplace},
		{"the new key carries out an order", func(f *fixture) {
			_, h := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
			grant(f, "NA-57/PS-1", vkey)
			e, err := record.Sign(f.recount(t, "NA-57", "NA-57/PS-1", 2, h, 200, 300, 10), newKey)
			if err != nil {
				t.Fatal(err)
			}
			f.apply(t, e)
		}, KindStationRekeyed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			c.play(f)
			got := f.flags("")
			if k := kinds(got); k != c.flags {
				t.Fatalf("flags %q, want %q", k, c.flags)
			}
			for _, fl := range got {
				switch fl.Kind {
				case KindStationRekeyed:
					if !strings.Contains(fl.Message, vkey) || !strings.Contains(fl.Message, f.e.VKeys["po.NA-57.PS-1"]) || fl.Evidence[0].Type != "keys" {
						t.Errorf("re-keying flag does not name both keys and the grant: %+v", fl)
					}
				case KindRekeyReplace:
					if fl.Severity != High || len(fl.Evidence) != 3 || fl.Evidence[2].Type != "keys" || fl.Evidence[2].Hash == hexHash([32]byte{}) {
						t.Errorf("rekey-replace: %+v", fl)
					}
				case KindUnorderedCorrection:
					if fl.Severity != Medium || len(fl.Evidence) != 2 {
						t.Errorf("unordered-correction: %+v", fl)
					}
				}
			}
		})
	}
}

// TestSheetAuthorityInView: the station's history says who signed each
// sheet, under which grant, and on which order.
func TestSheetAuthorityInView(t *testing.T) {
	f := newFixture(t)
	_, h := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
	i2, _ := f.add(t, "ro.NA-57", f.recount(t, "NA-57", "NA-57/PS-1", 2, h, 290, 210, 10))
	st := f.station(t, "NA-57/PS-1").Contests[0]
	first, rc := st.History[0], st.History[1]
	if first.Role != "presiding" || first.SignerKey != f.e.VKeys["po.NA-57.PS-1"] || first.Granted == 0 || first.Order != nil {
		t.Errorf("first sheet: %+v", first)
	}
	if rc.Index != i2 || rc.Role != "returning" || rc.Order == nil || rc.Order.Role != "returning" || rc.Order.Kind != record.OrderRecount ||
		rc.Order.Index != i2-1 || first.SupersededBy == nil || first.SupersededBy.Order == nil {
		t.Errorf("recount: %+v (order %+v)", rc, rc.Order)
	}
}

// TestOrdersInView: a contest's orders are listed in log order, each
// with who signed it and what it names; another contest's are not.
func TestOrdersInView(t *testing.T) {
	f := newFixture(t)
	_, h := f.sheet(t, "NA-57", "NA-57/PS-1", 300, 200, 10)
	f.sheet(t, "NA-58", "NA-58/PS-1", 1, 2, 3)
	f.add(t, "ro.NA-57", f.recount(t, "NA-57", "NA-57/PS-1", 2, h, 290, 210, 10))
	i, oh := f.add(t, "ro.NA-58", f.e.Order("NA-58", record.OrderCorrection, "a transcription error", "NA-58/PS-1"))
	var na57, na58, none []OrderRef
	f.t.Read(func(v *View) { na57, na58, none = v.Orders("NA-57"), v.Orders("NA-58"), v.Orders("NA-99") })
	if len(na57) != 1 || na57[0].Kind != record.OrderRecount || na57[0].Role != "returning" || strings.Join(na57[0].Stations, ",") != "NA-57/PS-1" {
		t.Errorf("NA-57's orders: %+v", na57)
	}
	if len(na58) != 1 || na58[0].Index != i || na58[0].Hash != oh || na58[0].Kind != record.OrderCorrection || na58[0].Reason != "a transcription error" ||
		na58[0].Signer != "ro.NA-58" {
		t.Errorf("NA-58's orders: %+v", na58)
	}
	if none != nil {
		t.Errorf("an unknown contest has orders %+v", none)
	}
}
