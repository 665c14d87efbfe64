package evidence

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// Statement is one finding of a report, in words, with the log indexes of
// the records that prove it.
type Statement struct {
	Severity string   `json:"severity"` // grave, high, medium, low, or "info"
	Text     string   `json:"text"`
	Evidence []uint64 `json:"evidence"`
}

// statements derives the findings about one contest from the replayed pack:
// each declaration against the sheets, then each station's conflicting
// versions, corrections and attestations that differ, then any other flag
// the tally raises. It depends only on the pack's records.
func statements(r *replayed, c tally.ContestResult, stations []tally.StationResult) []Statement {
	names := map[string]string{}
	for _, cand := range c.Candidates {
		names[cand.ID] = cand.Name
	}
	var out []Statement
	var counted []uint64 // current sheets, log indexes
	for _, st := range stations {
		for _, sc := range st.Contests {
			if sc.Contest == c.ID && sc.Current != nil {
				counted = append(counted, r.index(sc.Current.Index))
			}
		}
	}
	for _, d := range c.Declarations {
		out = append(out, declarationStatement(r, d, names, counted, c.Flags))
	}
	if len(c.Missing) > 0 {
		out = append(out, Statement{Severity: "info", Text: fmt.Sprintf("No sheet is logged, as of this checkpoint, for %d of the %d stations: %s.",
			len(c.Missing), c.Stations, strings.Join(c.Missing, ", "))})
	}
	for _, st := range stations {
		for _, sc := range st.Contests {
			if sc.Contest == c.ID {
				out = append(out, stationStatements(r, st.ID, sc, names)...)
			}
		}
	}
	out = append(out, otherFlags(r, c.Flags)...)
	var history []tally.Flag
	r.T.Read(func(v *tally.View) { history = v.Flags(tally.Filter{Contest: c.ID, Resolved: true}) })
	return append(out, resolvedFlags(r, history)...)
}

// resolvedFlags states the flags raised and since resolved, in log order,
// each with the record that resolved it: answered flags stay on record.
func resolvedFlags(r *replayed, flags []tally.Flag) []Statement {
	var out []Statement
	for _, f := range flags {
		if f.Resolved == 0 {
			continue
		}
		ev := []uint64{}
		for _, e := range f.Evidence {
			ev = append(ev, r.index(e.Index))
		}
		by := fmt.Sprintf("the record at index %d", r.index(f.Resolved))
		if f.ResolvedBy != nil {
			by = fmt.Sprintf("the %s at index %d", f.ResolvedBy.Type, r.index(f.ResolvedBy.Index))
		}
		ev = append(ev, r.index(f.Resolved))
		where := f.Contest
		if f.Station != "" {
			where = f.Station
		}
		text := fmt.Sprintf("History: the tally raised a %s %s flag at %s when the record at index %d was logged; %s resolved it",
			f.Severity, f.Kind, where, r.index(f.Raised), by)
		if !strings.Contains(f.Message, "index") {
			text += ". It said: " + f.Message
		}
		out = append(out, Statement{"info", text + ".", ev})
	}
	return out
}

// declarationStatement states what a declaration claims and how it
// compares with the sheets, as the claim of the key that signed it.
func declarationStatement(r *replayed, d tally.DeclarationResult, names map[string]string, counted []uint64, flags []tally.Flag) Statement {
	idx := r.index(d.Index)
	what := fmt.Sprintf("The returning officer's key %s signed a form %d (%s) declaration dated %s, logged at index %d; what it declares",
		d.Signer, d.Form, formName(d.Form), d.Declared, idx)
	switch {
	case !d.Current:
		return Statement{"info", fmt.Sprintf("The returning officer's key %s signed a form %d (%s) declaration dated %s, logged at index %d. It is no longer current: a later declaration of the same form replaces it.",
			d.Signer, d.Form, formName(d.Form), d.Declared, idx), []uint64{idx}}
	case len(d.Disputed) > 0:
		sev := tally.Medium
		for _, f := range flags {
			for _, k := range d.Disputed {
				if f.Kind == k && severityRank(f.Severity) < severityRank(sev) {
					sev = f.Severity
				}
			}
		}
		agree := "agrees with"
		if !d.Matches && !allZero(d.Diff) {
			agree = "differs from (" + describeDiffs(d.Diff, names) + ")"
		}
		basis := "the sum of the logged sheets"
		if d.Form == 49 {
			basis += " plus the postal and re-admitted ballots it itemises"
		}
		return Statement{string(sev), fmt.Sprintf("%s %s %s, but the tally disputes it: %s (stated below).", what, agree, basis, strings.Join(d.Disputed, ", ")),
			append([]uint64{idx}, counted...)}
	case d.Awaiting:
		return Statement{"info", what + " counts stations whose sheets are not logged as of this checkpoint; the sheets logged so far do not contradict it.",
			append([]uint64{idx}, counted...)}
	case d.Matches && d.AsDeclared != nil && !d.AsDeclared.Matches:
		sev := "high"
		text := what + " differed from the logged sheets when it was declared: " + describeDiffs(d.AsDeclared.Diff, names) +
			". Sheets corrected after it (below) now make the sum agree with it: check those corrections."
		if !sameIDs(d.Winners, d.AsDeclared.SheetsWinners) {
			sev = "grave"
			text += fmt.Sprintf(" When it was declared, the sheets made %s the winner; it declares %s.", who(d.AsDeclared.SheetsWinners, names), who(d.Winners, names))
		}
		return Statement{sev, text, append([]uint64{idx}, counted...)}
	case d.Matches:
		return Statement{"info", what + fmt.Sprintf(" agrees with the sum of the %d logged sheets it covers.", len(counted)-len(d.Missing)), append([]uint64{idx}, counted...)}
	case d.AsDeclared != nil && d.AsDeclared.Matches:
		text := what + " matched the logged sheets when it was declared. Sheets corrected since (below) change the sum: " +
			describeDiffs(d.Diff, names) + "; a new declaration is due."
		sev := "medium"
		if !sameIDs(d.Winners, d.SheetsWinners) {
			sev = "high"
			text += fmt.Sprintf(" The corrected sheets make %s the winner.", who(d.SheetsWinners, names))
		}
		return Statement{sev, text, append([]uint64{idx}, counted...)}
	}
	text := what + " differs from the sum of the logged sheets: " + describeDiffs(d.Diff, names) + "."
	sev := "high"
	if !sameIDs(d.Winners, d.SheetsWinners) {
		sev = "grave"
		text += fmt.Sprintf(" It declares %s the winner; the sheets make %s the winner.", who(d.Winners, names), who(d.SheetsWinners, names))
	}
	if len(d.Missing) > 0 {
		text += fmt.Sprintf(" It lists %d stations as missing, which the comparison leaves out.", len(d.Missing))
	}
	return Statement{sev, text, append([]uint64{idx}, counted...)}
}

// describeDiffs names the candidates whose declared count differs.
func describeDiffs(diff []tally.CandidateDiff, names map[string]string) string {
	var diffs []string
	for _, x := range diff {
		if x.Delta != 0 {
			diffs = append(diffs, fmt.Sprintf("candidate %s (%s) declared %s, sheets %s, difference %s",
				x.Candidate, names[x.Candidate], commas(x.Declared), commas(x.Sheets), signed(x.Delta)))
		}
	}
	if len(diffs) == 0 {
		return "only the rejected ballots differ"
	}
	return strings.Join(diffs, "; ")
}

func stationStatements(r *replayed, station string, sc tally.StationContest, names map[string]string) []Statement {
	var out []Statement
	for _, v := range sc.History {
		idx := r.index(v.Index)
		if v.Supersedes != "" {
			out = append(out, correctionStatement(r, station, sc, v))
		}
		if v.Conflicting && sc.Current != nil {
			cur := r.index(sc.Current.Index)
			out = append(out, Statement{"high", fmt.Sprintf("At %s, the sheet logged at index %d (signed by %s) carries other numbers than the sheet the tally counts (index %d), and no correction settles which is right: %s.",
				station, idx, v.Signer, cur, voteDiff(v.Votes, sc.Current.Votes, names, "this sheet", "counted sheet")), []uint64{idx, cur}})
		}
	}
	for _, a := range sc.Attestations {
		idx := r.index(a.Index)
		switch {
		case a.Kind == "countersign" && !a.Agrees:
			out = append(out, Statement{"medium", fmt.Sprintf("At %s, %s countersigned (index %d) a sheet that is not the one the tally counts.", station, a.Signer, idx), []uint64{idx, r.index(a.SheetIndex)}})
		case a.Kind == "copy" && !a.Agrees && sc.Current != nil:
			cur := r.index(sc.Current.Index)
			out = append(out, Statement{"medium", fmt.Sprintf("At %s, the copy of %s (logged at index %d) differs from the officer's sheet (index %d): %s.",
				station, a.Signer, idx, cur, voteDiff(a.Votes, sc.Current.Votes, names, "copy", "sheet")), []uint64{idx, cur}})
		}
	}
	return out
}

// otherFlags states the tally's flags that the statements above do not
// already cover, with their evidence.
func otherFlags(r *replayed, flags []tally.Flag) []Statement {
	covered := map[string]bool{tally.KindDeclarationMismatch: true, tally.KindWinnerChanged: true,
		tally.KindConflictingSheets: true, tally.KindCopyDiffers: true}
	var out []Statement
	for _, f := range flags {
		if covered[f.Kind] || f.Resolved != 0 {
			continue
		}
		var ev []uint64
		for _, e := range f.Evidence {
			ev = append(ev, r.index(e.Index))
		}
		where := f.Contest
		if f.Station != "" {
			where = f.Station
		}
		text := fmt.Sprintf("The tally raises a %s flag at %s", f.Kind, where)
		if !strings.Contains(f.Message, "index") { // messages naming indexes would name replay positions
			text += ": " + f.Message
		}
		out = append(out, Statement{string(f.Severity), text + ".", ev})
	}
	return out
}

func allZero(diff []tally.CandidateDiff) bool {
	for _, x := range diff {
		if x.Delta != 0 {
			return false
		}
	}
	return true
}

func severityRank(s tally.Severity) int {
	for i, x := range []tally.Severity{tally.Grave, tally.High, tally.Medium, tally.Low} {
		if s == x {
			return i
		}
	}
	return 4
}

func findVersion(vs []tally.SheetVersion, hash string) (tally.SheetVersion, bool) {
	for _, v := range vs {
		if v.Hash == hash {
			return v, true
		}
	}
	return tally.SheetVersion{}, false
}

func voteDiff(a, b []record.Count, names map[string]string, an, bn string) string {
	var parts []string
	for i := range min(len(a), len(b)) {
		if a[i].Votes != b[i].Votes {
			parts = append(parts, fmt.Sprintf("candidate %s (%s) %s %s, %s %s", a[i].Candidate, names[a[i].Candidate], an, commas(a[i].Votes), bn, commas(b[i].Votes)))
		}
	}
	if len(parts) == 0 {
		return "the votes agree; other counts differ"
	}
	return strings.Join(parts, "; ")
}

func formName(form int64) string {
	if form == 49 {
		return "final"
	}
	return "provisional"
}

func who(ids []string, names map[string]string) string {
	if len(ids) == 0 {
		return "no one"
	}
	var s []string
	for _, id := range ids {
		s = append(s, fmt.Sprintf("candidate %s (%s)", id, names[id]))
	}
	return strings.Join(s, " and ")
}

func sameIDs(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func signed(n int64) string {
	if n > 0 {
		return "+" + commas(n)
	}
	return commas(n)
}

// commas writes n with thousands separators.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// noClock is the asOf the report judges by: none. The log has no clock,
// and a report must be the same whenever it is recomputed.
var noClock time.Time

// correctionStatement says who signed a correction and on whose order, as
// the pack's records prove it: the signer's key and the entry that granted
// it, and the order record only if the sheet names one (the pack replays
// it through the log's rules, so it exists, is of the contest and station,
// and was signed by a key entitled to order it). A correction without an
// order is stated as the signer's own act, never as ordered.
func correctionStatement(r *replayed, station string, sc tally.StationContest, v tally.SheetVersion) Statement {
	idx := r.index(v.Index)
	ev := []uint64{idx}
	text := fmt.Sprintf("At %s, revision %d of the sheet (logged at index %d) replaces", station, v.Revision, idx)
	if old, ok := findVersion(sc.History, v.Supersedes); ok {
		ev = append(ev, r.index(old.Index))
		text += fmt.Sprintf(" revision %d (index %d)", old.Revision, r.index(old.Index))
	} else {
		text += " an earlier sheet"
	}
	text += fmt.Sprintf(". It is signed by key %s, granted to the %s at entry %d", v.SignerKey, roleName(v.Role, station, sc.Contest), r.index(v.Granted))
	ev = append(ev, r.index(v.Granted))
	sev := "info"
	if o := v.Order; o != nil {
		oi := r.index(o.Index)
		ev = append(ev, oi, r.index(o.Granted))
		text += fmt.Sprintf(", and carries out the %s order logged at index %d, signed by key %s, granted to the %s at entry %d, which gives as its reason: %q",
			o.Kind, oi, o.Key, roleName(o.Role, station, sc.Contest), r.index(o.Granted), o.Reason)
	} else {
		sev = "medium"
		text += ", and names no recount or correction order: the signer made this change on their own"
	}
	return Statement{sev, text + fmt.Sprintf(". The sheet gives as its reason: %q.", v.Reason), ev}
}

// roleName describes a role as granted.
func roleName(role, station, contest string) string {
	switch role {
	case "presiding":
		return "presiding officer of " + station
	case "returning":
		return "returning officer of " + contest
	case "commission":
		return "commission"
	case "tribunal":
		return "tribunal"
	}
	return "holder of no role for " + station
}
