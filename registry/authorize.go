package registry

import (
	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// authorize applies the rules of each record type: who may sign it, and
// that everything it names exists in the definition or the log.
func (r *Registry) authorize(key *Key, env *record.Envelope) error {
	switch rec := env.Record.(type) {
	case *record.Election:
		return reject("type", "the log already has its election record at index 0")
	case *record.DefinitionPart:
		return r.authorizePart(key, rec)
	case *record.Keys:
		return r.authorizeKeys(key, rec)
	case *record.Sheet:
		return r.authorizeSheet(key, rec)
	case *record.Declaration:
		return r.authorizeDeclaration(key, rec)
	case *record.Attestation:
		return r.authorizeAttestation(key, rec)
	case *record.Affiliation:
		return r.authorizeAffiliation(key, rec)
	case *record.Order:
		return r.authorizeOrder(key, rec)
	case *record.PostalAccount:
		return r.authorizePostal(key, rec)
	case *record.Gazette:
		if !key.may("commission", "*") {
			return notAllowed(key, "the commission signs gazette notifications")
		}
		if _, ok := r.def.Assembly(rec.Assembly); !ok {
			return reject("assembly", "unknown assembly %q", rec.Assembly)
		}
		return nil
	default:
		if r.extension != nil {
			return r.extension(env, key)
		}
		return reject("type", "records of type %s cannot be logged here", env.Record.Type())
	}
}

// May reports whether the key holds a grant of the role for the scope. A
// grant for "*" covers every scope.
func (k *Key) May(role, scope string) bool { return k.may(role, scope) }

func (k *Key) may(role, scope string) bool {
	for _, g := range k.Grants {
		if g.Role() == role && (g.Scope == scope || g.Scope == "*") {
			return true
		}
	}
	return false
}

func notAllowed(key *Key, rule string) error {
	return reject("signature", "key %s may not sign this record: %s", key.Verifier.Name(), rule)
}

func (r *Registry) authorizePart(key *Key, p *record.DefinitionPart) error {
	if !key.may("commission", "*") {
		return notAllowed(key, "the commission signs the definition")
	}
	if r.def != nil {
		return reject("part", "the definition is already complete")
	}
	if p.Part > r.header.DefinitionParts {
		return reject("part", "part %d is beyond the %d parts the election record announced", p.Part, r.header.DefinitionParts)
	}
	if _, dup := r.parts[p.Part]; dup {
		return reject("part", "part %d is already logged", p.Part)
	}
	if int64(len(r.parts))+1 == r.header.DefinitionParts {
		return r.checkDefinition(p)
	}
	return nil
}

func (r *Registry) authorizeKeys(key *Key, k *record.Keys) error {
	if !key.may("commission", "*") {
		return notAllowed(key, "only the commission registers and revokes keys")
	}
	granted := make(map[KeyID]string, len(k.Grants))
	for i, g := range k.Grants {
		field := "grant"
		switch record.Roles[g.Role] {
		case "station":
			if _, ok := r.def.Station(g.Scope); !ok {
				return reject(field, "grant %d: unknown station %q", i+1, g.Scope)
			}
		case "contest":
			if _, ok := r.def.Contest(g.Scope); !ok {
				return reject(field, "grant %d: unknown contest %q", i+1, g.Scope)
			}
		default:
			if g.Scope != "*" {
				if _, ok := r.def.Contest(g.Scope); !ok {
					return reject(field, "grant %d: unknown contest %q", i+1, g.Scope)
				}
			}
		}
		v, _ := note.NewVerifier(g.Key)
		h, _ := FullKeyHash(g.Key)
		if old, ok := r.KeyByHash(h); ok && old.Revoked {
			return reject(field, "grant %d: key %s was revoked and cannot be granted again; make a new key", i+1, v.Name())
		}
		if err := r.uniqueNoteID(field, i, g.Key, v, h, granted); err != nil {
			return err
		}
		if _, ok := granted[KeyID{v.Name(), v.KeyHash()}]; !ok {
			granted[KeyID{v.Name(), v.KeyHash()}] = g.Key
		}
	}
	for i, vk := range k.Revoke {
		v, _ := note.NewVerifier(vk)
		h, _ := FullKeyHash(vk)
		old, ok := r.KeyByHash(h)
		if !ok {
			return reject("revoke", "revoke %d: key %s (full key hash %s) is not registered: a key is revoked by its full verifier key, as it was granted", i+1, v.Name(), h)
		}
		if ch, _ := FullKeyHash(r.header.Commission); old.Hash == ch {
			return reject("revoke", "the key that signed the election record cannot be revoked")
		}
	}
	return nil
}

// uniqueNoteID refuses a grant of a key whose name and 4-byte key ID
// (all a signature line carries) are those of another key, registered or
// granted earlier in the same record: a signature could not say which of
// the two signed, and a revocation of one must not reach the other.
// granted holds the record's earlier grants by name and key ID (the first
// verifier key granted under each), so that a record of n grants costs n
// lookups, not n² key decodings.
func (r *Registry) uniqueNoteID(field string, i int, vkey string, v note.Verifier, h KeyHash, granted map[KeyID]string) error {
	id := KeyID{v.Name(), v.KeyHash()}
	if old, ok := r.byNote[id]; ok && old.Hash != h {
		return reject(field, "grant %d: key %s+%08x has the name and key ID of another registered key (%s) but is a different key: a signature could not tell them apart; make a new key", i+1, id.Name, id.Hash, old.VKey)
	}
	if prev, ok := granted[id]; ok && prev != vkey {
		return reject(field, "grant %d: key %s+%08x has the name and key ID of another key granted in this record: a signature could not tell them apart; make a new key", i+1, id.Name, id.Hash)
	}
	return nil
}

// checkVotes checks that counts list exactly the contest's candidates in the
// definition's order.
func checkVotes(field string, c *election.Contest, votes []record.Count) error {
	if len(votes) != len(c.Candidates) {
		return reject(field, "%d candidates listed, contest %s has %d: list every candidate, in ballot order, zeros included", len(votes), c.ID, len(c.Candidates))
	}
	for i, v := range votes {
		if v.Candidate != c.Candidates[i].ID {
			return reject(field, "line %d names candidate %q where contest %s has %q: list candidates in ballot order", i+1, v.Candidate, c.ID, c.Candidates[i].ID)
		}
	}
	return nil
}

// stationIn checks that the contest exists and the station votes in it.
func (r *Registry) stationIn(contest, station string) (*election.Contest, error) {
	c, ok := r.def.Contest(contest)
	if !ok {
		return nil, reject("contest", "unknown contest %q", contest)
	}
	s, ok := r.def.Station(station)
	if !ok {
		return nil, reject("station", "unknown station %q", station)
	}
	if !s.VotesIn(contest) {
		return nil, reject("station", "station %s does not vote in contest %s", station, contest)
	}
	return c, nil
}

func (r *Registry) authorizeSheet(key *Key, s *record.Sheet) error {
	c, err := r.stationIn(s.Contest, s.Station)
	if err != nil {
		return err
	}
	if !key.may("presiding", s.Station) && !(s.Supersedes != "" && key.may("returning", s.Contest)) {
		return notAllowed(key, "a sheet is signed by the presiding officer registered for station "+s.Station+
			" (a correction or recount may also be signed by the contest's returning officer)")
	}
	if err := checkVotes("votes", c, s.Votes); err != nil {
		return err
	}
	if s.Supersedes != "" {
		old, ok := r.LookupHex(s.Supersedes)
		if !ok {
			return reject("supersedes", "no record with hash %s is in the log", s.Supersedes)
		}
		if old.Type != "sheet" || old.Station != s.Station || old.Contest != s.Contest {
			return reject("supersedes", "record %s is not a sheet of station %s in contest %s", s.Supersedes, s.Station, s.Contest)
		}
		return r.authorizeCorrection(key, s, old)
	}
	return nil
}

func (r *Registry) authorizeDeclaration(key *Key, d *record.Declaration) error {
	c, ok := r.def.Contest(d.Contest)
	if !ok {
		return reject("contest", "unknown contest %q", d.Contest)
	}
	if !key.may("returning", d.Contest) {
		return notAllowed(key, "a declaration is signed by the returning officer registered for contest "+d.Contest)
	}
	for _, f := range []struct {
		name  string
		votes []record.Count
	}{{"votes", d.Votes}, {"postal", d.Postal}, {"readmitted", d.Readmitted}} {
		if len(f.votes) > 0 || f.name == "votes" {
			if err := checkVotes(f.name, c, f.votes); err != nil {
				return err
			}
		}
	}
	for _, m := range d.Missing {
		if s, ok := r.def.Station(m); !ok || !s.VotesIn(d.Contest) {
			return reject("missing", "station %q does not vote in contest %s", m, d.Contest)
		}
	}
	if d.Supersedes != "" {
		old, ok := r.LookupHex(d.Supersedes)
		if !ok {
			return reject("supersedes", "no record with hash %s is in the log", d.Supersedes)
		}
		if old.Type != "declaration" || old.Contest != d.Contest {
			return reject("supersedes", "record %s is not a declaration of contest %s", d.Supersedes, d.Contest)
		}
	}
	return nil
}

func (r *Registry) authorizeAttestation(key *Key, a *record.Attestation) error {
	c, err := r.stationIn(a.Contest, a.Station)
	if err != nil {
		return err
	}
	if !key.may("agent", a.Contest) && !key.may("observer", a.Contest) {
		return notAllowed(key, "an attestation is signed by a polling agent registered for contest "+a.Contest+" or an accredited observer")
	}
	if a.Kind == "countersign" {
		old, ok := r.LookupHex(a.Sheet)
		if !ok {
			return reject("sheet", "no record with hash %s is in the log", a.Sheet)
		}
		if old.Type != "sheet" || old.Station != a.Station || old.Contest != a.Contest {
			return reject("sheet", "record %s is not a sheet of station %s in contest %s", a.Sheet, a.Station, a.Contest)
		}
		return nil
	}
	return checkVotes("votes", c, a.Votes)
}

func (r *Registry) authorizeAffiliation(key *Key, a *record.Affiliation) error {
	if !key.may("commission", "*") {
		return notAllowed(key, "the commission records affiliations of independents")
	}
	c, ok := r.def.Contest(a.Contest)
	if !ok {
		return reject("contest", "unknown contest %q", a.Contest)
	}
	i, ok := c.CandidateIndex(a.Candidate)
	if !ok {
		return reject("candidate", "contest %s has no candidate %q", a.Contest, a.Candidate)
	}
	if c.Candidates[i].Party != "" {
		return reject("candidate", "candidate %s stood for party %s; only independents join a party after the poll", a.Candidate, c.Candidates[i].Party)
	}
	if _, ok := r.def.Party(a.Party); !ok {
		return reject("party", "unknown party %q", a.Party)
	}
	return nil
}
