package election

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tallylog/tallylog/strictjson"
)

// Error is a rule broken by a definition, at a JSON path.
type Error = strictjson.Error

// colorPattern is a party colour: #rrggbb in lower case.
var colorPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// ValidID reports whether s is a valid identifier: the shape of every
// identifier (elections, parties, assemblies, regions, contests, candidates
// and stations) is ^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$. Identifiers appear in
// record lines, URLs and file names, so they hold no spaces and no '+'. It
// is checked for every identifier of every record a verifier replays, so
// it is a loop rather than a regular expression (TestValidIDPattern holds
// the two equal).
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 || !idStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !idStart(c) && c != '.' && c != '_' && c != '/' && c != '-' {
			return false
		}
	}
	return true
}

// idStart reports whether c is an ASCII letter or digit.
func idStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// ValidText reports whether s is acceptable human text: UTF-8 without
// control characters or bidirectional controls (see Bidi), at most 200
// bytes.
func ValidText(s string) bool {
	if len(s) > 200 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || Bidi(r) {
			return false
		}
	}
	return true
}

// Bidi reports whether r is a bidirectional control character: the
// embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069, the
// marks U+200E, U+200F and U+061C. They make text display in another order
// than it is stored ("Trojan Source"), so a name or reason could read one
// way on a page and mean another; no text tallylog accepts holds them.
// Urdu and other right-to-left scripts display correctly without them.
func Bidi(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// Parse reads a definition from strict JSON and validates it.
func Parse(data []byte) (*Definition, error) {
	var d Definition
	if err := strictjson.Decode(data, &d); err != nil {
		return nil, err
	}
	// Decoding grows the stations' slice as it goes; a national
	// definition is held for as long as the log is served, so it is kept
	// without the spare capacity.
	if cap(d.Stations) > len(d.Stations) {
		d.Stations = slices.Clone(d.Stations)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	// Each station's contests name contests of the definition: they share
	// the contests' own strings rather than one decoded copy per station.
	for i := range d.Stations {
		for j, id := range d.Stations[i].Contests {
			if c, ok := d.Contest(id); ok {
				d.Stations[i].Contests[j] = c.ID
			}
		}
	}
	return &d, nil
}

// Canonical returns the definition's canonical bytes: compact JSON with the
// fields in the order of this package's types. Parse(Canonical()) yields an
// equal definition.
func (d *Definition) Canonical() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic("election: marshal: " + err.Error()) // plain data cannot fail
	}
	return b
}

// Validate checks every rule of a definition and builds its indexes. The
// error names the JSON path of the first problem.
func (d *Definition) Validate() error {
	v := validator{}
	v.id("$.id", d.ID)
	v.text("$.title", d.Title, true)
	if d.Origin == "" || len(d.Origin) > 128 || !ValidText(d.Origin) || containsAny(d.Origin, " +") {
		v.fail("$.origin", "must be a key name such as results.example.pk/ge2024: no spaces, no '+', at most 128 bytes")
	}
	if _, err := time.LoadLocation(d.TimeZone); err != nil || d.TimeZone == "" {
		v.fail("$.time_zone", "must be an IANA time zone such as Asia/Karachi")
	}
	if _, err := time.Parse("2006-01-02", d.PollingDay); err != nil {
		v.fail("$.polling_day", "must be a date YYYY-MM-DD")
	}
	if _, err := time.Parse("15:04", d.ProvisionalDeadline); err != nil {
		v.fail("$.provisional_deadline", "must be a time of day HH:MM")
	}
	if d.Recount.MarginPercent < 0 || d.Recount.MarginPercent > 100 {
		v.fail("$.recount.margin_percent", "must be between 0 and 100")
	}
	if d.Recount.MarginVotes < 0 || d.Recount.MarginVotes > MaxCount {
		v.fail("$.recount.margin_votes", "must be between 0 and 1000000000")
	}
	if d.AffiliationDays < 0 || d.AffiliationDays > 365 {
		v.fail("$.affiliation_days", "must be between 0 and 365")
	}
	if _, err := time.Parse("15:04", d.PollsClose); d.PollsClose != "" && err != nil {
		v.fail("$.polls_close", "must be a time of day HH:MM, or left out")
	}
	if d.RedeclareMinutes < 0 || d.RedeclareMinutes > 7*24*60 {
		v.fail("$.redeclare_minutes", "must be between 0 (the default, 120) and 10080 (a week)")
	}

	d.assemblyByID = map[string]int{}
	regions := map[string]map[string]bool{} // assembly -> regions
	for i, a := range d.Assemblies {
		p := fmt.Sprintf("$.assemblies[%d]", i)
		v.id(p+".id", a.ID)
		v.unique(d.assemblyByID, a.ID, i, p+".id")
		v.text(p+".name", a.Name, true)
		regions[a.ID] = map[string]bool{}
		for j, r := range a.Regions {
			rp := fmt.Sprintf("%s.regions[%d]", p, j)
			v.id(rp+".region", r.Region)
			if regions[a.ID][r.Region] {
				v.fail(rp+".region", "duplicate region "+r.Region)
			}
			regions[a.ID][r.Region] = true
			v.count(rp+".general", int64(r.General))
			v.count(rp+".women", int64(r.Women))
		}
		v.count(p+".non_muslim", int64(a.NonMuslim))
	}
	if len(d.Assemblies) == 0 {
		v.fail("$.assemblies", "at least one assembly is required")
	}

	d.partyByID = map[string]int{}
	for i, pt := range d.Parties {
		p := fmt.Sprintf("$.parties[%d]", i)
		v.id(p+".id", pt.ID)
		v.unique(d.partyByID, pt.ID, i, p+".id")
		v.text(p+".name", pt.Name, true)
		v.text(p+".local_name", pt.LocalName, false)
		if pt.Color != "" && !colorPattern.MatchString(pt.Color) {
			v.fail(p+".color", "must be #rrggbb in lower case")
		}
		seen := map[string]bool{}
		for j, l := range pt.Lists {
			lp := fmt.Sprintf("%s.lists[%d]", p, j)
			if _, ok := d.assemblyByID[l.Assembly]; !ok {
				v.fail(lp+".assembly", "unknown assembly "+quote(l.Assembly))
			}
			switch l.Kind {
			case "women":
				if !regions[l.Assembly][l.Region] {
					v.fail(lp+".region", "women's lists are per region; unknown region "+quote(l.Region))
				}
			case "non-muslim":
				if l.Region != "" {
					v.fail(lp+".region", "non-Muslim lists are for the whole assembly: leave region empty")
				}
			default:
				v.fail(lp+".kind", `must be "women" or "non-muslim"`)
			}
			key := l.Assembly + "|" + l.Kind + "|" + l.Region
			if seen[key] {
				v.fail(lp, "duplicate list for the same assembly, kind and region")
			}
			seen[key] = true
			v.count(lp+".length", int64(l.Length))
		}
	}

	d.contestByID = map[string]int{}
	for i, c := range d.Contests {
		p := fmt.Sprintf("$.contests[%d]", i)
		v.id(p+".id", c.ID)
		v.unique(d.contestByID, c.ID, i, p+".id")
		if _, ok := d.assemblyByID[c.Assembly]; !ok {
			v.fail(p+".assembly", "unknown assembly "+quote(c.Assembly))
		} else if !regions[c.Assembly][c.Region] {
			v.fail(p+".region", "region "+quote(c.Region)+" is not in assembly "+c.Assembly+"'s seat table")
		}
		v.text(p+".name", c.Name, false)
		v.text(p+".local_name", c.LocalName, false)
		cands := map[string]int{}
		for j, cd := range c.Candidates {
			cp := fmt.Sprintf("%s.candidates[%d]", p, j)
			v.id(cp+".id", cd.ID)
			v.unique(cands, cd.ID, j, cp+".id")
			v.text(cp+".name", cd.Name, true)
			v.text(cp+".local_name", cd.LocalName, false)
			if cd.Party != "" {
				if _, ok := d.partyByID[cd.Party]; !ok {
					v.fail(cp+".party", "unknown party "+quote(cd.Party)+": list it under parties, or leave it empty for an independent")
				}
			}
		}
		if len(c.Candidates) > 1000 {
			v.fail(p+".candidates", "at most 1000 candidates")
		}
	}

	d.stationByID = make(map[string]int, len(d.Stations))
	d.stationsOf = map[string][]int{}
	for i, s := range d.Stations {
		p := fmt.Sprintf("$.stations[%d]", i)
		v.id(p+".id", s.ID)
		v.unique(d.stationByID, s.ID, i, p+".id")
		v.text(p+".name", s.Name, false)
		v.count(p+".registered", s.Registered)
		if len(s.Contests) == 0 {
			v.fail(p+".contests", "a station votes in at least one contest")
		}
		assemblies := map[string]bool{}
		for j, cid := range s.Contests {
			ci, ok := d.contestByID[cid]
			if !ok {
				v.fail(fmt.Sprintf("%s.contests[%d]", p, j), "unknown contest "+quote(cid))
				continue
			}
			a := d.Contests[ci].Assembly
			if assemblies[a] {
				v.fail(fmt.Sprintf("%s.contests[%d]", p, j), "a station votes in one contest per assembly; "+a+" is listed twice")
			}
			assemblies[a] = true
			d.stationsOf[cid] = append(d.stationsOf[cid], i)
		}
	}
	return v.err
}

type validator struct{ err error }

func (v *validator) fail(path, rule string) {
	if v.err == nil {
		v.err = &Error{Path: path, Rule: rule}
	}
}

func (v *validator) id(path, s string) {
	if !ValidID(s) {
		v.fail(path, quote(s)+" is not an identifier: 1-64 characters from A-Z a-z 0-9 . _ / -, starting with a letter or digit")
	}
}

func (v *validator) text(path, s string, required bool) {
	if required && s == "" {
		v.fail(path, "is required")
	} else if !ValidText(s) {
		v.fail(path, "must be UTF-8 text without control or bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), at most 200 bytes")
	}
}

func (v *validator) count(path string, n int64) {
	if n < 0 || n > MaxCount {
		v.fail(path, fmt.Sprintf("%d is out of range: counts are 0 to %d", n, MaxCount))
	}
}

func (v *validator) unique(m map[string]int, id string, i int, path string) {
	if _, dup := m[id]; dup {
		v.fail(path, "duplicate identifier "+quote(id))
		return
	}
	m[id] = i
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func containsAny(s, chars string) bool {
	for _, c := range chars {
		for _, r := range s {
			if r == c {
				return true
			}
		}
	}
	return false
}
