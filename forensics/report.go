package forensics

// Report is the result of [Analyze]. It encodes to JSON as is (no NaN or
// infinities), and [Report.WriteText] prints it for people.
type Report struct {
	Caveat      string           `json:"caveat"`
	Seed        uint64           `json:"seed"`
	Resamples   int              `json:"resamples"`
	Alpha       float64          `json:"alpha"`
	Candidates  []string         `json:"candidates"`
	Leader      string           `json:"leader"`
	LeaderIndex int              `json:"leader_index"`
	Stations    int              `json:"stations"` // in the input
	Analysed    int              `json:"analysed"` // after exclusions
	Excluded    []ExclusionCount `json:"excluded"`
	Totals      Totals           `json:"totals"`

	// Findings summarises every national test in one line each: what was
	// measured, whether it was flagged at Alpha, and why.
	Findings []Finding `json:"findings"`

	Integer     IntegerTest     `json:"integer_percentages"`
	LastDigit   DigitTest       `json:"last_digit"`
	SecondDigit DigitTest       `json:"second_digit"`
	Correlation CorrelationTest `json:"correlation"`
	Shpilkin    Shpilkin        `json:"shpilkin"`
	Klimek      Klimek          `json:"klimek"`

	Distributions      Distributions      `json:"distributions"`
	FingerprintSummary FingerprintSummary `json:"fingerprint_summary"`

	RuleCounts   []RuleCount   `json:"rule_counts"`
	Groups       []GroupReport `json:"groups"`
	FlaggedTotal int           `json:"flagged_total"`
	Flagged      []StationFlag `json:"flagged"`
}

// Totals are sums over the analysed stations.
type Totals struct {
	Registered  int64   `json:"registered"`
	Ballots     int64   `json:"ballots"`
	Valid       int64   `json:"valid"`
	Invalid     int64   `json:"invalid"`
	Votes       []int64 `json:"votes"`
	Turnout     float64 `json:"turnout"`
	LeaderShare float64 `json:"leader_share"` // of ballots in the boxes
}

// Finding is one test's verdict on one scope (national or a group).
type Finding struct {
	Test        string  `json:"test"`
	Scope       string  `json:"scope"`
	Statistic   float64 `json:"statistic"`
	P           float64 `json:"p"`     // 0 when the test has no p-value
	Level       float64 `json:"level"` // the α the p-value was compared with
	Flagged     bool    `json:"flagged"`
	Explanation string  `json:"explanation"`
}

// Signal is one reason a station was flagged.
type Signal struct {
	Code        string  `json:"code"`
	Weight      float64 `json:"weight"`
	Explanation string  `json:"explanation"`
}

// StationFlag lists the signals of one station. Score is the sum of the
// signal weights; see docs/forensics.md for the weights and their reasons.
type StationFlag struct {
	Index   int      `json:"index"` // in the caller's slice
	ID      string   `json:"id"`
	Group   string   `json:"group,omitempty"`
	Score   float64  `json:"score"`
	Signals []Signal `json:"signals"`
}

// RuleCount counts the stations that raised one kind of signal.
type RuleCount struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

// GroupReport is the screening of one group (constituency or region).
type GroupReport struct {
	Name            string   `json:"name"`
	Stations        int      `json:"stations"`
	Registered      int64    `json:"registered"`
	Ballots         int64    `json:"ballots"`
	Invalid         int64    `json:"invalid"`
	Turnout         float64  `json:"turnout"`
	LeaderShare     float64  `json:"leader_share"`
	Margin          int64    `json:"margin"` // votes between the first two candidates
	IntegerExcess   float64  `json:"integer_excess"`
	IntegerP        float64  `json:"integer_p"`
	LastDigitP      float64  `json:"last_digit_p"`
	SecondDigitP    float64  `json:"second_digit_p"`
	Correlation     float64  `json:"correlation"`
	CorrelationP    float64  `json:"correlation_p"`
	FlaggedStations int      `json:"flagged_stations"`
	Score           float64  `json:"score"`
	Reasons         []string `json:"reasons"`
}
