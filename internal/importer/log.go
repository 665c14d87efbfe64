package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/seats"
)

// TranscribedStation names the one synthetic station of a contest: station
// results do not exist in these sources, so each contest gets a single
// station standing for all of its real ones.
func TranscribedStation(contest string) string { return contest + "/TRANSCRIBED" }

// SignerName is the name of the key that signs a source's records.
func SignerName(p Provenance) string { return "transcriber." + p.Key }

// Definition2024 builds the definition of a transcribed 2024 National
// Assembly log from the DSM table: the built-in structure
// (election.Pakistan2024) cut down to the National Assembly, each contest's
// candidates the two the table names, in its order (candidate IDs "1",
// "2"), parties the built-in lacks added with the table's label as name
// (PTI-IND and IND are independents), and one synthetic station per contest
// registered with Registered2024's figure. A postponed seat keeps its
// contest and station and gets no record.
func Definition2024(ds []DSMSeat, forms []Form47) (*election.Definition, error) {
	def := election.Pakistan2024()
	def.ID = "pk-ge2024-na-transcribed"
	def.Origin = "transcribed.tallylog.example/pk-ge2024-na"
	def.Title = "Pakistan General Election 2024, National Assembly, top two candidates: Form 47 and claimed Form 45 as transcribed by third parties"
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
	byID := map[string]DSMSeat{}
	for _, d := range ds {
		byID[d.Contest] = d
	}
	var contests []election.Contest
	for _, c := range def.Contests {
		if c.Assembly != "NA" {
			continue
		}
		d, ok := byID[c.ID]
		if !ok {
			return nil, fmt.Errorf("%s: not in the DSM table", c.ID)
		}
		c.Name = d.Region
		for i, cd := range d.Candidates {
			p := ""
			if cd.Party != "IND" && cd.Party != PTIBacked {
				p = PartyID(cd.Party)
			}
			if p != "" && !known[p] {
				known[p] = true
				def.Parties = append(def.Parties, election.Party{ID: p, Name: cd.Party})
			}
			c.Candidates = append(c.Candidates, election.Candidate{ID: strconv.Itoa(i + 1), Name: cd.Name, Party: p})
		}
		contests = append(contests, c)
		def.Stations = append(def.Stations, election.Station{ID: TranscribedStation(c.ID), Name: "all stations, transcribed", Registered: Registered2024(d, forms), Contests: []string{c.ID}})
	}
	def.Contests = contests
	if err := def.Validate(); err != nil {
		return nil, err
	}
	return def, nil
}

// Registered2024 is the registered voters of a seat's synthetic station:
// the Form-47 scan reading's where it is legible, else the DSM table's
// votes polled divided by its turnout, else the declared votes of the two
// candidates (so that no count exceeds it).
func Registered2024(d DSMSeat, forms []Form47) int64 {
	var cast int64
	for _, c := range d.Candidates {
		cast += max(c.Declared, c.Claimed)
	}
	for _, f := range forms {
		if f.Contest == d.Contest && f.Registered >= cast {
			return f.Registered
		}
	}
	if d.Polled > 0 && d.Turnout > 0 {
		if r := int64(float64(d.Polled)*100/d.Turnout + 0.5); r >= cast {
			return r
		}
	}
	return cast
}

// Records2024 returns the records of one seat, unsigned: the declared
// figures as the synthetic station's sheet (standing for the sum of the
// seat's Form-45s, which the sources do not give) and as the Form-47
// declaration, both by the Form-47 transcriber; the claim as a polling
// agent's copy of the same station by the Form-45 transcriber. Rejected
// ballots are not in the table (0); cast is the candidates' sum. A
// postponed seat has none (ok false). The tally then flags copy-differs in
// exactly the seats where the claim differs from the declaration.
func Records2024(def *election.Definition, d DSMSeat) (sheet *record.Sheet, decl *record.Declaration, copy *record.Attestation, ok bool) {
	if d.Postponed {
		return nil, nil, nil, false
	}
	st, found := def.Station(TranscribedStation(d.Contest))
	if !found {
		return nil, nil, nil, false
	}
	at := record.FormatTime(def.Deadline())
	declared, claimed := make([]Candidate, len(d.Candidates)), make([]Candidate, len(d.Candidates))
	var castD, castC int64
	for i, c := range d.Candidates {
		declared[i], claimed[i] = Candidate{Votes: c.Declared}, Candidate{Votes: c.Claimed}
		castD += c.Declared
		castC += c.Claimed
	}
	sheet = &record.Sheet{Election: def.ID, Log: def.Origin, Contest: d.Contest, Station: st.ID, Revision: 1, Registered: st.Registered,
		Cast: castD, Votes: counts(declared), Captured: at}
	decl = &record.Declaration{Election: def.ID, Log: def.Origin, Contest: d.Contest, Form: 47, Votes: counts(declared), Declared: at}
	copy = &record.Attestation{Election: def.ID, Log: def.Origin, Contest: d.Contest, Station: st.ID, Kind: "copy",
		Registered: st.Registered, Cast: castC, Votes: counts(claimed), Captured: at}
	return sheet, decl, copy, true
}

func counts(cs []Candidate) []record.Count {
	out := make([]record.Count, len(cs))
	for i, c := range cs {
		out[i] = record.Count{Candidate: strconv.Itoa(i + 1), Votes: c.Votes}
	}
	return out
}

// regions2018 are the 2018 National Assembly's seat-table regions
// (pk-na-2018) with the identifiers a definition gives them.
var regions2018 = []struct{ id, table string }{
	{"punjab", seats.Punjab}, {"sindh", seats.Sindh}, {"kp", seats.KP}, {"fata", seats.FATA},
	{"balochistan", seats.Balochistan}, {"islamabad", seats.Islamabad},
}

// Definition2018 builds the definition of a transcribed 2018 National
// Assembly log from Cookman's results: the assembly with the pk-na-2018
// seat table (the twelve FATA seats, NA-40…NA-51, a region of their own),
// one contest per seat that was polled or returned unopposed, its
// candidates in the source's order (IDs "1", "2", ...), parties from the
// source's labels (PartyID, the label as name), and one synthetic station
// per contest registered with the constituency's voter_reg (or, where the
// source gives none, the votes cast). Postponed seats (NA-60, NA-103) have
// no candidate and are left out. The timing and recount rule are the 2024
// built-in's.
func Definition2018(ss []Seat) (*election.Definition, error) {
	base := election.Pakistan2024()
	def := &election.Definition{
		ID: "pk-ge2018-na-transcribed", Origin: "transcribed.tallylog.example/pk-ge2018-na",
		Title:    "Pakistan General Election 2018, National Assembly: provisional results as transcribed by a third party",
		TimeZone: base.TimeZone, PollingDay: "2018-07-25", ProvisionalDeadline: base.ProvisionalDeadline,
		Recount: base.Recount, AffiliationDays: base.AffiliationDays,
	}
	tb, ok := seats.BuiltinTable("pk-na-2018")
	if !ok {
		return nil, fmt.Errorf("no built-in seat table pk-na-2018")
	}
	regionID := map[string]string{}
	for _, r := range regions2018 {
		regionID[r.table] = r.id
	}
	na := election.Assembly{ID: "NA", Name: tb.Assembly, NonMuslim: tb.NonMuslim}
	for _, r := range tb.Regions {
		id, ok := regionID[r.Name]
		if !ok {
			return nil, fmt.Errorf("pk-na-2018: region %q has no identifier", r.Name)
		}
		na.Regions = append(na.Regions, election.RegionSeats{Region: id, General: r.General, Women: r.Women})
	}
	def.Assemblies = []election.Assembly{na}
	known := map[string]bool{}
	for _, s := range ss {
		if !strings.HasPrefix(s.Contest, "NA-") || s.Status == Postponed {
			continue
		}
		r, ok := Region2018(s.Contest)
		if !ok {
			return nil, fmt.Errorf("%s: no 2018 region", s.Contest)
		}
		c := election.Contest{ID: s.Contest, Assembly: "NA", Region: regionID[r], Name: s.Name}
		var cast int64 = s.Rejected
		for i, cd := range s.Candidates {
			p := PartyID(cd.Party)
			if p != "" && !known[p] {
				known[p] = true
				def.Parties = append(def.Parties, election.Party{ID: p, Name: cd.Party})
			}
			c.Candidates = append(c.Candidates, election.Candidate{ID: strconv.Itoa(i + 1), Name: cd.Name, Party: p})
			cast += cd.Votes
		}
		reg := s.Registered
		if !s.Known {
			reg = cast
		}
		def.Contests = append(def.Contests, c)
		def.Stations = append(def.Stations, election.Station{ID: TranscribedStation(c.ID), Name: "all stations, transcribed", Registered: reg, Contests: []string{c.ID}})
	}
	sort.Slice(def.Parties, func(i, j int) bool { return def.Parties[i].ID < def.Parties[j].ID })
	if err := def.Validate(); err != nil {
		return nil, err
	}
	return def, nil
}

// Records2018 returns one 2018 seat's records, unsigned: its result as the
// synthetic station's sheet (the sum of the seat's Form-45s, which the
// source does not give) and as the Form-47 declaration; rejected ballots
// are the source's votes_disq, cast the sum. ok is false for a seat the
// definition lacks (postponed).
func Records2018(def *election.Definition, s Seat) (*record.Sheet, *record.Declaration, bool) {
	st, found := def.Station(TranscribedStation(s.Contest))
	if !found {
		return nil, nil, false
	}
	at := record.FormatTime(def.Deadline())
	sheet := &record.Sheet{Election: def.ID, Log: def.Origin, Contest: s.Contest, Station: st.ID, Revision: 1, Registered: st.Registered,
		Rejected: s.Rejected, Votes: counts(s.Candidates), Captured: at}
	sheet.Cast = sheet.Rejected
	for _, c := range s.Candidates {
		sheet.Cast += c.Votes
	}
	decl := &record.Declaration{Election: def.ID, Log: def.Origin, Contest: s.Contest, Form: 47, Votes: counts(s.Candidates), Rejected: s.Rejected, Declared: at}
	return sheet, decl, true
}
