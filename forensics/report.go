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

	// Screen summarises the station screen (see Screen): its threshold, how
	// many stations it flags and the highest-scoring of them. It is kept
	// apart from the rule flags (Flagged), which need no statistics and
	// flag far fewer honest stations. FullTurnout is the stations that
	// report exactly 100% turnout.
	Screen      ScreenSummary `json:"station_screen"`
	FullTurnout FullTurnout   `json:"full_turnout"`

	RuleCounts   []RuleCount   `json:"rule_counts"`
	Groups       []GroupReport `json:"groups"`
	FlaggedTotal int           `json:"flagged_total"`
	Flagged      []StationFlag `json:"flagged"`
}

// ScreenSummary is the station screen over the analysed stations.
type ScreenSummary struct {
	Threshold float64 `json:"threshold"`
	Scored    int     `json:"scored"`
	Flagged   int     `json:"flagged"`
	Rate      float64 `json:"flag_rate"`
	// Top are the flagged stations, highest score first (at most
	// Options.MaxFlagged), each with its explanation; Index is into the
	// caller's slice.
	Top []ScreenFlag `json:"top,omitempty"`
}

// ScreenFlag is one station the screen flags.
type ScreenFlag struct {
	ScreenScore
	Explanation string `json:"explanation"`
	// Message is Explanation as format and arguments (see Message).
	Message Message `json:"-"`
}

// FullTurnout counts the stations whose ballots issued equal their
// registered voters (exactly 100% turnout), the leader's votes there, and
// how many of them gave the leader 90% or more of the valid votes: the
// figures journalists publish (Uganda 2021, for one).
type FullTurnout struct {
	Stations    int     `json:"stations"`
	Registered  int64   `json:"registered"`
	LeaderVotes int64   `json:"leader_votes"`
	Valid       int64   `json:"valid"`
	LeaderShare float64 `json:"leader_share"` // of valid votes there
	Landslide   int     `json:"landslide_90"` // of them, leader ≥ 90% of valid
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
	// Message is Explanation as format and arguments (see Message).
	Message Message `json:"-"`
}

// Signal is one reason a station was flagged.
type Signal struct {
	Code        string  `json:"code"`
	Weight      float64 `json:"weight"`
	Explanation string  `json:"explanation"`
	// Message is Explanation as format and arguments (see Message).
	Message Message `json:"-"`
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
	// Messages are the Reasons as formats and arguments (see Message).
	Messages []Message `json:"-"`
}
