package registry

import (
	"github.com/tallylog/tallylog/record"
)

// This file holds the rules of postal ballots: the returning officer's
// postal-ballot account of a contest, and the final results (form 49) it
// bounds.

// PostalAccount is a contest's logged postal-ballot account.
type PostalAccount struct {
	Index     uint64
	Hash      [32]byte
	Issued    int64
	Accounted string
	Signer    string
}

// Postal returns the postal-ballot account logged for a contest.
func (r *Registry) Postal(contest string) (PostalAccount, bool) {
	a, ok := r.postal[contest]
	return a, ok
}

// authorizePostal: signed by the contest's returning officer, once per
// contest, and, when the definition says when polling closes, signed
// before then.
func (r *Registry) authorizePostal(key *Key, a *record.PostalAccount) error {
	if _, ok := r.def.Contest(a.Contest); !ok {
		return reject("contest", "unknown contest %q", a.Contest)
	}
	if !key.may("returning", a.Contest) {
		return notAllowed(key, "a postal-ballot account is signed by the returning officer registered for contest "+a.Contest)
	}
	if old, ok := r.postal[a.Contest]; ok {
		return reject("contest", "contest %s already has a postal-ballot account, logged at index %d (%d issued); a contest has one account", a.Contest, old.Index, old.Issued)
	}
	if close, ok := r.def.Close(); ok && record.Time(a.Accounted).After(close) {
		return reject("accounted", "%s is after polling closed at %s: the postal-ballot account is logged before the polls close",
			a.Accounted, record.FormatTime(close))
	}
	return nil
}

// checkPostalBallots refuses a final result (form 49) that includes more
// postal ballots than the contest's logged account issued.
func (r *Registry) checkPostalBallots(d *record.Declaration) error {
	a, ok := r.postal[d.Contest]
	if !ok || d.Form != 49 {
		return nil
	}
	var n int64
	for _, c := range d.Postal {
		n += c.Votes
	}
	if n > a.Issued {
		return reject("postal", "%d postal ballots counted, but the postal-ballot account of contest %s (index %d) issued %d: a final result counts at most the postal ballots issued",
			n, d.Contest, a.Index, a.Issued)
	}
	return nil
}

func (r *Registry) recordPostal(index uint64, env *record.Envelope, a *record.PostalAccount) {
	if r.postal == nil {
		r.postal = map[string]PostalAccount{}
	}
	if _, ok := r.postal[a.Contest]; !ok {
		r.postal[a.Contest] = PostalAccount{Index: index, Hash: env.Hash, Issued: a.Issued, Accounted: a.Accounted, Signer: env.KeyName}
	}
}
