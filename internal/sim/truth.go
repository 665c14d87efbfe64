package sim

// Injection kinds, as they appear in the ground truth.
const (
	// KindDeclarationTampering: a returning officer's provisional declaration
	// (Form-47) makes the sheets' runner-up the winner. Size is the declared
	// lead in votes; Share is the votes moved over the two candidates' sheet
	// votes.
	KindDeclarationTampering = "declaration-tampering"
	// KindBallotStuffing: ballots added for the station's leader, raising
	// turnout. Size is the ballots added; Share is Size over registered
	// voters.
	KindBallotStuffing = "ballot-stuffing"
	// KindVoteSwitching: votes moved from the station's second candidate to
	// its first. Size is the votes moved; Share is Size over the second's
	// true votes.
	KindVoteSwitching = "vote-switching"
	// KindConflictingSheet: a second revision-1 sheet for a station, signed
	// by the same presiding officer, with the top two candidates' votes
	// swapped and nothing superseded. Size is the votes by which the two
	// candidates' counts differ; RecordHash is the second sheet.
	KindConflictingSheet = "conflicting-sheet"
	// KindCopyDiffers: the officer's sheet moves votes away from the agent's
	// candidate; the agent's copy (Witness) keeps the true count. Size is the
	// votes moved; Share is Size over the agent's candidate's true votes.
	KindCopyDiffers = "copy-differs"
	// KindNonReporting: a station that never sends a sheet. RecordHash is the
	// contest's declaration, which lists the station as missing.
	KindNonReporting = "non-reporting"
	// KindUnauthorisedCorrection: the presiding officer replaces their own
	// National Assembly sheet with a revision 2 that names no recount or
	// correction order, before the contest's declaration (after it the log
	// refuses), moving votes from the runner-up to the leader; the
	// returning officer declares to match. Size is the votes moved; Share is
	// Size over the runner-up's votes; RecordHash is the revision 2.
	KindUnauthorisedCorrection = "unauthorised-correction"
	// KindRekeyReplace: after the station's sheet is logged, the commission
	// grants a new presiding key for it (Witness is that keys record), and
	// the new key signs a revision 2 with no order, moving votes from the
	// runner-up to the leader; the returning officer declares to match.
	// Size and Share as for KindUnauthorisedCorrection; RecordHash is the
	// revision 2.
	KindRekeyReplace = "rekey-replace"
	// KindPostalInflation: a returning officer logs no postal-ballot account
	// and declares a final result (form 49) whose postal ballots make the
	// sheets' runner-up the winner. Size is the postal ballots added; Share
	// is their part of the votes the form 49 counts; RecordHash is the form
	// 49.
	KindPostalInflation = "postal-inflation"
	// KindStaleDeclaration: a provisional declaration made early, with most
	// stations listed as missing, never renewed once they report. Size is
	// the stations listed missing that report later; RecordHash is the
	// declaration.
	KindStaleDeclaration = "stale-declaration"
)

// GroundTruth is what a run injected: the run's settings and every fraud.
// It is written to ground-truth.json.
type GroundTruth struct {
	Election string      `json:"election"`
	Seed     uint64      `json:"seed"`
	Stations int         `json:"stations"`
	Scenario string      `json:"scenario"`
	Fraud    Fraud       `json:"fraud"`
	Injected []Injection `json:"injected"`
}

// Injection is one injected fraud in one contest.
type Injection struct {
	Kind    string  `json:"kind"`
	Contest string  `json:"contest"`
	Station string  `json:"station,omitempty"`
	Size    int64   `json:"size"`
	Share   float64 `json:"share"`
	// RecordHash is the SHA-256 (hex) of the tampered record's log entry.
	RecordHash string `json:"record_hash"`
	// Arrival is when that record reaches the log, in seconds after polls
	// close.
	Arrival int64 `json:"arrival"`
	// Witness is the hash of the honest record that contradicts it, if any
	// (the agent's copy of a copy-differs sheet), or, for rekey-replace, the
	// keys record that granted the replacing key.
	Witness     string `json:"witness,omitempty"`
	Description string `json:"description"`
}

// Count returns how many injections of each kind there are.
func (g *GroundTruth) Count() map[string]int {
	m := map[string]int{}
	for _, in := range g.Injected {
		m[in.Kind]++
	}
	return m
}
