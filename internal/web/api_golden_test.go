package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/sim"
)

// TestAPIGolden answers every /api/v1 endpoint for a small simulated
// election (fixed seed, the Rawalpindi division's records appended one by
// one, so every index and root is the same on every run) and compares each
// answer with testdata/api/<name>: a change to the API, whether from an
// answer type, a page or the tally, shows as a golden-file diff.
//
// When a change is intended (a record format change changes every hash),
// regenerate them with
//
//	go test ./web -run TestAPIGolden -update
//
// and review the diff.
func TestAPIGolden(t *testing.T) {
	el, err := sim.Generate(sim.Config{Seed: 1, Stations: sim.MinStations})
	if err != nil {
		t.Fatal(err)
	}
	dir := datadir.Dir{Root: t.TempDir()}
	lk, _ := el.Key(el.Def.Origin)
	if err := dir.Create(&datadir.Meta{Origin: el.Def.Origin, LogKey: el.LogVKey, Election: el.Def.ID}, lk.SKey); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := el.PollsClose.Add(12 * time.Hour)
	srv, err := Open(ctx, dir, Options{Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond, BatchAge: time.Millisecond},
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })

	// One at a time, in a fixed order: the log's order is then the same on
	// every run.
	entries := [][]byte{}
	for _, ev := range el.Genesis {
		entries = append(entries, ev.Entry)
	}
	division := []string{"NA-49", "NA-50", "NA-51", "NA-52", "NA-53", "NA-54", "NA-55", "NA-56", "NA-57", "NA-58", "NA-59", "NA-60", "NA-61"}
	for _, ev := range el.Records {
		for _, c := range division {
			if strings.Contains(string(ev.Entry), "\ncontest "+c+"\n") {
				entries = append(entries, ev.Entry)
				break
			}
		}
	}
	for i, e := range entries {
		if idx, err := srv.Intake.Append(ctx, e); err != nil || idx != uint64(i) {
			t.Fatalf("entry %d: appended at %d: %v", i, idx, err)
		}
	}
	if _, err := srv.Log.WaitPublished(ctx, uint64(len(entries))); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitApplied(ctx, uint64(len(entries))); err != nil {
		t.Fatal(err)
	}
	station := el.Def.Stations[el.Def.StationsOf("NA-57")[0]].ID

	h := srv.Handler()
	for _, tc := range []struct{ name, path string }{
		{"summary.json", "/api/v1/summary"},
		{"assemblies.json", "/api/v1/assemblies"},
		{"assembly-NA.json", "/api/v1/assemblies/NA"},
		{"seats-NA.json", "/api/v1/assemblies/NA/seats"},
		{"contests-NA.json", "/api/v1/contests?assembly=NA"},
		{"contest-NA-57.json", "/api/v1/contests/NA-57"},
		{"station.json", "/api/v1/stations/" + station},
		{"flags.json", "/api/v1/flags?assembly=NA"},
		{"forensics-contest-NA-57.json", "/api/v1/forensics/contest/NA-57"},
		{"log.json", "/api/v1/log"},
		{"status.json", "/api/v1/status"},
		{"proof-20.txt", "/api/v1/proofs/20"},
		{"error-404.json", "/api/v1/contests/NA-999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
			want := http.StatusOK
			if strings.HasPrefix(tc.name, "error-") {
				want = http.StatusNotFound
			}
			if rec.Code != want {
				t.Fatalf("GET %s: %d %s", tc.path, rec.Code, rec.Body)
			}
			golden(t, "api/"+tc.name, rec.Body.String())
		})
	}
}
