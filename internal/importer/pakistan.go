package importer

import (
	"strings"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/seats"
)

// partyIDs maps the parties' labels in the sources to the party IDs of the
// built-in definition (election.Pakistan2024), which the 2018 import reuses.
var partyIDs = map[string]string{
	// aiwan-2024 abbreviations (Form-47 readings write PPPP)
	"PML-N": "pmln", "PPP": "ppp", "PPPP": "ppp", "MQM": "mqmp", "MQM-P": "mqmp", "JUI-F": "juif",
	"IPP": "ipp", "PML-Q": "pmlq", "BAP": "bap", "SIC": "sic", "JIP": "ji", "ANP": "anp",
	// dsm-2024 labels that differ from aiwan-2024's (PTI-IND and IND are independents)
	"JUI": "juif", "PML": "pmlq", "JI": "ji",
	// cookman-2018 full names
	"Pakistan Tehreek-e-Insaf":                "pti",
	"Pakistan Muslim League (N)":              "pmln",
	"Pakistan Peoples Party Parliamentarians": "ppp",
	"Muttahida Qaumi Movement Pakistan":       "mqmp",
	"Pakistan Muslim League":                  "pmlq",
	"Balochistan Awami Party":                 "bap",
	"Awami National Party":                    "anp",
	"Muttahida Majlis-e-Amal Pakistan":        "mma",
	"Grand Democratic Alliance":               "gda",
	"Balochistan National Party":              "bnp",
}

// PartyID returns the party ID for a source's party label: the built-in ID
// when there is one, otherwise a slug of the label (lower case, runs of
// other characters as one '-', at most 64 bytes). An empty label
// (independent) gives "".
func PartyID(label string) string {
	if id, ok := partyIDs[label]; ok {
		return id
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	return s
}

// tableRegion maps the built-in definition's region IDs to the seat tables'
// region names.
var tableRegion = map[string]string{
	"punjab": seats.Punjab, "sindh": seats.Sindh, "kp": seats.KP, "balochistan": seats.Balochistan, "islamabad": seats.Islamabad,
}

// Region2024 returns the seat-table region (pk-na-2024) of a 2024 National
// Assembly constituency, from the built-in 2024 delimitation.
func Region2024() func(contest string) (string, bool) {
	def := election.Pakistan2024()
	m := map[string]string{}
	for _, c := range def.Contests {
		if c.Assembly == "NA" {
			m[c.ID] = tableRegion[c.Region]
		}
	}
	return func(contest string) (string, bool) { r, ok := m[contest]; return r, ok }
}

// Region2018 returns the seat-table region of a 2018 constituency from its
// code, in the 2018 delimitation: NA-1…39 Khyber Pakhtunkhwa, NA-40…51 the
// tribal areas (FATA), NA-52…54 Islamabad, NA-55…195 Punjab, NA-196…256
// Sindh, NA-257…272 Balochistan; PP, PS, PK, PB are the provinces'.
func Region2018(contest string) (string, bool) {
	prefix, n := splitContest(contest)
	if n == 0 {
		return "", false
	}
	switch prefix {
	case "PP":
		return seats.Punjab, n <= 297
	case "PS":
		return seats.Sindh, n <= 130
	case "PK":
		return seats.KP, n <= 99
	case "PB":
		return seats.Balochistan, n <= 51
	}
	for _, r := range []struct {
		last   int
		region string
	}{{39, seats.KP}, {51, seats.FATA}, {54, seats.Islamabad}, {195, seats.Punjab}, {256, seats.Sindh}, {272, seats.Balochistan}} {
		if n <= r.last {
			return r.region, true
		}
	}
	return "", false
}

// Tables2018 names the built-in seat table of each 2018 assembly, by the
// constituency-code prefix.
var Tables2018 = []struct{ Prefix, Table string }{
	{"NA", "pk-na-2018"}, {"PP", "pk-pa-punjab-2018"}, {"PS", "pk-pa-sindh-2018"},
	{"PK", "pk-pa-kp-2018"}, {"PB", "pk-pa-balochistan-2018"},
}

// splitContest splits "NA-57" into "NA" and 57 (0 if malformed).
func splitContest(contest string) (string, int) {
	prefix, num, _ := strings.Cut(contest, "-")
	n := 0
	for _, c := range num {
		if c < '0' || c > '9' {
			return prefix, 0
		}
		n = n*10 + int(c-'0')
	}
	return prefix, n
}
