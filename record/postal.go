package record

// PostalAccount is a returning officer's account of the postal ballots
// issued for one contest, logged before polling closes, in the spirit of
// the ballot-paper account of Form-46. A final result (form 49) may include
// at most Issued postal ballots; package registry refuses one that claims
// more once the account is logged, and package tally flags the rest (no
// account, an account logged late, postal ballots that decide the seat).
// Signed by the contest's returning officer; one per contest.
type PostalAccount struct {
	Election  string `json:"election"`
	Log       string `json:"log"`
	Contest   string `json:"contest"`
	Issued    int64  `json:"issued"`    // postal ballots issued to voters of the contest
	Accounted string `json:"accounted"` // time the account was signed
}

func (r *PostalAccount) Type() string       { return "postal-account" }
func (r *PostalAccount) ElectionID() string { return r.Election }
func (r *PostalAccount) LogOrigin() string  { return r.Log }

func (r *PostalAccount) encode(w *writer) {
	w.line("contest", r.Contest)
	w.int("issued", r.Issued)
	w.line("accounted", r.Accounted)
}

func (r *PostalAccount) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	return firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkCount("issued", r.Issued),
		checkTime("accounted", r.Accounted))
}

// The postal account joins the extension chain that ParseBody and FromJSON
// consult for types other files define, so that each file stays separate.
func init() {
	parse, fresh := parseExtension, newExtension
	parseExtension = func(typ, el, lg string, r *reader) Record {
		if typ == "postal-account" {
			return &PostalAccount{Election: el, Log: lg, Contest: r.str("contest"), Issued: r.int("issued"), Accounted: r.str("accounted")}
		}
		return parse(typ, el, lg, r)
	}
	newExtension = func(typ string) Record {
		if typ == "postal-account" {
			return &PostalAccount{}
		}
		return fresh(typ)
	}
}
