package registry

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tallylog/tallylog/record"
)

// TestSplitPartsEveryCut puts a space, a multi-byte letter and a name with
// spaces at every position around each cut, and checks that every part is
// one a definition record accepts and that the parts rejoin to the input.
func TestSplitPartsEveryCut(t *testing.T) {
	pieces := []string{`"name":"Ali Khan"`, ` `, `ایم این اے`, `,`, `"x"`, `Ø`, `"Rawalpindi Cantt"`, `{`, `}`}
	rng := rand.New(rand.NewPCG(1, 2))
	for shift := range 40 {
		var b strings.Builder
		b.WriteString("{")
		b.WriteString(strings.Repeat("a", record.MaxPartData-20+shift))
		for b.Len() < 3*record.MaxPartData {
			p := pieces[rng.IntN(len(pieces))]
			if p == " " && strings.HasSuffix(b.String(), " ") {
				continue
			}
			b.WriteString(p)
		}
		b.WriteString("}")
		s := b.String()
		parts := splitParts(s)
		if strings.Join(parts, "") != s {
			t.Fatalf("shift %d: parts do not rejoin to the input", shift)
		}
		for i, p := range parts {
			r := &record.DefinitionPart{Election: "pk-test", Log: "results.example.pk/test", Part: int64(i + 1), Data: p}
			if err := r.Check(); err != nil {
				t.Fatalf("shift %d part %d: %v", shift, i+1, err)
			}
			if !utf8.ValidString(p) {
				t.Fatalf("shift %d part %d: cut inside a character", shift, i+1)
			}
			if _, err := record.ParseBody(record.Encode(r)); err != nil {
				t.Fatalf("shift %d part %d does not read back: %v", shift, i+1, err)
			}
		}
	}
}
