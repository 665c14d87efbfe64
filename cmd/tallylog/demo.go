package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tallylog/tallylog/audit"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/gcpolicy"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/night"
	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/internal/web"
	"github.com/tallylog/tallylog/registry"
	"github.com/tallylog/tallylog/tally"
)

// demoStations is the demo's default size: a third of Pakistan's polling
// stations with every constituency kept, so the night starts within
// seconds; --stations 90675 plays the full country.
const demoStations = 30000

// demoConfig is what a demo directory was made with, kept in DIR/demo.json
// so that --resume replays the same election.
type demoConfig struct {
	Seed     uint64 `json:"seed"`
	Stations int    `json:"stations"`
	Scenario string `json:"scenario"`
}

// runDemo creates a simulated election, serves it, and plays election night
// through the real submission path while the site fills in.
func runDemo(st *State, args []string) error {
	fs := newFlagSet(st, "demo", "[--dir DIR] [--addr HOST:PORT] [--stations N] [--seed S] [--speed X|max] [--audit N] [--risk-limit A] [--resume] [--exit] [--json]")
	dir := fs.String("dir", "tallylog-demo", "`DIR`ectory for the demo election (started over unless --resume)")
	addr := fs.String("addr", "127.0.0.1:8080", "serve the site on `HOST:PORT` (a free port is used if it is taken)")
	stations := fs.Int("stations", demoStations, "number of polling stations (every constituency is kept; 90675 is Pakistan's)")
	seed := fs.Uint64("seed", 1, "simulation seed: the same seed gives the same election")
	scenario := fs.String("scenario", sim.DefaultScenario, "fraud scenario: "+strings.Join(sim.ScenarioNames(), ", "))
	speedFlag := fs.String("speed", "", "simulated seconds per second, or max (default: the night's records in about 3 minutes)")
	resume := fs.Bool("resume", false, "continue the night in --dir instead of starting over")
	exit := fs.Bool("exit", false, "exit when the night is over instead of serving until Ctrl-C")
	jsonOut := fs.Bool("json", false, "print the outcome as one JSON object")
	auditN := fs.Int("audit", 6, "end the night with risk-limiting audits of `N` National Assembly contests, half the closest, half drawn at random (0: none)")
	riskLimit := fs.String("risk-limit", "0.05", "the audits' risk limit `α`, as the records write it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	speed, err := parseSpeed(*speedFlag)
	if err != nil {
		return usageError{err.Error()}
	}
	if *stations < sim.MinStations || *stations > sim.MaxStations {
		// 0 would be the simulator's default, the whole country, not this
		// command's.
		return usageError{fmt.Sprintf("--stations %d: want %d to %d (every constituency needs a station)", *stations, sim.MinStations, sim.MaxStations)}
	}
	// The audits' settings are checked now, not after the night they end.
	if *auditN < 0 {
		return usageError{fmt.Sprintf("--audit %d: want the number of contests to audit, 0 for none", *auditN)}
	}
	if _, err := audit.ParseRiskLimit(*riskLimit); *auditN > 0 && err != nil {
		return usageError{"--risk-limit: " + err.Error()}
	}
	say := func(format string, a ...any) {
		if !*jsonOut {
			fmt.Fprintf(st.Stdout, format, a...)
		}
	}
	gcpolicy.Apply(gcpolicy.System) // the demo serves its election like tallylog serve
	d := datadir.Dir{Root: *dir}
	cfg := demoConfig{Seed: *seed, Stations: *stations, Scenario: *scenario}
	if *resume {
		if err := readJSON(filepath.Join(*dir, "demo.json"), &cfg); err != nil {
			return fmt.Errorf("--resume: %s holds no demo to resume (%v); run without --resume to start one", *dir, err)
		}
	} else if err := clearDemoDir(*dir); err != nil {
		return err
	}

	say("simulating Pakistan's election: %d polling stations, scenario %s, seed %d...\n", cfg.Stations, cfg.Scenario, cfg.Seed)
	el, err := sim.Generate(sim.Config{Seed: cfg.Seed, Stations: cfg.Stations, Scenario: cfg.Scenario})
	if err != nil {
		return err
	}
	if !*resume {
		if err := createDemo(st.Ctx, d, el, cfg); err != nil {
			return err
		}
	}
	clock := night.NewClock(el.PollsClose)
	srv, err := web.Open(st.Ctx, d, web.Options{Now: clock.Now, Log: ledger.Options{CheckpointInterval: 200 * time.Millisecond}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			srv.Close(context.Background())
			return fmt.Errorf("--addr %s: %v", *addr, err)
		}
	}
	hs := srv.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	base := "http://" + ln.Addr().String()
	say("\nelection night is live at %s/\n(%d records to arrive; the Rawalpindi declarations are tampered)\n\n", base, len(el.Records))

	if speed < 0 && len(el.Records) > 1 {
		span := el.Records[len(el.Records)-1].Arrival - night.Start(el.Records)
		speed = span.Seconds() / 180
	}
	if speed < 0 {
		speed = 0
	}
	det := night.NewDetector(el)
	watchCtx, stopWatch := context.WithCancel(st.Ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			_, ch := srv.Applied()
			det.Check(srv.Tally, time.Now())
			select {
			case <-watchCtx.Done():
				return
			case <-ch:
			}
		}
	}()
	prog := newProgress(st, "election night")
	start := time.Now()
	playErr := night.Play(st.Ctx, base, el, clock, night.Options{
		Speed: speed,
		// Records due together go in batch requests, as a district
		// office's gateway sends them.
		Batch:   500,
		Workers: 16,
		// As fast as possible, but with at most an hour of simulated time in
		// flight, so that the log's clock keeps to the night's order.
		Window: time.Hour,
		Skip: func(h [32]byte) (found bool) {
			srv.Intake.Registry(func(r *registry.Registry) { _, found = r.Lookup(h) })
			return found
		},
		Acked: det.Acked,
		Progress: func(p night.Progress) {
			prog.update(uint64(p.Sent), uint64(p.Total))
		},
	})
	elapsed := time.Since(start)
	if playErr == nil {
		total := uint64(len(el.Genesis) + len(el.Records))
		playErr = srv.WaitApplied(st.Ctx, total)
	}
	stopWatch()
	<-watched
	if playErr != nil {
		shutdown(hs, srv)
		if errors.Is(playErr, context.Canceled) {
			fmt.Fprintf(st.Stderr, "stopped; run 'tallylog demo --dir %s --resume' to continue the night\n", *dir)
			return nil
		}
		return playErr
	}
	detections := det.Finish(srv.Tally, time.Now(), cfg.Seed)
	fa := det.FalseAlarms()
	// A resumed night whose audits are already in the log is not audited
	// again: a contest is audited once (the log refuses a second
	// commitment), and drawing other contests would change what the demo
	// reports. The audits stay on /audits.
	var logged int
	srv.Tally.Read(func(v *tally.View) { logged = len(v.Audits()) })
	auditContests := *auditN
	if logged > 0 && auditContests > 0 {
		say("the log already holds the end-of-night audits of %d contests (see %s/audits); not auditing again\n", logged, base)
		auditContests = 0
	}
	if auditContests > 0 {
		say("auditing %d National Assembly contests through the log (risk limit %s)...\n", auditContests, *riskLimit)
	}
	audited, err := night.RunAudit(st.Ctx, base, el, srv.Tally, night.AuditOptions{Contests: auditContests, RiskLimit: *riskLimit, Seed: cfg.Seed,
		Wait: srv.WaitApplied, Now: clock.Now})
	if err != nil {
		shutdown(hs, srv)
		return fmt.Errorf("the end-of-night audit: %w", err)
	}
	detections = night.WithAudit(detections, audited, det.AckedAt, time.Now(), &fa)
	result := demoResult(d, srv, el, detections, elapsed)
	result.Audit, result.Detection = audited, night.Table(detections, fa)
	writeJSON(filepath.Join(*dir, "demo-result.json"), result)
	if *jsonOut {
		json.NewEncoder(st.Stdout).Encode(result)
	} else {
		printDemoResult(st, result, base)
	}
	if *exit {
		return shutdown(hs, srv)
	}
	say("\nthe site stays up at %s/ — press Ctrl-C to stop\n", base)
	<-st.Ctx.Done()
	return shutdown(hs, srv)
}

// parseSpeed reads --speed: a positive number, "max" (0: as fast as
// possible), or empty (-1: choose a watchable speed).
func parseSpeed(s string) (float64, error) {
	switch s {
	case "":
		return -1, nil
	case "max":
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("--speed %q: want a positive number of simulated seconds per second, or max", s)
	}
	return v, nil
}

// clearDemoDir removes a previous demo in dir. It refuses to remove a
// directory that is not a demo's.
func clearDemoDir(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "demo.json")); err != nil {
		entries, _ := os.ReadDir(dir)
		if len(entries) == 0 {
			return nil
		}
		return fmt.Errorf("%s exists and is not a demo directory: choose another --dir", dir)
	}
	return os.RemoveAll(dir)
}

// createDemo creates the election directory and logs the simulated
// election's genesis: the election record, the definition, the keys.
func createDemo(ctx context.Context, d datadir.Dir, el *sim.Election, cfg demoConfig) error {
	return createDemoOn(ctx, d, el, cfg, "")
}

// createDemoOn is createDemo with the log in the MySQL/MariaDB database dsn
// names (empty: in the directory).
func createDemoOn(ctx context.Context, d datadir.Dir, el *sim.Election, cfg demoConfig, dsn string) error {
	logKey, ok := el.Key(el.Def.Origin)
	if !ok {
		return errors.New("the simulation has no log key")
	}
	meta := &datadir.Meta{Origin: el.Def.Origin, LogKey: el.LogVKey, Election: el.Def.ID}
	if dsn != "" {
		meta.Storage = "mysql"
	}
	if err := d.Create(meta, logKey.SKey); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(d.Root, "demo.json"), cfg); err != nil {
		return err
	}
	var genesis, grants [][]byte
	for _, ev := range el.Genesis {
		if strings.HasPrefix(string(ev.Entry), "tallylog/v1 keys\n") {
			grants = append(grants, ev.Entry)
		} else {
			genesis = append(genesis, ev.Entry)
		}
	}
	_, err := openLog(ctx, d, dsn, genesis, grants)
	return err
}

// DemoResult is what the demo prints with --json and keeps in
// DIR/demo-result.json.
type DemoResult struct {
	LogDir   string             `json:"log_dir"`
	LogKey   string             `json:"log_key"`
	Origin   string             `json:"origin"`
	Entries  uint64             `json:"entries"`
	Sheets   int                `json:"sheets"`
	Records  int                `json:"records"`
	Seconds  float64            `json:"seconds"`
	Injected []night.Detection  `json:"injected"`
	Detected map[string][2]int  `json:"detected_by_kind"` // kind -> [detected, injected]
	Seats    []demoAssemblySeat `json:"seats"`
	Verify   string             `json:"verify_command"`
	// Detection is the table of docs/detection.md: per fraud kind and size,
	// the mechanism, recall, false-alarm rate and time to flag. Audit is the
	// end-of-night risk-limiting audit.
	Detection []night.MechanismRow `json:"detection"`
	Audit     *night.AuditReport   `json:"audit,omitempty"`
	// Raised counts every flag raised over the night, resolved ones
	// included, by severity: on the clean scenario grave and high stay 0.
	Raised map[string]int `json:"flags_raised_by_severity"`
}

type demoAssemblySeat struct {
	Assembly string         `json:"assembly"`
	Total    int            `json:"total"`
	Majority int            `json:"majority"`
	Parties  map[string]int `json:"parties"`
}

func demoResult(d datadir.Dir, srv *web.Server, el *sim.Election, det []night.Detection, elapsed time.Duration) *DemoResult {
	r := &DemoResult{LogDir: d.LogDir(), LogKey: srv.Meta.LogKey, Origin: srv.Meta.Origin, Records: len(el.Records),
		Seconds: elapsed.Seconds(), Injected: det, Detected: map[string][2]int{}}
	for _, ev := range el.Records {
		if strings.HasPrefix(string(ev.Entry), "tallylog/v1 sheet\n") {
			r.Sheets++
		}
	}
	for _, x := range det {
		c := r.Detected[x.Kind]
		c[1]++
		if x.Detected {
			c[0]++
		}
		r.Detected[x.Kind] = c
	}
	r.Raised = map[string]int{}
	srv.Tally.Read(func(v *tally.View) {
		for _, f := range v.Flags(tally.Filter{Resolved: true, AsOf: srv.Now()}) {
			r.Raised[string(f.Severity)]++
		}
	})
	sum := srv.Tally.Summary(srv.Now())
	r.Entries = sum.Entries
	for _, a := range sum.Assemblies {
		s := demoAssemblySeat{Assembly: a.Assembly, Total: a.Seats.Total, Majority: a.Seats.Simple, Parties: map[string]int{}}
		for _, p := range a.Seats.Parties {
			s.Parties[p.Party] = p.Total
		}
		if a.Seats.Independents > 0 {
			s.Parties["independents"] = a.Seats.Independents
		}
		r.Seats = append(r.Seats, s)
	}
	r.Verify = fmt.Sprintf("tallylog verify --log %s --log-key %s", d.LogDir(), srv.Meta.LogKey)
	return r
}

func printDemoResult(st *State, r *DemoResult, base string) {
	w := st.Stdout
	fmt.Fprintf(w, "\nthe night is over: %d records (%d station sheets) logged in %.0fs\n\n", r.Records, r.Sheets, r.Seconds)
	fmt.Fprintln(w, "injected fraud, against the simulator's ground truth (per kind and size: the mechanism meant to catch it):")
	fmt.Fprintf(w, "  %-23s %-9s %-15s %9s %7s %13s %9s  %s\n", "kind", "size", "mechanism", "detected", "recall", "false alarms", "slowest", "caught by")
	for _, row := range r.Detection {
		size := "all"
		if row.MaxShare > 0 {
			size = fmt.Sprintf("%.0f–%.0f%%", 100*row.MinShare, 100*row.MaxShare)
		}
		fa := "—"
		if row.FalseAlarm >= 0 {
			fa = fmt.Sprintf("%.2f%%", 100*row.FalseAlarm)
		}
		var by []string
		for _, k := range slices.Sorted(maps.Keys(row.CaughtBy)) {
			by = append(by, fmt.Sprintf("%s %d", k, row.CaughtBy[k]))
		}
		fmt.Fprintf(w, "  %-23s %-9s %-15s %4d/%-4d %6.0f%% %13s %8.1fs  %s\n", row.Kind, size, row.Mechanism, row.Detected, row.Injected, 100*row.Recall, fa, row.SlowestSeconds, strings.Join(by, ", "))
	}
	fmt.Fprintln(w, "  (size: stuffing as a share of registered voters, switching of the runner-up's votes; false alarms on honest records or stations)")
	if a := r.Audit; a != nil && len(a.Contests) > 0 {
		fmt.Fprintf(w, "\nrisk-limiting audit (risk limit %s, %d records through the log in %.0fs):\n", a.RiskLimit, a.Records, a.Seconds)
		for _, c := range a.Contests {
			fmt.Fprintf(w, "  %-7s margin %4.1f%%  %d round(s), %d draws, %d of %d stations hand-counted%s: %s at risk %s; %d switched stations in it, %d reached\n",
				c.Contest, 100*c.Margin, c.Rounds, c.Draws, c.Counted, c.Stations, map[bool]string{true: " (full count)"}[c.FullCount], c.Decision, c.Risk, len(c.Switched), len(c.Reached))
		}
		fmt.Fprintf(w, "  switched stations: %d in the audited contests, %d reached by a hand count (%d in the whole election)\n", a.Switched, a.Reached, a.SwitchedAll)
	}
	fmt.Fprintf(w, "  flags raised over the night (resolved included): %d grave, %d high, %d medium, %d low\n",
		r.Raised[string(tally.Grave)], r.Raised[string(tally.High)], r.Raised[string(tally.Medium)], r.Raised[string(tally.Low)])
	var slowest float64
	for _, x := range r.Injected {
		if x.Kind == sim.KindDeclarationTampering && x.Detected && x.SecondsToFlag > slowest {
			slowest = x.SecondsToFlag
		}
	}
	fmt.Fprintf(w, "  every tampered declaration detected within %.1fs of its arrival\n\n", slowest)
	for _, a := range r.Seats {
		if a.Assembly != "NA" {
			continue
		}
		fmt.Fprintf(w, "National Assembly (majority %d of %d):", a.Majority, a.Total)
		for _, p := range sortedParties(a.Parties) {
			fmt.Fprintf(w, " %s %d", p, a.Parties[p])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nsee it at %s/ and check it yourself:\n  %s\n", base, r.Verify)
}

// sortedParties orders parties by seats, most first, then by name.
func sortedParties(m map[string]int) []string {
	ps := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(ps, func(a, b string) int { return m[b] - m[a] })
	return ps
}

func shutdown(hs interface{ Shutdown(context.Context) error }, srv *web.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hs.Shutdown(ctx)
	return srv.Close(ctx)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return datadir.WriteFileAtomic(path, append(b, '\n'), 0o644)
}
