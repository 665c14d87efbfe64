package election

import "fmt"

// Built-in definitions by name. Each returns a fresh value that the caller
// may extend (the simulator adds stations and candidates).
var builtins = map[string]func() *Definition{
	"pk-ge2024": Pakistan2024,
}

// Builtin returns the built-in definition with the given name, validated.
func Builtin(name string) (*Definition, error) {
	f, ok := builtins[name]
	if !ok {
		return nil, fmt.Errorf("no built-in definition %q: the built-in is pk-ge2024; pass a definition file instead", name)
	}
	d := f()
	if err := d.Validate(); err != nil {
		panic("election: built-in " + name + " is invalid: " + err.Error())
	}
	return d, nil
}

// pakistanProvince describes one province's constituencies in 2024.
type pakistanProvince struct {
	region      string
	naFirst     int // first National Assembly constituency number
	naCount     int // general NA seats
	naWomen     int // women's NA seats
	paID        string
	paName      string
	paPrefix    string
	paGeneral   int
	paWomen     int
	paNonMuslim int
}

// pakistan2024 is the 2024 delimitation: NA-1…NA-45 Khyber Pakhtunkhwa,
// NA-46…NA-48 Islamabad, NA-49…NA-189 Punjab, NA-190…NA-250 Sindh,
// NA-251…NA-266 Balochistan; the provincial seat tables of the Constitution
// (Art. 106) as amended by the 25th and 26th Amendments and the 2023
// delimitation.
var pakistan2024 = []pakistanProvince{
	{"kp", 1, 45, 10, "PK", "Provincial Assembly of Khyber Pakhtunkhwa", "PK", 115, 26, 4},
	{"islamabad", 46, 3, 0, "", "", "", 0, 0, 0},
	{"punjab", 49, 141, 32, "PP", "Provincial Assembly of the Punjab", "PP", 297, 66, 8},
	{"sindh", 190, 61, 14, "PS", "Provincial Assembly of Sindh", "PS", 130, 29, 9},
	{"balochistan", 251, 16, 4, "PB", "Provincial Assembly of Balochistan", "PB", 51, 11, 3},
}

// Pakistan2024 returns the structure of Pakistan's 2024 general election: the
// National Assembly (266 general, 60 women's and 10 non-Muslim seats) and the
// four provincial assemblies (593 general, 132 women's, 24 non-Muslim seats),
// with every constituency code, the major parties and their reserved-seat
// lists. Stations and candidates are not included: they come from the
// election commission's lists or from the simulator.
func Pakistan2024() *Definition {
	d := &Definition{
		ID:                  "pk-ge2024",
		Title:               "Pakistan General Election 2024",
		Origin:              "results.example.pk/ge2024",
		TimeZone:            "Asia/Karachi",
		PollingDay:          "2024-02-08",
		ProvisionalDeadline: "02:00",
		Recount:             Recount{MarginPercent: 5, MarginVotes: 10000},
		AffiliationDays:     3,
	}
	na := Assembly{ID: "NA", Name: "National Assembly", NonMuslim: 10}
	for _, p := range pakistan2024 {
		na.Regions = append(na.Regions, RegionSeats{Region: p.region, General: p.naCount, Women: p.naWomen})
		for n := p.naFirst; n < p.naFirst+p.naCount; n++ {
			d.Contests = append(d.Contests, Contest{ID: fmt.Sprintf("NA-%d", n), Assembly: "NA", Region: p.region})
		}
	}
	d.Assemblies = append(d.Assemblies, na)
	for _, p := range pakistan2024 {
		if p.paID == "" {
			continue
		}
		d.Assemblies = append(d.Assemblies, Assembly{
			ID: p.paID, Name: p.paName, NonMuslim: p.paNonMuslim,
			Regions: []RegionSeats{{Region: p.region, General: p.paGeneral, Women: p.paWomen}},
		})
		for n := 1; n <= p.paGeneral; n++ {
			d.Contests = append(d.Contests, Contest{ID: fmt.Sprintf("%s-%d", p.paPrefix, n), Assembly: p.paID, Region: p.region})
		}
	}
	for _, pt := range pakistanParties {
		party := Party{ID: pt.id, Name: pt.name, LocalName: pt.local, Color: pt.color}
		if pt.lists {
			for _, a := range d.Assemblies {
				for _, r := range a.Regions {
					if r.Women > 0 {
						party.Lists = append(party.Lists, List{Assembly: a.ID, Kind: "women", Region: r.Region, Length: r.Women})
					}
				}
				party.Lists = append(party.Lists, List{Assembly: a.ID, Kind: "non-muslim", Length: a.NonMuslim})
			}
		}
		d.Parties = append(d.Parties, party)
	}
	return d
}

// pakistanParties are the parties that won seats in 2024. The Sunni Ittehad
// Council, which PTI-backed independents joined, filed no priority lists, the
// root of the 2024 reserved-seats litigation; it is listed without lists.
var pakistanParties = []struct {
	id, name, local, color string
	lists                  bool
}{
	{"pmln", "Pakistan Muslim League (N)", "پاکستان مسلم لیگ (ن)", "#1f7a3a", true},
	{"pti", "Pakistan Tehreek-e-Insaf", "پاکستان تحریک انصاف", "#c8102e", true},
	{"ppp", "Pakistan Peoples Party Parliamentarians", "پاکستان پیپلز پارٹی", "#111111", true},
	{"mqmp", "Muttahida Qaumi Movement Pakistan", "متحدہ قومی موومنٹ پاکستان", "#7a4fa0", true},
	{"juif", "Jamiat Ulema-e-Islam (F)", "جمعیت علمائے اسلام (ف)", "#2e8b57", true},
	{"ipp", "Istehkam-e-Pakistan Party", "استحکام پاکستان پارٹی", "#e07b00", true},
	{"pmlq", "Pakistan Muslim League (Q)", "پاکستان مسلم لیگ (ق)", "#6aa84f", true},
	{"bap", "Balochistan Awami Party", "بلوچستان عوامی پارٹی", "#3c78d8", true},
	{"sic", "Sunni Ittehad Council", "سنی اتحاد کونسل", "#8b0000", false},
	{"ji", "Jamaat-e-Islami", "جماعت اسلامی", "#0b5394", true},
	{"anp", "Awami National Party", "عوامی نیشنل پارٹی", "#d40000", true},
}
