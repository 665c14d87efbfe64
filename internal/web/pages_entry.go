package web

import (
	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
)

// entrySummary is what the entry page says about a logged record besides
// its text: its type, signer, the contest and station it is about (with
// links back), and its counts with the candidates' names.
type entrySummary struct {
	Type, Signer, Hash string
	Contest, Station   string
	ContestName        string
	ContestLocalName   string // in Urdu, if the definition has it
	Form               int64
	Kind               string // attestation kind
	Votes              []voteRow
	Rejected, Cast     int64
	HasCounts          bool
}

// summarizeEntry reads a logged entry for the page. A record that does
// not parse (which replay would have refused) gets only its type "".
func summarizeEntry(d *election.Definition, entry []byte) entrySummary {
	env, err := record.Open(entry)
	if err != nil {
		return entrySummary{}
	}
	s := entrySummary{Type: env.Record.Type(), Signer: env.KeyName, Hash: env.HashHex()}
	var votes []record.Count
	switch r := env.Record.(type) {
	case *record.Sheet:
		s.Contest, s.Station, votes, s.Rejected, s.Cast, s.HasCounts = r.Contest, r.Station, r.Votes, r.Rejected, r.Cast, true
	case *record.Declaration:
		s.Contest, s.Form, votes, s.Rejected, s.HasCounts = r.Contest, r.Form, r.Votes, r.Rejected, true
	case *record.Attestation:
		s.Contest, s.Station, s.Kind, votes, s.Rejected, s.Cast = r.Contest, r.Station, r.Kind, r.Votes, r.Rejected, r.Cast
		s.HasCounts = r.Kind == "copy"
	case *record.Affiliation:
		s.Contest = r.Contest
	}
	if d != nil && s.Contest != "" {
		if c, ok := d.Contest(s.Contest); ok {
			s.ContestName, s.ContestLocalName = c.Name, c.LocalName
			s.Votes = votesOf(c, votes)
		}
	}
	return s
}
