package record

import (
	"strconv"
	"strings"
	"time"

	"github.com/tallylog/tallylog/election"
)

// Record is one of the record types below. Every record names its election
// and the log it is signed for.
type Record interface {
	// Type is the word after "tallylog/v1" on the first line.
	Type() string
	// ElectionID is the election the record belongs to.
	ElectionID() string
	// LogOrigin is the origin of the log the record is signed for: the
	// log line of every record but the election record, whose origin line
	// it is. A registry refuses a record of another log.
	LogOrigin() string
	// Check enforces the rules a record must meet on its own, without the
	// election's definition or the log (those are the tally's rules).
	Check() error
	// encode writes the fields after the election line.
	encode(w *writer)
}

// Count is a number of votes for one candidate.
type Count struct {
	Candidate string `json:"candidate"`
	Votes     int64  `json:"votes"`
}

// Election is the log's first entry: it names the election, the commission's
// key (which signs this record) and the definition, whose canonical JSON
// follows in Parts definition records.
type Election struct {
	Election         string `json:"election"`
	Origin           string `json:"origin"`
	Commission       string `json:"commission"` // note verifier key
	DefinitionSHA256 string `json:"definition_sha256"`
	DefinitionParts  int64  `json:"definition_parts"`
	Created          string `json:"created"`
}

// DefinitionPart is one piece of the definition's canonical JSON. Parts are
// numbered from 1; their concatenation hashes to Election.DefinitionSHA256.
type DefinitionPart struct {
	Election string `json:"election"`
	Log      string `json:"log"` // the origin of the log it is signed for
	Part     int64  `json:"part"`
	Data     string `json:"data"`
}

// Keys grants signing rights to keys and revokes them. Only the commission
// signs it.
type Keys struct {
	Election string   `json:"election"`
	Log      string   `json:"log"` // the origin of the log it is signed for
	Grants   []Grant  `json:"grants,omitempty"`
	Revoke   []string `json:"revoke,omitempty"` // note verifier keys
}

// Grant lets a key sign records of a role within a scope.
type Grant struct {
	Role  string `json:"role"`  // see Roles
	Scope string `json:"scope"` // station, contest or "*"
	Key   string `json:"key"`   // note verifier key
}

// Roles maps each role to the scope it is granted over: "*" (everywhere),
// "station" or "contest". Observers and auditors may also be granted one
// contest instead of "*".
var Roles = map[string]string{
	"commission": "*",       // keys, affiliations, gazette notifications, audit ceremony
	"presiding":  "station", // station sheets (Form-45) of one station
	"returning":  "contest", // declarations, corrections and recounts in one contest
	"agent":      "contest", // a candidate's polling agent: attestations in one contest
	"observer":   "*",       // accredited observer: attestations
	"auditor":    "*",       // audit board: hand counts
	"tribunal":   "*",       // an election tribunal (its contest, or "*") the commission registers: recount and correction orders
}

// Sheet is a polling station's result of the count (Form-45), or a
// correction or recount of an earlier one, which it names in Supersedes.
type Sheet struct {
	Election   string  `json:"election"`
	Log        string  `json:"log"` // the origin of the log it is signed for
	Contest    string  `json:"contest"`
	Station    string  `json:"station"`
	Revision   int64   `json:"revision"`
	Registered int64   `json:"registered"`
	Cast       int64   `json:"cast"`
	Rejected   int64   `json:"rejected"`
	Votes      []Count `json:"votes"`
	Image      string  `json:"image,omitempty"` // SHA-256 of the scanned form, hex
	Captured   string  `json:"captured"`
	Supersedes string  `json:"supersedes,omitempty"` // hash of the record replaced
	// Order is the hash of the order record (a recount or correction
	// ordered by an entitled key) this sheet carries out. Only a presiding
	// officer's own correction before the contest's first declaration goes
	// without one (docs/tally.md).
	Order  string `json:"order,omitempty"`
	Reason string `json:"reason,omitempty"` // why the sheet changed: required with supersedes
}

// Declaration is a returning officer's consolidated result of a contest:
// Form 47 (provisional: the sum of the station sheets, no postal ballots,
// with the stations still missing) or Form 49 (final: adds postal and
// re-admitted ballots, itemised per candidate).
type Declaration struct {
	Election   string   `json:"election"`
	Log        string   `json:"log"` // the origin of the log it is signed for
	Contest    string   `json:"contest"`
	Form       int64    `json:"form"`
	Votes      []Count  `json:"votes"`
	Rejected   int64    `json:"rejected"`
	Postal     []Count  `json:"postal,omitempty"`
	Readmitted []Count  `json:"readmitted,omitempty"`
	Missing    []string `json:"missing,omitempty"`
	Declared   string   `json:"declared"`
	Supersedes string   `json:"supersedes,omitempty"`
}

// Attestation is a polling agent's or observer's word on a station's count:
// a countersignature of a logged sheet (Kind "countersign", naming it in
// Sheet) or their own copy of the numbers (Kind "copy").
type Attestation struct {
	Election   string  `json:"election"`
	Log        string  `json:"log"` // the origin of the log it is signed for
	Contest    string  `json:"contest"`
	Station    string  `json:"station"`
	Kind       string  `json:"kind"`
	Sheet      string  `json:"sheet,omitempty"`
	Registered int64   `json:"registered,omitempty"`
	Cast       int64   `json:"cast,omitempty"`
	Rejected   int64   `json:"rejected,omitempty"`
	Votes      []Count `json:"votes,omitempty"`
	Image      string  `json:"image,omitempty"`
	Captured   string  `json:"captured"`
}

// Affiliation records an independent candidate joining a party.
type Affiliation struct {
	Election  string `json:"election"`
	Log       string `json:"log"` // the origin of the log it is signed for
	Contest   string `json:"contest"`
	Candidate string `json:"candidate"`
	Party     string `json:"party"`
	Joined    string `json:"joined"` // date
}

// Gazette records the gazette notification of an assembly's returned
// candidates, from which the affiliation window runs.
type Gazette struct {
	Election string `json:"election"`
	Log      string `json:"log"` // the origin of the log it is signed for
	Assembly string `json:"assembly"`
	Notified string `json:"notified"` // date
}

func (r *Election) Type() string       { return "election" }
func (r *DefinitionPart) Type() string { return "definition" }
func (r *Keys) Type() string           { return "keys" }
func (r *Sheet) Type() string          { return "sheet" }
func (r *Declaration) Type() string    { return "declaration" }
func (r *Attestation) Type() string    { return "attestation" }
func (r *Affiliation) Type() string    { return "affiliation" }
func (r *Gazette) Type() string        { return "gazette" }

func (r *Election) ElectionID() string       { return r.Election }
func (r *DefinitionPart) ElectionID() string { return r.Election }
func (r *Keys) ElectionID() string           { return r.Election }
func (r *Sheet) ElectionID() string          { return r.Election }
func (r *Declaration) ElectionID() string    { return r.Election }
func (r *Attestation) ElectionID() string    { return r.Election }
func (r *Affiliation) ElectionID() string    { return r.Election }
func (r *Gazette) ElectionID() string        { return r.Election }

func (r *Election) LogOrigin() string       { return r.Origin }
func (r *DefinitionPart) LogOrigin() string { return r.Log }
func (r *Keys) LogOrigin() string           { return r.Log }
func (r *Sheet) LogOrigin() string          { return r.Log }
func (r *Declaration) LogOrigin() string    { return r.Log }
func (r *Attestation) LogOrigin() string    { return r.Log }
func (r *Affiliation) LogOrigin() string    { return r.Log }
func (r *Gazette) LogOrigin() string        { return r.Log }

// Encode returns a record's canonical body. It does not check the record;
// call Check first for records built from untrusted input.
func Encode(r Record) []byte { return encode(r, 0) }

// encode is Encode into a buffer made for size bytes.
func encode(r Record, size int) []byte {
	var w writer
	w.b.Grow(size)
	write(&w, r)
	return w.b.Bytes()
}

// canonical reports whether r's canonical body is the body newReader split
// into lines, comparing line by line as it encodes, without building the
// encoding. That is the same as comparing bytes: the keys r writes hold no
// space, and the values of a record parsed from lines hold no newline, so
// each written line splits back into the key and value it was written
// from.
func canonical(r Record, lines []line) bool {
	w := writer{checking: true, lines: lines}
	write(&w, r)
	return !w.differs && len(w.lines) == 0
}

// write writes r's canonical body to w.
func write(w *writer, r Record) {
	w.line(Version, r.Type())
	w.line("election", r.ElectionID())
	if _, isHeader := r.(*Election); !isHeader {
		w.line("log", r.LogOrigin())
	}
	r.encode(w)
}

func (r *Election) encode(w *writer) {
	w.line("origin", r.Origin)
	w.line("commission", r.Commission)
	w.line("definition-sha256", r.DefinitionSHA256)
	w.int("definition-parts", r.DefinitionParts)
	w.line("created", r.Created)
}

func (r *DefinitionPart) encode(w *writer) {
	w.int("part", r.Part)
	w.line("data", r.Data)
}

func (r *Keys) encode(w *writer) {
	for _, g := range r.Grants {
		w.line("grant", g.Role+" "+g.Scope+" "+g.Key)
	}
	for _, k := range r.Revoke {
		w.line("revoke", k)
	}
}

func (r *Sheet) encode(w *writer) {
	w.line("contest", r.Contest)
	w.line("station", r.Station)
	w.int("revision", r.Revision)
	w.int("registered", r.Registered)
	w.int("cast", r.Cast)
	w.int("rejected", r.Rejected)
	w.counts("votes", r.Votes)
	w.opt("image", r.Image)
	w.line("captured", r.Captured)
	w.opt("supersedes", r.Supersedes)
	w.opt("order", r.Order)
	w.opt("reason", r.Reason)
}

func (r *Declaration) encode(w *writer) {
	w.line("contest", r.Contest)
	w.int("form", r.Form)
	w.counts("votes", r.Votes)
	w.int("rejected", r.Rejected)
	w.counts("postal", r.Postal)
	w.counts("readmitted", r.Readmitted)
	for _, s := range r.Missing {
		w.line("missing", s)
	}
	w.line("declared", r.Declared)
	w.opt("supersedes", r.Supersedes)
}

func (r *Attestation) encode(w *writer) {
	w.line("contest", r.Contest)
	w.line("station", r.Station)
	w.line("kind", r.Kind)
	if r.Kind == "countersign" {
		w.line("sheet", r.Sheet)
	} else {
		w.int("registered", r.Registered)
		w.int("cast", r.Cast)
		w.int("rejected", r.Rejected)
		w.counts("votes", r.Votes)
		w.opt("image", r.Image)
	}
	w.line("captured", r.Captured)
}

func (r *Affiliation) encode(w *writer) {
	w.line("contest", r.Contest)
	w.line("candidate", r.Candidate)
	w.line("party", r.Party)
	w.line("joined", r.Joined)
}

func (r *Gazette) encode(w *writer) {
	w.line("assembly", r.Assembly)
	w.line("notified", r.Notified)
}

// roleName returns the role named s: Roles' own string for a known
// role (a registry keeps every grant, a million of them in a national
// election), a copy otherwise.
func roleName(s string) string {
	for r := range Roles {
		if s == r {
			return r
		}
	}
	return strings.Clone(s)
}

// ParseBody parses a canonical record body. It checks the record's own rules
// and that the body is the record's one canonical encoding.
func ParseBody(body []byte) (Record, error) {
	rec, r, err := parseLines(body)
	if err != nil {
		return nil, err
	}
	defer r.release()
	if !canonical(rec, r.lines) {
		return nil, fieldErr("body", "not in canonical form: re-encoding the parsed record gives different bytes")
	}
	return rec, nil
}

// parseLines is ParseBody without the check of canonical form: it
// returns the record, checked, and the reader of the body's lines, which
// the caller releases.
func parseLines(body []byte) (rec Record, _ *reader, err error) {
	r, typ, err := newReader(body)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			r.release()
		}
	}()
	el := r.str("election")
	lg := ""
	if typ != "election" {
		lg = r.str("log")
	}
	switch typ {
	case "election":
		rec = &Election{Election: el, Origin: r.str("origin"), Commission: r.str("commission"),
			DefinitionSHA256: r.str("definition-sha256"), DefinitionParts: r.int("definition-parts"), Created: r.str("created")}
	case "definition":
		rec = &DefinitionPart{Election: el, Log: lg, Part: r.int("part"), Data: r.str("data")}
	case "keys":
		k := &Keys{Election: el, Log: lg}
		for _, g := range r.list("grant") {
			f := strings.Fields(g)
			if len(f) != 3 {
				r.fail("grant", "must be 'grant <role> <scope> <key>'")
				break
			}
			// Copies: a registry keeps every grant, and no more of the body.
			k.Grants = append(k.Grants, Grant{Role: roleName(f[0]), Scope: strings.Clone(f[1]), Key: strings.Clone(f[2])})
		}
		k.Revoke = r.list("revoke")
		rec = k
	case "sheet":
		rec = &Sheet{Election: el, Log: lg, Contest: r.str("contest"), Station: r.str("station"), Revision: r.int("revision"),
			Registered: r.int("registered"), Cast: r.int("cast"), Rejected: r.int("rejected"), Votes: r.counts("votes"),
			Image: r.opt("image"), Captured: r.str("captured"), Supersedes: r.opt("supersedes"),
			Order: r.opt("order"), Reason: r.opt("reason")}
	case "declaration":
		rec = &Declaration{Election: el, Log: lg, Contest: r.str("contest"), Form: r.int("form"), Votes: r.counts("votes"),
			Rejected: r.int("rejected"), Postal: r.counts("postal"), Readmitted: r.counts("readmitted"),
			Missing: r.list("missing"), Declared: r.str("declared"), Supersedes: r.opt("supersedes")}
	case "attestation":
		a := &Attestation{Election: el, Log: lg, Contest: r.str("contest"), Station: r.str("station"), Kind: r.str("kind")}
		if a.Kind == "countersign" {
			a.Sheet = r.str("sheet")
		} else {
			a.Registered, a.Cast, a.Rejected = r.int("registered"), r.int("cast"), r.int("rejected")
			a.Votes, a.Image = r.counts("votes"), r.opt("image")
		}
		a.Captured = r.str("captured")
		rec = a
	case "affiliation":
		rec = &Affiliation{Election: el, Log: lg, Contest: r.str("contest"), Candidate: r.str("candidate"), Party: r.str("party"), Joined: r.str("joined")}
	case "gazette":
		rec = &Gazette{Election: el, Log: lg, Assembly: r.str("assembly"), Notified: r.str("notified")}
	default:
		if rec = parseExtension(typ, el, lg, r); rec == nil {
			return nil, nil, fieldErr("line 1", "unknown record type %q", typ)
		}
	}
	if err := r.end(); err != nil {
		return nil, nil, err
	}
	if err := rec.Check(); err != nil {
		return nil, nil, err
	}
	return rec, r, nil
}

// parseExtension parses the record types defined in other files of this
// package (audit records). It returns nil for an unknown type.
var parseExtension = func(typ, election, log string, r *reader) Record { return nil }

// Check implementations: the rules each record meets on its own.

func (r *Election) Check() error {
	return firstErr(checkID("election", r.Election), checkText("origin", r.Origin, true),
		checkVerifierKey("commission", r.Commission), checkHash("definition-sha256", r.DefinitionSHA256, true),
		positive("definition-parts", r.DefinitionParts), checkTime("created", r.Created))
}

// MaxPartData bounds a definition part's data so that the whole entry stays
// under the log's 64 KiB entry limit.
const MaxPartData = 60000

func (r *DefinitionPart) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	if len(r.Data) > MaxPartData {
		return fieldErr("data", "%d bytes is over the %d-byte limit of one part", len(r.Data), MaxPartData)
	}
	if r.Data == "" || strings.HasPrefix(r.Data, " ") || strings.HasSuffix(r.Data, " ") {
		return fieldErr("data", "must be non-empty and neither start nor end with a space (cut the definition elsewhere)")
	}
	return firstErr(checkID("election", r.Election), positive("part", r.Part))
}

func (r *Keys) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	if err := checkID("election", r.Election); err != nil {
		return err
	}
	if len(r.Grants)+len(r.Revoke) == 0 {
		return fieldErr("grant", "a keys record grants or revokes at least one key")
	}
	// A keys record may grant thousands of keys: a field's name is made
	// only for an error.
	for i, g := range r.Grants {
		if err := checkGrant(g); err != nil {
			err.Field = "grant[" + strconv.Itoa(i) + "]"
			return err
		}
	}
	for i, k := range r.Revoke {
		if err := verifierKeyError("", k); err != nil {
			err.Field = "revoke[" + strconv.Itoa(i) + "]"
			return err
		}
	}
	return nil
}

// checkGrant checks one grant; the error's Field is for the caller to set.
func checkGrant(g Grant) *FieldError {
	scope, ok := Roles[g.Role]
	if !ok {
		return fieldError("", "unknown role %q: use commission, presiding, returning, agent, observer, auditor or tribunal", g.Role)
	}
	switch {
	case scope == "*" && g.Role == "commission" && g.Scope != "*":
		return fieldError("", "the commission's scope is \"*\"")
	case g.Scope == "*" && (scope == "station" || g.Role == "returning" || g.Role == "agent"):
		return fieldError("", "a %s key is granted for one %s, not \"*\"", g.Role, scope)
	case g.Scope != "*":
		if !election.ValidID(g.Scope) {
			return fieldError("", "%q is not an identifier", g.Scope)
		}
	}
	return verifierKeyError("", g.Key)
}

func (r *Sheet) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	err := firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkID("station", r.Station),
		positive("revision", r.Revision), checkCount("registered", r.Registered), checkCount("cast", r.Cast),
		checkCount("rejected", r.Rejected), checkCounts("votes", r.Votes, true), checkHash("image", r.Image, false),
		checkTime("captured", r.Captured), checkHash("supersedes", r.Supersedes, false), checkHash("order", r.Order, false))
	if err != nil {
		return err
	}
	if (r.Supersedes == "") != (r.Revision == 1) {
		return fieldErr("supersedes", "revision 1 supersedes nothing; every later revision names the record it supersedes")
	}
	if r.Supersedes == "" && (r.Order != "" || r.Reason != "") {
		return fieldErr("reason", "order and reason belong to corrections and recounts only")
	}
	if r.Supersedes != "" {
		return checkText("reason", r.Reason, true)
	}
	return nil
}

func (r *Declaration) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	err := firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkCounts("votes", r.Votes, true),
		checkCount("rejected", r.Rejected), checkCounts("postal", r.Postal, false), checkCounts("readmitted", r.Readmitted, false),
		checkTime("declared", r.Declared), checkHash("supersedes", r.Supersedes, false))
	if err != nil {
		return err
	}
	switch r.Form {
	case 47:
		if len(r.Postal)+len(r.Readmitted) > 0 {
			return fieldErr("postal", "a provisional result (form 47) has no postal or re-admitted ballots; they belong to form 49")
		}
	case 49:
		if len(r.Postal) != len(r.Votes) || len(r.Readmitted) != len(r.Votes) {
			return fieldErr("postal", "a final result (form 49) itemises postal and re-admitted ballots for every candidate")
		}
		for i := range r.Votes {
			if r.Postal[i].Candidate != r.Votes[i].Candidate || r.Readmitted[i].Candidate != r.Votes[i].Candidate {
				return fieldErr("postal", "postal and re-admitted lines list the candidates in the order of the votes lines")
			}
		}
		if len(r.Missing) > 0 {
			return fieldErr("missing", "a final result (form 49) has no missing stations")
		}
	default:
		return fieldErr("form", "%d is not a declaration form: use 47 (provisional) or 49 (final)", r.Form)
	}
	return checkStations("missing", r.Missing)
}

func (r *Attestation) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	err := firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkID("station", r.Station),
		checkTime("captured", r.Captured))
	if err != nil {
		return err
	}
	switch r.Kind {
	case "countersign":
		if r.Registered != 0 || r.Cast != 0 || r.Rejected != 0 || len(r.Votes) != 0 || r.Image != "" {
			return fieldErr("kind", "a countersignature names a sheet and carries no numbers of its own; use kind copy for numbers")
		}
		return checkHash("sheet", r.Sheet, true)
	case "copy":
		if r.Sheet != "" {
			return fieldErr("sheet", "a copy carries its own numbers and names no sheet")
		}
		return firstErr(checkCount("registered", r.Registered), checkCount("cast", r.Cast), checkCount("rejected", r.Rejected),
			checkCounts("votes", r.Votes, true), checkHash("image", r.Image, false))
	}
	return fieldErr("kind", "%q is not an attestation kind: use countersign or copy", r.Kind)
}

func (r *Affiliation) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	return firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkID("candidate", r.Candidate),
		checkID("party", r.Party), checkDate("joined", r.Joined))
}

func (r *Gazette) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	return firstErr(checkID("election", r.Election), checkID("assembly", r.Assembly), checkDate("notified", r.Notified))
}

func positive(field string, n int64) error {
	if n < 1 {
		return fieldErr(field, "must be at least 1")
	}
	return nil
}

// Time parses a record timestamp that Check has accepted.
func Time(s string) time.Time {
	t, _ := time.Parse(TimeLayout, s)
	return t
}

// FormatTime formats a time as records carry it.
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(TimeLayout) }

// Itoa is strconv.FormatInt for counts, for callers building records.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }
