package importer

import (
	"fmt"
	"strconv"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
)

// TranscribedStation names the one synthetic station of a contest: station
// results do not exist in these sources, so each contest gets a single
// station standing for all of its real ones.
func TranscribedStation(contest string) string { return contest + "/TRANSCRIBED" }

// SignerName is the name of the key that signs a source's records.
func SignerName(p Provenance) string { return "transcriber." + p.Key }

// Definition2024 builds the definition of a transcribed 2024 National
// Assembly log: the built-in structure (election.Pakistan2024) cut down to
// the National Assembly, its contests' candidates from the declared seats in
// rank order (the ballot order is not in the sources; candidate IDs are
// "1", "2", ... in that order), parties the built-in lacks added with their
// source label as name, and one synthetic station per contest registered
// with the Form-47 reading's voters where there is one (0 where not).
func Definition2024(declared []Seat) (*election.Definition, error) {
	def := election.Pakistan2024()
	def.ID = "pk-ge2024-na-transcribed"
	def.Origin = "transcribed.tallylog.example/pk-ge2024-na"
	def.Title = "Pakistan General Election 2024, National Assembly: published results as transcribed by third parties"
	def.Assemblies = def.Assemblies[:1] // NA
	for i := range def.Parties {
		var lists []election.List
		for _, l := range def.Parties[i].Lists {
			if l.Assembly == "NA" {
				lists = append(lists, l)
			}
		}
		def.Parties[i].Lists = lists
	}
	known := map[string]bool{}
	for _, p := range def.Parties {
		known[p.ID] = true
	}
	byID := map[string]Seat{}
	for _, s := range declared {
		byID[s.Contest] = s
	}
	var contests []election.Contest
	for _, c := range def.Contests {
		if c.Assembly != "NA" {
			continue
		}
		s, ok := byID[c.ID]
		if !ok {
			return nil, fmt.Errorf("%s: not in the declared results", c.ID)
		}
		c.Name = s.Name
		for i, cd := range s.Candidates {
			p := PartyID(cd.Party)
			if p != "" && !known[p] {
				known[p] = true
				def.Parties = append(def.Parties, election.Party{ID: p, Name: cd.Party})
			}
			c.Candidates = append(c.Candidates, election.Candidate{ID: strconv.Itoa(i + 1), Name: cd.Name, Party: p})
		}
		contests = append(contests, c)
		def.Stations = append(def.Stations, election.Station{ID: TranscribedStation(c.ID), Name: "all stations, transcribed", Registered: s.Registered, Contests: []string{c.ID}})
	}
	def.Contests = contests
	if err := def.Validate(); err != nil {
		return nil, err
	}
	return def, nil
}

// Declaration returns the declared seat as a Form-47 declaration of the
// definition's contest, candidates in the definition's order, rejected
// ballots from the Form-47 reading (0 where there is none), declared at
// the provisional deadline (the sources give no time). The synthetic station
// is listed as missing: no station sheet stands behind the total.
func Declaration(def *election.Definition, s Seat) *record.Declaration {
	return &record.Declaration{
		Election: def.ID, Log: def.Origin, Contest: s.Contest, Form: 47, Votes: counts(s.Candidates),
		Rejected: s.Rejected, Missing: []string{TranscribedStation(s.Contest)}, Declared: record.FormatTime(def.Deadline()),
	}
}

// Copy returns the claim as an observer's copy of the contest's synthetic
// station: the claimed figures for the candidates it names, the declared
// ones for the others (the claim says nothing of them, and a copy lists
// every candidate), the declared rejected ballots, cast as their sum. ok is
// false when a claimed name is unmatched.
func Copy(def *election.Definition, s Seat, c Claim) (*record.Attestation, bool) {
	claimed, ok := Claimed(s, c)
	if !ok {
		return nil, false
	}
	cands := append([]Candidate(nil), s.Candidates...)
	for _, cc := range claimed {
		for i := range cands {
			if cands[i].Name == cc.Name {
				cands[i].Votes = cc.Votes
			}
		}
	}
	a := &record.Attestation{
		Election: def.ID, Log: def.Origin, Contest: s.Contest, Station: TranscribedStation(s.Contest), Kind: "copy",
		Registered: s.Registered, Rejected: s.Rejected, Votes: counts(cands),
		Captured: record.FormatTime(def.Deadline()),
	}
	a.Cast = a.Rejected
	for _, v := range a.Votes {
		a.Cast += v.Votes
	}
	return a, true
}

func counts(cs []Candidate) []record.Count {
	out := make([]record.Count, len(cs))
	for i, c := range cs {
		out[i] = record.Count{Candidate: strconv.Itoa(i + 1), Votes: c.Votes}
	}
	return out
}
