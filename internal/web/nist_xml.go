package web

import (
	"encoding/xml"
	"strings"
	"time"
)

// The NIST SP 1500-100 v2 report in its XML form: the same content as the
// JSON (nistReportOf), written in the element order NIST's XSD
// (namespace http://itl.nist.gov/ns/voting/1500-100/v2, version 2.0.3)
// requires, with xsi:type naming the concrete classes (ReportingUnit,
// CandidateContest, CandidateSelection). TestNISTXML validates it with
// xmllint against the XSD.

const (
	nistNS = "http://itl.nist.gov/ns/voting/1500-100/v2"
	xsiNS  = "http://www.w3.org/2001/XMLSchema-instance"
)

type xText struct {
	Text []xLangString `xml:"Text"`
}

type xLangString struct {
	Language string `xml:"Language,attr"`
	Value    string `xml:",chardata"`
}

type xExtID struct {
	Type      string `xml:"Type"`
	OtherType string `xml:"OtherType,omitempty"`
	Value     string `xml:"Value"`
}

type xUnit struct {
	XSIType            string   `xml:"xsi:type,attr"`
	ObjectID           string   `xml:"ObjectId,attr"`
	ComposingGpUnitIDs string   `xml:"ComposingGpUnitIds,omitempty"`
	ExternalIdentifier []xExtID `xml:"ExternalIdentifier"`
	Name               *xText   `xml:"Name,omitempty"`
	SubUnitsReported   *int     `xml:"SubUnitsReported,omitempty"`
	TotalSubUnits      *int     `xml:"TotalSubUnits,omitempty"`
	Type               string   `xml:"Type"`
	OtherType          string   `xml:"OtherType,omitempty"`
	VotersRegistered   int64    `xml:"VotersRegistered,omitempty"`
}

type xParty struct {
	ObjectID string `xml:"ObjectId,attr"`
	Color    string `xml:"Color,omitempty"`
	Name     *xText `xml:"Name"`
}

type xOffice struct {
	ObjectID           string `xml:"ObjectId,attr"`
	ElectionDistrictID string `xml:"ElectionDistrictId"`
	Name               *xText `xml:"Name"`
}

type xCandidate struct {
	ObjectID           string `xml:"ObjectId,attr"`
	BallotName         *xText `xml:"BallotName"`
	PartyID            string `xml:"PartyId,omitempty"`
	PostElectionStatus string `xml:"PostElectionStatus,omitempty"`
}

type xVoteCounts struct {
	GpUnitID  string `xml:"GpUnitId"`
	Type      string `xml:"Type"`
	OtherType string `xml:"OtherType,omitempty"`
	Count     int64  `xml:"Count"`
}

type xSelection struct {
	XSIType       string        `xml:"xsi:type,attr"`
	ObjectID      string        `xml:"ObjectId,attr"`
	SequenceOrder int           `xml:"SequenceOrder"`
	VoteCounts    []xVoteCounts `xml:"VoteCounts"`
	CandidateIDs  string        `xml:"CandidateIds"`
}

type xCountStatus struct {
	Status string `xml:"Status"`
	Type   string `xml:"Type"`
}

type xContest struct {
	XSIType            string         `xml:"xsi:type,attr"`
	ObjectID           string         `xml:"ObjectId,attr"`
	Abbreviation       string         `xml:"Abbreviation"`
	ContestSelection   []xSelection   `xml:"ContestSelection"`
	CountStatus        []xCountStatus `xml:"CountStatus"`
	ElectionDistrictID string         `xml:"ElectionDistrictId"`
	Name               string         `xml:"Name"`
	SubUnitsReported   int            `xml:"SubUnitsReported"`
	TotalSubUnits      int            `xml:"TotalSubUnits"`
	VoteVariation      string         `xml:"VoteVariation"`
	NumberElected      int            `xml:"NumberElected"`
	OfficeIDs          string         `xml:"OfficeIds"`
	VotesAllowed       int            `xml:"VotesAllowed"`
}

type xBallotCounts struct {
	GpUnitID        string `xml:"GpUnitId"`
	Type            string `xml:"Type"`
	BallotsCast     int64  `xml:"BallotsCast"`
	BallotsRejected int64  `xml:"BallotsRejected"`
}

type xElection struct {
	BallotCounts    []xBallotCounts `xml:"BallotCounts"`
	Candidate       []xCandidate    `xml:"Candidate"`
	Contest         []xContest      `xml:"Contest"`
	CountStatus     []xCountStatus  `xml:"CountStatus"`
	ElectionScopeID string          `xml:"ElectionScopeId"`
	Name            *xText          `xml:"Name"`
	StartDate       string          `xml:"StartDate"`
	EndDate         string          `xml:"EndDate"`
	Type            string          `xml:"Type"`
}

type xReport struct {
	XMLName             xml.Name    `xml:"ElectionReport"`
	NS                  string      `xml:"xmlns,attr"`
	XSI                 string      `xml:"xmlns:xsi,attr"`
	Election            []xElection `xml:"Election"`
	Format              string      `xml:"Format"`
	GeneratedDate       string      `xml:"GeneratedDate"`
	GpUnit              []xUnit     `xml:"GpUnit"`
	Issuer              string      `xml:"Issuer"`
	IssuerAbbreviation  string      `xml:"IssuerAbbreviation"`
	Notes               string      `xml:"Notes"`
	Office              []xOffice   `xml:"Office"`
	Party               []xParty    `xml:"Party"`
	SequenceStart       int         `xml:"SequenceStart"`
	SequenceEnd         int         `xml:"SequenceEnd"`
	Status              string      `xml:"Status"`
	VendorApplicationID string      `xml:"VendorApplicationId"`
}

func xtext(t *nistText) *xText {
	if t == nil {
		return nil
	}
	out := &xText{}
	for _, s := range t.Text {
		out.Text = append(out.Text, xLangString{s.Language, s.Content})
	}
	return out
}

func xstatus(cs []nistCountStatus) []xCountStatus {
	var out []xCountStatus
	for _, c := range cs {
		out = append(out, xCountStatus{c.Status, c.StatusType})
	}
	return out
}

// nistXML encodes the snapshot's assembly as the XML form of the NIST
// report.
func nistXML(sn *snapshot, origin string, asOf time.Time) ([]byte, error) {
	rep := nistReportOf(sn, origin, asOf)
	x := xReport{NS: nistNS, XSI: xsiNS, Format: rep.Format, GeneratedDate: rep.GeneratedDate, Issuer: rep.Issuer,
		IssuerAbbreviation: rep.IssuerAbbreviation, Notes: rep.Notes, SequenceStart: rep.SequenceStart,
		SequenceEnd: rep.SequenceEnd, Status: rep.Status, VendorApplicationID: rep.VendorApplicationID}
	for _, u := range rep.GpUnit {
		xu := xUnit{XSIType: "ReportingUnit", ObjectID: u.ID, ComposingGpUnitIDs: strings.Join(u.ComposingGpUnitIDs, " "),
			Name: xtext(u.Name), SubUnitsReported: u.SubUnitsReported, TotalSubUnits: u.TotalSubUnits, Type: u.UnitType,
			OtherType: u.OtherType, VotersRegistered: u.VotersRegistered}
		for _, e := range u.ExternalIdentifier {
			xu.ExternalIdentifier = append(xu.ExternalIdentifier, xExtID{e.IDType, e.OtherType, e.Value})
		}
		x.GpUnit = append(x.GpUnit, xu)
	}
	for _, o := range rep.Office {
		x.Office = append(x.Office, xOffice{o.ID, o.ElectionDistrictID, xtext(o.Name)})
	}
	for _, p := range rep.Party {
		x.Party = append(x.Party, xParty{p.ID, p.Color, xtext(p.Name)})
	}
	for _, el := range rep.Election {
		xe := xElection{ElectionScopeID: el.ElectionScopeID, Name: xtext(el.Name), StartDate: el.StartDate,
			EndDate: el.EndDate, Type: el.ElectionType, CountStatus: xstatus(el.CountStatus)}
		for _, b := range el.BallotCounts {
			xe.BallotCounts = append(xe.BallotCounts, xBallotCounts{b.GpUnitID, b.CountType, b.BallotsCast, b.BallotsRejected})
		}
		for _, c := range el.Candidate {
			xe.Candidate = append(xe.Candidate, xCandidate{c.ID, xtext(c.BallotName), c.PartyID, c.PostElectionStatus})
		}
		for _, c := range el.Contest {
			xc := xContest{XSIType: "CandidateContest", ObjectID: c.ID, Abbreviation: c.Abbreviation, CountStatus: xstatus(c.CountStatus),
				ElectionDistrictID: c.ElectionDistrictID, Name: c.Name, SubUnitsReported: c.SubUnitsReported,
				TotalSubUnits: c.TotalSubUnits, VoteVariation: c.VoteVariation, NumberElected: c.NumberElected,
				OfficeIDs: strings.Join(c.OfficeIDs, " "), VotesAllowed: c.VotesAllowed}
			for _, s := range c.ContestSelection {
				xs := xSelection{XSIType: "CandidateSelection", ObjectID: s.ID, SequenceOrder: s.SequenceOrder,
					CandidateIDs: strings.Join(s.CandidateIDs, " ")}
				for _, v := range s.VoteCounts {
					xs.VoteCounts = append(xs.VoteCounts, xVoteCounts{v.GpUnitID, v.CountType, v.OtherType, v.Count})
				}
				xc.ContestSelection = append(xc.ContestSelection, xs)
			}
			xe.Contest = append(xe.Contest, xc)
		}
		x.Election = append(x.Election, xe)
	}
	out, err := xml.MarshalIndent(x, "", " ")
	if err != nil {
		return nil, err
	}
	return append(append([]byte(xml.Header), out...), '\n'), nil
}
