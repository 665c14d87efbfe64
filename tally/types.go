package tally

// This file holds the tally's public result types: what the site, the API,
// the verifier and the demo read. They are plain data with JSON tags and a
// deterministic order (contests and stations in definition order, flags in
// log order), so that the server and the verifier produce byte-identical
// JSON for the same log.

// Evidence points at a logged record a reader can check by hand.
type Evidence struct {
	Index uint64 `json:"index"` // log index of the record
	Hash  string `json:"hash"`  // SHA-256 of the entry, hex
	Type  string `json:"type"`  // record type: sheet, declaration, attestation...
	Note  string `json:"note,omitempty"`
}

// Severity orders flags: "grave" (a declaration that changes the winner
// against the sheets), "high" (a declared count that differs from the
// sheets, conflicting sheets), "medium" (arithmetic, reconciliation with an
// agent's copy), "low" (late, informational).
type Severity string

// Severities, gravest first.
const (
	Grave  Severity = "grave"
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
)

// rank orders severities: a smaller rank is graver.
func (s Severity) rank() int {
	switch s {
	case Grave:
		return 0
	case High:
		return 1
	case Medium:
		return 2
	}
	return 3
}

// Flag is one discrepancy with its evidence.
//
// A flag stands while its condition holds in the current state of the log.
// When a later record removes the condition (a correction supersedes the
// sheet, a new declaration supersedes the old one, the missing sheet
// arrives), the flag is not deleted: it is kept with Resolved set to the
// index of that record, so the trail stays visible.
type Flag struct {
	ID       string     `json:"id"`   // stable: kind/contest[/station]/index of the record it is about
	Kind     string     `json:"kind"` // see the Kind* constants
	Severity Severity   `json:"severity"`
	Contest  string     `json:"contest"`
	Region   string     `json:"region"`
	Station  string     `json:"station,omitempty"`
	Message  string     `json:"message"` // a sentence a reader understands
	Evidence []Evidence `json:"evidence"`
	// Raised is the log index at which the flag first appeared. Flags that
	// depend on the clock (missing-declaration) are raised at the tally's
	// size when read: they hold for the whole log read so far.
	Raised uint64 `json:"raised"`
	// Resolved is the log index of the record that removed the condition,
	// or 0 while the flag stands (index 0 is the election record, which
	// resolves nothing).
	Resolved uint64 `json:"resolved,omitempty"`
	// ResolvedBy is the record at Resolved: the correction, the new
	// declaration, the sheet that arrived; for a flag that depended on the
	// log's clock, the record whose time moved it. A resolved flag keeps
	// its evidence, the sheets a declaration check summed included (as they
	// stood once the flag was resolved).
	ResolvedBy *Evidence `json:"resolved_by,omitempty"`
	// Diff holds per-candidate differences, in ballot order: declared minus
	// sheets for declaration flags, the copy's count (in Declared) against
	// the officer's sheet for copy-differs.
	Diff []CandidateDiff `json:"diff,omitempty"`
	// RejectedDiff compares rejected ballots the same way, when they differ
	// (form 47 and copies; a form 49's rejected ballots include postal
	// ballots the sheets cannot show).
	RejectedDiff *CandidateDiff `json:"rejected_diff,omitempty"`
	// Stations names the stations concerned: stations still missing for
	// deadline flags; for missing-stations, those listed missing that are
	// logged and those counted that are not.
	Stations []string `json:"stations,omitempty"`

	// lazy, when set, asks the reader to append the evidence of the sheets
	// a declaration check summed; it is filled in when the flag is read so
	// that keeping a flag current costs O(candidates), not O(stations).
	lazy *lazyEvidence
}

// CandidateDiff is a declared count beside the sum of the sheets.
type CandidateDiff struct {
	Candidate string `json:"candidate"`
	Declared  int64  `json:"declared"`
	Sheets    int64  `json:"sheets"`
	Delta     int64  `json:"delta"`
}

// Flag kinds.
const (
	KindDeclarationMismatch = "declaration-mismatch" // declared counts differ from the sum of sheets
	KindWinnerChanged       = "winner-changed"       // ...and the declared winner is not the sheets' winner
	KindDeclarationOutdated = "declaration-outdated" // matched the sheets when declared; sheets corrected since differ
	KindConflictingSheets   = "conflicting-versions" // two different sheets for a station (or declarations of a form) with no correction between them
	KindCopyDiffers         = "copy-differs"         // an agent's or observer's copy differs from the officer's sheet
	KindArithmetic          = "arithmetic"           // votes + rejected != cast
	KindOverRegistered      = "over-registered"      // cast > registered voters
	KindRegisteredMismatch  = "registered-mismatch"  // sheet's registered differs from the definition
	KindRejectedAboveMargin = "rejected-above-margin"
	KindLateDeclaration     = "late-declaration" // provisional result declared after the deadline
	KindMissingDeclaration  = "missing-declaration"
	KindMissingStations     = "missing-stations" // declaration lists missing stations that are in fact logged, or omits logged ones
	KindRecountEligible     = "recount-eligible"
	// Declarations and time (clock.go), postal ballots (postal.go).
	KindAwaitingSheets    = "awaiting-sheets"     // a declaration counts stations whose sheets are not logged yet; the logged sheets do not contradict it
	KindDeclarationStale  = "declaration-stale"   // stations a declaration listed missing have reported, and no new declaration followed in time
	KindPostalOverAccount = "postal-over-account" // a form 49 counts more postal ballots than the account issued
	KindPostalUnaccounted = "postal-unaccounted"  // a form 49 counts postal ballots and no account is logged
	KindPostalDecisive    = "postal-decisive"     // postal ballots exceed the sheets' margin (or change the winner)
	KindPostalAccountLate = "postal-account-late" // the postal-ballot account was logged after sheets of its contest
	// KindReadmittedOverRejected: a form 49 re-admits more ballots than the
	// stations rejected.
	KindReadmittedOverRejected = "readmitted-over-rejected"
)

// Kinds lists every flag kind, gravest first; summaries count flags in this
// order.
var Kinds = []string{
	KindWinnerChanged, KindPostalOverAccount, KindReadmittedOverRejected, KindDeclarationMismatch, KindDeclarationOutdated, KindDeclarationStale,
	KindConflictingSheets, KindRekeyReplace, KindPostalUnaccounted, KindMissingStations, KindStationRekeyed,
	KindUnorderedCorrection, KindPostalDecisive, KindPostalAccountLate,
	KindCopyDiffers, KindArithmetic, KindOverRegistered, KindRegisteredMismatch,
	KindRejectedAboveMargin, KindLateDeclaration, KindMissingDeclaration, KindRecountEligible, KindAwaitingSheets,
}
