package registry

import (
	"github.com/tallylog/tallylog/record"
)

// authorizePostal: a postal-ballot account is signed by the contest's
// returning officer and, when the definition says when polling closes,
// before then. Whether a final result's postal ballots exceed it, and a
// second account for the contest, are judged by the tally: refusing them
// here would make the admission of one record depend on another still in
// flight, so every account would have to be appended alone.
func (r *Registry) authorizePostal(key *Key, a *record.PostalAccount) error {
	if _, ok := r.def.Contest(a.Contest); !ok {
		return reject("contest", "unknown contest %q", a.Contest)
	}
	if !key.may("returning", a.Contest) {
		return notAllowed(key, "a postal-ballot account is signed by the returning officer registered for contest "+a.Contest)
	}
	if close, ok := r.def.Close(); ok && record.Time(a.Accounted).After(close) {
		return reject("accounted", "%s is after polling closed at %s: the postal-ballot account is logged before the polls close",
			a.Accounted, record.FormatTime(close))
	}
	return nil
}
