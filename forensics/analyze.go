package forensics

import (
	"fmt"
	"math"
	"slices"
)

// Options controls an analysis. The zero value is usable: seed 0, 1,000
// resamples, α = 0.05, stations with fewer than 100 registered voters left
// out of the distribution tests, the leader chosen by total votes.
type Options struct {
	// Seed makes the analysis reproducible: the same stations, options and
	// seed give a byte-identical report on any machine.
	Seed uint64
	// Resamples is the number of Monte Carlo replicates of each null
	// (default 1,000, as in Kobak et al.).
	Resamples int
	// Alpha is the nominal false-positive rate of each test (default 0.05).
	// Group-level tests use Alpha divided by the number of groups.
	Alpha float64
	// MinRegistered leaves smaller stations out of the distribution tests
	// (default 100, as in Kobak et al. and Klimek et al.); the rules still
	// apply to them.
	MinRegistered int64
	// Leader names the candidate whose share is screened; empty means the
	// candidate with the most votes in the data.
	Leader string
	// SkipKlimekFit skips the simulated fit of the Klimek fraud parameters
	// (the rest of the Klimek analysis still runs).
	SkipKlimekFit bool
	// MaxFlagged caps the stations listed in Report.Flagged (default 100);
	// Report.FlaggedTotal always counts them all.
	MaxFlagged int
	// Workers is the number of goroutines (0 means GOMAXPROCS). It changes
	// the speed, never the result.
	Workers int
	// Progress, if set, is called at the start of each stage.
	Progress func(stage string)
}

func (o *Options) defaults() {
	if o.Resamples <= 0 {
		o.Resamples = 1000
	}
	if o.Alpha <= 0 || o.Alpha >= 1 {
		o.Alpha = 0.05
	}
	if o.MinRegistered <= 0 {
		o.MinRegistered = 100
	}
	if o.MaxFlagged <= 0 {
		o.MaxFlagged = 100
	}
}

func (o *Options) stage(s string) {
	if o.Progress != nil {
		o.Progress(s)
	}
}

// dataset is the validated input shared by the analyses.
type dataset struct {
	st     []Station // usable stations
	orig   []int     // index of each usable station in the caller's slice
	leader int
	ncand  int
	names  []string // the candidates, as the caller names them
	groups []string
	gidx   []int32 // group of each usable station
}

// Analyze screens the stations and returns the report. candidates names
// the vote columns (len(candidates) must equal len(Votes) of every station).
//
// Stations that cannot be analysed (negative counts, candidate votes above
// the valid ballots, a wrong number of vote columns) are counted in
// Report.Excluded, never silently dropped; sheets whose candidate votes
// exceed the valid ballots are also listed among the flagged stations.
// Analyze returns an error only when the input as a whole is unusable.
//
// Analyze does not modify stations. It is safe for concurrent use.
func Analyze(stations []Station, candidates []string, opt Options) (*Report, error) {
	opt.defaults()
	if len(candidates) == 0 {
		return nil, fmt.Errorf("forensics: no candidates: name at least one vote column")
	}
	d, rep, err := prepare(stations, candidates, &opt)
	if err != nil {
		return nil, err
	}
	opt.stage("distributions")
	rep.Distributions, rep.FingerprintSummary = distributions(d, &opt)
	opt.stage("integer percentages")
	var kobakGroups []IntegerTest
	var kobakPer []kobakStation
	rep.Integer, kobakGroups, kobakPer = runKobak(d, &opt)
	opt.stage("digits")
	var lastG, secondG []DigitTest
	rep.LastDigit, lastG = runDigits(d, &opt, lastDigitKind)
	rep.SecondDigit, secondG = runDigits(d, &opt, secondDigitKind)
	opt.stage("correlation")
	var corrG []CorrelationTest
	rep.Correlation, corrG = runCorrelation(d, &opt)
	opt.stage("shpilkin")
	rep.Shpilkin = runShpilkin(d, &opt)
	opt.stage("klimek")
	rep.Klimek = runKlimek(d, &opt)
	opt.stage("rules and scores")
	rep.Screen = screenSummary(d, opt.MaxFlagged)
	rep.FullTurnout = fullTurnout(d)
	flags := stationSignals(d, &opt, kobakPer)
	for i := range stations { // sheets excluded for arithmetic are flagged too
		if checkStation(&stations[i], len(candidates)) == ExcludeVotesAboveValid {
			flags = append(flags, arithmeticFlag(&stations[i], i))
		}
	}
	rep.Groups = groupReports(d, &opt, kobakGroups, lastG, secondG, corrG, flags)
	rep.Findings = nationalFindings(rep, &opt)
	rep.FlaggedTotal, rep.Flagged = rankFlags(flags, opt.MaxFlagged)
	rep.RuleCounts = countRules(flags)
	return rep, nil
}

// prepare validates the stations, picks the leader and indexes the groups.
func prepare(stations []Station, candidates []string, opt *Options) (*dataset, *Report, error) {
	rep := &Report{
		Caveat:     "Every result below is " + Caveat + ".",
		Seed:       opt.Seed,
		Resamples:  opt.Resamples,
		Alpha:      opt.Alpha,
		Candidates: slices.Clone(candidates),
		Stations:   len(stations),
	}
	d := &dataset{ncand: len(candidates), names: candidates}
	var ex exclusions
	totals := make([]int64, len(candidates))
	groupIndex := map[string]int32{}
	for i := range stations {
		s := &stations[i]
		if why := checkStation(s, len(candidates)); why != "" {
			ex.add(why, stationLabel(s, i))
			continue
		}
		gi, ok := groupIndex[s.Group]
		if !ok {
			gi = int32(len(d.groups))
			groupIndex[s.Group] = gi
			d.groups = append(d.groups, s.Group)
		}
		d.st = append(d.st, *s)
		d.orig = append(d.orig, i)
		d.gidx = append(d.gidx, gi)
		for j, v := range s.Votes {
			totals[j] += v
		}
		rep.Totals.Registered += s.Registered
		rep.Totals.Ballots += s.Ballots
		rep.Totals.Valid += s.Valid
		rep.Totals.Invalid += s.Invalid
	}
	rep.Excluded = ex.list
	rep.Analysed = len(d.st)
	if len(d.st) == 0 {
		return nil, nil, fmt.Errorf("%w: all %d stations were excluded (%s)", ErrNoStations, len(stations), summariseExclusions(ex.list))
	}
	d.leader = 0
	if opt.Leader != "" {
		d.leader = slices.Index(candidates, opt.Leader)
		if d.leader < 0 {
			return nil, nil, fmt.Errorf("forensics: leader %q is not among the candidates %q", opt.Leader, candidates)
		}
	} else {
		for j, v := range totals {
			if v > totals[d.leader] {
				d.leader = j
			}
		}
	}
	rep.Leader, rep.LeaderIndex = candidates[d.leader], d.leader
	rep.Totals.Votes = totals
	rep.Totals.Turnout = ratio(rep.Totals.Ballots, rep.Totals.Registered)
	rep.Totals.LeaderShare = ratio(totals[d.leader], rep.Totals.Valid+rep.Totals.Invalid)
	return d, rep, nil
}

func summariseExclusions(list []ExclusionCount) string {
	s := ""
	for i, e := range list {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%d: %s", e.Count, e.Reason)
	}
	return s
}

// ratio returns a/b, or 0 when b is 0 (JSON cannot carry NaN).
func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// finite replaces NaN and infinities by 0 so that reports encode as JSON.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
