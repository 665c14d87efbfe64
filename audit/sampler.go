package audit

// This file is a Go rendering of Ronald L. Rivest's consistent sampler
// (github.com/ron-rivest/consistent_sampler, pkg/consistent_sampler), written
// from its published algorithm. Ticket numbers are decimal strings "0.ddd…",
// compared as strings, exactly as the Python original compares them, so every
// published vector of the original is reproduced digit for digit.

import (
	"container/heap"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// SeedHash returns the 64 lowercase hexadecimal digits of SHA-256 of the
// UTF-8 seed. It is the original's sha256_hex(seed); a Python seed that is not
// a string (such as the integer 314159) is passed here as its str() form.
func SeedHash(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// SHA256Uniform returns SHA-256 of the UTF-8 input as a decimal fraction in
// (0, 1): the digest, read as a big-endian integer, written in decimal and
// left-padded with zeros to at least 64 digits, then reversed (so the
// unbiased low-order digits come first) and prefixed with "0.". The result
// has 64 to 78 digits after the point. This is the original's sha256_uniform.
func SHA256Uniform(input string) string {
	sum := sha256.Sum256([]byte(input))
	var n big.Int
	n.SetBytes(sum[:])
	digits := n.Append(make([]byte, 0, 80), 10)
	out := make([]byte, 0, 2+max(64, len(digits)))
	out = append(out, '0', '.')
	for i := len(digits) - 1; i >= 0; i-- {
		out = append(out, digits[i])
	}
	for i := len(digits); i < 64; i++ { // reversed leading zeros become trailing zeros
		out = append(out, '0')
	}
	return string(out)
}

// FirstFraction returns the generation-1 ticket number of id under seed:
// SHA256Uniform(SeedHash(seed) + id), plain concatenation with no separator.
func FirstFraction(id, seed string) string {
	return SHA256Uniform(SeedHash(seed) + id)
}

// NextFraction returns the next ticket number after x, a pseudorandom
// fraction y with x < y < 1: keep x's leading run of 9s after the point (in x
// with a "0" appended), append the digits of SHA256Uniform(x + ":" + i) for
// i = 1, 2, … and return the first candidate that compares greater, as a
// string, than x + "0". x must be "0." followed by decimal digits.
func NextFraction(x string) (string, error) {
	if err := checkFraction(x); err != nil {
		return "", err
	}
	return nextFraction(x), nil
}

func nextFraction(x string) string {
	x0 := x + "0"
	k := firstNon9(x0)
	for i := 1; ; i++ {
		y := x0[:k] + SHA256Uniform(x + ":" + strconv.Itoa(i))[2:]
		if y > x0 {
			return y
		}
	}
}

// Trim truncates (never rounds) the ticket number x to its leading run of 9s
// after the point plus digits more characters, as the original's trim; the
// sampler's default display precision is 9 digits and Arlo uses 18.
func Trim(x string, digits int) string {
	end := firstNon9(x+"0") + max(digits, 0)
	return x[:min(end, len(x))]
}

// firstNon9 returns the index of the first byte after "0." that is below '9'.
// Callers append a "0", so the index always exists.
func firstNon9(x0 string) int {
	for i := 2; i < len(x0); i++ {
		if x0[i] < '9' {
			return i
		}
	}
	return len(x0)
}

func checkFraction(x string) error {
	if len(x) < 2 || x[:2] != "0." {
		return fmt.Errorf("audit: ticket number %q: must start with \"0.\"", x)
	}
	for i := 2; i < len(x); i++ {
		if x[i] < '0' || x[i] > '9' {
			return fmt.Errorf("audit: ticket number %q: byte %d is not a decimal digit", x, i)
		}
	}
	return nil
}

// A Ticket is one draw of the consistent sampler: the full-precision ticket
// number (use Trim to display it as the original does), the id drawn, and
// its generation (how many times the id has been drawn, this one included).
type Ticket struct {
	Number     string
	ID         string
	Generation int
}

// less orders tickets as the original's Python tuples: by ticket number
// (as strings), then id, then generation.
func (t Ticket) less(u Ticket) bool {
	if t.Number != u.Number {
		return t.Number < u.Number
	}
	if t.ID != u.ID {
		return t.ID < u.ID
	}
	return t.Generation < u.Generation
}

// A Sampler yields ids in increasing ticket order, as the original's
// sampler generator does. It is deterministic: the same ids and seed give
// the same stream on every machine.
type Sampler struct {
	tickets         ticketHeap
	withReplacement bool
}

// NewSampler prepares the consistent sampler over ids (distinct, valid
// UTF-8; the order given does not matter) with the given seed. With
// replacement, a drawn id is given its next ticket and stays in the draw, so
// the stream never ends.
func NewSampler(ids []string, seed string, withReplacement bool) (*Sampler, error) {
	seedHash := SeedHash(seed)
	s := &Sampler{tickets: make(ticketHeap, 0, len(ids)), withReplacement: withReplacement}
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		if !utf8.ValidString(id) {
			return nil, &InputError{Field: fmt.Sprintf("ids[%d]", i), Rule: "must be valid UTF-8", Hint: "encode ids as UTF-8 text", Kind: ErrInvalidInput}
		}
		if j, dup := seen[id]; dup {
			return nil, &InputError{Field: fmt.Sprintf("ids[%d]", i), Rule: fmt.Sprintf("id %q repeats ids[%d]; ids must be distinct", id, j), Hint: "remove the duplicate or give each object its own name", Kind: ErrInvalidInput}
		}
		seen[id] = i
		s.tickets = append(s.tickets, Ticket{Number: SHA256Uniform(seedHash + id), ID: id, Generation: 1})
	}
	heap.Init(&s.tickets)
	return s, nil
}

// Next returns the ticket with the smallest number, and false once a
// sampler without replacement has drawn every id.
func (s *Sampler) Next() (Ticket, bool) {
	if len(s.tickets) == 0 {
		return Ticket{}, false
	}
	t := s.tickets[0]
	if s.withReplacement {
		s.tickets[0] = Ticket{Number: nextFraction(t.Number), ID: t.ID, Generation: t.Generation + 1}
		heap.Fix(&s.tickets, 0)
	} else {
		heap.Pop(&s.tickets)
	}
	return t, true
}

// Sample returns the draws numbered drop+1 … drop+take of the consistent
// sampler, as the original's sampler(ids, seed, with_replacement, drop,
// take) with output='ticket' and full-precision ticket numbers.
func Sample(ids []string, seed string, withReplacement bool, drop, take int) ([]Ticket, error) {
	s, err := NewSampler(ids, seed, withReplacement)
	if err != nil {
		return nil, err
	}
	var out []Ticket
	for count := 1; count <= drop+take; count++ {
		t, ok := s.Next()
		if !ok {
			break
		}
		if count > drop {
			out = append(out, t)
		}
	}
	return out, nil
}

type ticketHeap []Ticket

func (h ticketHeap) Len() int           { return len(h) }
func (h ticketHeap) Less(i, j int) bool { return h[i].less(h[j]) }
func (h ticketHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *ticketHeap) Push(x any)        { *h = append(*h, x.(Ticket)) }
func (h *ticketHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
