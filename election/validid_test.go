package election

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestValidIDPattern holds ValidID equal to the identifier pattern it
// documents, on a table of edge cases and on random strings over an
// alphabet of allowed, forbidden and multi-byte characters.
func TestValidIDPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)
	cases := []string{"", "a", "NA-57", "NA-57/PS-1", ".a", "-a", "/a", "_a", "a b", "a+b", "a\n", "a\x00",
		"é", "aé", strings.Repeat("a", 64), strings.Repeat("a", 65), "Z9._/-", "a:b", "[a]", "`a"}
	for _, s := range cases {
		if got, want := ValidID(s), pattern.MatchString(s); got != want {
			t.Errorf("ValidID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
	alphabet := []rune("aZ09._/-+ :@[`{é\n\x00")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]rune, rng.IntN(70))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		if rng.IntN(2) == 0 {
			s = strings.Map(func(r rune) rune {
				if strings.ContainsRune("aZ09._/-", r) {
					return r
				}
				return 'x'
			}, s)
		}
		if got, want := ValidID(s), pattern.MatchString(s); got != want {
			t.Fatalf("ValidID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
