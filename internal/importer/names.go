package importer

import (
	"regexp"
	"strings"
	"unicode"
)

var contestPattern = regexp.MustCompile(`^(NA|PP|PS|PK|PB)-[1-9][0-9]{0,3}$`)

// validContest reports whether s is a constituency code: NA-57, PP-12, ...
func validContest(s string) bool { return contestPattern.MatchString(s) }

// honorifics are words dropped before names are compared: sources differ in
// whether they write them.
var honorifics = map[string]bool{
	"dr": true, "mr": true, "mrs": true, "ms": true, "syed": true, "syeda": true,
	"sardar": true, "mian": true, "makhdoom": true, "pir": true, "haji": true, "hafiz": true,
	"maulana": true, "moulana": true, "molana": true, "muhammad": true, "mohammad": true, "muhammed": true, "m": true,
	"mohammed": true, "md": true, "chaudhry": true, "chaudry": true, "chaudhary": true, "choudhry": true, "ch": true,
	"malik": true, "khawaja": true, "khwaja": true, "engineer": true, "engr": true, "sayed": true, "sayyed": true,
	"sahibzada": true, "nawabzada": true, "retired": true, "retd": true, "r": true, "advocate": true,
	"major": true, "col": true, "colonel": true, "general": true, "gen": true, "capt": true, "captain": true,
	"prof": true, "professor": true, "mufti": true, "mir": true, "nawab": true, "begum": true,
}

// relation matches the part of a name that names a relative: "S/O Taj Alam
// Khan" (son of), "D/O", "W/O", "son of", "daughter of", "wife of". ECP
// lists add it to tell namesakes apart; other transcriptions drop it.
var relation = regexp.MustCompile(`(?i)(^|[\s,(])((s|d|w)\s*/\s*o|(son|daughter|wife)\s+of)([\s.:]|$).*$`)

// withoutRelation drops the relative's name from a candidate's name.
func withoutRelation(name string) string {
	if loc := relation.FindStringIndex(name); loc != nil && loc[0] > 0 {
		return strings.TrimSpace(name[:loc[0]])
	}
	return name
}

// nameKey reduces a candidate's name to the words that identify it: lower
// case letters and digits only, honorifics dropped, "ur"/"ul"/"ud" joined
// to the word they precede ("Asad Ur Rehman" and "Asad-ur-Rehman" agree).
func nameKey(name string) []string {
	f := strings.FieldsFunc(strings.ToLower(withoutRelation(name)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var out []string
	for i := 0; i < len(f); i++ {
		w := f[i]
		if (w == "ur" || w == "ul" || w == "ud" || w == "un") && i+1 < len(f) {
			w += f[i+1]
			i++
		}
		if honorifics[w] {
			continue
		}
		out = append(out, w)
	}
	if len(out) == 0 { // a name made only of honorifics keeps them
		return f
	}
	return out
}

// skeleton reduces a word to its consonants, doubled letters collapsed:
// transliterations of Urdu names differ mostly in vowels and in h, w and y
// ("Sohail"/"Suhail", "Ahmad"/"Ahmed", "Ameer"/"Amir" agree).
func skeleton(w string) string {
	var b []rune
	for _, r := range w {
		if strings.ContainsRune("aeiouhwy", r) {
			continue
		}
		if len(b) > 0 && b[len(b)-1] == r {
			continue
		}
		b = append(b, r)
	}
	return string(b)
}

// nameSkeletons returns the skeletons of a name's key words.
func nameSkeletons(name string) []string {
	var out []string
	for _, w := range nameKey(name) {
		if s := skeleton(w); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// subset reports whether every word of the shorter list is in the longer.
// A candidate's one-word name within the name looked up (candidate "Noor"
// for "Noor Ahmed Adil") is too weak to match on; the other way round
// ("Fareen" for "Said Fareen") is how transcriptions shorten names.
func subset(cand, name []string) bool {
	a, b := cand, name
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 || len(cand) == 1 && len(name) > 1 {
		return false
	}
	in := map[string]bool{}
	for _, w := range b {
		in[w] = true
	}
	for _, w := range a {
		if !in[w] {
			return false
		}
	}
	return true
}

// editDistance is the Levenshtein distance between two strings, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// nameLevels are the ways two spellings may name the same candidate, most
// certain first: equal keys; equal skeletons (words joined, so "Sibghat
// Ullah" and "Sibghatullah" agree); one's key words within the other's; one's
// skeleton words within the other's; joined skeletons within an edit
// distance of a quarter of the shorter one's length, first letters equal.
var nameLevels = []func(a, b string) bool{
	func(a, b string) bool { return strings.Join(nameKey(a), " ") == strings.Join(nameKey(b), " ") },
	func(a, b string) bool {
		return strings.Join(nameSkeletons(a), "") == strings.Join(nameSkeletons(b), "")
	},
	func(a, b string) bool { return subset(nameKey(a), nameKey(b)) },
	func(a, b string) bool { return subset(nameSkeletons(a), nameSkeletons(b)) },
	func(a, b string) bool {
		sa, sb := strings.Join(nameSkeletons(a), ""), strings.Join(nameSkeletons(b), "")
		n := min(len(sa), len(sb))
		return n >= 4 && sa[0] == sb[0] && editDistance(sa, sb) <= n/4
	},
}

// Nearest returns the candidate whose name is nearest the given spelling
// when Match finds none: the smallest edit distance between the joined
// consonant skeletons (see skeleton), ties to the first, candidates in skip
// (matched to another name) passed over. It is -1 only for no candidate. A report lists it beside every non-match, so that a reader
// can judge whether the two name one person.
func Nearest(cands []Candidate, name string, skip map[int]bool) (index, distance int) {
	index, distance = -1, 0
	want := strings.Join(nameSkeletons(name), "")
	for i, c := range cands {
		if skip[i] {
			continue
		}
		d := editDistance(want, strings.Join(nameSkeletons(c.Name), ""))
		if index < 0 || d < distance {
			index, distance = i, d
		}
	}
	return index, distance
}
