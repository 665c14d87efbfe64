package tally

import (
	"fmt"
	"slices"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// View is read access to the tally's results, valid only inside the
// function passed to Read. Every list it returns is freshly built: callers
// may keep and modify it after Read returns.
type View struct{ t *Tally }

// Read runs f with a View, under the tally's read lock: Apply waits until f
// returns, so keep f short (render into a buffer, then write).
func (t *Tally) Read(f func(v *View)) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	f(&View{t: t})
}

// Definition returns the election's definition, or nil until it is logged.
func (v *View) Definition() *election.Definition { return v.t.def }

// Lookup returns the logged record whose hash is h (hex).
func (v *View) Lookup(h string) (registry.Ref, bool) { return v.t.reg.LookupHex(h) }

// Size returns the number of entries applied.
func (v *View) Size() uint64 { return v.t.size }

// Deadline returns the instant provisional results are due.
func (v *View) Deadline() time.Time { return v.t.deadline }

// ContestResult is one contest's results.
type ContestResult struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Assembly string `json:"assembly"`
	Region   string `json:"region"`
	// Candidates in ballot order, with their votes on the tally's basis.
	Candidates []CandidateResult `json:"candidates"`
	// Rejected and Cast are sums over the current sheets; Registered sums
	// the registered voters of every station of the contest.
	Rejected   int64 `json:"rejected"`
	Cast       int64 `json:"cast"`
	Registered int64 `json:"registered"`
	// Postal counts the postal ballots of the current final declaration;
	// Polled is Cast plus Postal, the ballots that turnout and candidates'
	// shares are reckoned on (postal voters are on the electoral roll).
	Postal int64 `json:"postal,omitempty"`
	Polled int64 `json:"polled"`
	// Stations counts the contest's stations, StationsIn those with a
	// current sheet; Missing names the others, in definition order.
	Stations   int      `json:"stations"`
	StationsIn int      `json:"stations_in"`
	Missing    []string `json:"missing,omitempty"`
	// Provisional and Final are the current form 47 and form 49
	// declarations, each checked against the sheets.
	Provisional *DeclarationResult `json:"provisional,omitempty"`
	Final       *DeclarationResult `json:"final,omitempty"`
	// Declarations lists every declaration of the contest in log order.
	Declarations []DeclarationResult `json:"declarations,omitempty"`
	// PostalAccounts lists the returning officer's postal-ballot accounts
	// in log order; the first is the one counted.
	PostalAccounts []PostalAccountResult `json:"postal_accounts,omitempty"`
	// Winners are the candidate IDs with the most votes on the tally's
	// basis: several on a tie (Tie set), none before the first sheet.
	Winners []string `json:"winners,omitempty"`
	Tie     bool     `json:"tie,omitempty"`
	// Margin is the winner's lead over the runner-up (0 on a tie).
	Margin int64 `json:"margin"`
	// Recount is the recount rule applied to Margin.
	Recount Recount `json:"recount"`
	// Affiliations lists the independents' affiliations in log order.
	Affiliations []Affiliation `json:"affiliations,omitempty"`
	// Flags are the contest's standing flags and those of its stations,
	// in log order, with missing-declaration added when asOf is past the
	// deadline.
	Flags []Flag `json:"flags,omitempty"`
}

// CandidateResult is one candidate's votes. Sheets sums the current
// sheets; Postal and Readmitted come from the current final declaration;
// Votes is their sum, the tally's basis for the winner.
type CandidateResult struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	LocalName  string `json:"local_name,omitempty"`
	Party      string `json:"party,omitempty"` // party the candidate stood for; empty for an independent
	Sheets     int64  `json:"sheets"`
	Postal     int64  `json:"postal,omitempty"`
	Readmitted int64  `json:"readmitted,omitempty"`
	Votes      int64  `json:"votes"`
}

// Recount is the recount eligibility of a contest: Eligible when the
// margin is below Threshold = min(ceil(percent × Polled / 100), votes).
type Recount struct {
	Eligible  bool  `json:"eligible"`
	Polled    int64 `json:"polled"`
	Threshold int64 `json:"threshold"`
}

// DeclarationResult is one declaration and its check against the sheets.
type DeclarationResult struct {
	Index      uint64         `json:"index"`
	Hash       string         `json:"hash"`
	Signer     string         `json:"signer"` // key name of the returning officer
	Form       int64          `json:"form"`   // 47 provisional, 49 final
	Declared   string         `json:"declared"`
	Votes      []record.Count `json:"votes"` // as declared (form 49: including postal and re-admitted)
	Rejected   int64          `json:"rejected"`
	Postal     []record.Count `json:"postal,omitempty"`
	Readmitted []record.Count `json:"readmitted,omitempty"`
	Missing    []string       `json:"missing,omitempty"`
	Supersedes string         `json:"supersedes,omitempty"` // hash of the declaration it replaces
	Current    bool           `json:"current"`              // the current declaration of its form
	Late       bool           `json:"late,omitempty"`
	// Diff compares the declared votes with the sheets of the stations it
	// does not list missing (plus its postal and re-admitted ballots), per
	// candidate; Matches is true when every count agrees (rejected
	// included, for form 47) and no standing flag of medium or higher
	// severity disputes the declaration. Only current declarations are
	// compared.
	Diff    []CandidateDiff `json:"diff,omitempty"`
	Matches bool            `json:"matches"`
	// Disputed lists the kinds of the standing flags (medium or graver)
	// whose evidence cites this declaration, other than those comparing its
	// counts with the sheets: postal ballots beyond the account, a stale
	// declaration, missing stations...
	Disputed []string `json:"disputed,omitempty"`
	// Awaiting is set while the declaration counts stations whose sheets
	// are not logged yet and the logged sheets do not contradict it.
	Awaiting bool `json:"awaiting,omitempty"`
	// Winners are the declared leaders; SheetsWinners those of the sheets
	// it is compared with.
	Winners       []string `json:"winners,omitempty"`
	SheetsWinners []string `json:"sheets_winners,omitempty"`
	// AsDeclared, set when a station's sheet has been replaced since the
	// declaration was logged, compares it with the sheets as they stood
	// then: what its author could see.
	AsDeclared *AsDeclared `json:"as_declared,omitempty"`
}

// PostalAccountResult is a logged postal-ballot account.
type PostalAccountResult struct {
	Index     uint64 `json:"index"`
	Hash      string `json:"hash"`
	Signer    string `json:"signer"`
	Issued    int64  `json:"issued"`
	Accounted string `json:"accounted"`
}

// AsDeclared compares a declaration with the sheets as they stood when it
// was logged (for a station whose first sheet came later, that sheet).
type AsDeclared struct {
	Diff          []CandidateDiff `json:"diff"`
	Matches       bool            `json:"matches"`
	SheetsWinners []string        `json:"sheets_winners"`
}

// Contests returns every contest's results in definition order.
func (v *View) Contests(asOf time.Time) []ContestResult {
	if v.t.def == nil {
		return nil
	}
	out := make([]ContestResult, len(v.t.contests))
	for i := range v.t.contests {
		out[i] = v.t.contestResult(&v.t.contests[i], asOf)
	}
	return out
}

// Contest returns one contest's results.
func (v *View) Contest(id string, asOf time.Time) (ContestResult, bool) {
	if v.t.def == nil {
		return ContestResult{}, false
	}
	i, ok := v.t.def.ContestIndex(id)
	if !ok {
		return ContestResult{}, false
	}
	return v.t.contestResult(&v.t.contests[i], asOf), true
}

func (t *Tally) contestResult(c *contest, asOf time.Time) ContestResult {
	r := ContestResult{ID: c.def.ID, Name: c.def.Name, Assembly: c.def.Assembly, Region: c.def.Region,
		Rejected: c.rejected, Cast: c.cast, Registered: c.registered, Stations: int(c.stations), StationsIn: int(c.in)}
	o := t.result(c)
	for i, cd := range c.def.Candidates {
		cr := CandidateResult{ID: cd.ID, Name: cd.Name, LocalName: cd.LocalName, Party: cd.Party, Sheets: c.sum[i], Votes: o.votes[i]}
		if f := c.current[1]; f >= 0 {
			cr.Postal, cr.Readmitted = c.decls[f].postal[i], c.decls[f].readmitted[i]
		}
		r.Candidates = append(r.Candidates, cr)
	}
	r.Missing = t.missing(c)
	r.Flags = t.flagsOf(c, asOf)
	for _, a := range c.accounts {
		r.PostalAccounts = append(r.PostalAccounts, PostalAccountResult{Index: a.index, Hash: hexHash(a.hash), Signer: a.signer, Issued: a.issued, Accounted: a.accounted})
	}
	for i := range c.decls {
		d := t.declarationResult(c, int32(i), r.Flags)
		r.Declarations = append(r.Declarations, d)
		if d.Current && d.Form == 47 {
			r.Provisional = &r.Declarations[len(r.Declarations)-1]
		} else if d.Current {
			r.Final = &r.Declarations[len(r.Declarations)-1]
		}
	}
	if c.in > 0 {
		r.Winners = t.candidateIDs(c, o.winners)
		r.Tie, r.Margin = o.tie, o.margin
	}
	r.Recount = Recount{Eligible: c.in > 0 && o.recount, Polled: o.polled, Threshold: o.threshold}
	r.Polled, r.Postal = o.polled, o.polled-c.cast
	r.Affiliations = t.affiliations(c, o)
	return r
}

// missing names the contest's stations without a current sheet.
func (t *Tally) missing(c *contest) []string {
	var out []string
	for _, s := range t.contestSlots(c) {
		if s.current < 0 {
			out = append(out, t.def.Stations[s.station].ID)
		}
	}
	return out
}

func (t *Tally) candidateIDs(c *contest, pos []int) []string {
	out := make([]string, len(pos))
	for i, p := range pos {
		out[i] = c.def.Candidates[p].ID
	}
	return out
}

// declarationResult describes declaration i of a contest whose standing
// flags are flags.
func (t *Tally) declarationResult(c *contest, i int32, flags []Flag) DeclarationResult {
	d := &c.decls[i]
	r := DeclarationResult{Index: d.index, Hash: hexHash(d.hash), Signer: d.signer, Form: d.form, Declared: d.declared,
		Votes: t.countList(c, d.votes), Rejected: d.rejected, Postal: t.countList(c, d.postal),
		Readmitted: t.countList(c, d.readmitted), Current: c.current[formSlot(d.form)] == i, Late: d.late}
	for _, id := range d.missing {
		r.Missing = append(r.Missing, t.def.Stations[t.slots[id].station].ID)
	}
	if d.supersedes >= 0 {
		r.Supersedes = hexHash(c.decls[d.supersedes].hash)
	}
	if r.Current {
		b := t.basis(c, d)
		diff, rej, differs := compareDeclared(c, d, b)
		r.Diff = diff
		r.Awaiting = awaitingSheets(b, diff, rej)
		hash := hexHash(d.hash)
		for _, f := range flags {
			if f.Severity.rank() <= Medium.rank() && f.Station == "" && !countKinds[f.Kind] && citesHash(f, hash) && !slices.Contains(r.Disputed, f.Kind) {
				r.Disputed = append(r.Disputed, f.Kind)
			}
		}
		r.Matches = !differs && len(r.Disputed) == 0
		r.Winners = t.candidateIDs(c, topOf(d.votes))
		r.SheetsWinners = t.candidateIDs(c, topOf(b.votes))
		if then, differed, revised := t.asDeclared(c, d); revised {
			diff, _, _ := compareDeclared(c, d, then)
			r.AsDeclared = &AsDeclared{Diff: diff, Matches: !differed, SheetsWinners: t.candidateIDs(c, topOf(then.votes))}
		}
	}
	return r
}

// countKinds are the flags that compare a declaration's counts with the
// sheets: Diff, Matches and AsDeclared already say what they say.
var countKinds = map[string]bool{KindDeclarationMismatch: true, KindWinnerChanged: true, KindDeclarationOutdated: true}

func citesHash(f Flag, hash string) bool {
	for _, e := range f.Evidence {
		if e.Hash == hash {
			return true
		}
	}
	return false
}

func topOf(v []int64) []int {
	m := maxOf(v)
	var out []int
	for i, n := range v {
		if n == m {
			out = append(out, i)
		}
	}
	return out
}

func (t *Tally) countList(c *contest, v []int64) []record.Count {
	if v == nil {
		return nil
	}
	out := make([]record.Count, len(v))
	for i, n := range v {
		out[i] = record.Count{Candidate: c.def.Candidates[i].ID, Votes: n}
	}
	return out
}

// StationResult is one polling station's sheets in each contest it votes in.
type StationResult struct {
	ID         string           `json:"id"`
	Name       string           `json:"name,omitempty"`
	Registered int64            `json:"registered"` // per the definition
	Contests   []StationContest `json:"contests"`   // in the station's definition order
}

// StationContest is a station's part in one contest.
type StationContest struct {
	Contest string `json:"contest"`
	// Current is the sheet the tally counts, nil before the first.
	Current *SheetVersion `json:"current,omitempty"`
	// History lists every sheet of the station for this contest in log
	// order, the current one included.
	History []SheetVersion `json:"history"`
	// Attestations lists countersignatures and copies in log order.
	Attestations []AttestationResult `json:"attestations,omitempty"`
	// Flags are the station's standing flags in log order.
	Flags []Flag `json:"flags,omitempty"`
}

// SheetVersion is one logged sheet (Form-45) of a station.
type SheetVersion struct {
	Index      uint64         `json:"index"`
	Hash       string         `json:"hash"`
	Signer     string         `json:"signer"` // key name
	Revision   int64          `json:"revision"`
	Registered int64          `json:"registered"`
	Cast       int64          `json:"cast"`
	Rejected   int64          `json:"rejected"`
	Votes      []record.Count `json:"votes"`
	Image      string         `json:"image,omitempty"` // SHA-256 of the scanned form
	Captured   string         `json:"captured"`
	// SignerKey is the signer's full verifier key and Granted the log index
	// of the keys record that granted it the right to sign this sheet.
	// Role is the role it signs as: presiding (for the station) or
	// returning (for the contest).
	SignerKey string `json:"signer_key"`
	Granted   uint64 `json:"granted"`
	Role      string `json:"role"`
	// Supersedes and Reason are set on corrections and recounts; Order is
	// the order record it carries out, nil for a presiding officer's own
	// correction (flagged unordered-correction or rekey-replace).
	Supersedes string    `json:"supersedes,omitempty"`
	Order      *OrderRef `json:"order,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	// SupersededBy is the first later sheet that names this one, if any:
	// what replaced it, on whose order and why.
	SupersededBy *Supersession `json:"superseded_by,omitempty"`
	Current      bool          `json:"current"`
	// Conflicting marks a version that competes with the current one
	// (a conflicting-versions flag).
	Conflicting bool `json:"conflicting,omitempty"`
}

// Supersession is the correction or recount that replaced a sheet.
type Supersession struct {
	Index    uint64    `json:"index"`
	Hash     string    `json:"hash"`
	Revision int64     `json:"revision"`
	Signer   string    `json:"signer"`          // key name
	Order    *OrderRef `json:"order,omitempty"` // nil: no order
	Reason   string    `json:"reason"`
}

// AttestationResult is a polling agent's or observer's attestation.
type AttestationResult struct {
	Index    uint64 `json:"index"`
	Hash     string `json:"hash"`
	Signer   string `json:"signer"` // key name
	Kind     string `json:"kind"`   // countersign or copy
	Captured string `json:"captured"`
	// Sheet and SheetIndex name the countersigned sheet.
	Sheet      string `json:"sheet,omitempty"`
	SheetIndex uint64 `json:"sheet_index,omitempty"`
	// A copy's own numbers.
	Registered int64          `json:"registered,omitempty"`
	Cast       int64          `json:"cast,omitempty"`
	Rejected   int64          `json:"rejected,omitempty"`
	Votes      []record.Count `json:"votes,omitempty"`
	Image      string         `json:"image,omitempty"`
	// Agrees is true for a countersignature of the current sheet, or a copy
	// whose numbers equal the current sheet's.
	Agrees bool `json:"agrees"`
}

// Station returns one station's sheets, attestations and flags.
func (v *View) Station(id string) (StationResult, bool) {
	t := v.t
	if t.def == nil {
		return StationResult{}, false
	}
	si, ok := t.def.StationIndex(id)
	if !ok {
		return StationResult{}, false
	}
	st := &t.def.Stations[si]
	r := StationResult{ID: st.ID, Name: st.Name, Registered: st.Registered}
	for _, cid := range st.Contests {
		r.Contests = append(r.Contests, t.stationContest(&t.slots[t.slotID(cid, st.ID)]))
	}
	return r, true
}

func (t *Tally) stationContest(s *slot) StationContest {
	c := &t.contests[s.contest]
	sc := StationContest{Contest: c.def.ID, History: []SheetVersion{}}
	for i := range s.versions {
		x := &s.versions[i]
		sv := SheetVersion{Index: x.index, Hash: hexHash(x.hash), Signer: x.signer(), Revision: x.revision,
			Registered: x.registered, Cast: x.cast, Rejected: x.rejected, Votes: t.countList(c, x.votes),
			Image: x.image, Captured: x.captured, SignerKey: x.key, Granted: x.granted, Role: x.role.String(), Order: t.orderRef(x), Reason: x.reason,
			Current: int32(i) == s.current, Conflicting: s.current >= 0 && conflicting(s.versions, s.current, int32(i))}
		if x.supersedes >= 0 {
			sv.Supersedes = hexHash(s.versions[x.supersedes].hash)
		}
		if b := x.supersededBy; b >= 0 {
			y := &s.versions[b]
			sv.SupersededBy = &Supersession{Index: y.index, Hash: hexHash(y.hash), Revision: y.revision, Signer: y.signer(), Order: t.orderRef(y), Reason: y.reason}
		}
		sc.History = append(sc.History, sv)
	}
	if s.current >= 0 {
		sc.Current = &sc.History[s.current]
	}
	for i := range s.attest {
		a := &s.attest[i]
		ar := AttestationResult{Index: a.index, Hash: hexHash(a.hash), Signer: a.signer, Kind: "countersign", Captured: a.captured}
		if a.copy {
			ar.Kind, ar.Registered, ar.Cast, ar.Rejected, ar.Votes, ar.Image = "copy", a.registered, a.cast, a.rejected, t.countList(c, a.votes), a.image
			if s.current >= 0 {
				_, _, differs := compareCopy(c, a, &s.versions[s.current])
				ar.Agrees = !differs
			}
		} else if a.sheet >= 0 {
			ar.Sheet, ar.SheetIndex = hexHash(s.versions[a.sheet].hash), s.versions[a.sheet].index
			ar.Agrees = a.sheet == s.current
		}
		sc.Attestations = append(sc.Attestations, ar)
	}
	sc.Flags = t.materialize(t.standing[s.id])
	return sc
}

// materialize copies flags and fills in their lazy evidence.
func (t *Tally) materialize(fs []Flag) []Flag {
	if len(fs) == 0 {
		return nil
	}
	out := make([]Flag, len(fs))
	for i, f := range fs {
		f.Evidence = append([]Evidence(nil), f.Evidence...)
		if l := f.lazy; l != nil {
			t.fillLazy(&f, l)
			f.lazy = nil
		}
		out[i] = f
	}
	return out
}

// fillLazy appends the current sheets a check summed (every station of the
// contest not listed missing by the declaration), or, for missing-stations,
// names the stations concerned.
func (t *Tally) fillLazy(f *Flag, l *lazyEvidence) {
	c := &t.contests[l.contest]
	listed := map[int32]bool{}
	var d *declaration
	if l.decl >= 0 {
		d = &c.decls[l.decl]
		for _, id := range d.missing {
			listed[id] = true
		}
	}
	if l.stations {
		for _, id := range t.basis(c, d).listedLogged {
			f.Stations = append(f.Stations, t.def.Stations[t.slots[id].station].ID+" (listed missing, sheet logged before the declaration)")
		}
	}
	for i := range t.contestSlots(c) {
		id := c.firstSlot + int32(i)
		s := &t.slots[id]
		st := t.def.Stations[s.station].ID
		if l.since {
			if then := versionAsOf(s.versions, d.index); then >= 0 && then != s.current && !listed[id] {
				old, x := &s.versions[then], &s.versions[s.current]
				f.Evidence = append(f.Evidence,
					evidence(old.index, old.hash, "sheet", fmt.Sprintf("%s revision %d, current when declared", st, old.revision)),
					evidence(x.index, x.hash, "sheet", fmt.Sprintf("%s revision %d, logged since", st, x.revision)))
			}
			continue
		}
		switch {
		case l.stations && !listed[id] && s.current < 0:
			f.Stations = append(f.Stations, st+" (counted, no sheet logged)")
		case !l.stations && !listed[id] && s.current >= 0:
			x := &s.versions[s.current]
			f.Evidence = append(f.Evidence, evidence(x.index, x.hash, "sheet", fmt.Sprintf("%s revision %d", st, x.revision)))
		}
	}
}
