package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/tallylog/tallylog/seats"
)

const seatsUsage = `--won FILE --table NAME|FILE [--no-list PARTY,...] [--joined FILE --gazette YYYY-MM-DD] [--lists FILE] [--json]

Allocates the reserved seats of an assembly from the general seats won,
by Pakistan's rules (Constitution Art. 51(6), 106(3); Elections Act 2017
s.104; see docs/seats.md), and prints the house with its majority lines
and the coalitions that reach them.

Files (CSV, first line exactly the header shown):
  --won     region,party,seats         general seats won; party "Independent"
                                       for independents
  --joined  region,party,seats,date    independents of region who joined party
                                       on date (YYYY-MM-DD); counted within 3
                                       days of --gazette
  --lists   region,party,kind,length   priority list lengths; kind is women
                                       (per region) or non-muslim (region
                                       empty); seats beyond a list stay pending
Built-in tables: ` + "%s"

// runSeats implements "tallylog seats".
func runSeats(st *State, args []string) error {
	fs := newFlagSet(st, "seats", fmt.Sprintf(seatsUsage, strings.Join(seats.BuiltinTableNames(), ", ")))
	wonFile := fs.String("won", "", "general seats won, CSV `FILE` region,party,seats ('-' for stdin)")
	tableArg := fs.String("table", "", "seat table: a built-in `NAME` such as pk-na-2024, or a JSON file")
	noList := fs.String("no-list", "", "comma-separated `PARTIES` that filed no priority list")
	joinedFile := fs.String("joined", "", "independents' joins, CSV `FILE` region,party,seats,date")
	gazette := fs.String("gazette", "", "`DATE` (YYYY-MM-DD) of the gazette notification of returned candidates")
	listsFile := fs.String("lists", "", "priority list lengths, CSV `FILE` region,party,kind,length")
	asJSON := fs.Bool("json", false, "print the allocation and the house as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected argument %q; all inputs are given by flags", fs.Arg(0))}
	case *wonFile == "":
		return usageError{"--won is required: a CSV file region,party,seats of general seats won"}
	case *tableArg == "":
		return usageError{"--table is required: one of " + strings.Join(seats.BuiltinTableNames(), ", ") + ", or a JSON table file"}
	case *joinedFile != "" && *gazette == "":
		return usageError{"--joined needs --gazette, the date the returned candidates were published in the official Gazette"}
	}
	in := seats.Input{Gazette: *gazette}
	var err error
	if in.Table, err = loadTable(*tableArg); err != nil {
		return err
	}
	if in.Won, err = parseFile(st, *wonFile, seats.ParseWon); err != nil {
		return err
	}
	if *joinedFile != "" {
		if in.Joins, err = parseFile(st, *joinedFile, seats.ParseJoins); err != nil {
			return err
		}
	}
	if *listsFile != "" {
		if in.Lists, err = parseFile(st, *listsFile, seats.ParseLists); err != nil {
			return err
		}
	}
	if *noList != "" {
		for _, p := range strings.Split(*noList, ",") {
			in.NoList = append(in.NoList, strings.TrimSpace(p))
		}
	}
	res, err := seats.Allocate(in)
	if err != nil {
		return err
	}
	house := seats.NewHouse(res)
	if *asJSON {
		enc := json.NewEncoder(st.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Allocation *seats.Result `json:"allocation"`
			House      seats.House   `json:"house"`
		}{res, house})
	}
	printSeats(st.Stdout, res, house)
	return nil
}

// loadTable returns the built-in table called arg, or reads arg as a JSON
// table file.
func loadTable(arg string) (seats.Table, error) {
	if t, ok := seats.BuiltinTable(arg); ok {
		return t, nil
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return seats.Table{}, fmt.Errorf("--table %s: not a built-in table (%s) and not a readable file: %v", arg, strings.Join(seats.BuiltinTableNames(), ", "), err)
	}
	t, err := seats.ParseTable(data)
	if err != nil {
		return seats.Table{}, fmt.Errorf("--table %s: %v", arg, err)
	}
	return t, nil
}

// parseFile opens name ("-" for stdin) and parses it with parse.
func parseFile[T any](st *State, name string, parse func(io.Reader, string) ([]T, error)) ([]T, error) {
	if name == "-" {
		return parse(st.Stdin, "stdin")
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f, name)
}

// printSeats writes the allocation for a person: per region and party, the
// non-Muslim seats, the house, and everything that is not settled.
func printSeats(w io.Writer, r *seats.Result, h seats.House) {
	t := r.Table
	fmt.Fprintf(w, "%s: %s, %d seats (%d general, %d women, %d non-Muslim)\n\n", t.Name, t.Assembly, t.Total(), t.General(), t.Women(), t.NonMuslim)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "region\tparty\tgeneral\twomen")
	women := map[[2]string]seats.Share{}
	for _, res := range r.Women {
		for _, s := range res.Shares {
			women[[2]string{res.Region, s.Party}] = s
		}
	}
	for _, g := range r.General {
		region, ok := t.Region(g.Region)
		ws := "-"
		if s, in := women[[2]string{g.Region, g.Party}]; in {
			ws = seatCell(s)
		} else if ok && region.Women > 0 && g.Party != seats.Independent {
			ws = "0"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", g.Region, g.Party, g.Seats, ws)
	}
	for _, v := range r.Vacant {
		fmt.Fprintf(tw, "%s\t(no result)\t%d\t-\n", v.Region, v.Seats)
	}
	tw.Flush()

	nm := r.NonMuslim
	if t.NonMuslim > 0 {
		fmt.Fprintf(w, "\nNon-Muslim seats: %d over the %d general seats of eligible parties\n", nm.Seats, nm.Denominator)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "party\tgeneral\tnon-Muslim")
		for _, s := range nm.Shares {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", s.Party, s.Weight, seatCell(s))
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nHouse: %d seats\n", h.Seats)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "party\tgeneral\twomen\tnon-Muslim\ttotal")
	for _, m := range h.Members {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", m.Party, m.General, m.Women, m.NonMuslim, m.Total)
	}
	if h.Independents > 0 {
		fmt.Fprintf(tw, "%s\t%d\t-\t-\t%d\n", seats.Independent, h.Independents, h.Independents)
	}
	for _, x := range []struct {
		label string
		n     int
	}{{"vacant general seats (no result)", h.Vacant}, {"reserved seats pending (short lists)", h.Pending}, {"reserved seats awaiting a lot", h.InLot}, {"reserved seats unallocated (no eligible party)", h.Unallocated}} {
		if x.n > 0 {
			fmt.Fprintf(tw, "%s\t\t\t\t%d\n", x.label, x.n)
		}
	}
	tw.Flush()
	printLine(w, "Simple majority", h.Simple, h.Seats)
	printLine(w, "Two-thirds majority", h.TwoThirds, h.Seats)
	printUnsettled(w, r)
}

// seatCell shows a share's seats, with pending seats and a lot if any.
func seatCell(s seats.Share) string {
	c := fmt.Sprint(s.Filled())
	if s.Pending > 0 {
		c += fmt.Sprintf(" (+%d pending)", s.Pending)
	}
	if s.InLot {
		c += " (+lot)"
	}
	return c
}

func printLine(w io.Writer, name string, l seats.Line, n int) {
	fmt.Fprintf(w, "\n%s: %d of %d\n", name, l.Seats, n)
	if len(l.Coalitions) == 0 {
		fmt.Fprintln(w, "  no coalition of parties reaches it")
	}
	for _, c := range l.Coalitions {
		fmt.Fprintf(w, "  %s (%d)\n", strings.Join(c.Parties, " + "), c.Seats)
	}
	if l.Truncated {
		fmt.Fprintf(w, "  … and more (only the first %d are listed)\n", len(l.Coalitions))
	}
}

// printUnsettled lists lots, pending seats, exclusions and joins not
// counted: everything a reader must know is not settled by the numbers.
func printUnsettled(w io.Writer, r *seats.Result) {
	var lines []string
	for _, res := range append(append([]seats.Reserved(nil), r.Women...), r.NonMuslim) {
		where := "non-Muslim seats"
		if res.Kind == seats.Women {
			where = "women's seats, " + res.Region
		}
		if res.Lot != nil {
			lines = append(lines, fmt.Sprintf("%s: %s", where, res.Lot))
		}
		for _, s := range res.Shares {
			if s.Pending > 0 {
				lines = append(lines, fmt.Sprintf("%s: %d of %s's %d seats pending: its list is too short; they are not given to another party", where, s.Pending, s.Party, s.Seats))
			}
		}
		if res.Unallocated > 0 {
			lines = append(lines, fmt.Sprintf("%s: %d seats unallocated: no party has both a general seat here and a list", where, res.Unallocated))
		}
		for _, e := range res.Excluded {
			lines = append(lines, fmt.Sprintf("%s: %s left out: %s", where, e.Party, e.Reason))
		}
	}
	for _, j := range r.Joins {
		if !j.Counted {
			lines = append(lines, fmt.Sprintf("join not counted: %d independent(s) of %s to %s: %s", j.Seats, j.Region, j.Party, j.Reason))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "\nNot settled by the numbers:")
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
}
