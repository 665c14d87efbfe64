package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tallylog/tallylog/audit"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/record"
)

// runAudit plans and runs risk-limiting audits of polling stations
// (docs/audit.md). plan is pure arithmetic and works offline; commit,
// reveal and count write signed records to stdout, ready for tallylog
// submit, exactly as tallylog sign does.
func runAudit(st *State, args []string) error {
	subs := map[string]func(*State, []string) error{
		"plan": auditPlan, "commit": auditCommit, "reveal": auditReveal, "count": auditCount,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		fmt.Fprint(st.Stderr, `Usage: tallylog audit <subcommand> [flags]

Subcommands:
  plan     first-round sample size for a risk limit, from a CSV of stations or from a margin
  commit   sign the commitment to a contest's frame, risk limit and seed (audit-commit)
  reveal   sign the reveal of the committed seed (audit-reveal)
  count    sign an audit board's hand count of one drawn station (audit-count)

Run 'tallylog audit <subcommand> -h' for its flags. An audit-round record is
signed with 'tallylog sign' from its JSON (docs/audit.md).
`)
		if len(args) == 1 && (args[0] == "-h" || args[0] == "help") {
			return flag.ErrHelp
		}
		if len(args) == 0 {
			return usageError{"a subcommand is required"}
		}
		return usageError{fmt.Sprintf("unknown subcommand %q", args[0])}
	}
	return subs[args[0]](st, args[1:])
}

// auditPlan prints the first-round size. With --csv, the frame is read from
// a file "station,ballots,<candidate>,…" (one row per station, the winner
// the candidate with the most votes); otherwise --ballots are spread evenly
// over --stations stations with the winner --margin votes ahead.
func auditPlan(st *State, args []string) error {
	fs := newFlagSet(st, "audit plan", "--risk-limit 5% (--csv FILE | --margin N --ballots N --stations N)")
	limit := fs.String("risk-limit", "", "risk limit as a fraction (0.05) or a percentage (5%)")
	csvFile := fs.String("csv", "", "stations `FILE`: station,ballots,<candidate>,... ('-' for stdin)")
	margin := fs.Int64("margin", 0, "winner's lead over the runner-up, in votes")
	ballots := fs.Int64("ballots", 0, "ballots cast in the contest")
	stations := fs.Int64("stations", 0, "polling stations in the contest")
	jsonOut := fs.Bool("json", false, "print the plan as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *limit == "" {
		return usageError{"--risk-limit is required"}
	}
	alpha, err := audit.ParseRiskLimit(*limit)
	if err != nil {
		return usageError{err.Error()}
	}
	var c audit.Contest
	switch {
	case *csvFile != "" && (*margin != 0 || *ballots != 0 || *stations != 0):
		return usageError{"give --csv or --margin, --ballots and --stations, not both"}
	case *csvFile != "":
		c, err = readPlanCSV(st, *csvFile)
	default:
		c, err = evenContest(*margin, *ballots, *stations)
	}
	if err != nil {
		return err
	}
	a, err := audit.Prepare(c)
	if err != nil {
		return err
	}
	n, _ := a.Plan(alpha)
	if *jsonOut {
		type margin struct {
			Winner string `json:"winner"`
			Loser  string `json:"loser"`
			Votes  int64  `json:"votes"`
		}
		out := struct {
			Stations       int64    `json:"stations"`
			FullHandCount  bool     `json:"full_hand_count"`
			Margins        []margin `json:"margins"`
			ErrorBound     float64  `json:"error_bound_u"`
			RiskLimit      string   `json:"risk_limit"`
			FirstRoundSize int64    `json:"first_round_draws"`
		}{Stations: int64(a.Stations()), FullHandCount: a.FullHandCountRequired(), Margins: []margin{}, RiskLimit: alpha.FloatString(9), FirstRoundSize: int64(n)}
		for _, m := range a.Margins() {
			out.Margins = append(out.Margins, margin{m.Winner, m.Loser, m.V})
		}
		if !out.FullHandCount {
			out.ErrorBound, _ = a.U().Float64()
		}
		return printJSON(st.Stdout, out)
	}
	if a.FullHandCountRequired() {
		fmt.Fprintf(st.Stdout, "stations: %d\nthe margin is zero or negative: only a full hand count of all %d stations can settle the outcome\n", a.Stations(), n)
		return nil
	}
	u, _ := a.U().Float64()
	fmt.Fprintf(st.Stdout, "stations: %d\n", a.Stations())
	for _, m := range a.Margins() {
		fmt.Fprintf(st.Stdout, "margin %s over %s: %d votes\n", m.Winner, m.Loser, m.V)
	}
	fmt.Fprintf(st.Stdout, "total error bound U: %.4f\nrisk limit: %s\nfirst round: %d draws\n", u, alpha.FloatString(9), n)
	return nil
}

// evenContest builds the frame the flags describe: the ballots spread over
// the stations as evenly as integers allow, each station's lead its share
// of the margin, every ballot a vote for one of the two candidates.
func evenContest(margin, ballots, stations int64) (audit.Contest, error) {
	switch {
	case stations < 1 || stations > 10_000_000:
		return audit.Contest{}, usageError{"--stations must be 1 to 10000000 (or give --csv)"}
	case ballots < stations || ballots > audit.MaxTotal:
		return audit.Contest{}, usageError{"--ballots must be at least one per station"}
	case margin < 1 || margin > ballots:
		return audit.Contest{}, usageError{"--margin must be 1 to --ballots votes"}
	}
	c := audit.Contest{ID: "plan", Candidates: []string{"winner", "runner-up"}, Winners: []string{"winner"}, Totals: make([]int64, 2)}
	for p := range stations {
		b := ballots/stations + boolInt(p < ballots%stations)
		m := min(b, margin/stations+boolInt(p < margin%stations))
		loser := (b - m) / 2
		c.Stations = append(c.Stations, audit.Station{ID: fmt.Sprintf("S%08d", p), Votes: []int64{loser + m, loser}, Ballots: b})
		c.Totals[0] += loser + m
		c.Totals[1] += loser
	}
	if c.Totals[0] <= c.Totals[1] {
		return audit.Contest{}, usageError{"--margin is too small to survive the spread over stations; give --csv"}
	}
	return c, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// readPlanCSV reads "station,ballots,<candidate>,…" with a header row.
func readPlanCSV(st *State, name string) (audit.Contest, error) {
	var r io.Reader = st.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return audit.Contest{}, err
		}
		defer f.Close()
		r = f
	}
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return audit.Contest{}, fmt.Errorf("%s: %v", name, err)
	}
	if len(rows) < 2 || len(rows[0]) < 4 || rows[0][0] != "station" || rows[0][1] != "ballots" {
		return audit.Contest{}, fmt.Errorf("%s: the header must be station,ballots,<candidate>,<candidate>,... and at least one station row follow", name)
	}
	c := audit.Contest{ID: "plan", Candidates: rows[0][2:], Totals: make([]int64, len(rows[0])-2)}
	for i, row := range rows[1:] {
		s := audit.Station{ID: row[0]}
		nums := make([]int64, len(row)-1)
		for j, cell := range row[1:] {
			if nums[j], err = strconv.ParseInt(cell, 10, 64); err != nil {
				return audit.Contest{}, fmt.Errorf("%s: line %d, column %s: %q is not a whole number", name, i+2, rows[0][j+1], cell)
			}
		}
		s.Ballots, s.Votes = nums[0], nums[1:]
		for j, v := range s.Votes {
			c.Totals[j] += v
		}
		c.Stations = append(c.Stations, s)
	}
	best := 0
	for j, t := range c.Totals {
		if t > c.Totals[best] {
			best = j
		}
	}
	c.Winners = []string{c.Candidates[best]}
	return c, nil
}

// auditFlags are the flags every signing subcommand shares.
type auditFlags struct {
	key, election, log, contest, at *string
	json                            *bool
}

func addAuditFlags(fs *flag.FlagSet) auditFlags {
	return auditFlags{
		json:     fs.Bool("json", false, "print {type, key, hash, record} as JSON instead of the signed record alone"),
		key:      fs.String("key", "", "private key `FILE` from tallylog keygen"),
		election: fs.String("election", "", "election `ID`, as in the log's election record"),
		log:      fs.String("log", "", "the log's `ORIGIN`, as in the log's election record (results.example.pk/ge2024)"),
		contest:  fs.String("contest", "", "contest `ID`"),
		at:       fs.String("time", "", "the record's time, "+record.TimeLayout+" (default now)"),
	}
}

// sign checks the shared flags, completes rec's time and signs it to stdout.
func (f auditFlags) sign(st *State, rec record.Record, setTime func(string)) error {
	if *f.key == "" || *f.election == "" || *f.log == "" || *f.contest == "" {
		return usageError{"--key, --election, --log and --contest are required"}
	}
	at := *f.at
	if at == "" {
		at = record.FormatTime(time.Now())
	}
	setTime(at)
	signer, err := datadir.LoadSigner(*f.key)
	if err != nil {
		return err
	}
	entry, err := record.Sign(rec, signer)
	if err != nil {
		return fmt.Errorf("the %s record is not valid: %v", rec.Type(), err)
	}
	return writeSigned(st.Stdout, entry, *f.json)
}

// readSeed returns the seed from --seed or --seed-file (one line).
func readSeed(seed, file string) (string, error) {
	switch {
	case seed != "" && file != "":
		return "", usageError{"give --seed or --seed-file, not both"}
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimSuffix(string(b), "\n"), nil
	case seed == "":
		return "", usageError{"--seed or --seed-file is required"}
	}
	return seed, nil
}

func auditCommit(st *State, args []string) error {
	fs := newFlagSet(st, "audit commit", "--key K --election E --log O --contest C --risk-limit 0.05 --log-size L --frame-sha256 H --stations N --draws N --seed-file F > commit.note")
	f := addAuditFlags(fs)
	limit := fs.String("risk-limit", "", "risk limit: \"0.\" and 1 to 9 digits (0.05)")
	logSize := fs.Int64("log-size", 0, "log size L the frame is taken at")
	frame := fs.String("frame-sha256", "", "SHA-256 of the contest's frame at L (docs/audit.md)")
	stations := fs.Int64("stations", 0, "stations in the frame")
	draws := fs.Int64("draws", 0, "draws in round 1 (at least the size tallylog audit plan gives)")
	seed := fs.String("seed", "", "the seed (20 to 200 bytes); it is not written to the record")
	seedFile := fs.String("seed-file", "", "`FILE` holding the seed on one line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := readSeed(*seed, *seedFile)
	if err != nil {
		return err
	}
	// Refuse now a seed whose reveal would be refused later.
	reveal := &record.AuditReveal{Election: *f.election, Log: *f.log, Contest: *f.contest, Seed: s, Revealed: record.FormatTime(time.Now())}
	if err := reveal.Check(); err != nil && strings.HasPrefix(err.Error(), "seed") {
		return fmt.Errorf("the seed cannot be revealed later: %v", err)
	}
	rec := &record.AuditCommit{Election: *f.election, Log: *f.log, Contest: *f.contest, RiskLimit: *limit, LogSize: *logSize,
		FrameSHA256: *frame, Stations: *stations, SeedCommitment: record.SeedCommitment(*f.election, *f.contest, s), Draws: *draws}
	return f.sign(st, rec, func(t string) { rec.Committed = t })
}

func auditReveal(st *State, args []string) error {
	fs := newFlagSet(st, "audit reveal", "--key K --election E --log O --contest C --seed-file F > reveal.note")
	f := addAuditFlags(fs)
	seed := fs.String("seed", "", "the committed seed")
	seedFile := fs.String("seed-file", "", "`FILE` holding the seed on one line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := readSeed(*seed, *seedFile)
	if err != nil {
		return err
	}
	rec := &record.AuditReveal{Election: *f.election, Log: *f.log, Contest: *f.contest, Seed: s}
	return f.sign(st, rec, func(t string) { rec.Revealed = t })
}

func auditCount(st *State, args []string) error {
	fs := newFlagSet(st, "audit count", "--key K --election E --log O --contest C --station S --round R --ballots N --votes 1=298,2=501,3=0 > count.note")
	f := addAuditFlags(fs)
	station := fs.String("station", "", "station `ID`")
	round := fs.Int64("round", 0, "the open round of the contest's audit")
	ballots := fs.Int64("ballots", -1, "ballots found in the station's bag")
	votes := fs.String("votes", "", "hand-counted votes, `candidate=count,...` in ballot order, zeros included")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ballots < 0 {
		return usageError{"--ballots is required"}
	}
	counts, err := parseVotes(*votes)
	if err != nil {
		return err
	}
	rec := &record.AuditCount{Election: *f.election, Log: *f.log, Contest: *f.contest, Station: *station, Round: *round, Votes: counts, Ballots: *ballots}
	return f.sign(st, rec, func(t string) { rec.Captured = t })
}

// parseVotes reads "1=298,2=501,3=0".
func parseVotes(s string) ([]record.Count, error) {
	if s == "" {
		return nil, usageError{"--votes is required: candidate=count,... for every candidate in ballot order"}
	}
	var out []record.Count
	for _, item := range strings.Split(s, ",") {
		cand, n, ok := strings.Cut(item, "=")
		v, err := strconv.ParseInt(n, 10, 64)
		if !ok || err != nil {
			return nil, usageError{fmt.Sprintf("--votes: %q is not candidate=count", item)}
		}
		out = append(out, record.Count{Candidate: cand, Votes: v})
	}
	return out, nil
}
