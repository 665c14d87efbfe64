package importer

// Provenance says where a source's figures come from. Every record and report
// built from a source carries it, so that a reader knows what was transcribed,
// by whom and from what.
type Provenance struct {
	// Key is the short name of the transcriber, used in signing-key names
	// ("aiwan-e-jamhoor" signs as "transcriber.aiwan-e-jamhoor").
	Key string `json:"key"`
	// Publisher is who published the figures, and what they are.
	Publisher string `json:"publisher"`
	// Repository and Commit identify the published files; Files names the
	// ones read, relative to the repository's copy in the data folder.
	Repository string   `json:"repository"`
	Commit     string   `json:"commit"`
	Files      []string `json:"files"`
}

// Seat statuses.
const (
	Contested   = "contested"
	Postponed   = "postponed"   // no poll: no candidates, no winner
	Uncontested = "uncontested" // returned unopposed: one candidate, no votes
)

// Seat is one constituency's result as one source gives it.
type Seat struct {
	Contest  string `json:"contest"`            // "NA-57", "PP-12"
	Name     string `json:"name,omitempty"`     // constituency name, if given
	Province string `json:"province,omitempty"` // as the source spells it, if given
	Status   string `json:"status"`
	// Candidates in the source's rank order (most votes first).
	Candidates []Candidate `json:"candidates"`
	// Registered voters and rejected ballots, when the source gives them
	// (Known); zero otherwise.
	Registered int64 `json:"registered,omitempty"`
	Rejected   int64 `json:"rejected,omitempty"`
	Known      bool  `json:"known,omitempty"`
}

// Candidate is one candidate's votes in a seat. Party is the source's label,
// empty for an independent.
type Candidate struct {
	Name  string `json:"name"`
	Party string `json:"party,omitempty"`
	Votes int64  `json:"votes"`
}

// Claim is a second source's figures for some candidates of a seat: the
// 2024 Form-45 totals a party claimed, which name only the top two.
type Claim struct {
	Contest    string      `json:"contest"`
	Candidates []Candidate `json:"candidates"`
}
