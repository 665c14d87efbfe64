package election

import (
	_ "time/tzdata" // deadlines need the election's zone on machines without zoneinfo

	"fmt"
	"sync"
	"time"
)

// Definition is one election event: for example Pakistan's 2024 general
// election, with the National Assembly and the four provincial assemblies.
type Definition struct {
	// ID names the election in every record (for example "pk-ge2024"), so a
	// record cannot be replayed into another election's log.
	ID string `json:"id"`
	// Title is the human name of the election.
	Title string `json:"title"`
	// Origin is the log's origin and the log key's name, for example
	// "results.example.pk/ge2024".
	Origin string `json:"origin"`
	// TimeZone is an IANA zone name used for deadlines ("Asia/Karachi").
	TimeZone string `json:"time_zone"`
	// PollingDay is the date of the poll, YYYY-MM-DD in TimeZone.
	PollingDay string `json:"polling_day"`
	// ProvisionalDeadline is the local time of day after polling day by which
	// provisional results are due, "HH:MM" (Pakistan: "02:00").
	ProvisionalDeadline string `json:"provisional_deadline"`
	// Recount holds the thresholds below which a recount may be requested.
	Recount Recount `json:"recount"`
	// AffiliationDays is how many days after the gazette notification an
	// independent may join a party and count for it (Pakistan: 3).
	AffiliationDays int `json:"affiliation_days"`
	// PollsClose, if set, is the local time polling closes on PollingDay,
	// "HH:MM" (Pakistan: "17:00"); postal-ballot accounts signed later are
	// refused. Without it the tally flags accounts logged after the count.
	PollsClose string `json:"polls_close,omitempty"`
	// RedeclareMinutes is how long a returning officer has to make a new
	// declaration once stations a declaration listed as missing have
	// reported, and how long a declaration may count stations whose sheets
	// are not logged; 0 means DefaultRedeclareMinutes.
	RedeclareMinutes int `json:"redeclare_minutes,omitempty"`

	Parties    []Party    `json:"parties"`
	Assemblies []Assembly `json:"assemblies"`
	Contests   []Contest  `json:"contests"`
	Stations   []Station  `json:"stations"`

	// index, built by Validate.
	partyByID    map[string]int
	assemblyByID map[string]int
	contestByID  map[string]int
	stationByID  map[string]int
	stationsOf   map[string][]int // contest ID -> station indexes, in definition order
}

// Recount is the recount eligibility rule: a margin below MarginPercent of the
// votes polled or below MarginVotes, whichever is less, makes a contest
// eligible for a recount.
type Recount struct {
	MarginPercent int   `json:"margin_percent"`
	MarginVotes   int64 `json:"margin_votes"`
}

// Party is a political party. Independents are candidates whose Party is
// empty; they are not listed here.
type Party struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	LocalName string `json:"local_name,omitempty"`
	Color     string `json:"color,omitempty"`
	// Lists are the party's priority lists for reserved seats. A party with
	// no list for a (assembly, kind, region) gets no seat there.
	Lists []List `json:"lists,omitempty"`
}

// List is a party's priority list for one kind of reserved seat.
type List struct {
	Assembly string `json:"assembly"`
	Kind     string `json:"kind"`             // "women" or "non-muslim"
	Region   string `json:"region,omitempty"` // empty for national lists
	Length   int    `json:"length"`
}

// Assembly is a house: the National Assembly or a provincial assembly.
type Assembly struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Regions holds the seat table: general and women's seats per region.
	Regions []RegionSeats `json:"regions"`
	// NonMuslim seats are allocated over the whole assembly.
	NonMuslim int `json:"non_muslim"`
}

// RegionSeats is one row of an assembly's seat table.
type RegionSeats struct {
	Region  string `json:"region"`
	General int    `json:"general"`
	Women   int    `json:"women"`
}

// Contest is one constituency's election to one seat of an assembly.
type Contest struct {
	ID         string      `json:"id"`
	Assembly   string      `json:"assembly"`
	Region     string      `json:"region"`
	Name       string      `json:"name"`
	Candidates []Candidate `json:"candidates"`
}

// Candidate stands in one contest. Party is empty for an independent.
type Candidate struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	LocalName string `json:"local_name,omitempty"`
	Party     string `json:"party,omitempty"`
}

// Station is a polling station. It votes in one contest of each assembly it
// belongs to (in Pakistan, one National and one Provincial Assembly contest).
type Station struct {
	ID         string   `json:"id"`
	Name       string   `json:"name,omitempty"`
	Registered int64    `json:"registered"`
	Contests   []string `json:"contests"`
}

// MaxCount bounds every count in a definition or a record. No polling station
// or constituency comes near it, and sums of a million stations' counts stay
// far inside int64.
const MaxCount = 1_000_000_000

// Party returns the party with the given ID.
func (d *Definition) Party(id string) (*Party, bool) {
	i, ok := d.partyByID[id]
	if !ok {
		return nil, false
	}
	return &d.Parties[i], true
}

// Assembly returns the assembly with the given ID.
func (d *Definition) Assembly(id string) (*Assembly, bool) {
	i, ok := d.assemblyByID[id]
	if !ok {
		return nil, false
	}
	return &d.Assemblies[i], true
}

// Contest returns the contest with the given ID.
func (d *Definition) Contest(id string) (*Contest, bool) {
	i, ok := d.contestByID[id]
	if !ok {
		return nil, false
	}
	return &d.Contests[i], true
}

// ContestIndex returns the position of the contest in Contests.
func (d *Definition) ContestIndex(id string) (int, bool) {
	i, ok := d.contestByID[id]
	return i, ok
}

// Station returns the station with the given ID.
func (d *Definition) Station(id string) (*Station, bool) {
	i, ok := d.stationByID[id]
	if !ok {
		return nil, false
	}
	return &d.Stations[i], true
}

// StationIndex returns the position of the station in Stations.
func (d *Definition) StationIndex(id string) (int, bool) {
	i, ok := d.stationByID[id]
	return i, ok
}

// StationsOf returns the indexes (into Stations) of the stations that vote in
// the contest, in definition order.
func (d *Definition) StationsOf(contest string) []int { return d.stationsOf[contest] }

// VotesIn reports whether the station votes in the contest.
func (s *Station) VotesIn(contest string) bool {
	for _, c := range s.Contests {
		if c == contest {
			return true
		}
	}
	return false
}

// CandidateIndex returns the position of a candidate in the contest.
func (c *Contest) CandidateIndex(id string) (int, bool) {
	for i := range c.Candidates {
		if c.Candidates[i].ID == id {
			return i, true
		}
	}
	return 0, false
}

// Location returns the election's time zone.
func (d *Definition) Location() *time.Location {
	if loc, ok := locations.Load(d.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		return time.UTC // Validate has already refused unknown zones.
	}
	locations.Store(d.TimeZone, loc)
	return loc
}

// locations holds the zones Location has loaded, by name: the rules ask
// for the election's zone for every record they check, and loading it
// reads the system's zone file each time.
var locations sync.Map

// Deadline returns the instant by which provisional results are due: the
// ProvisionalDeadline time on the day after PollingDay, in TimeZone.
func (d *Definition) Deadline() time.Time {
	day, _ := time.ParseInLocation("2006-01-02", d.PollingDay, d.Location())
	var h, m int
	fmt.Sscanf(d.ProvisionalDeadline, "%d:%d", &h, &m)
	return day.AddDate(0, 0, 1).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// DefaultRedeclareMinutes is the period RedeclareMinutes gives when unset.
const DefaultRedeclareMinutes = 120

// Redeclare returns the period of RedeclareMinutes (see there).
func (d *Definition) Redeclare() time.Duration {
	if d.RedeclareMinutes > 0 {
		return time.Duration(d.RedeclareMinutes) * time.Minute
	}
	return DefaultRedeclareMinutes * time.Minute
}

// Close returns the instant polling closes, and false when the definition
// gives no PollsClose.
func (d *Definition) Close() (time.Time, bool) {
	if d.PollsClose == "" {
		return time.Time{}, false
	}
	day, _ := time.ParseInLocation("2006-01-02", d.PollingDay, d.Location())
	var h, m int
	fmt.Sscanf(d.PollsClose, "%d:%d", &h, &m)
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), true
}

// HasList reports whether the party has a priority list for the seats, and
// its length.
func (p *Party) HasList(assembly, kind, region string) (int, bool) {
	for _, l := range p.Lists {
		if l.Assembly == assembly && l.Kind == kind && l.Region == region {
			return l.Length, true
		}
	}
	return 0, false
}
