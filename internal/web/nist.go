package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/tally"
)

// An assembly's results in the NIST SP 1500-100 v2 common data format
// (JSON), as observers' tools read them. The mapping:
//
//   - GpUnit: the country, its regions (provinces, type other/"province"),
//     each contest's district (other/"constituency"), and each polling
//     station (polling-place) composing its district. Every unit has an
//     OCD-ID in ExternalIdentifier (type ocd-id) when the election's ID
//     starts with a two-letter country code ("pk-ge2024"), and its tallylog
//     identifier (type local-level) always.
//   - Party: the definition's parties, names in English and the local
//     language, colours.
//   - Election: one CandidateContest per contest with an Office, its
//     candidates, and per candidate VoteCounts: election-day per station
//     (the current Form-45), absentee-mail (postal ballots of the final
//     declaration) and total per district (the tally's basis). BallotCounts
//     give ballots cast and rejected per station.
//
//   - Declarations: the current Form-47 and Form-49 of each contest as
//     VoteCounts of type other ("form-47-declared", "form-49-declared")
//     on the district, beside the sheets' totals; the sheets' leader is
//     the candidate's PostElectionStatus: "winner" once every station is
//     in and the current declaration agrees with the sheets,
//     "projected-winner" before, none on a tie; the others "defeated"
//     once the winner is known.
//
// Identifiers (@id) are stable XML IDs (nistID): "ru-station-<station>",
// "contest-<id>", "cand-<contest>-<id>", "party-<id>", with any character
// outside [A-Za-z0-9.-] of a tallylog identifier written as _XX (hex), so
// station NA-57/PS-1 is "ru-station-NA-57_2FPS-1". The same report is
// served as XML (nist_xml.go), valid against NIST's XSD.

// localLanguage is the language of the definition's local names.
const localLanguage = "ur"

type nistText struct {
	Type string       `json:"@type"`
	Text []nistString `json:"Text"`
}

type nistString struct {
	Type     string `json:"@type"`
	Content  string `json:"Content"`
	Language string `json:"Language"`
}

func text(en, local string) *nistText {
	t := &nistText{Type: "ElectionResults.InternationalizedText", Text: []nistString{{"ElectionResults.LanguageString", en, "en"}}}
	if local != "" {
		t.Text = append(t.Text, nistString{"ElectionResults.LanguageString", local, localLanguage})
	}
	return t
}

type nistExtID struct {
	Type      string `json:"@type"`
	IDType    string `json:"Type"`
	OtherType string `json:"OtherType,omitempty"`
	Value     string `json:"Value"`
}

type nistUnit struct {
	ID                 string      `json:"@id"`
	Type               string      `json:"@type"`
	Name               *nistText   `json:"Name,omitempty"`
	UnitType           string      `json:"Type"`
	OtherType          string      `json:"OtherType,omitempty"`
	ComposingGpUnitIDs []string    `json:"ComposingGpUnitIds,omitempty"`
	ExternalIdentifier []nistExtID `json:"ExternalIdentifier,omitempty"`
	VotersRegistered   int64       `json:"VotersRegistered,omitempty"`
	SubUnitsReported   *int        `json:"SubUnitsReported,omitempty"`
	TotalSubUnits      *int        `json:"TotalSubUnits,omitempty"`
}

type nistParty struct {
	ID    string    `json:"@id"`
	Type  string    `json:"@type"`
	Name  *nistText `json:"Name"`
	Color string    `json:"Color,omitempty"`
}

type nistOffice struct {
	ID                 string    `json:"@id"`
	Type               string    `json:"@type"`
	Name               *nistText `json:"Name"`
	ElectionDistrictID string    `json:"ElectionDistrictId"`
}

type nistCandidate struct {
	ID                 string    `json:"@id"`
	Type               string    `json:"@type"`
	BallotName         *nistText `json:"BallotName"`
	PartyID            string    `json:"PartyId,omitempty"`
	PostElectionStatus string    `json:"PostElectionStatus,omitempty"`
}

type nistVoteCounts struct {
	Type      string `json:"@type"`
	Count     int64  `json:"Count"`
	GpUnitID  string `json:"GpUnitId"`
	CountType string `json:"Type"`
	OtherType string `json:"OtherType,omitempty"`
}

type nistSelection struct {
	ID            string           `json:"@id"`
	Type          string           `json:"@type"`
	CandidateIDs  []string         `json:"CandidateIds"`
	SequenceOrder int              `json:"SequenceOrder"`
	VoteCounts    []nistVoteCounts `json:"VoteCounts"`
}

type nistCountStatus struct {
	Type       string `json:"@type"`
	Status     string `json:"Status"`
	StatusType string `json:"Type"`
}

type nistContest struct {
	ID                 string            `json:"@id"`
	Type               string            `json:"@type"`
	Name               string            `json:"Name"`
	Abbreviation       string            `json:"Abbreviation"`
	ElectionDistrictID string            `json:"ElectionDistrictId"`
	OfficeIDs          []string          `json:"OfficeIds"`
	VotesAllowed       int               `json:"VotesAllowed"`
	NumberElected      int               `json:"NumberElected"`
	VoteVariation      string            `json:"VoteVariation"`
	SubUnitsReported   int               `json:"SubUnitsReported"`
	TotalSubUnits      int               `json:"TotalSubUnits"`
	CountStatus        []nistCountStatus `json:"CountStatus"`
	ContestSelection   []nistSelection   `json:"ContestSelection"`
}

type nistBallotCounts struct {
	Type            string `json:"@type"`
	GpUnitID        string `json:"GpUnitId"`
	CountType       string `json:"Type"`
	BallotsCast     int64  `json:"BallotsCast"`
	BallotsRejected int64  `json:"BallotsRejected"`
}

type nistElection struct {
	Type            string             `json:"@type"`
	Name            *nistText          `json:"Name"`
	ElectionScopeID string             `json:"ElectionScopeId"`
	StartDate       string             `json:"StartDate"`
	EndDate         string             `json:"EndDate"`
	ElectionType    string             `json:"Type"`
	Candidate       []nistCandidate    `json:"Candidate"`
	Contest         []nistContest      `json:"Contest"`
	BallotCounts    []nistBallotCounts `json:"BallotCounts"`
	CountStatus     []nistCountStatus  `json:"CountStatus"`
}

type nistReport struct {
	Type                string         `json:"@type"`
	Format              string         `json:"Format"`
	GeneratedDate       string         `json:"GeneratedDate"`
	Issuer              string         `json:"Issuer"`
	IssuerAbbreviation  string         `json:"IssuerAbbreviation"`
	SequenceStart       int            `json:"SequenceStart"`
	SequenceEnd         int            `json:"SequenceEnd"`
	Status              string         `json:"Status"`
	VendorApplicationID string         `json:"VendorApplicationId"`
	Notes               string         `json:"Notes"`
	Election            []nistElection `json:"Election"`
	GpUnit              []nistUnit     `json:"GpUnit"`
	Party               []nistParty    `json:"Party"`
	Office              []nistOffice   `json:"Office"`
}

// ocdPart turns an identifier into an OCD-ID type value: lower case, with
// characters outside [a-z0-9._~-] replaced ('/' becomes '~').
func ocdPart(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-', c == '~':
			b.WriteRune(c)
		case c == '/':
			b.WriteByte('~')
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// ocdCountry returns the OCD-ID of the election's country, or "" if the
// election's ID does not start with a two-letter country code.
func ocdCountry(electionID string) string {
	cc, _, ok := strings.Cut(electionID, "-")
	if !ok || len(cc) != 2 || ocdPart(cc) != strings.ToLower(cc) {
		return ""
	}
	return "ocd-division/country:" + strings.ToLower(cc)
}

func ids(local, ocd string) []nistExtID {
	out := []nistExtID{{Type: "ElectionResults.ExternalIdentifier", IDType: "local-level", Value: local}}
	if ocd != "" {
		out = append(out, nistExtID{Type: "ElectionResults.ExternalIdentifier", IDType: "ocd-id", Value: ocd})
	}
	return out
}

// nistID makes an XML ID (an NCName) of prefix and a tallylog
// identifier: characters outside [A-Za-z0-9.-] become _XX, hex of each
// byte, so distinct identifiers stay distinct.
func nistID(prefix, id string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "_%02X", c)
		}
	}
	return b.String()
}

func join(base, part string) string {
	if base == "" {
		return ""
	}
	return base + "/" + part
}

// nistJSON encodes the snapshot's assembly as a NIST SP 1500-100 v2
// ElectionReport.
func nistJSON(sn *snapshot, origin string, asOf time.Time) ([]byte, error) {
	out, err := json.MarshalIndent(nistReportOf(sn, origin, asOf), "", " ")
	return append(out, '\n'), err
}

// nistReportOf builds the snapshot's assembly as a NIST SP 1500-100 v2
// ElectionReport, for the JSON and the XML form.
func nistReportOf(sn *snapshot, origin string, asOf time.Time) *nistReport {
	d, a := sn.def, sn.assembly
	const ruType = "ElectionResults.ReportingUnit"
	country := ocdCountry(d.ID)
	rep := nistReport{Type: "ElectionResults.ElectionReport", Format: "precinct-level",
		GeneratedDate: asOf.UTC().Format("2006-01-02T15:04:05Z"), Issuer: d.Title + " (tallylog log " + origin + ")",
		IssuerAbbreviation: d.ID, SequenceStart: 1, SequenceEnd: 1, VendorApplicationID: "tallylog",
		Notes: "Computed from the first " + i64(int64(sn.applied)) + " entries of the transparency log " + origin + "; verify with tallylog verify.",
		Party: []nistParty{}, Office: []nistOffice{}, GpUnit: []nistUnit{}}
	countryUnit := nistUnit{ID: "ru-country", Type: ruType, Name: text(d.Title, ""), UnitType: "country",
		ExternalIdentifier: ids(d.ID, country)}
	rep.GpUnit = append(rep.GpUnit, countryUnit)
	regionIdx := map[string]int{}
	for _, p := range d.Parties {
		np := nistParty{ID: nistID("party-", p.ID), Type: "ElectionResults.Party", Name: text(p.Name, p.LocalName)}
		if htmlColor.MatchString(p.Color) {
			np.Color = p.Color[1:]
		}
		rep.Party = append(rep.Party, np)
	}
	el := nistElection{Type: "ElectionResults.Election", Name: text(d.Title+": "+a.Name, ""), ElectionScopeID: "ru-country",
		StartDate: d.PollingDay, EndDate: d.PollingDay, ElectionType: "general",
		Candidate: []nistCandidate{}, Contest: []nistContest{}, BallotCounts: []nistBallotCounts{}}
	complete := true
	var stationUnits []nistUnit
	for _, c := range sn.contests {
		dc, _ := d.Contest(c.ID)
		if _, ok := regionIdx[c.Region]; !ok {
			regionIdx[c.Region] = len(rep.GpUnit)
			rep.GpUnit = append(rep.GpUnit, nistUnit{ID: nistID("ru-region-", c.Region), Type: ruType, Name: text(c.Region, ""),
				UnitType: "other", OtherType: "province", ExternalIdentifier: ids(c.Region, join(country, "province:"+ocdPart(c.Region)))})
			rep.GpUnit[0].ComposingGpUnitIDs = append(rep.GpUnit[0].ComposingGpUnitIDs, nistID("ru-region-", c.Region))
		}
		district := nistID("ru-contest-", c.ID)
		ocdDistrict := join(join(country, "province:"+ocdPart(c.Region)), "constituency:"+ocdPart(c.ID))
		du := nistUnit{ID: district, Type: ruType, Name: text(c.ID+" "+c.Name, ""), UnitType: "other", OtherType: "constituency",
			ExternalIdentifier: ids(c.ID, ocdDistrict), VotersRegistered: c.Registered,
			SubUnitsReported: &c.StationsIn, TotalSubUnits: &c.Stations}
		ri := regionIdx[c.Region]
		rep.GpUnit[ri].ComposingGpUnitIDs = append(rep.GpUnit[ri].ComposingGpUnitIDs, district)

		selections := make([]nistSelection, len(c.Candidates))
		status := briefOf(d, &c).Status
		for j, cand := range c.Candidates {
			cid := nistID("cand-", c.ID+"/"+cand.ID)
			nc := nistCandidate{ID: cid, Type: "ElectionResults.Candidate", BallotName: text(cand.Name, cand.LocalName),
				PostElectionStatus: postElectionStatus(&c, status, cand.ID)}
			if cand.Party != "" {
				nc.PartyID = nistID("party-", cand.Party)
			}
			el.Candidate = append(el.Candidate, nc)
			selections[j] = nistSelection{ID: nistID("sel-", c.ID+"/"+cand.ID), Type: "ElectionResults.CandidateSelection",
				CandidateIDs: []string{cid}, SequenceOrder: j + 1, VoteCounts: []nistVoteCounts{}}
		}
		for _, i := range d.StationsOf(c.ID) {
			ds := d.Stations[i]
			sid := nistID("ru-station-", ds.ID)
			du.ComposingGpUnitIDs = append(du.ComposingGpUnitIDs, sid)
			stationUnits = append(stationUnits, nistUnit{ID: sid, Type: ruType, Name: text(stationName(ds), ""), UnitType: "polling-place",
				ExternalIdentifier: ids(ds.ID, join(ocdDistrict, "polling_station:"+ocdPart(ds.ID))), VotersRegistered: ds.Registered})
			cur := currentSheet(sn.stations[ds.ID], c.ID)
			if cur == nil {
				continue
			}
			el.BallotCounts = append(el.BallotCounts, nistBallotCounts{Type: "ElectionResults.BallotCounts", GpUnitID: sid,
				CountType: "election-day", BallotsCast: cur.Cast, BallotsRejected: cur.Rejected})
			for _, vc := range cur.Votes {
				if j, ok := dc.CandidateIndex(vc.Candidate); ok {
					selections[j].VoteCounts = append(selections[j].VoteCounts, nistVoteCounts{Type: "ElectionResults.VoteCounts",
						Count: vc.Votes, GpUnitID: sid, CountType: "election-day"})
				}
			}
		}
		for j, cand := range c.Candidates {
			if cand.Postal > 0 {
				selections[j].VoteCounts = append(selections[j].VoteCounts, nistVoteCounts{Type: "ElectionResults.VoteCounts",
					Count: cand.Postal, GpUnitID: district, CountType: "absentee-mail"})
			}
			selections[j].VoteCounts = append(selections[j].VoteCounts, nistVoteCounts{Type: "ElectionResults.VoteCounts",
				Count: cand.Votes, GpUnitID: district, CountType: "total"})
			for _, dr := range []*tally.DeclarationResult{c.Provisional, c.Final} {
				if dr == nil {
					continue
				}
				if v := declaredVotes(dr, cand.ID); v != "" {
					n, _ := strconv.ParseInt(v, 10, 64)
					selections[j].VoteCounts = append(selections[j].VoteCounts, nistVoteCounts{Type: "ElectionResults.VoteCounts",
						Count: n, GpUnitID: district, CountType: "other", OtherType: fmt.Sprintf("form-%d-declared", dr.Form)})
				}
			}
		}
		countStatus := "in-process"
		if c.Stations > 0 && c.StationsIn == c.Stations {
			countStatus = "completed"
		} else {
			complete = false
		}
		office := nistID("office-", c.ID)
		rep.Office = append(rep.Office, nistOffice{ID: office, Type: "ElectionResults.Office",
			Name: text("Member, "+a.Name+" ("+c.ID+")", ""), ElectionDistrictID: district})
		el.Contest = append(el.Contest, nistContest{ID: nistID("contest-", c.ID), Type: "ElectionResults.CandidateContest",
			Name: c.ID + " " + c.Name, Abbreviation: c.ID, ElectionDistrictID: district, OfficeIDs: []string{office},
			VotesAllowed: 1, NumberElected: 1, VoteVariation: "plurality", SubUnitsReported: c.StationsIn, TotalSubUnits: c.Stations,
			CountStatus:      []nistCountStatus{{"ElectionResults.CountStatus", countStatus, "total"}},
			ContestSelection: selections})
		rep.GpUnit = append(rep.GpUnit, du)
	}
	rep.GpUnit = append(rep.GpUnit, stationUnits...)
	rep.Status = "unofficial-partial"
	elStatus := "in-process"
	if complete && len(sn.contests) > 0 {
		rep.Status, elStatus = "unofficial-complete", "completed"
	}
	el.CountStatus = []nistCountStatus{{"ElectionResults.CountStatus", elStatus, "total"}}
	rep.Election = []nistElection{el}
	return &rep
}

func stationName(s election.Station) string {
	if s.Name != "" {
		return s.ID + " " + s.Name
	}
	return s.ID
}

// currentSheet returns a station's current sheet in a contest, or nil.
func currentSheet(sr tally.StationResult, contest string) *tally.SheetVersion {
	for _, sc := range sr.Contests {
		if sc.Contest == contest {
			return sc.Current
		}
	}
	return nil
}

// postElectionStatus is a candidate's NIST status from the contest's
// (contestBrief.Status): the leader is the winner once the seat is won,
// the projected winner while only leading; the others are defeated once
// the seat is won. Ties and contests without sheets have none.
func postElectionStatus(c *tally.ContestResult, status, candidate string) string {
	if c.Tie || len(c.Winners) != 1 {
		return ""
	}
	leader := c.Winners[0] == candidate
	switch {
	case status == "won" && leader:
		return "winner"
	case status == "won":
		return "defeated"
	case leader:
		return "projected-winner"
	}
	return ""
}
