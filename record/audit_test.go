package record

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// auditBodies are the canonical bodies of the audit records, one per type,
// as docs/audit.md shows them.
var auditBodies = map[string]string{
	"audit-commit": `tallylog/v1 audit-commit
election pk-ge2024
log results.example.pk/ge2024
contest NA-57
risk-limit 0.05
log-size 90812
frame-sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
stations 312
seed-commitment 3ca59dff333bb404221450231f60404d807dc28365644c5debbc7e3cab2c5dfd
draws 31
committed 2024-02-20T10:00:00Z
`,
	"audit-reveal": `tallylog/v1 audit-reveal
election pk-ge2024
log results.example.pk/ge2024
contest NA-57
seed 31415926535897932384
revealed 2024-02-20T11:00:00Z
`,
	"audit-count": `tallylog/v1 audit-count
election pk-ge2024
log results.example.pk/ge2024
contest NA-57
station NA-57/PS-112
round 1
votes 1 298
votes 2 501
ballots 811
captured 2024-02-21T15:00:00Z
`,
	"audit-round": `tallylog/v1 audit-round
election pk-ge2024
log results.example.pk/ge2024
contest NA-57
round 1
draws 31
counted 29
risk 0.231377449
decision continue
next-draws 5
ended 2024-02-22T18:00:00Z
`,
}

func TestAuditRecordsRoundTrip(t *testing.T) {
	for typ, body := range auditBodies {
		rec, err := ParseBody([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if rec.Type() != typ || rec.ElectionID() != "pk-ge2024" {
			t.Errorf("%s parsed as %s of %s", typ, rec.Type(), rec.ElectionID())
		}
		if got := string(Encode(rec)); got != body {
			t.Errorf("%s re-encodes as\n%s", typ, got)
		}
		js := toJSON(t, typ, rec)
		back, err := FromJSON(js)
		if err != nil {
			t.Fatalf("%s from JSON %s: %v", typ, js, err)
		}
		if got := string(Encode(back)); got != body {
			t.Errorf("%s from JSON encodes as\n%s", typ, got)
		}
	}
}

func TestAuditRecordsRefused(t *testing.T) {
	for _, c := range []struct{ typ, old, new, want string }{
		{"audit-commit", "risk-limit 0.05", "risk-limit 0.050", "risk-limit: \"0.050\" is not a risk limit"},
		{"audit-commit", "risk-limit 0.05", "risk-limit 5%", "is not a risk limit"},
		{"audit-commit", "risk-limit 0.05", "risk-limit 0.0000000001", "is not a risk limit"},
		{"audit-commit", "risk-limit 0.05", "risk-limit 1", "is not a risk limit"},
		{"audit-commit", "draws 31", "draws 0", "draws: must be at least 1"},
		{"audit-commit", "log-size 90812\n", "", "log-size: required here"},
		{"audit-commit", "seed-commitment 3ca5", "seed-commitment 3CA5", "seed-commitment: \"3CA5"},
		{"audit-reveal", "seed 31415926535897932384", "seed 271828", "seed: 6 bytes is too short"},
		{"audit-reveal", "seed 31415926535897932384", "seed 3141592653  5897932384", "seed: must be text"},
		{"audit-count", "votes 1 298\nvotes 2 501\n", "", "votes: at least one candidate"},
		{"audit-count", "round 1", "round 0", "round: must be at least 1"},
		{"audit-count", "ballots 811\n", "ballots 811\nballots 811\n", "captured: required here"},
		{"audit-round", "risk 0.231377449", "risk 0.23137740", "risk: \"0.23137740\" is not a risk"},
		{"audit-round", "risk 0.231377449", "risk 1.000000001", "is not a risk"},
		{"audit-round", "decision continue", "decision stop", "decision: \"stop\" is not a decision"},
		{"audit-round", "next-draws 5\n", "", "next-draws: a round that continues"},
		{"audit-round", "decision continue", "decision confirmed", "next-draws: only a round that continues"},
		{"audit-round", "next-draws 5", "next-draws 0", "next-draws: a round that continues"},
	} {
		body := strings.Replace(auditBodies[c.typ], c.old, c.new, 1)
		if body == auditBodies[c.typ] {
			t.Fatalf("%s: %q not found", c.typ, c.old)
		}
		_, err := ParseBody([]byte(body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q -> %q: got %v, want %q", c.typ, c.old, c.new, err, c.want)
		}
	}
}

// TestSeedCommitment pins the commitment (docs/audit.md gives the same
// vector) and checks that it is not the sampler's key SHA-256(seed).
func TestSeedCommitment(t *testing.T) {
	got := SeedCommitment("pk-ge2024", "NA-57", "31415926535897932384")
	if want := "3ca59dff333bb404221450231f60404d807dc28365644c5debbc7e3cab2c5dfd"; got != want {
		t.Errorf("SeedCommitment = %s, want %s", got, want)
	}
	if SeedCommitment("pk-ge2024", "PP-12", "31415926535897932384") == got {
		t.Error("the commitment does not depend on the contest")
	}
	if sum := sha256.Sum256([]byte("31415926535897932384")); got == hex.EncodeToString(sum[:]) {
		t.Error("the commitment is SHA-256(seed), the sampler's key: it would publish the draw")
	}
}

func toJSON(t *testing.T, typ string, rec Record) []byte {
	t.Helper()
	js, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(`{"type":"`+typ+`",`), js[1:]...)
}
