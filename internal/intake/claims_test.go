package intake_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// TestRacesReplay sends, all at once, records whose admission depends on
// each other's place in the log (revocations against records signed by
// the revoked keys, unordered corrections against their contest's
// declarations, two corrections carrying out one order) among ordinary
// ones, alone and in batches, and then replays the log as the verifier
// does: every entry the intake logged is admitted in the log's order,
// whatever order it was checked in.
func TestRacesReplay(t *testing.T) {
	for round := range 3 {
		t.Run(fmt.Sprint(round), func(t *testing.T) { racesReplay(t, round) })
	}
}

func racesReplay(t *testing.T, round int) {
	in, lg, e, _ := open(t)
	ctx := context.Background()
	id, origin := e.Def.ID, e.Def.Origin
	type slot struct{ contest, station string }
	slots := []slot{{"NA-57", "NA-57/PS-1"}, {"NA-57", "NA-57/PS-2"}, {"NA-57", "NA-57/PS-3"}, {"PP-12", "NA-57/PS-1"}, {"PP-12", "NA-57/PS-2"}, {"NA-58", "NA-58/PS-1"}, {"NA-58", "NA-58/PS-2"}}
	// First the sheets, and an order for one station of NA-57.
	sheets := map[slot]string{}
	var first [][]byte
	for _, s := range slots {
		entry := e.Sign(t, testelection.StationKey(s.station), e.Sheet(s.contest, s.station, 10, 20, int64(30+round)))
		env, _ := record.Open(entry)
		sheets[s] = env.HashHex()
		first = append(first, entry)
	}
	order := e.Order("NA-57", record.OrderCorrection, "transcription", "NA-57/PS-3")
	orderEntry := e.Sign(t, "ro.NA-57", order)
	orderEnv, _ := record.Open(orderEntry)
	first = append(first, orderEntry)
	_, errs := in.AppendAll(ctx, first, nil, nil)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}

	var racing [][]byte
	copyBy := func(key, contest, station string, minute int) []byte {
		return copyOf(t, e, key, contest, station, fmt.Sprintf("2024-02-08T19:%02d:%02dZ", minute, round))
	}
	for _, s := range slots {
		fix := e.Sheet(s.contest, s.station, 11, 20, int64(30+round))
		fix.Revision, fix.Supersedes, fix.Reason = 2, sheets[s], "slip"
		racing = append(racing, e.Sign(t, testelection.StationKey(s.station), fix))
		racing = append(racing, copyBy("observer", s.contest, s.station, 0))
	}
	for _, c := range []string{"NA-57", "PP-12", "NA-58"} {
		racing = append(racing, e.Sign(t, "ro."+c, &record.Declaration{Election: id, Log: origin, Contest: c, Form: 47,
			Votes: testelection.Counts(10, 20, 30), Declared: "2024-02-09T01:00:00Z"}))
	}
	for n := range 2 { // one order carried out twice: the log takes one
		fix := e.Sheet("NA-57", "NA-57/PS-3", 12+int64(n), 20, int64(30+round))
		fix.Revision, fix.Supersedes, fix.Reason, fix.Order = 2, sheets[slot{"NA-57", "NA-57/PS-3"}], "recounted", orderEnv.HashHex()
		racing = append(racing, e.Sign(t, "ro.NA-57", fix))
	}
	for m := range 20 {
		racing = append(racing, copyBy("agent.NA-57", "NA-57", "NA-57/PS-2", m+1))
	}
	racing = append(racing, e.Sign(t, "ecp", &record.Keys{Election: id, Log: origin, Revoke: []string{e.VKeys["ro.PP-12"]}}))

	// A stream of records by one key, one after another, revoked while it
	// runs: the records checked while the revocation is in flight are
	// the ones a wrong order would let through.
	var wg sync.WaitGroup
	revoking := make(chan struct{})
	wg.Go(func() {
		for m := range 12 {
			in.Append(ctx, copyBy("agent.NA-58", "NA-58", "NA-58/PS-1", m+1))
			if m == 2 {
				close(revoking)
			}
		}
	})
	wg.Go(func() {
		<-revoking
		in.Append(ctx, e.Sign(t, "ecp", &record.Keys{Election: id, Log: origin, Revoke: []string{e.VKeys["agent.NA-58"]}}))
	})
	// The others half one request each, half in batches of five, all at
	// once.
	for i := 0; i < len(racing); i++ {
		if i%2 == 0 {
			wg.Go(func() { in.Append(ctx, racing[i]) })
			continue
		}
		batch := racing[i:min(i+5, len(racing))]
		i += len(batch) - 1
		wg.Go(func() { in.AppendAll(ctx, batch, nil, nil) })
	}
	wg.Wait()

	size, err := lg.IntegratedSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lg.WaitPublished(ctx, size); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(origin)
	logged := 0
	err = lg.ReadEntries(ctx, 0, size, size, func(i uint64, entry []byte) error {
		env, err := record.Open(entry)
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if _, err := reg.Admit(env); err != nil {
			return fmt.Errorf("entry %d (%s by %s) is refused on replay: %w", i, env.Record.Type(), env.KeyName, err)
		}
		reg.Record(i, env)
		logged++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if logged < len(e.Genesis)+len(first)+len(racing)/2 {
		t.Fatalf("only %d entries logged", logged)
	}
}

// copyOf is an agent's or observer's copy of a station's count, signed by
// key and captured at the time given.
func copyOf(t testing.TB, e *testelection.Election, key, contest, station, captured string) []byte {
	return e.Sign(t, key, &record.Attestation{Election: e.Def.ID, Log: e.Def.Origin, Contest: contest, Station: station, Kind: "copy",
		Registered: 1000, Cast: 60, Votes: testelection.Counts(10, 20, 30), Captured: captured})
}
