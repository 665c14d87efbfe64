package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// table is a CSV file read whole, with its columns found by header name.
type table struct {
	name string // file name, for errors
	col  map[string]int
	rows [][]string
	line []int // the line each row starts on
}

// readTable reads a CSV file whose first row names the columns, and checks
// that every column in need is present.
func readTable(r io.Reader, name string, need ...string) (*table, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	t := &table{name: name, col: map[string]int{}}
	for i, h := range header {
		t.col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, c := range need {
		if _, ok := t.col[c]; !ok {
			return nil, fmt.Errorf("%s: row 1: no column %q (the header has %s)", name, c, strings.Join(header, ","))
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		t.rows = append(t.rows, rec)
		t.line = append(t.line, line)
	}
	return t, nil
}

// cell is one row's value in a column, with where it came from.
func (t *table) get(i int, column string) string {
	return strings.TrimSpace(t.rows[i][t.col[column]])
}

// errorf names the file, the row (as a line number) and the column.
func (t *table) errorf(i int, column, format string, args ...any) error {
	return fmt.Errorf("%s: row %d, column %s: %s", t.name, t.line[i], column, fmt.Sprintf(format, args...))
}

// count parses a vote count: decimal digits, 0 to maxVotes.
func (t *table) count(i int, column string) (int64, error) {
	s := t.get(i, column)
	n, err := parseCount(s)
	if err != nil {
		return 0, t.errorf(i, column, "%v", err)
	}
	return n, nil
}

// maxVotes bounds every count read: the record format's limit.
const maxVotes = 1_000_000_000

// parseCount parses a count written as decimal digits.
func parseCount(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty, want a count")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a count (decimal digits only)", s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxVotes {
		return 0, fmt.Errorf("%q is out of range: counts are 0 to %d", s, maxVotes)
	}
	return n, nil
}
