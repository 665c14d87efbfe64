package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// Folders of the shared data set, relative to the data directory.
const (
	AiwanDir   = "pakistan/aiwan-2024-na-results"
	DSMDir     = "pakistan/dsm-2024-form45-vs-form47"
	CookmanDir = "pakistan/cookman-2018-results"
)

// provenance reads a folder's PROVENANCE.md for the source repository and
// commit (the lines "- Source repository: owner/name" and "- Commit: <hex>").
func provenance(dir, key, publisher string, files ...string) (Provenance, error) {
	p := Provenance{Key: key, Publisher: publisher}
	path := filepath.Join(dir, "PROVENANCE.md")
	data, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	repo := regexp.MustCompile(`(?m)^- Source repository: (\S+)`).FindSubmatch(data)
	commit := regexp.MustCompile(`(?m)^- Commit: ([0-9a-f]{40})`).FindSubmatch(data)
	if repo == nil || commit == nil {
		return p, fmt.Errorf("%s: no \"- Source repository:\" or \"- Commit:\" line", path)
	}
	p.Repository, p.Commit = string(repo[1]), string(commit[1])
	for _, f := range files {
		p.Files = append(p.Files, filepath.Join(filepath.Base(dir), f))
	}
	return p, nil
}

// Source2024 is the 2024 National Assembly: the declared results and the
// claimed Form-45 totals, with where each came from.
//
// Two sources transcribe the declared results: Aiwan-e-Jamhoor (every
// candidate, the later result where a recount or tribunal changed it; and
// its reading of the election-day Form-47 scans) and the DSM table (the top
// two candidates' election-day Form-47 figures beside the Form-45 totals
// PTI claimed for them). The claim is compared with the DSM table's own
// declared figures; the two transcriptions of the declaration are compared
// with each other.
type Source2024 struct {
	Declared []Seat    `json:"-"` // Aiwan-e-Jamhoor's candidate results
	Form47   []Form47  `json:"-"` // Aiwan-e-Jamhoor's Form-47 readings
	DSM      []DSMSeat `json:"-"` // the DSM table: declared and claimed
	// DeclaredFrom is Aiwan-e-Jamhoor; DSMDeclaredFrom and ClaimedFrom the
	// DSM table's two columns (one file, two transcriptions, two keys).
	DeclaredFrom    Provenance `json:"declared_from"`
	DSMDeclaredFrom Provenance `json:"dsm_declared_from"`
	ClaimedFrom     Provenance `json:"claimed_from"`
}

// Load2024 reads the 2024 sources from the data directory (the folder that
// holds pakistan/).
func Load2024(data string) (*Source2024, error) {
	aiwan, dsm := filepath.Join(data, AiwanDir), filepath.Join(data, DSMDir)
	var s Source2024
	var err error
	if s.DeclaredFrom, err = provenance(aiwan, "aiwan-e-jamhoor",
		"Aiwan-e-Jamhoor: ElectionPakistani's transcription of the ECP's declared results, and its reading of the official Form-47 scans",
		AiwanCandidatesFile, AiwanForm47File); err != nil {
		return nil, err
	}
	if s.DSMDeclaredFrom, err = provenance(dsm, "dsm-form47",
		"Danial Sadiq Masood: the ECP's election-day Form-47 figures (declaredVotes), top two candidates per seat",
		DSMSeatsFile); err != nil {
		return nil, err
	}
	if s.ClaimedFrom, err = provenance(dsm, "dsm-form45",
		"Danial Sadiq Masood: the Form-45 totals PTI claimed from its agents' copies (actualVotes), top two candidates per seat",
		DSMSeatsFile); err != nil {
		return nil, err
	}
	if err := parseFile(filepath.Join(aiwan, AiwanCandidatesFile), func(r io.Reader, name string) (err error) {
		s.Declared, err = ParseAiwanCandidates(r, name)
		return err
	}); err != nil {
		return nil, err
	}
	if err := parseFile(filepath.Join(aiwan, AiwanForm47File), func(r io.Reader, name string) (err error) {
		s.Form47, err = ParseAiwanForm47(r, name)
		return err
	}); err != nil {
		return nil, err
	}
	s.Declared = WithForm47(s.Declared, s.Form47)
	if err := parseFile(filepath.Join(dsm, DSMSeatsFile), func(r io.Reader, name string) error {
		b, err := io.ReadAll(r)
		if err == nil {
			s.DSM, err = ParseDSMSeats(b, name)
		}
		return err
	}); err != nil {
		return nil, err
	}
	return &s, nil
}

// Source2018 is the 2018 National and provincial assemblies.
type Source2018 struct {
	Seats []Seat     `json:"-"`
	From  Provenance `json:"from"`
}

// Load2018 reads the 2018 results from the data directory.
func Load2018(data string) (*Source2018, error) {
	dir := filepath.Join(data, CookmanDir)
	var s Source2018
	var err error
	if s.From, err = provenance(dir, "cookman-2018",
		"Colin Cookman: the ECP's provisional 2018 results pages, as downloaded about 2018-09-04",
		CookmanCandidatesFile); err != nil {
		return nil, err
	}
	err = parseFile(filepath.Join(dir, CookmanCandidatesFile), func(r io.Reader, name string) (err error) {
		s.Seats, err = ParseCookman2018(r, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// parseFile opens path (decompressing a .gz) and hands it to parse, named by
// its path.
func parseFile(path string, parse func(r io.Reader, name string) error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var r io.Reader = bytes.NewReader(data)
	if filepath.Ext(path) == ".gz" {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = bufio.NewReader(zr)
	}
	return parse(r, path)
}
