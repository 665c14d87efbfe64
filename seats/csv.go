package seats

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The CSV formats read by the tallylog seats command. Each file starts
// with exactly its header line; every row has exactly the header's columns;
// cells are taken as written (no trimming), so " PTI" is an error rather
// than a second party. A UTF-8 byte-order mark at the start is ignored.
// Errors name the file, the line and the column, and say what to write.
var (
	// WonHeader: general seats won per region and party.
	WonHeader = []string{"region", "party", "seats"}
	// JoinsHeader: independents of a region who joined a party on a date.
	JoinsHeader = []string{"region", "party", "seats", "date"}
	// ListsHeader: the length of a party's priority list for a kind of
	// reserved seat (region empty for non-muslim).
	ListsHeader = []string{"region", "party", "kind", "length"}
)

// maxCSVBytes bounds the size of a CSV file read by the parsers.
const maxCSVBytes = 16 << 20

// ParseWon reads general seats won (WonHeader) from r; name is the file name
// used in errors. It checks the format only; Allocate checks the numbers
// against the seat table.
func ParseWon(r io.Reader, name string) ([]Won, error) {
	var out []Won
	err := readCSV(r, name, WonHeader, func(c cells) error {
		n, err := c.count(2)
		out = append(out, Won{Region: c.text(0), Party: c.text(1), Seats: n})
		return err
	})
	return out, err
}

// ParseJoins reads independents' joins (JoinsHeader) from r.
func ParseJoins(r io.Reader, name string) ([]Join, error) {
	var out []Join
	err := readCSV(r, name, JoinsHeader, func(c cells) error {
		j := Join{Region: c.text(0), Party: c.text(1), Date: c.text(3)}
		var err error
		if j.Seats, err = c.count(2); err != nil {
			return err
		}
		if _, err := time.Parse(time.DateOnly, j.Date); err != nil {
			return c.errorf(3, "%q is not a date; write it as YYYY-MM-DD, e.g. 2024-02-12", j.Date)
		}
		out = append(out, j)
		return nil
	})
	return out, err
}

// ParseLists reads list lengths (ListsHeader) from r.
func ParseLists(r io.Reader, name string) ([]List, error) {
	var out []List
	err := readCSV(r, name, ListsHeader, func(c cells) error {
		l := List{Region: c.text(0), Party: c.text(1), Kind: Kind(c.text(2))}
		if l.Kind != Women && l.Kind != NonMuslim {
			return c.errorf(2, "%q is not a kind of reserved seat; write %q or %q", l.Kind, Women, NonMuslim)
		}
		n, err := c.count(3)
		l.Length = n
		out = append(out, l)
		return err
	})
	return out, err
}

// cells is one data row with its position, for error messages.
type cells struct {
	file   string
	header []string
	row    []string
	line   int
}

func (c cells) text(i int) string { return c.row[i] }

func (c cells) errorf(col int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: column %s: %s", c.file, c.line, c.header[col], fmt.Sprintf(format, args...))
}

// count reads a whole number from 0 to maxTableSeats, digits only.
func (c cells) count(i int) (int, error) {
	s := c.row[i]
	n, err := strconv.Atoi(s)
	if err != nil || strings.TrimLeft(s, "0123456789") != "" || n > maxTableSeats {
		return 0, c.errorf(i, "%q is not a whole number from 0 to %d; write digits only, e.g. 12", s, maxTableSeats)
	}
	return n, nil
}

// readCSV reads a strict CSV file with the given header and calls row for
// every data row.
func readCSV(r io.Reader, file string, header []string, row func(cells) error) error {
	data, err := io.ReadAll(io.LimitReader(r, maxCSVBytes+1))
	if err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	if len(data) > maxCSVBytes {
		return fmt.Errorf("%s: larger than %d MiB; this is not a table of seats", file, maxCSVBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = len(header)
	want := strings.Join(header, ",")
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				return fmt.Errorf("%s:%d: has %d columns, want %d (%s)", file, pe.StartLine, len(rec), len(header), want)
			}
			return fmt.Errorf("%s: %v", file, err)
		}
		line, _ := cr.FieldPos(0) // only valid after a successful Read
		if first {
			first = false
			if !slices.Equal(rec, header) {
				return fmt.Errorf("%s:%d: header is %q, want %q", file, line, strings.Join(rec, ","), want)
			}
			continue
		}
		if err := row(cells{file: file, header: header, row: rec, line: line}); err != nil {
			return err
		}
	}
	if first {
		return fmt.Errorf("%s: empty; the first line must be the header %q", file, want)
	}
	return nil
}
