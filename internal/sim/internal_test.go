package sim

import (
	"bytes"
	"testing"
	"unicode"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"golang.org/x/mod/sumdb/note"
)

// TestKeysAreNoteKeys: a derived key is exactly what note.GenerateKey makes
// from the same seed, and its signer signs verifiable notes.
func TestKeysAreNoteKeys(t *testing.T) {
	for _, name := range []string{CommissionKeyName, "results.example.pk/ge2024", PresidingKeyName("NA-57/PS-112")} {
		k := newKey(9, name)
		seed := derive(9, "key", name)
		skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
		if err != nil {
			t.Fatal(err)
		}
		if k.SKey != skey || k.VKey != vkey {
			t.Fatalf("%s: derived key differs from note.GenerateKey's", name)
		}
		s, _ := k.Signer()
		msg, err := note.Sign(&note.Note{Text: "hello\n"}, s)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := note.NewVerifier(vkey)
		if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if newKey(9, "ecp").VKey == newKey(10, "ecp").VKey {
		t.Fatal("another seed gave the same key")
	}
}

// TestLayOut: every constituency has stations, NA seats hold 2 to 4
// provincial constituencies of their region, and the total is exact.
func TestLayOut(t *testing.T) {
	for _, n := range []int{MinStations, 5000, DefaultStations} {
		def := election.Pakistan2024()
		seats := layOut(def, n, stream(1, "layout"))
		total, pas, min := 0, 0, 0
		for _, s := range seats {
			na := def.Contests[s.na]
			if s.region == "islamabad" {
				if len(s.pas) != 0 {
					t.Fatalf("%s: Islamabad has no provincial contest", na.ID)
				}
			} else if len(s.pas) < 2 || len(s.pas) > 4 {
				t.Fatalf("%s: %d provincial constituencies", na.ID, len(s.pas))
			}
			for j, pa := range s.pas {
				if def.Contests[pa].Region != na.Region || s.stations[j] < 1 {
					t.Fatalf("%s: %s is in %s or has no station", na.ID, def.Contests[pa].ID, def.Contests[pa].Region)
				}
			}
			for _, k := range s.stations {
				total += k
			}
			pas += len(s.pas)
			min += max(1, len(s.pas))
		}
		if total != n || pas != 593 || len(seats) != 266 || min != MinStations {
			t.Fatalf("%d stations: laid out %d over %d NA and %d PA seats (minimum %d)", n, total, len(seats), pas, min)
		}
	}
}

// TestUrduNames: every constituency has a name in Urdu script, distinct
// within its assembly like the English names, and valid definition text.
func TestUrduNames(t *testing.T) {
	def := election.Pakistan2024()
	layOut(def, MinStations, stream(1, "layout"))
	seen := map[string]string{}
	for _, c := range def.Contests {
		if c.LocalName == "" || !election.ValidText(c.LocalName) {
			t.Fatalf("%s %q: Urdu name %q", c.ID, c.Name, c.LocalName)
		}
		for _, r := range c.LocalName {
			if unicode.IsLetter(r) && !unicode.Is(unicode.Arabic, r) {
				t.Fatalf("%s: Urdu name %q has the letter %q outside Arabic script", c.ID, c.LocalName, r)
			}
		}
		key := c.Assembly + "|" + c.LocalName
		if other, dup := seen[key]; dup {
			t.Fatalf("%s and %s are both called %q", other, c.ID, c.LocalName)
		}
		seen[key] = c.ID
	}
	if err := def.Validate(); err != nil {
		t.Fatal(err)
	}
	if c, _ := def.Contest("NA-119"); c.Name != "Lahore-III" || c.LocalName != "لاہور-3" {
		t.Errorf("NA-119: %q / %q, want Lahore-III / لاہور-3", c.Name, c.LocalName)
	}
}

// TestTamperDeclaration: the runner-up leads by the stated lead, capped at
// half of the two candidates' votes, and no count goes negative.
func TestTamperDeclaration(t *testing.T) {
	for _, c := range []struct {
		votes []int64
		lead  int64
		want  int64
	}{
		{[]int64{100000, 80000, 5000}, 50000, 50000},
		{[]int64{3000, 1000, 10}, 50000, 2000},
		{[]int64{1, 0}, 50000, 1},
		{[]int64{7, 7, 1}, 3, 3},
	} {
		v := append([]int64(nil), c.votes...)
		lead, _, ok := tamperDeclaration(v, c.lead)
		w, r := top2(c.votes)
		if !ok || lead < c.want || lead > c.want+1 || v[r]-v[w] != lead || v[w] < 0 {
			t.Fatalf("%v lead %d: got %v, lead %d", c.votes, c.lead, v, lead)
		}
	}
	if _, _, ok := tamperDeclaration([]int64{0, 0}, 10); ok {
		t.Fatal("tampered a contest without votes")
	}
}

// TestGenesisEverySeed builds the definition of many seeds and sizes and
// opens its genesis through the log's rules: names fall differently on each,
// so a definition cut in the wrong place shows.
func TestGenesisEverySeed(t *testing.T) {
	seeds := 16
	if testing.Short() {
		seeds = 4
	}
	commission := newKey(1, CommissionKeyName)
	signer, err := commission.Signer()
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(seeds) {
		for _, stations := range []int{MinStations, 3000} {
			def, err := election.Builtin("pk-ge2024")
			if err != nil {
				t.Fatal(err)
			}
			populate(def, stations, seed, 0)
			entries, err := registry.Genesis(def, signer, commission.VKey, genesisTime)
			if err != nil {
				t.Fatalf("seed %d, %d stations: %v", seed, stations, err)
			}
			r := registry.New(def.Origin)
			for i, entry := range entries {
				env, err := record.Open(entry)
				if err != nil {
					t.Fatalf("seed %d, %d stations: genesis entry %d: %v", seed, stations, i, err)
				}
				if _, err := r.Admit(env); err != nil {
					t.Fatalf("seed %d, %d stations: genesis entry %d refused: %v", seed, stations, i, err)
				}
				r.Record(uint64(i), env)
			}
			if r.Definition() == nil {
				t.Fatalf("seed %d, %d stations: the genesis establishes no definition", seed, stations)
			}
		}
	}
}
