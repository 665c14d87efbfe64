package web

// The answers of the read API (/api/v1, docs/api.md), and of nothing else:
// their JSON is the API, checked against golden files
// (TestAPIGolden, testdata/api/*.json). Pages render these answers and
// may add data of their own, but only in their own view structs (the
// anonymous structs in pages_*.go, pageCommon): a field added here changes
// the API and its golden files, a field added to a page does not.
//
// The tally's own view types (tally.Summary, tally.ContestResult,
// tally.StationResult, tally.Flag, ...) are part of these answers; a change
// to them shows in the golden files too.

import (
	"github.com/tallylog/tallylog/forensics"
	"github.com/tallylog/tallylog/tally"
)

// assemblyData is an assembly's page and its API answer
// (GET /api/v1/assemblies/{id}).
type assemblyData struct {
	Assembly string `json:"assembly"`
	Name     string `json:"name"`
	// Seats is the membership in the seat table: general, women's and
	// non-Muslim seats, filled or not.
	Seats int `json:"seats"`
	// Simple and TwoThirds are the majority lines of the membership.
	Simple    int `json:"simple_majority"`
	TwoThirds int `json:"two_thirds"`
	// Parties lists the parties with seats, most first, then independents.
	Parties []partySeats `json:"parties"`
	// Unfilled counts seats no one holds yet (unreported, tied, pending,
	// awaiting a lot, unallocated).
	Unfilled int                   `json:"unfilled"`
	Summary  tally.AssemblySummary `json:"summary"`
	// Regions lists stations reported per region (province), table order.
	Regions  []regionProgress `json:"regions"`
	Contests []contestBrief   `json:"contests"`
	// LatestFlags are the assembly's gravest standing flags, gravest
	// first and newest first within a severity (at most 10;
	// /api/v1/flags has them all).
	LatestFlags []tally.Flag `json:"latest_flags"`
	// Disputed lists the contests whose current declaration disagrees with
	// the logged sheets, those naming a different winner first.
	Disputed []disputedSeat `json:"disputed"`
	// Won counts general seats won (every station reported, no tie, the
	// declaration not disputed); Leading the general seats only led so
	// far (including disputed ones).
	Won     int `json:"won"`
	Leading int `json:"leading"`
	// Projection is set while any general seat is not won: the reserved
	// seats, allocated in proportion to general seats, are then a
	// projection, not a result.
	Projection bool `json:"projection"`
	// DisputedWinners counts the disputed seats whose declaration names a
	// different winner than the sheets.
	DisputedWinners int `json:"disputed_winners"`
	// Scans counts the assembly's stations whose current sheet's scanned
	// Form-45 this server holds (the sum of the contests' Scans).
	Scans int `json:"scans"`
}

// disputedSeat is a contest whose current declaration (the final one if
// any, else the provisional) disagrees with the logged sheets.
type disputedSeat struct {
	Contest string `json:"contest"`
	Name    string `json:"name"`
	// LocalName is the constituency's name in Urdu, if the definition
	// has one.
	LocalName string `json:"local_name,omitempty"`
	Region    string `json:"region"`
	Form      int64  `json:"form"`
	Index     uint64 `json:"index"` // log index of the declaration
	// Declared and Sheets name the declared winners and the sheets'
	// leaders (candidate names), with their votes.
	Declared      []string `json:"declared"`
	DeclaredVotes int64    `json:"declared_votes"`
	Sheets        []string `json:"sheets"`
	SheetsVotes   int64    `json:"sheets_votes"`
	// Moved is the sum of the votes the declaration adds to candidates
	// over the sheets (the votes moved, when the totals agree).
	Moved int64 `json:"moved"`
	// WinnerChanged is set when the declaration names a different winner.
	WinnerChanged bool `json:"winner_changed"`
	// DisputedBy are the kinds of the flags other than the count
	// comparisons that dispute the declaration (the declaration's
	// disputed on the contest's page): a declaration whose counts agree
	// with the sheets is disputed for these reasons alone.
	DisputedBy []string `json:"disputed_by,omitempty"`
	// declaredIDs and sheetsIDs are the candidates Declared and Sheets
	// name, for naming them in another language. Not part of the answer.
	declaredIDs, sheetsIDs []string
}

// partySeats is one party's seats in an assembly.
type partySeats struct {
	partyInfo
	General   int `json:"general"`
	Women     int `json:"women"`
	NonMuslim int `json:"non_muslim"`
	Total     int `json:"total"`
	Pending   int `json:"pending,omitempty"`
	// Won and Leading split General: seats won (see contestBrief.Status)
	// and seats only led; Disputed counts those of General whose
	// declaration disagrees with the sheets.
	Won      int `json:"won"`
	Leading  int `json:"leading"`
	Disputed int `json:"disputed,omitempty"`
}

// regionProgress counts one region's stations and contests.
type regionProgress struct {
	Region      string `json:"region"`
	Stations    int    `json:"stations"`
	Reported    int    `json:"reported"`
	Scans       int    `json:"scans"` // stations with a held scan (contestBrief.Scans)
	Contests    int    `json:"contests"`
	Complete    int    `json:"complete"`
	Provisional int    `json:"provisional"`
	Final       int    `json:"final"`
}

// contestBrief is a contest's line in lists.
type contestBrief struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// LocalName is the constituency's name in Urdu, if the definition
	// has one.
	LocalName  string `json:"local_name,omitempty"`
	Region     string `json:"region"`
	Stations   int    `json:"stations"`
	StationsIn int    `json:"stations_in"`
	// Scans counts the stations whose current sheet's scanned Form-45
	// this server holds (scans.go).
	Scans int `json:"scans"`
	// Leader is the leading candidate on the tally's basis (empty before
	// the first sheet, or on a tie).
	Leader      string    `json:"leader,omitempty"`
	LeaderName  string    `json:"leader_name,omitempty"`
	LeaderParty partyInfo `json:"leader_party"`
	Tie         bool      `json:"tie,omitempty"`
	Margin      int64     `json:"margin"`
	Flags       int       `json:"flags"`
	// Gravest is the severity of the gravest standing flag.
	Gravest tally.Severity `json:"gravest,omitempty"`
	// Status is "won" (every station in, no tie, the declaration not
	// disputed), "leading", "tie" or "none" (no sheet yet).
	Status string `json:"status"`
	// Disputed is set when the current declaration disagrees with the
	// sheets.
	Disputed bool `json:"disputed,omitempty"`
	// SeatParty is the party the seat counts for: the leader's, or the
	// party an independent leader joined; "" for an independent. Not part
	// of the answer.
	SeatParty string `json:"-"`
}

// contestLine is a contest's line in GET /api/v1/contests.
type contestLine struct {
	Assembly string `json:"assembly"`
	contestBrief
}

// contestData is a constituency's page and its API answer
// (GET /api/v1/contests/{id}).
type contestData struct {
	Contest tally.ContestResult `json:"contest"`
	// Stations lists the contest's stations in definition order.
	Stations []stationRow `json:"stations"`
	// History lists the contest's resolved flags, each with the record
	// that resolved it, in log order: answered flags stay visible.
	History []tally.Flag `json:"history,omitempty"`
	// Orders lists the recount and correction orders logged for the
	// contest, in log order; the stations' histories say which were
	// carried out (the app's correction form picks from them).
	Orders []tally.OrderRef `json:"orders,omitempty"`
}

// stationRow is a station's line in a contest.
type stationRow struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"`
	Registered int64  `json:"registered"`
	// Status is "in" (a current sheet, no standing flag), "flagged" (a
	// current sheet and a standing flag) or "missing" (no sheet).
	Status   string   `json:"status"`
	Revision int64    `json:"revision,omitempty"`
	Cast     int64    `json:"cast"`
	Rejected int64    `json:"rejected"`
	Votes    []int64  `json:"votes,omitempty"` // in ballot order
	Index    uint64   `json:"index,omitempty"` // log index of the current sheet
	Flags    []string `json:"flags,omitempty"` // kinds of the standing flags
	// Image is the SHA-256 of the scanned Form-45 the current sheet names;
	// Scan is set when this server holds that image.
	Image string `json:"image,omitempty"`
	Scan  bool   `json:"scan,omitempty"`
}

// flagRow is one flag or forensic signal.
type flagRow struct {
	tally.Flag
	// Forensic is set for a screening signal: the station's score.
	Forensic bool    `json:"forensic,omitempty"`
	Score    float64 `json:"score,omitempty"`
}

// flagsData is one page of flags.
type flagsData struct {
	Total   int       `json:"total"`
	Page    int       `json:"page"`
	PerPage int       `json:"per_page"`
	Flags   []flagRow `json:"flags"`
	// ForensicsApplied is the log size the forensic signals were computed
	// at (they lag by up to ten seconds).
	ForensicsApplied uint64 `json:"forensics_applied,omitempty"`
}

// logData is the log page and GET /api/v1/log.
type logData struct {
	Origin     string `json:"origin"`
	LogKey     string `json:"log_key"`
	Size       uint64 `json:"size"`
	Root       string `json:"root"` // base64, as in the checkpoint
	Checkpoint string `json:"checkpoint"`
	// Signatures lists the checkpoint's signatures: the log's, verified,
	// then witnesses' cosignatures (verify them with the witnesses' keys).
	Signatures []signature `json:"signatures"`
	Witnessed  bool        `json:"witnessed"`
	// Policy lists the witnesses whose cosignatures the server requires
	// before publishing (empty: none), and Satisfied whether this
	// checkpoint carries them.
	Policy    []policyWitness `json:"policy"`
	Satisfied bool            `json:"satisfied"`
}

type signature struct {
	Name  string `json:"name"`
	KeyID string `json:"key_id"` // hex
	Log   bool   `json:"log"`    // the log's own, verified here
	// Witness is the policy's name for the witness whose cosignature this
	// is, verified with its key; empty for a signature by a key the server
	// does not know.
	Witness string `json:"witness,omitempty"`
}

type policyWitness struct {
	ID       string `json:"id"`
	Key      string `json:"key"` // cosignature/v1 verifier key
	Cosigned bool   `json:"cosigned"`
}

// scopeReport is one scope's latest analysis.
type scopeReport struct {
	Scope   string            `json:"scope"` // "assembly" or "contest"
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Applied uint64            `json:"applied"` // log size the analysis read
	Report  *forensics.Report `json:"report,omitempty"`
	// Error says why there is no report (no station reported yet).
	Error string `json:"error,omitempty"`
}

// partyInfo is what pages show for a party (or an independent).
type partyInfo struct {
	ID, Name, LocalName, Color string
	// Symbol is a short mark told apart without colour, for the pages:
	// the party's initials (see partySymbol). Not part of the answer.
	Symbol string `json:"-"`
	// Shape is the party's marker shape (svg_shapes.go), the same on
	// every page and chart. Not part of the answer.
	Shape string `json:"-"`
}

// BatchRequest is the body of POST /api/v1/records/batch: signed records,
// each exactly as it would be sent alone to POST /api/v1/records.
type BatchRequest struct {
	Records []string `json:"records"`
}

// BatchAnswer is the answer to a batch: one result per record, in the
// order of the request.
type BatchAnswer struct {
	Results []BatchResult `json:"results"`
}

// BatchResult is one record's outcome: its receipt, or the error in the
// one JSON error shape (with the index when the record is durable but has
// no receipt yet, and the seconds to wait when it may be sent again).
type BatchResult struct {
	// Index is the record's log index; absent when it was not logged.
	Index *uint64 `json:"index,omitempty"`
	// Receipt is the record's receipt (c2sp.org/tlog-proof@v1), as
	// GET /api/v1/proofs/{index} gives it.
	Receipt string `json:"receipt,omitempty"`
	// Status is the HTTP status the record alone would have got.
	Status int `json:"status"`
	// Error, Code, Field and Rule are the error shape of every API error.
	Error      string `json:"error,omitempty"`
	Code       string `json:"code,omitempty"`
	Field      string `json:"field,omitempty"`
	Rule       string `json:"rule,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}
