package forensics

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Mapping says which CSV columns hold what. Columns are named by their
// header text, or by "#N" for the N-th column (1-based). A count may be the
// sum of several columns (Ballots in the Russian data is the sum of three).
//
// Optional fields: without Valid, valid ballots are the sum of the
// candidate columns; without Invalid, invalid ballots are taken as 0;
// without Ballots, ballots issued are Valid + Invalid. Rows whose
// ExcludeNonzero column is not 0 are excluded and counted (Uganda's
// NON_REP marks stations that did not report). With AggregateBy, rows
// sharing that column's value are summed into one station whose
// registered voters must be equal on every row (Venezuela's actas carry
// the registered voters of their voting centre).
type Mapping struct {
	ID             []string
	Group          []string
	Registered     string
	Ballots        []string
	Valid          []string
	Invalid        []string
	Candidates     []string
	ExcludeNonzero string
	AggregateBy    string
	// MissingTokens are cell values read as "missing": a row with one in a
	// mapped column is excluded and counted. Default: "", NA, NaN, nan.
	MissingTokens []string
	// FromHeader, when set, builds the mapping from the header row; the
	// presets use it because their column names vary between files.
	FromHeader func(header []string) (Mapping, error)
}

// Input is what ReadCSV returns: the stations, the candidate names, and
// the rows it excluded, with their reasons.
type Input struct {
	Stations   []Station
	Candidates []string
	Rows       int // data rows read
	Excluded   []ExclusionCount
}

// InputError names the row and column of a cell that could not be read.
type InputError struct {
	Row    int // 1-based line of the file, the header being row 1
	Column string
	Value  string
	Reason string
}

func (e *InputError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return fmt.Sprintf("row %d, column %q: %s (value %q)", e.Row, e.Column, e.Reason, e.Value)
}

// OpenCSV wraps r in a gzip reader when it starts with the gzip magic.
func OpenCSV(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, err := br.Peek(2)
	if err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading gzip header: %w", err)
		}
		return zr, nil
	}
	return br, nil
}

// ReadCSV reads station results from plain or gzipped CSV with a header
// row. Cells of mapped columns must be non-negative integers (a trailing
// ".0", as pandas writes, is accepted); a cell that is not a number is an
// *InputError naming its row and column. Missing cells, negative counts
// and candidate votes above the valid ballots exclude their row, counted
// per reason in Input.Excluded.
func ReadCSV(r io.Reader, m Mapping) (*Input, error) {
	r, err := OpenCSV(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the CSV file is empty: expected a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	if m.FromHeader != nil {
		if m, err = m.FromHeader(header); err != nil {
			return nil, err
		}
	}
	rm, err := m.resolve(header)
	if err != nil {
		return nil, err
	}
	in := &Input{Candidates: rm.candNames}
	var ex exclusions
	agg := map[string]int{}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &InputError{Row: pe.StartLine, Reason: pe.Err.Error()}
			}
			return nil, err
		}
		in.Rows++
		if len(rec) != len(header) {
			return nil, &InputError{Row: row, Reason: fmt.Sprintf("%d fields where the header has %d", len(rec), len(header))}
		}
		s, why, err := rm.station(rec, header, row)
		if err != nil {
			return nil, err
		}
		if why == "" {
			why = checkStation(&s, len(rm.cand))
		}
		if why != "" {
			ex.add(why, fmt.Sprintf("row %d", row))
			continue
		}
		if rm.agg < 0 {
			in.Stations = append(in.Stations, s)
			continue
		}
		key := rec[rm.agg]
		i, ok := agg[key]
		if !ok {
			agg[key] = len(in.Stations)
			s.ID = key
			in.Stations = append(in.Stations, s)
			continue
		}
		t := &in.Stations[i]
		if t.Registered != s.Registered {
			return nil, &InputError{Row: row, Column: header[rm.reg], Value: rec[rm.reg],
				Reason: fmt.Sprintf("registered voters differ from the %d of earlier rows with %s %q", t.Registered, header[rm.agg], key)}
		}
		t.Ballots += s.Ballots
		t.Valid += s.Valid
		t.Invalid += s.Invalid
		for j, v := range s.Votes {
			t.Votes[j] += v
		}
	}
	in.Excluded = ex.list
	return in, nil
}

// resolved is a Mapping bound to a header.
type resolved struct {
	id, group, ballots, valid, invalid, cand []int
	reg, excl, agg                           int
	candNames                                []string
	missing                                  map[string]bool
}

func (m *Mapping) resolve(header []string) (*resolved, error) {
	rm := &resolved{excl: -1, agg: -1, missing: map[string]bool{}}
	tokens := m.MissingTokens
	if tokens == nil {
		tokens = []string{"", "NA", "NaN", "nan"}
	}
	for _, t := range tokens {
		rm.missing[t] = true
	}
	one := func(what, ref string) (int, error) {
		i, err := column(header, ref)
		if err != nil {
			return 0, fmt.Errorf("%s column: %w", what, err)
		}
		return i, nil
	}
	many := func(what string, refs []string) ([]int, error) {
		var out []int
		for _, ref := range refs {
			i, err := one(what, ref)
			if err != nil {
				return nil, err
			}
			out = append(out, i)
		}
		return out, nil
	}
	var err error
	if m.Registered == "" {
		return nil, errors.New("no registered-voters column: set one (for example --registered 'Reg.Voters' or --preset)")
	}
	if len(m.Candidates) == 0 {
		return nil, errors.New("no candidate columns: name them (for example --candidates 'A,B,C' or --preset)")
	}
	if rm.reg, err = one("registered", m.Registered); err != nil {
		return nil, err
	}
	if rm.cand, err = many("candidate", m.Candidates); err != nil {
		return nil, err
	}
	for _, i := range rm.cand {
		rm.candNames = append(rm.candNames, header[i])
	}
	if rm.id, err = many("id", m.ID); err != nil {
		return nil, err
	}
	if rm.group, err = many("group", m.Group); err != nil {
		return nil, err
	}
	if rm.ballots, err = many("ballots", m.Ballots); err != nil {
		return nil, err
	}
	if rm.valid, err = many("valid", m.Valid); err != nil {
		return nil, err
	}
	if rm.invalid, err = many("invalid", m.Invalid); err != nil {
		return nil, err
	}
	if m.ExcludeNonzero != "" {
		if rm.excl, err = one("exclude", m.ExcludeNonzero); err != nil {
			return nil, err
		}
	}
	if m.AggregateBy != "" {
		if rm.agg, err = one("aggregate", m.AggregateBy); err != nil {
			return nil, err
		}
	}
	return rm, nil
}

// column finds a column by header text or "#N".
func column(header []string, ref string) (int, error) {
	if strings.HasPrefix(ref, "#") {
		n, err := strconv.Atoi(ref[1:])
		if err != nil || n < 1 || n > len(header) {
			return 0, fmt.Errorf("%q is not a column number between #1 and #%d", ref, len(header))
		}
		return n - 1, nil
	}
	for i, h := range header {
		if h == ref {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no column named %q; the header has %s", ref, quoteHeader(header))
}

func quoteHeader(header []string) string {
	var b strings.Builder
	for i, h := range header {
		if i == 12 {
			fmt.Fprintf(&b, ", … (%d columns)", len(header))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", h)
	}
	return b.String()
}

var numberRE = regexp.MustCompile(`^-?[0-9]+(\.0+)?$`)

// cell parses one count. missing is true for a missing-value token.
func (rm *resolved) cell(rec, header []string, row, col int) (v int64, missing bool, err error) {
	raw := strings.TrimSpace(rec[col])
	if rm.missing[raw] {
		return 0, true, nil
	}
	if !numberRE.MatchString(raw) {
		return 0, false, &InputError{Row: row, Column: header[col], Value: rec[col],
			Reason: "not a whole number; fix the cell, or add its text to the missing-value tokens to exclude the row"}
	}
	raw, _, _ = strings.Cut(raw, ".")
	v, err = strconv.ParseInt(raw, 10, 64)
	if err != nil || v > math.MaxInt64/1000 || v < -math.MaxInt64/1000 {
		return 0, false, &InputError{Row: row, Column: header[col], Value: rec[col], Reason: "number out of range"}
	}
	return v, false, nil
}

// sum adds the cells of cols; why is non-empty when the row must be excluded.
func (rm *resolved) sum(rec, header []string, row int, cols []int) (total int64, why string, err error) {
	for _, c := range cols {
		v, miss, err := rm.cell(rec, header, row, c)
		if err != nil {
			return 0, "", err
		}
		if miss {
			return 0, "missing value in column " + strconv.Quote(header[c]), nil
		}
		total += v
	}
	return total, "", nil
}

// station builds one row's station, or the reason to exclude it.
func (rm *resolved) station(rec, header []string, row int) (Station, string, error) {
	var s Station
	s.ID = joinCells(rec, rm.id)
	s.Group = joinCells(rec, rm.group)
	if s.ID == "" {
		s.ID = fmt.Sprintf("row %d", row)
	}
	if rm.excl >= 0 {
		if v := strings.TrimSpace(rec[rm.excl]); v != "" && v != "0" {
			return s, fmt.Sprintf("%s is %s", header[rm.excl], v), nil
		}
	}
	var why string
	var err error
	steps := []struct {
		dst  *int64
		cols []int
	}{{&s.Registered, []int{rm.reg}}, {&s.Ballots, rm.ballots}, {&s.Valid, rm.valid}, {&s.Invalid, rm.invalid}}
	for _, st := range steps {
		if *st.dst, why, err = rm.sum(rec, header, row, st.cols); err != nil || why != "" {
			return s, why, err
		}
	}
	s.Votes = make([]int64, len(rm.cand))
	var total int64
	for j, c := range rm.cand {
		if s.Votes[j], why, err = rm.sum(rec, header, row, []int{c}); err != nil || why != "" {
			return s, why, err
		}
		total += s.Votes[j]
	}
	if len(rm.valid) == 0 {
		s.Valid = total
	}
	if len(rm.ballots) == 0 {
		s.Ballots = s.Valid + s.Invalid
	}
	return s, "", nil
}

func joinCells(rec []string, cols []int) string {
	if len(cols) == 0 {
		return ""
	}
	var b bytes.Buffer
	for i, c := range cols {
		if i > 0 {
			b.WriteString(" / ")
		}
		b.WriteString(rec[c])
	}
	return b.String()
}
