package auditlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/tallylog/tallylog/audit"
	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
)

// SheetSource gives the audit the tally's view of a contest: the sheets and
// the declaration that are current after the entries applied so far. The
// tally implements it.
//
// Check and Apply call it while the caller is applying an entry, so an
// implementation must answer from the state as of the entries before that
// one and must not wait for the Apply in progress (the tally answers from
// its internal state without taking its read lock).
type SheetSource interface {
	// Size returns the number of log entries applied so far.
	Size() uint64
	// CurrentSheets returns the current sheet (docs/tally.md) of every
	// station of the contest that has one, in any order.
	CurrentSheets(contest string) []Sheet
	// CurrentDeclaration returns the contest's current final declaration
	// (form 49) if one is logged, otherwise its current provisional one
	// (form 47), and false if neither is.
	CurrentDeclaration(contest string) (Declaration, bool)
}

// Sheet is a station's current sheet, as the frame needs it.
type Sheet struct {
	Station string
	Index   uint64  // log index of the sheet record
	Cast    int64   // ballots cast: the station's ballots for the contest, b_p
	Votes   []int64 // in ballot order
}

// Declaration is a contest's current declaration, as the frame needs it.
type Declaration struct {
	Index   uint64
	Form    int64   // 47 or 49
	Votes   []int64 // declared totals in ballot order, postal ballots included
	Missing int     // stations a form 47 lists as missing
}

// A Frame is what an audit commitment binds: the declared result and every
// station's reported tally, as of the first LogSize entries of the log.
type Frame struct {
	Text    []byte        // the canonical encoding (see Encode)
	SHA256  string        // hex SHA-256 of Text
	Contest audit.Contest // the frame as the audit mathematics takes it
}

// BuildFrame builds the frame of a contest from the current sheets and
// declaration, as of logSize entries: every sheet and the declaration must
// have been logged before logSize, which makes the frame the same as the
// one the first logSize entries alone give.
//
// The canonical encoding is UTF-8 text, every line ending in "\n":
//
//	tallylog/v1 audit-frame
//	election <election id>
//	contest <contest id>
//	log-size <logSize>
//	candidates <candidate id> <candidate id> …            ballot order
//	declaration <index> <form> <votes> <votes> …          ballot order
//	station <station id> <sheet index> <cast> <votes> …   one per station
//
// with station lines in increasing bytewise order of station ID (the PPEB
// order) and numbers in decimal without leading zeros. Only stations with a
// current sheet appear; declared votes outside them are unauditable and
// come off every margin (audit.Prepare).
//
// The declared winner is the candidate with the most declared votes; a
// declaration with a tie at the top, or a form 47 that lists missing
// stations, cannot be audited.
func BuildFrame(electionID string, c *election.Contest, logSize uint64, sheets SheetSource) (*Frame, error) {
	decl, ok := sheets.CurrentDeclaration(c.ID)
	if !ok {
		return nil, reject("contest", "contest %s has no declaration: the audit checks a declared result, so log the returning officer's Form-47 or Form-49 first", c.ID)
	}
	if decl.Missing > 0 {
		return nil, reject("contest", "the current declaration of contest %s (form 47, index %d) lists %d missing stations: audit a declaration that covers every station", c.ID, decl.Index, decl.Missing)
	}
	if decl.Index >= logSize {
		return nil, reject("log-size", "the current declaration of contest %s was logged at index %d, not before log-size %d: recompute the frame at the current log size", c.ID, decl.Index, logSize)
	}
	winner, err := topCandidate(c, decl.Votes)
	if err != nil {
		return nil, err
	}
	list := slices.Clone(sheets.CurrentSheets(c.ID))
	if len(list) == 0 {
		return nil, reject("contest", "contest %s has no station sheets to audit", c.ID)
	}
	slices.SortFunc(list, func(a, b Sheet) int { return strings.Compare(a.Station, b.Station) })

	ac := audit.Contest{ID: c.ID, Winners: []string{winner}, Totals: slices.Clone(decl.Votes)}
	var w bytes.Buffer
	line := func(key string, fields ...string) {
		w.WriteString(key)
		for _, f := range fields {
			w.WriteByte(' ')
			w.WriteString(f)
		}
		w.WriteByte('\n')
	}
	line(record.Version, "audit-frame")
	line("election", electionID)
	line("contest", c.ID)
	line("log-size", strconv.FormatUint(logSize, 10))
	for _, cand := range c.Candidates {
		ac.Candidates = append(ac.Candidates, cand.ID)
	}
	line("candidates", ac.Candidates...)
	line("declaration", append([]string{strconv.FormatUint(decl.Index, 10), strconv.FormatInt(decl.Form, 10)}, itoas(decl.Votes)...)...)
	for _, s := range list {
		if s.Index >= logSize {
			return nil, reject("log-size", "the current sheet of station %s was logged at index %d, not before log-size %d: recompute the frame at the current log size", s.Station, s.Index, logSize)
		}
		line("station", append([]string{s.Station, strconv.FormatUint(s.Index, 10), strconv.FormatInt(s.Cast, 10)}, itoas(s.Votes)...)...)
		ac.Stations = append(ac.Stations, audit.Station{ID: s.Station, Votes: s.Votes, Ballots: s.Cast})
	}
	sum := sha256.Sum256(w.Bytes())
	return &Frame{Text: w.Bytes(), SHA256: hex.EncodeToString(sum[:]), Contest: ac}, nil
}

// topCandidate returns the candidate with the most declared votes.
func topCandidate(c *election.Contest, votes []int64) (string, error) {
	if len(votes) != len(c.Candidates) {
		return "", reject("contest", "the declaration of contest %s has %d counts for %d candidates", c.ID, len(votes), len(c.Candidates))
	}
	best, tied := 0, false
	for i, v := range votes[1:] {
		switch {
		case v > votes[best]:
			best, tied = i+1, false
		case v == votes[best]:
			tied = true
		}
	}
	if tied {
		return "", reject("contest", "the declaration of contest %s has a tie for first place (%d votes): the winner is drawn by lot, there is no outcome to audit", c.ID, votes[best])
	}
	return c.Candidates[best].ID, nil
}

func itoas(v []int64) []string {
	out := make([]string, len(v))
	for i, n := range v {
		out[i] = strconv.FormatInt(n, 10)
	}
	return out
}
