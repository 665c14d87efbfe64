package forensics

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Preset is a named column mapping for a known data set.
type Preset struct {
	Name        string
	Description string
	Mapping     Mapping
}

// Presets lists the mappings of the data sets in shared/data/forensics,
// each read as it is published (see their PROVENANCE.md).
var Presets = []Preset{
	{"russia-kobak", "Russia 2004–2024, CEC protocols scraped by Shpilkin (dkobak/elections): " +
		"ballots = the three 'issued' columns (2020 referendum: the ballots in the boxes, as Kobak et al. take its turnout), " +
		"in box = valid + invalid, group = region",
		Mapping{FromHeader: russiaMapping}},
	{"uganda-uedp", "Uganda 2006–2021 uedp_YYYY_stations files (bt-IRI/UEDP): ballots = T.Votes, " +
		"rows with NON_REP ≠ 0 excluded, group = district",
		Mapping{FromHeader: ugandaMapping}},
	{"albania-eftoolkit", "Albania 2013 (EFToolkit): candidates C007…C072, no invalid column (taken as 0), " +
		"group = prefecture",
		Mapping{FromHeader: albaniaMapping}},
	{"venezuela-actas", "Venezuela 2024 opposition actas (2024_vzla_presidential.csv): tables summed per voting " +
		"centre (Codcv), whose registered voters the file gives; no ballots or invalid columns; group = state",
		Mapping{FromHeader: venezuelaMapping}},
}

// PresetByName returns the named preset.
func PresetByName(name string) (Preset, error) {
	for _, p := range Presets {
		if p.Name == name {
			return p, nil
		}
	}
	var names []string
	for _, p := range Presets {
		names = append(names, p.Name)
	}
	return Preset{}, fmt.Errorf("no preset %q; the presets are %s", name, strings.Join(names, ", "))
}

func russiaMapping(h []string) (Mapping, error) {
	m := Mapping{ID: []string{"region", "tik", "uik"}, Group: []string{"region"}}
	last := -1
	inBox := ""
	for i, c := range h {
		switch {
		case m.Registered == "" && (strings.HasPrefix(c, "Число избирателей, внесенных") ||
			strings.HasPrefix(c, "Число избирателей, включенных") ||
			strings.HasPrefix(c, "Число участников голосования, включенных")):
			m.Registered = c
		case strings.Contains(c, "бюллетеней, выданных"):
			m.Ballots = append(m.Ballots, c)
		case strings.HasPrefix(c, "Число бюллетеней, содержащихся в ящиках"):
			inBox = c
		case strings.HasPrefix(c, "Число действительных"):
			m.Valid = append(m.Valid, c)
		case strings.HasPrefix(c, "Число недействительных"):
			m.Invalid = append(m.Invalid, c)
		}
		if strings.HasPrefix(c, "Число ") {
			last = i
		}
	}
	if m.Registered == "" || len(m.Ballots) == 0 || len(m.Invalid) == 0 || last < 0 {
		return m, fmt.Errorf("preset russia-kobak: this header does not look like a dkobak/elections CEC file " +
			"(expected 'Число избирателей…', '…бюллетеней, выданных…' and 'Число недействительных…' columns)")
	}
	// The 2020 "all-Russian vote" has one issued column and no valid one;
	// Kobak, Shpilkin & Pshenichnikov (Significance 17(5), 2020) take its
	// turnout from the ballots found in the boxes.
	if strings.HasPrefix(m.Registered, "Число участников голосования") && inBox != "" {
		m.Ballots = []string{inBox}
	}
	for _, c := range h[last+1:] {
		if c != "url" {
			m.Candidates = append(m.Candidates, c)
		}
	}
	return m, nil
}

var ugandaDemography = regexp.MustCompile(`^[MF]_[0-9]`)

func ugandaMapping(h []string) (Mapping, error) {
	m := Mapping{ID: []string{"Original_Station_ID_previous"}, Group: []string{"Dist_name_previous"},
		Registered: "Reg.Voters", Ballots: []string{"T.Votes"}, Valid: []string{"V.Votes"},
		Invalid: []string{"Inv.Votes"}, ExcludeNonzero: "NON_REP"}
	reg, valid := slices.Index(h, "Reg.Voters"), slices.Index(h, "V.Votes")
	if reg < 0 || valid < reg {
		return m, fmt.Errorf("preset uganda-uedp: expected columns Reg.Voters, the candidates, then V.Votes " +
			"(the uedp_YYYY_stations files; the ec_converted files have another layout)")
	}
	for _, c := range h[reg+1 : valid] {
		if !ugandaDemography.MatchString(c) {
			m.Candidates = append(m.Candidates, c)
		}
	}
	return m, nil
}

var albaniaCandidate = regexp.MustCompile(`^C[0-9]{3}$`)

func albaniaMapping(h []string) (Mapping, error) {
	m := Mapping{ID: []string{"Communes", "Precincts"}, Group: []string{"Prefectures"},
		Registered: "Registered", Ballots: []string{"Ballots"}}
	for _, c := range h {
		if albaniaCandidate.MatchString(c) {
			m.Candidates = append(m.Candidates, c)
		}
	}
	if len(m.Candidates) == 0 {
		return m, fmt.Errorf("preset albania-eftoolkit: no candidate columns C001…C999 in this header")
	}
	return m, nil
}

func venezuelaMapping(h []string) (Mapping, error) {
	m := Mapping{Group: []string{"ESTADO"}, Registered: "votantes", AggregateBy: "Codcv"}
	i := slices.Index(h, "votantes")
	if i < 0 || slices.Index(h, "Codcv") < 0 {
		return m, fmt.Errorf("preset venezuela-actas: expected the columns Codcv and votantes (2024_vzla_presidential.csv)")
	}
	m.Candidates = slices.Clone(h[i+1:])
	return m, nil
}
