package record

// The records of a risk-limiting audit's ceremony (docs/audit.md, "The
// ceremony in the log"). They follow the rules of every record: fields in
// the fixed order below, one canonical encoding, Check for the rules a
// record meets on its own. Whether the log allows one (a commitment before
// its reveal, a count for a drawn station) is decided by package auditlog.

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// AuditCommit opens the audit of one contest. The commission commits to the
// frame (the current sheets and declaration of the contest as of the first
// LogSize entries, encoded and hashed as docs/audit.md says), to the risk
// limit and first-round size, and to a seed it has not revealed yet, by
// SeedCommitment. Signed by a commission key.
type AuditCommit struct {
	Election       string `json:"election"`
	Log            string `json:"log"` // the origin of the log it is signed for
	Contest        string `json:"contest"`
	RiskLimit      string `json:"risk_limit"` // "0." and 1 to 9 digits, no trailing zero: "0.05"
	LogSize        int64  `json:"log_size"`
	FrameSHA256    string `json:"frame_sha256"`
	Stations       int64  `json:"stations"` // stations in the frame
	SeedCommitment string `json:"seed_commitment"`
	Draws          int64  `json:"draws"` // draws of round 1
	Committed      string `json:"committed"`
}

// AuditReveal reveals the seed of a contest's audit; it must match the
// commitment. Signed by a commission key.
type AuditReveal struct {
	Election string `json:"election"`
	Log      string `json:"log"` // the origin of the log it is signed for
	Contest  string `json:"contest"`
	Seed     string `json:"seed"` // 20 to 200 bytes of text, such as public dice rolls
	Revealed string `json:"revealed"`
}

// AuditCount is an audit board's hand count of one drawn station's paper
// ballots in one contest, itemised per candidate in ballot order. Signed by
// an auditor key granted for the contest or "*".
type AuditCount struct {
	Election string  `json:"election"`
	Log      string  `json:"log"` // the origin of the log it is signed for
	Contest  string  `json:"contest"`
	Station  string  `json:"station"`
	Round    int64   `json:"round"`
	Votes    []Count `json:"votes"`
	Ballots  int64   `json:"ballots"` // ballots found in the station's bag
	Captured string  `json:"captured"`
}

// AuditRound closes a round of a contest's audit with the risk its counts
// give, which anyone recomputes from the log: Risk is the MACRO P-value
// rounded up to 9 decimals, Decision what follows from it, and NextDraws
// (with Decision "continue" only) how many draws the next round adds.
// Signed by a commission key.
type AuditRound struct {
	Election  string `json:"election"`
	Log       string `json:"log"` // the origin of the log it is signed for
	Contest   string `json:"contest"`
	Round     int64  `json:"round"`
	Draws     int64  `json:"draws"`   // draws made so far, every round included
	Counted   int64  `json:"counted"` // distinct stations hand-counted so far
	Risk      string `json:"risk"`    // "0.231377449": 1 digit, ".", 9 digits, at most 1
	Decision  string `json:"decision"`
	NextDraws int64  `json:"next_draws,omitempty"`
	Ended     string `json:"ended"`
}

// Decisions of an audit round.
const (
	DecisionContinue     = "continue"      // P > α: draw NextDraws more stations
	DecisionConfirmed    = "confirmed"     // P ≤ α, or a full hand count agrees: the audit ends
	DecisionEscalate     = "escalate"      // hand-count every station of the frame next
	DecisionNotConfirmed = "not-confirmed" // a full hand count contradicts the declared outcome
)

func (r *AuditCommit) Type() string { return "audit-commit" }
func (r *AuditReveal) Type() string { return "audit-reveal" }
func (r *AuditCount) Type() string  { return "audit-count" }
func (r *AuditRound) Type() string  { return "audit-round" }

func (r *AuditCommit) ElectionID() string { return r.Election }
func (r *AuditReveal) ElectionID() string { return r.Election }
func (r *AuditCount) ElectionID() string  { return r.Election }
func (r *AuditRound) ElectionID() string  { return r.Election }

func (r *AuditCommit) LogOrigin() string { return r.Log }
func (r *AuditReveal) LogOrigin() string { return r.Log }
func (r *AuditCount) LogOrigin() string  { return r.Log }
func (r *AuditRound) LogOrigin() string  { return r.Log }

func (r *AuditCommit) encode(w *writer) {
	w.line("contest", r.Contest)
	w.line("risk-limit", r.RiskLimit)
	w.int("log-size", r.LogSize)
	w.line("frame-sha256", r.FrameSHA256)
	w.int("stations", r.Stations)
	w.line("seed-commitment", r.SeedCommitment)
	w.int("draws", r.Draws)
	w.line("committed", r.Committed)
}

func (r *AuditReveal) encode(w *writer) {
	w.line("contest", r.Contest)
	w.line("seed", r.Seed)
	w.line("revealed", r.Revealed)
}

func (r *AuditCount) encode(w *writer) {
	w.line("contest", r.Contest)
	w.line("station", r.Station)
	w.int("round", r.Round)
	w.counts("votes", r.Votes)
	w.int("ballots", r.Ballots)
	w.line("captured", r.Captured)
}

func (r *AuditRound) encode(w *writer) {
	w.line("contest", r.Contest)
	w.int("round", r.Round)
	w.int("draws", r.Draws)
	w.int("counted", r.Counted)
	w.line("risk", r.Risk)
	w.line("decision", r.Decision)
	if r.NextDraws != 0 {
		w.int("next-draws", r.NextDraws)
	}
	w.line("ended", r.Ended)
}

func init() {
	prevParse, prevNew := parseExtension, newExtension
	parseExtension = func(typ, el, lg string, r *reader) Record {
		if rec := parseAudit(typ, el, lg, r); rec != nil {
			return rec
		}
		return prevParse(typ, el, lg, r)
	}
	newExtension = func(typ string) Record {
		if rec := newAudit(typ); rec != nil {
			return rec
		}
		return prevNew(typ)
	}
}

// parseAudit reads the fields of an audit record after its election line.
func parseAudit(typ, el, lg string, r *reader) Record {
	switch typ {
	case "audit-commit":
		return &AuditCommit{Election: el, Log: lg, Contest: r.str("contest"), RiskLimit: r.str("risk-limit"), LogSize: r.int("log-size"),
			FrameSHA256: r.str("frame-sha256"), Stations: r.int("stations"), SeedCommitment: r.str("seed-commitment"),
			Draws: r.int("draws"), Committed: r.str("committed")}
	case "audit-reveal":
		return &AuditReveal{Election: el, Log: lg, Contest: r.str("contest"), Seed: r.str("seed"), Revealed: r.str("revealed")}
	case "audit-count":
		return &AuditCount{Election: el, Log: lg, Contest: r.str("contest"), Station: r.str("station"), Round: r.int("round"),
			Votes: r.counts("votes"), Ballots: r.int("ballots"), Captured: r.str("captured")}
	case "audit-round":
		a := &AuditRound{Election: el, Log: lg, Contest: r.str("contest"), Round: r.int("round"), Draws: r.int("draws"),
			Counted: r.int("counted"), Risk: r.str("risk"), Decision: r.str("decision")}
		if r.peek("next-draws") {
			a.NextDraws = r.int("next-draws")
		}
		a.Ended = r.str("ended")
		return a
	}
	return nil
}

func newAudit(typ string) Record {
	switch typ {
	case "audit-commit":
		return &AuditCommit{}
	case "audit-reveal":
		return &AuditReveal{}
	case "audit-count":
		return &AuditCount{}
	case "audit-round":
		return &AuditRound{}
	}
	return nil
}

// SeedCommitment returns the commitment to an audit seed: the SHA-256, in
// hex, of the text
//
//	tallylog/v1 audit-seed
//	election <election>
//	contest <contest>
//	seed <seed>
//
// each line ending in "\n". It is deliberately not SHA-256(seed), which is
// the sampler's key (audit.SeedHash): publishing that would publish the draw.
func SeedCommitment(election, contest, seed string) string {
	var w writer
	w.line(Version, "audit-seed")
	w.line("election", election)
	w.line("contest", contest)
	w.line("seed", seed)
	sum := sha256.Sum256(w.b.Bytes())
	return hex.EncodeToString(sum[:])
}

// MinSeedBytes is the shortest seed accepted: 20 decimal digits from dice
// carry about 66 bits, too many to find from the commitment by trial.
const MinSeedBytes = 20

func (r *AuditCommit) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	err := firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkRiskLimit("risk-limit", r.RiskLimit),
		positive("log-size", r.LogSize), checkHash("frame-sha256", r.FrameSHA256, true), positive("stations", r.Stations),
		checkCount("stations", r.Stations), checkHash("seed-commitment", r.SeedCommitment, true),
		positive("draws", r.Draws), checkCount("draws", r.Draws), checkTime("committed", r.Committed))
	if err == nil && r.LogSize > 1<<53 {
		return fieldErr("log-size", "%d is beyond any log", r.LogSize)
	}
	return err
}

func (r *AuditReveal) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	if err := firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkText("seed", r.Seed, true)); err != nil {
		return err
	}
	if len(r.Seed) < MinSeedBytes {
		return fieldErr("seed", "%d bytes is too short: a seed has at least %d (for example 20 digits from public dice rolls)", len(r.Seed), MinSeedBytes)
	}
	return checkTime("revealed", r.Revealed)
}

func (r *AuditCount) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	return firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkID("station", r.Station),
		positive("round", r.Round), checkCounts("votes", r.Votes, true), checkCount("ballots", r.Ballots),
		checkTime("captured", r.Captured))
}

func (r *AuditRound) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	err := firstErr(checkID("election", r.Election), checkID("contest", r.Contest), positive("round", r.Round),
		checkCount("draws", r.Draws), positive("counted", r.Counted), checkCount("counted", r.Counted),
		checkRisk("risk", r.Risk), checkCount("next-draws", r.NextDraws), checkTime("ended", r.Ended))
	if err != nil {
		return err
	}
	switch r.Decision {
	case DecisionContinue:
		if r.NextDraws < 1 {
			return fieldErr("next-draws", "a round that continues states how many draws the next round adds (at least 1)")
		}
	case DecisionConfirmed, DecisionEscalate, DecisionNotConfirmed:
		if r.NextDraws != 0 {
			return fieldErr("next-draws", "only a round that continues has next draws; decision %s has none", r.Decision)
		}
	default:
		return fieldErr("decision", "%q is not a decision: use continue, confirmed, escalate or not-confirmed", r.Decision)
	}
	return nil
}

// checkRiskLimit accepts "0." followed by 1 to 9 digits, the last not 0,
// so that every limit from 0.000000001 to 0.999999999 has one spelling.
func checkRiskLimit(field, s string) error {
	digits, ok := strings.CutPrefix(s, "0.")
	if !ok || len(digits) < 1 || len(digits) > 9 || strings.Trim(digits, "0123456789") != "" ||
		digits[len(digits)-1] == '0' {
		return fieldErr(field, "%q is not a risk limit: write \"0.\" and 1 to 9 digits without trailing zeros, such as 0.05", s)
	}
	return nil
}

// checkRisk accepts a P-value rounded up to 9 decimals: "0.ddddddddd" or
// "1.000000000".
func checkRisk(field, s string) error {
	if len(s) != 11 || s[1] != '.' || strings.Trim(s[2:], "0123456789") != "" ||
		!(s[0] == '0' || s == "1.000000000") {
		return fieldErr(field, "%q is not a risk: write a number from 0 to 1 with exactly 9 decimals, such as 0.231377449", s)
	}
	return nil
}
