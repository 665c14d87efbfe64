package record

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tallylog/tallylog/election"
)

// Version is the first word of every record body.
const Version = "tallylog/v1"

// TimeLayout is the one accepted form of a timestamp: UTC, whole seconds.
const TimeLayout = "2006-01-02T15:04:05Z"

// DateLayout is the one accepted form of a date.
const DateLayout = "2006-01-02"

// FieldError is a rule broken by a record field.
type FieldError struct {
	Field string // the field's key, or the line number for structural errors
	Rule  string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Rule }

func fieldErr(field, format string, args ...any) error {
	return fieldError(field, format, args...)
}

// fieldError is fieldErr as a *FieldError, whose Field the caller may set.
func fieldError(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// writer builds a canonical body, or, when checking, compares the lines
// it would write with a parsed body's lines instead, building nothing (see
// canonical).
type writer struct {
	b        bytes.Buffer
	checking bool   // compare with lines instead of writing to b
	lines    []line // when checking: the body's lines not compared yet
	differs  bool   // when checking: a line differed
}

// next returns the body's next line to compare with, or false when the
// body has no more lines or a line differed.
func (w *writer) next() (line, bool) {
	if w.differs || len(w.lines) == 0 {
		w.differs = true
		return line{}, false
	}
	l := w.lines[0]
	w.lines = w.lines[1:]
	return l, true
}

func (w *writer) line(key, value string) {
	if !w.checking {
		w.b.WriteString(key)
		w.b.WriteByte(' ')
		w.b.WriteString(value)
		w.b.WriteByte('\n')
		return
	}
	if l, ok := w.next(); !ok || l.key != key || l.value != value {
		w.differs = true
	}
}

func (w *writer) int(key string, n int64) {
	var buf [20]byte
	w.line(key, string(strconv.AppendInt(buf[:0], n, 10)))
}

// counts writes a "key candidate votes" line for each count.
func (w *writer) counts(key string, cs []Count) {
	var buf [20]byte
	for _, c := range cs {
		votes := strconv.AppendInt(buf[:0], c.Votes, 10)
		if !w.checking {
			w.b.WriteString(key)
			w.b.WriteByte(' ')
			w.b.WriteString(c.Candidate)
			w.b.WriteByte(' ')
			w.b.Write(votes)
			w.b.WriteByte('\n')
			continue
		}
		l, ok := w.next()
		cand, n, found := strings.Cut(l.value, " ")
		if !ok || l.key != key || !found || cand != c.Candidate || n != string(votes) {
			w.differs = true
		}
	}
}

func (w *writer) opt(key, value string) {
	if value != "" {
		w.line(key, value)
	}
}

// reader consumes a body's lines in order. The first error sticks; later
// calls return zero values.
type reader struct {
	lines []line
	pos   int
	err   error
}

type line struct{ key, value string }

// readers holds readers for reuse: every entry a verifier reads is parsed
// with one, and its lines are most of what parsing allocates.
var readers = sync.Pool{New: func() any { return new(reader) }}

// release returns r to readers; r must not be used after.
func (r *reader) release() {
	clear(r.lines) // hold on to no body
	r.lines, r.pos, r.err = r.lines[:0], 0, nil
	readers.Put(r)
}

// newReader splits a body into lines and checks the type line.
func newReader(body []byte) (*reader, string, error) {
	if !utf8.Valid(body) {
		return nil, "", fieldErr("body", "invalid UTF-8")
	}
	if len(body) == 0 || body[len(body)-1] != '\n' {
		return nil, "", fieldErr("body", "must end with a newline")
	}
	text := string(body[:len(body)-1])
	r := readers.Get().(*reader)
	if err := r.split(text); err != nil {
		r.release()
		return nil, "", err
	}
	r.pos = 1
	return r, r.lines[0].value, nil
}

// split splits text into r.lines and checks the type line.
func (r *reader) split(text string) error {
	for i := 0; ; i++ {
		l, rest, more := strings.Cut(text, "\n")
		for j := 0; j < len(l); j++ {
			if b := l[j]; b >= 0x20 && b < 0x7f {
				continue // printable ASCII: neither a control nor a bidirectional character
			}
			for _, c := range l[j:] {
				if unicode.IsControl(c) {
					return fieldErr(fmt.Sprintf("line %d", i+1), "control character %U is not allowed", c)
				}
				if election.Bidi(c) {
					return fieldErr(lineKey(l, i), "bidirectional control character %U is not allowed: it makes text display in another order than it reads; remove it", c)
				}
			}
			break
		}
		k, v, ok := strings.Cut(l, " ")
		if !ok || k == "" || v == "" || strings.HasSuffix(v, " ") || strings.HasPrefix(v, " ") {
			return fieldErr(fmt.Sprintf("line %d", i+1), "must be 'key value' with single spaces and no trailing space")
		}
		r.lines = append(r.lines, line{k, v})
		if !more {
			break
		}
		text = rest
	}
	if r.lines[0].key != Version {
		return fieldErr("line 1", "must be %q followed by the record type", Version+" <type>")
	}
	return nil
}

// lineKey names a line for an error: its key if it has one.
func lineKey(l string, i int) string {
	if k, _, ok := strings.Cut(l, " "); ok && k != "" && election.ValidID(k) {
		return k
	}
	return fmt.Sprintf("line %d", i+1)
}

func (r *reader) fail(field, format string, args ...any) {
	if r.err == nil {
		r.err = fieldErr(field, format, args...)
	}
}

// peek reports whether the next line has the key.
func (r *reader) peek(key string) bool {
	return r.err == nil && r.pos < len(r.lines) && r.lines[r.pos].key == key
}

// str reads a required field.
func (r *reader) str(key string) string {
	if r.err != nil {
		return ""
	}
	if !r.peek(key) {
		if r.pos < len(r.lines) {
			r.fail(key, "required here; found %q instead (fields must appear in the order of docs/spec.md)", r.lines[r.pos].key)
		} else {
			r.fail(key, "required field is missing")
		}
		return ""
	}
	v := r.lines[r.pos].value
	r.pos++
	return v
}

// opt reads an optional field.
func (r *reader) opt(key string) string {
	if !r.peek(key) {
		return ""
	}
	return r.str(key)
}

func (r *reader) int(key string) int64 {
	v := r.str(key)
	if r.err != nil {
		return 0
	}
	return r.parseCount(key, v)
}

func (r *reader) parseCount(key, v string) int64 {
	n, ok := count(v)
	if !ok {
		r.fail(key, "%q is not a count: a decimal whole number from 0 to %d without sign or leading zeros", v, election.MaxCount)
		return 0
	}
	return n
}

// count reads a count in its one form: decimal digits without sign or
// leading zeros, from 0 to election.MaxCount (what strconv.FormatInt
// writes for such a number).
func count(v string) (int64, bool) {
	if v == "" || len(v) > 10 || v[0] == '0' && len(v) > 1 { // MaxCount has 10 digits
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(v[i]-'0')
	}
	return n, n <= election.MaxCount
}

// run returns how many lines from the next one have the key.
func (r *reader) run(key string) int {
	n := 0
	for r.pos+n < len(r.lines) && r.lines[r.pos+n].key == key {
		n++
	}
	return n
}

// counts reads a run of "key candidate votes" lines.
func (r *reader) counts(key string) []Count {
	var cs []Count
	if n := r.run(key); n > 0 && r.err == nil {
		cs = make([]Count, 0, n)
	}
	for r.peek(key) {
		v := r.str(key)
		cand, n, ok := strings.Cut(v, " ")
		if !ok {
			r.fail(key, "must be '%s <candidate> <votes>'", key)
			return nil
		}
		cs = append(cs, Count{Candidate: cand, Votes: r.parseCount(key, n)})
	}
	return cs
}

// list reads a run of lines with the same key.
func (r *reader) list(key string) []string {
	var vs []string
	if n := r.run(key); n > 0 && r.err == nil {
		vs = make([]string, 0, n)
	}
	for r.peek(key) {
		vs = append(vs, r.str(key))
	}
	return vs
}

// end checks that no lines are left.
func (r *reader) end() error {
	if r.err == nil && r.pos < len(r.lines) {
		r.fail(r.lines[r.pos].key, "unexpected field here: unknown, duplicated or out of order")
	}
	return r.err
}

// Field checks shared by several record types.

func checkID(field, s string) error {
	if !election.ValidID(s) {
		return fieldErr(field, "%q is not an identifier", s)
	}
	return nil
}

func checkText(field, s string, required bool) error {
	if required && s == "" {
		return fieldErr(field, "is required")
	}
	if !election.ValidText(s) || strings.TrimSpace(s) != s || strings.Contains(s, "  ") {
		return fieldErr(field, "must be text without control or bidirectional control characters, leading, trailing or double spaces, at most 200 bytes")
	}
	return nil
}

func checkTime(field, s string) error {
	if !validTime(s) {
		return fieldErr(field, "%q is not a UTC time of the form 2024-02-08T18:30:00Z", s)
	}
	return nil
}

// validTime reports whether s is a time in TimeLayout exactly as
// time.Format writes it: a real date of the years 0000 to 9999 and a time
// of day from 00:00:00 to 23:59:59 (what time.Parse accepts and Format
// gives back unchanged; FuzzValidTime compares the two). Every record
// carries one, and time.Parse is most of what checking it costs.
func validTime(s string) bool {
	if len(s) != len(TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, second := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return day <= days
}

func checkDate(field, s string) error {
	t, err := time.Parse(DateLayout, s)
	var buf [len(DateLayout) + 16]byte
	if err != nil || string(t.AppendFormat(buf[:0], DateLayout)) != s {
		return fieldErr(field, "%q is not a date of the form 2024-02-08", s)
	}
	return nil
}

// checkHash checks a lower-case hex SHA-256.
func checkHash(field, s string, required bool) error {
	if s == "" && !required {
		return nil
	}
	ok := len(s) == 64
	for i := 0; ok && i < len(s); i++ {
		ok = '0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f'
	}
	if !ok {
		return fieldErr(field, "%q is not a SHA-256 in 64 lower-case hex digits", s)
	}
	return nil
}

// checkStations checks a list of station identifiers, each listed once.
func checkStations(field string, stations []string) error {
	seen := map[string]bool{}
	for _, s := range stations {
		if err := checkID(field, s); err != nil {
			return err
		}
		if seen[s] {
			return fieldErr(field, "station %s is listed twice", s)
		}
		seen[s] = true
	}
	return nil
}

func checkCount(field string, n int64) error {
	if n < 0 || n > election.MaxCount {
		return fieldErr(field, "%d is out of range 0 to %d", n, election.MaxCount)
	}
	return nil
}

func checkCounts(field string, cs []Count, required bool) error {
	if required && len(cs) == 0 {
		return fieldErr(field, "at least one candidate's count is required")
	}
	var seen map[string]bool // for long lists; short ones are searched
	if len(cs) > 32 {
		seen = make(map[string]bool, len(cs))
	}
	for i, c := range cs {
		if err := checkID(field, c.Candidate); err != nil {
			return err
		}
		if seen != nil && seen[c.Candidate] || seen == nil && slices.ContainsFunc(cs[:i], func(d Count) bool { return d.Candidate == c.Candidate }) {
			return fieldErr(field, "candidate %s appears twice", c.Candidate)
		}
		if seen != nil {
			seen[c.Candidate] = true
		}
		if err := checkCount(field, c.Votes); err != nil {
			return err
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkLog checks a record's log line: the origin of a log, a key name such
// as results.example.pk/ge2024 (no spaces, no '+', at most 128 bytes).
// Which log it must name is the registry's rule.
func checkLog(s string) error {
	if s == "" {
		return fieldErr("log", "is required: the origin of the log the record is for, such as results.example.pk/ge2024")
	}
	if err := checkText("log", s, true); err != nil || len(s) > 128 || strings.ContainsAny(s, " +") {
		return fieldErr("log", "%q is not a log origin: a key name such as results.example.pk/ge2024, no spaces, no '+', at most 128 bytes", s)
	}
	return nil
}
