package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tallylog/tallylog/forensics"
)

const forensicsUsage = `--csv FILE [--preset NAME | --registered COL --candidates COLS ...] [flags]

Screens station results for statistical anomalies: integer percentages,
digit tests, turnout-share correlation, Shpilkin's excess votes, the Klimek
fingerprint and fraud model, and rules such as turnout above 100%. Every
flag is a screening signal, not proof of fraud, and says why it was raised.

Columns are named by header text or by #N (1-based); COLS is a
comma-separated list, and a count given several columns is their sum. Use
#N for headers that contain commas. Presets map the data sets in
shared/data/forensics as published (--list-presets). Charts: the
fingerprint, the turnout and leader-share histograms, and the share
histograms of the ten candidates with most votes.`

func runForensics(st *State, args []string) error {
	fs := newFlagSet(st, "forensics", forensicsUsage)
	csvPath := fs.String("csv", "", "station results, plain or gzipped `FILE` with a header row")
	preset := fs.String("preset", "", "column mapping of a known data set (see --list-presets)")
	listPresets := fs.Bool("list-presets", false, "list the presets and exit")
	registered := fs.String("registered", "", "registered voters `COL`")
	ballots := fs.String("ballots", "", "ballots issued `COLS` (default: valid + invalid)")
	valid := fs.String("valid", "", "valid ballots `COLS` (default: sum of candidates)")
	invalid := fs.String("invalid", "", "invalid ballots `COLS` (default: 0)")
	candidates := fs.String("candidates", "", "candidate vote `COLS`")
	group := fs.String("group", "", "grouping `COLS` (constituency or region)")
	id := fs.String("id", "", "station identifier `COLS`")
	excludeNonzero := fs.String("exclude-nonzero", "", "exclude (and count) rows where `COL` is not 0")
	aggregate := fs.String("aggregate-by", "", "sum rows sharing `COL` into one station")
	missing := fs.String("missing", "", "comma-separated cell `TEXTS` read as missing, excluding their row (default: empty, NA, NaN, nan)")
	leader := fs.String("leader", "", "candidate to screen (default: most votes)")
	seed := fs.Uint64("seed", 1, "random `seed`; the same seed gives byte-identical output")
	resamples := fs.Int("resamples", 1000, "Monte Carlo replicates per null")
	alpha := fs.Float64("alpha", 0.05, "nominal false-positive rate of each test")
	minReg := fs.Int64("min-registered", 100, "leave stations with fewer registered voters out of the distribution tests")
	noFit := fs.Bool("no-fit", false, "skip the simulated fit of the Klimek fraud parameters")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	svgDir := fs.String("svg-dir", "", "write SVG charts into `DIR`")
	maxGroups := fs.Int("groups", 20, "groups listed in the text report")
	maxFlagged := fs.Int("flagged", 50, "stations listed in the report")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *listPresets {
		for _, p := range forensics.Presets {
			fmt.Fprintf(st.Stdout, "%-18s %s\n", p.Name, p.Description)
		}
		return nil
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *csvPath == "" {
		return usageError{"--csv is required (or --list-presets)"}
	}
	var m forensics.Mapping
	explicit := *registered != "" || *candidates != ""
	switch {
	case *preset != "" && explicit:
		return usageError{"use either --preset or explicit columns (--registered, --candidates, ...), not both"}
	case *preset != "":
		p, err := forensics.PresetByName(*preset)
		if err != nil {
			return usageError{err.Error()}
		}
		m = p.Mapping
		if *missing != "" {
			inner := m.FromHeader
			m.FromHeader = func(h []string) (forensics.Mapping, error) {
				pm, err := inner(h)
				pm.MissingTokens = splitCols(*missing)
				return pm, err
			}
		}
	case explicit:
		m = forensics.Mapping{Registered: *registered, Ballots: splitCols(*ballots), Valid: splitCols(*valid),
			Invalid: splitCols(*invalid), Candidates: splitCols(*candidates), Group: splitCols(*group),
			ID: splitCols(*id), ExcludeNonzero: *excludeNonzero, AggregateBy: *aggregate}
		if *missing != "" {
			m.MissingTokens = splitCols(*missing)
		}
	default:
		return usageError{"say which columns hold what: --preset NAME, or --registered COL --candidates COLS"}
	}
	f, err := os.Open(*csvPath)
	if err != nil {
		return err
	}
	defer f.Close()
	in, err := forensics.ReadCSV(f, m)
	if err != nil {
		return fmt.Errorf("%s: %w", *csvPath, err)
	}
	opt := forensics.Options{Seed: *seed, Resamples: *resamples, Alpha: *alpha, MinRegistered: *minReg,
		Leader: *leader, SkipKlimekFit: *noFit, MaxFlagged: *maxFlagged}
	if stderrIsTerminal(st) {
		opt.Progress = func(stage string) { fmt.Fprintf(st.Stderr, "forensics: %s...\n", stage) }
	}
	rep, err := forensics.Analyze(in.Stations, in.Candidates, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", *csvPath, err)
	}
	mergeReadExclusions(rep, in)
	if *svgDir != "" {
		if err := writeCharts(*svgDir, rep); err != nil {
			return err
		}
	}
	if *jsonOut {
		enc := json.NewEncoder(st.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(st.Stdout, *maxGroups)
}

// mergeReadExclusions adds the rows the reader excluded to the report, so
// that every row of the file is accounted for.
func mergeReadExclusions(rep *forensics.Report, in *forensics.Input) {
	n := 0
	for _, e := range in.Excluded {
		n += e.Count
	}
	rep.Stations += n
	rep.Excluded = append(append([]forensics.ExclusionCount(nil), in.Excluded...), rep.Excluded...)
}

func splitCols(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func writeCharts(dir string, rep *forensics.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	charts := []struct {
		name  string
		write func(f *os.File) error
	}{
		{"fingerprint.svg", func(f *os.File) error { return forensics.WriteFingerprintSVG(f, rep) }},
		{"turnout.svg", func(f *os.File) error { return forensics.WriteTurnoutSVG(f, rep) }},
		{"leader-share.svg", func(f *os.File) error { return forensics.WriteLeaderShareSVG(f, rep) }},
	}
	for _, j := range topCandidates(rep, 10) {
		charts = append(charts, struct {
			name  string
			write func(f *os.File) error
		}{fmt.Sprintf("share-%02d.svg", j+1), func(f *os.File) error { return forensics.WriteShareSVG(f, rep, j) }})
	}
	for _, c := range charts {
		f, err := os.Create(filepath.Join(dir, c.name))
		if err != nil {
			return err
		}
		err = c.write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", c.name, err)
		}
	}
	return nil
}

// topCandidates returns the indices of the n candidates with most votes,
// in ballot order.
func topCandidates(rep *forensics.Report, n int) []int {
	idx := make([]int, len(rep.Candidates))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rep.Totals.Votes[idx[a]] > rep.Totals.Votes[idx[b]] })
	idx = idx[:min(n, len(idx))]
	sort.Ints(idx)
	return idx
}

// stderrIsTerminal reports whether progress lines should be printed.
func stderrIsTerminal(st *State) bool {
	f, ok := st.Stderr.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
