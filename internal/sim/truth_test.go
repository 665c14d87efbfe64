package sim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
)

// replayed is an independent reading of a simulated log: each station's
// current sheet (the first revision-1 sheet, or the correction that
// supersedes it) and the declarations.
type replayed struct {
	byHash   map[string]*record.Envelope
	arrival  map[string]time.Duration
	current  map[[2]string]*record.Sheet    // (contest, station)
	sheets   map[[2]string]int              // sheets seen per (contest, station)
	lastAt   map[string]time.Duration       // last sheet per contest
	lastCap  map[string]string              // latest capture of a counted sheet per contest
	declared map[string]*record.Declaration // form 47 per contest
	declHash map[string]string
	finals   map[string]*record.Declaration // form 49 per contest
}

func replay(t *testing.T, e *sim.Election) *replayed {
	t.Helper()
	r := &replayed{byHash: map[string]*record.Envelope{}, arrival: map[string]time.Duration{},
		current: map[[2]string]*record.Sheet{}, sheets: map[[2]string]int{}, lastAt: map[string]time.Duration{},
		declared: map[string]*record.Declaration{}, declHash: map[string]string{}, finals: map[string]*record.Declaration{},
		lastCap: map[string]string{}}
	for _, ev := range e.Events() {
		env, err := record.Open(ev.Entry)
		if err != nil {
			t.Fatal(err)
		}
		h := env.HashHex()
		r.byHash[h], r.arrival[h] = env, ev.Arrival
		switch rec := env.Record.(type) {
		case *record.Sheet:
			k := [2]string{rec.Contest, rec.Station}
			r.sheets[k]++
			if r.current[k] == nil || rec.Supersedes != "" {
				r.current[k] = rec
				r.lastCap[rec.Contest] = max(r.lastCap[rec.Contest], rec.Captured)
			}
			r.lastAt[rec.Contest] = max(r.lastAt[rec.Contest], ev.Arrival)
		case *record.Declaration:
			if rec.Form == 49 {
				r.finals[rec.Contest] = rec
				break
			}
			if r.declared[rec.Contest] != nil {
				t.Fatalf("%s declared twice", rec.Contest)
			}
			r.declared[rec.Contest], r.declHash[rec.Contest] = rec, h
		}
	}
	return r
}

// sum returns the sum of a contest's current sheets and the stations that
// sent none, in definition order.
func (r *replayed) sum(def *election.Definition, contest string) (votes []int64, rejected int64, missing []string) {
	c, _ := def.Contest(contest)
	votes = make([]int64, len(c.Candidates))
	for _, si := range def.StationsOf(contest) {
		s := r.current[[2]string{contest, def.Stations[si].ID}]
		if s == nil {
			missing = append(missing, def.Stations[si].ID)
			continue
		}
		for i, v := range s.Votes {
			votes[i] += v.Votes
		}
		rejected += s.Rejected
	}
	return votes, rejected, missing
}

func counts(cs []record.Count) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.Votes
	}
	return out
}

func winner(votes []int64) int {
	w := 0
	for i, v := range votes {
		if v > votes[w] {
			w = i
		}
	}
	return w
}

// checkDeclarations requires every declaration to be the sum of its
// contest's sheets, declared after the last of them and before the
// deadline, except the tampered ones, which must make the sheets' loser the
// winner by the stated lead.
func checkDeclarations(t *testing.T, e *sim.Election, r *replayed) {
	t.Helper()
	tampered, stale := map[string]sim.Injection{}, map[string]sim.Injection{}
	for _, in := range e.Truth.Injected {
		switch in.Kind {
		case sim.KindDeclarationTampering:
			tampered[in.Contest] = in
		case sim.KindStaleDeclaration:
			stale[in.Contest] = in
		}
	}
	early := 0
	deadline := e.Def.Deadline()
	for _, c := range e.Def.Contests {
		d := r.declared[c.ID]
		if d == nil {
			t.Fatalf("%s: no declaration", c.ID)
		}
		at := r.arrival[r.declHash[c.ID]]
		if in, ok := stale[c.ID]; ok {
			// Declared before most sheets, which it lists missing.
			if in.RecordHash != r.declHash[c.ID] || int64(len(d.Missing)) < in.Size || at >= r.lastAt[c.ID] {
				t.Fatalf("%s: stale declaration %+v does not match the ground truth %+v", c.ID, d, in)
			}
			continue
		}
		if at <= r.lastAt[c.ID] {
			// An honest early declaration: after every counted sheet was
			// captured, before the last reached the log.
			early++
			if d.Declared <= r.lastCap[c.ID] {
				t.Fatalf("%s: declared at %s, before its last sheet was captured at %s", c.ID, d.Declared, r.lastCap[c.ID])
			}
		}
		if !e.PollsClose.Add(at).Before(deadline) || !record.Time(d.Declared).Equal(e.PollsClose.Add(at)) {
			t.Fatalf("%s: declared at %v (%s), last sheet at %v, deadline %v", c.ID, at, d.Declared, r.lastAt[c.ID], deadline)
		}
		votes, rejected, missing := r.sum(e.Def, c.ID)
		declared := make([]int64, len(d.Votes))
		for i, v := range d.Votes {
			declared[i] = v.Votes
		}
		if d.Rejected != rejected || !slices.Equal(d.Missing, missing) {
			t.Fatalf("%s: declared rejected %d missing %v, sheets give %d and %v", c.ID, d.Rejected, d.Missing, rejected, missing)
		}
		in, isTampered := tampered[c.ID]
		if !isTampered {
			if !slices.Equal(declared, votes) {
				t.Fatalf("%s: honest declaration %v is not the sum of the sheets %v", c.ID, declared, votes)
			}
			continue
		}
		w, dw := winner(votes), winner(declared)
		if w == dw || declared[dw]-declared[w] != in.Size || in.RecordHash != r.declHash[c.ID] {
			t.Fatalf("%s: tampered declaration %v against sheets %v does not match the ground truth %+v", c.ID, declared, votes, in)
		}
	}
	if e.Truth.Fraud.EarlyDeclarations > 0 && early == 0 {
		t.Error("no honest declaration reached the log before its last sheet")
	}
}

func TestDeclarations(t *testing.T) {
	e := smallElection(t)
	checkDeclarations(t, e, replay(t, e))
	if got := e.Truth.Count()[sim.KindDeclarationTampering]; got != 13 {
		t.Fatalf("%d tampered declarations, want the 13 seats of the Rawalpindi division", got)
	}
}

// TestGroundTruth checks every injection against the records it names.
func TestGroundTruth(t *testing.T) {
	e := smallElection(t)
	r := replay(t, e)
	for _, in := range e.Truth.Injected {
		env := r.byHash[in.RecordHash]
		if env == nil || r.arrival[in.RecordHash] != time.Duration(in.Arrival)*time.Second || in.Size < 1 || in.Description == "" {
			t.Fatalf("injection %+v: record not found at its arrival, or no size", in)
		}
		key := [2]string{in.Contest, in.Station}
		switch in.Kind {
		case sim.KindBallotStuffing, sim.KindVoteSwitching:
			if s, ok := env.Record.(*record.Sheet); !ok || s.Station != in.Station || s.Contest != in.Contest {
				t.Fatalf("injection %+v names %T", in, env.Record)
			}
		case sim.KindConflictingSheet:
			s, ok := env.Record.(*record.Sheet)
			if !ok || s.Revision != 1 || r.sheets[key] != 2 || r.current[key] == s {
				t.Fatalf("conflicting sheet %+v: not a second revision-1 sheet", in)
			}
		case sim.KindCopyDiffers:
			sheet := env.Record.(*record.Sheet)
			cp, ok := r.byHash[in.Witness].Record.(*record.Attestation)
			if !ok || cp.Kind != "copy" || slices.Equal(cp.Votes, sheet.Votes) || r.arrival[in.Witness] <= r.arrival[in.RecordHash] {
				t.Fatalf("copy-differs %+v: the witness is not a later, different copy", in)
			}
		case sim.KindUnauthorisedCorrection, sim.KindRekeyReplace:
			s, ok := env.Record.(*record.Sheet)
			signer := sim.PresidingKeyName(in.Station)
			if in.Kind == sim.KindRekeyReplace {
				signer = sim.ReplacementKeyName(in.Station)
				g, ok := r.byHash[in.Witness].Record.(*record.Keys)
				if !ok || len(g.Grants) != 1 || g.Grants[0].Scope != in.Station || r.arrival[in.Witness] > r.arrival[in.RecordHash] {
					t.Fatalf("rekey-replace %+v: the witness is not the earlier grant of the replacing key", in)
				}
			}
			if !ok || s.Revision != 2 || s.Order != "" || env.KeyName != signer || r.current[key] != s ||
				r.arrival[in.RecordHash] >= r.arrival[r.declHash[in.Contest]] {
				t.Fatalf("%s %+v: not an unordered revision 2 by %s before the declaration", in.Kind, in, signer)
			}
		case sim.KindPostalInflation:
			d, ok := env.Record.(*record.Declaration)
			votes, _, _ := r.sum(e.Def, in.Contest)
			var postal int64
			for _, p := range d.Postal {
				postal += p.Votes
			}
			if !ok || d.Form != 49 || postal != in.Size || winner(votes) == winner(counts(d.Votes)) {
				t.Fatalf("postal inflation %+v: not a form 49 whose postal ballots change the winner", in)
			}
			for _, ev := range e.Events() {
				if env, _ := record.Open(ev.Entry); env != nil {
					if a, ok := env.Record.(*record.PostalAccount); ok && a.Contest == in.Contest {
						t.Fatalf("postal inflation %+v: an account is logged for the contest", in)
					}
				}
			}
		case sim.KindNonReporting:
			d, ok := env.Record.(*record.Declaration)
			if !ok || r.sheets[key] != 0 || !slices.Contains(d.Missing, in.Station) {
				t.Fatalf("non-reporting %+v: station has sheets or is not listed missing", in)
			}
		}
	}
	counts := e.Truth.Count()
	stations := e.Config.Stations
	for kind, share := range map[string]float64{sim.KindBallotStuffing: 0.02, sim.KindVoteSwitching: 0.01} {
		if n := float64(counts[kind]); n < share*float64(stations) || n > 2*share*float64(stations) {
			t.Errorf("%d %s injections for %d stations at a share of %v (one per contest of each station)", counts[kind], kind, stations, share)
		}
	}
	for _, kind := range []string{sim.KindConflictingSheet, sim.KindCopyDiffers, sim.KindNonReporting, sim.KindUnauthorisedCorrection, sim.KindRekeyReplace, sim.KindPostalInflation, sim.KindStaleDeclaration} {
		if counts[kind] == 0 {
			t.Errorf("no %s injected", kind)
		}
	}
}

// TestSheetsAreConsistent checks every sheet's own arithmetic against the
// definition: frauds move and add votes without breaking it, so only the
// tally's cross-checks and forensics can find them.
func TestSheetsAreConsistent(t *testing.T) {
	e := smallElection(t)
	corrections, frauds := 0, 0
	injected := map[string]sim.Injection{}
	for _, in := range e.Truth.Injected {
		injected[in.RecordHash] = in
	}
	rp := replay(t, e)
	for _, env := range rp.byHash {
		s, ok := env.Record.(*record.Sheet)
		if !ok {
			continue
		}
		st, _ := e.Def.Station(s.Station)
		var valid int64
		for _, v := range s.Votes {
			valid += v.Votes
		}
		if valid+s.Rejected != s.Cast || s.Cast > s.Registered || s.Registered != st.Registered {
			t.Fatalf("sheet %s/%s: registered %d (definition %d), cast %d, rejected %d, votes %d", s.Contest, s.Station, s.Registered, st.Registered, s.Cast, s.Rejected, valid)
		}
		if s.Revision == 2 && s.Order != "" {
			// An honest recount: ordered by the returning officer, who signs
			// the order and the recount's sheet.
			corrections++
			o, ok := rp.byHash[s.Order]
			if s.Reason != "recount" || env.KeyName != sim.ReturningKeyName(s.Contest) || !ok || o.KeyName != sim.ReturningKeyName(s.Contest) {
				t.Fatalf("correction %s/%s: reason %q signed by %s, order %s", s.Contest, s.Station, s.Reason, env.KeyName, s.Order)
			}
		} else if s.Revision == 2 {
			// A replacement without an order is fraud, in the ground truth.
			in, ok := injected[env.HashHex()]
			if !ok || (in.Kind != sim.KindUnauthorisedCorrection && in.Kind != sim.KindRekeyReplace) {
				t.Fatalf("unordered correction %s/%s signed by %s is not in the ground truth", s.Contest, s.Station, env.KeyName)
			}
			frauds++
		}
	}
	if corrections == 0 || frauds == 0 {
		t.Fatalf("%d honest corrections, %d unordered replacements", corrections, frauds)
	}
}

// TestClean: the clean scenario injects nothing and every declaration is
// the sum of its sheets.
func TestClean(t *testing.T) {
	e, err := sim.Generate(sim.Config{Seed: 2, Stations: sim.MinStations, Scenario: "clean"})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Truth.Injected) != 0 {
		t.Fatalf("clean scenario injected %d frauds", len(e.Truth.Injected))
	}
	checkDeclarations(t, e, replay(t, e))
}
