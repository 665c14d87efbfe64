package record

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/election"
	"golang.org/x/mod/sumdb/note"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// testKey returns a deterministic key for known-answer vectors: the Ed25519
// seed is SHA-256 of the key name.
func testKey(t testing.TB, name string) (note.Signer, note.Verifier, string, string) {
	seed := sha256.Sum256([]byte(name))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v, skey, vkey
}

// TestVectors signs each testdata/vectors/*.json record with the key named
// in the file's name and compares the entry with the .note golden file:
// the known-answer vectors of docs/spec.md.
func TestVectors(t *testing.T) {
	files, _ := filepath.Glob("testdata/vectors/*.json")
	if len(files) < 6 {
		t.Fatalf("want at least 6 vectors, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			js, _ := os.ReadFile(f)
			rec, err := FromJSON(js)
			if err != nil {
				t.Fatal(err)
			}
			s, v, skey, vkey := testKey(t, "po.NA-57.PS-112")
			entry, err := Sign(rec, s)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(f, ".json") + ".note"
			keyFile := filepath.Join(filepath.Dir(f), "KEY")
			if *update {
				os.WriteFile(golden, entry, 0o644)
				os.WriteFile(keyFile, []byte(skey+"\n"+vkey+"\n"), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(entry, want) {
				t.Fatalf("signed entry differs from %s:\n%s\nwant\n%s", golden, entry, want)
			}
			env, err := Open(want)
			if err != nil {
				t.Fatal(err)
			}
			if err := env.Verify(v); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(Encode(env.Record), env.Body) {
				t.Fatal("body not canonical")
			}
		})
	}
}

func sheetBody() string {
	return `tallylog/v1 sheet
election pk-ge2024
log results.example.pk/ge2024
contest NA-57
station NA-57/PS-112
revision 1
registered 1200
cast 812
rejected 12
votes 1 300
votes 2 500
image 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
captured 2024-02-08T18:31:00Z
`
}

func TestParseBodyRefuses(t *testing.T) {
	cases := []struct{ old, new, want string }{
		{"cast 812", "cast 0812", `cast: "0812" is not a count`},
		{"cast 812", "cast -1", `cast: "-1" is not a count`},
		{"cast 812", "cast +1", `cast: "+1" is not a count`},
		{"cast 812", "cast 1000000001", `cast: "1000000001" is not a count`},
		{"cast 812", "cast 99999999999999999999", `is not a count`},
		{"cast 812\n", "", `cast: required here; found "rejected"`},
		{"rejected 12\n", "rejected 12\nrejected 12\n", `captured: required here; found "rejected"`},
		{"votes 2 500\n", "votes 2 500\nvotes 2 1\n", `votes: candidate 2 appears twice`},
		{"captured 2024-02-08T18:31:00Z", "captured 2024-02-08T18:31:00+05:00", `captured: "2024-02-08T18:31:00+05:00" is not a UTC time`},
		{"image 9f86", "image 9F86", `image: "9F86`},
		{"revision 1", "revision 2", `supersedes: revision 1 supersedes nothing`},
		{"tallylog/v1 sheet", "tallylog/v1 shet", `unknown record type "shet"`},
		{"tallylog/v1 sheet", "tallylog/v2 sheet", `line 1: must be "tallylog/v1 <type>"`},
		{"station NA-57/PS-112", "station NA-57/PS-112 ", `line 5: must be 'key value' with single spaces`},
		{"station NA-57/PS-112", "station NA-57/PS\t112", `control character`},
		{"station NA-57/PS-112", "station NA 57", `station: "NA 57" is not an identifier`},
		{"election pk-ge2024", "election ", `line 2`},
		{"captured 2024-02-08T18:31:00Z\n", "captured 2024-02-08T18:31:00Z\nnote hello\n", `note: unexpected field here`},
		{"votes 1 300\nvotes 2 500\n", "", `votes: at least one candidate`},
		// One log: the log line follows the election line, always.
		{"log results.example.pk/ge2024\n", "", `log: required here; found "contest"`},
		{"log results.example.pk/ge2024\n", "log \n", `line 3: must be 'key value'`},
		{"log results.example.pk/ge2024", "log results.example.pk/ge2024 rehearsal", `log: "results.example.pk/ge2024 rehearsal" is not a log origin`},
		{"election pk-ge2024\nlog results.example.pk/ge2024\n", "log results.example.pk/ge2024\nelection pk-ge2024\n", `election: required here; found "log"`},
		// Bidirectional controls, anywhere, even in an identifier's line.
		{"station NA-57/PS-112", "station NA-57/PS-112\u202e", `station: bidirectional control character U+202E`},
		{"log results.example.pk/ge2024", "log results.example.pk/\u2066ge2024", `log: bidirectional control character U+2066`},
		{"contest NA-57", "contest \u200fNA-57", `contest: bidirectional control character U+200F`},
	}
	for _, c := range cases {
		body := strings.Replace(sheetBody(), c.old, c.new, 1)
		_, err := ParseBody([]byte(body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q -> %q: got %v, want %q", c.old, c.new, err, c.want)
		}
	}
	if _, err := ParseBody([]byte(sheetBody())); err != nil {
		t.Fatalf("valid body refused: %v", err)
	}
	if _, err := ParseBody([]byte(strings.TrimSuffix(sheetBody(), "\n"))); err == nil {
		t.Error("body without final newline accepted")
	}
}

func TestOpenRefuses(t *testing.T) {
	s, v, _, _ := testKey(t, "po.NA-57.PS-112")
	_, other, _, _ := testKey(t, "po.NA-57.PS-113")
	rec, err := ParseBody([]byte(sheetBody()))
	if err != nil {
		t.Fatal(err)
	}
	entry, err := Sign(rec, s)
	if err != nil {
		t.Fatal(err)
	}
	env, err := Open(entry)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Verify(other); err == nil {
		t.Error("verified with another station's key")
	}
	tampered := bytes.Replace(entry, []byte("votes 1 300"), []byte("votes 1 900"), 1)
	env2, err := Open(tampered)
	if err != nil {
		t.Fatal(err)
	}
	if err := env2.Verify(v); err != ErrBadSignature {
		t.Errorf("tampered record: got %v, want ErrBadSignature", err)
	}
	for name, bad := range map[string][]byte{
		"no signature":   []byte(sheetBody()),
		"two signatures": append(append([]byte{}, entry...), entry[bytes.Index(entry, []byte("\n\n"))+2:]...),
		"oversized":      bytes.Repeat([]byte("a"), MaxEntry+1),
		"bad base64":     bytes.Replace(entry, []byte(" "), []byte(" !"), 1),
	} {
		if _, err := Open(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestFromJSONRefuses(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"type":"sheet","election":"e","log":"l","contest":"c","station":"s","revision":1,"registered":1,"cast":1,"rejected":0,"votes":[{"candidate":"1","votes":-1}],"captured":"2024-02-08T18:31:00Z"}`, `votes: -1 is out of range`},
		{`{"type":"sheet","election":"e","election":"f"}`, `$.election: duplicate key`},
		{`{"type":"sheet","elction":"e"}`, `$.elction: unknown field`},
		{`{"type":"ballot"}`, `$.type: unknown record type "ballot"`},
		{`{"type":"sheet","election":"e","log":"l","contest":"c","station":"s","revision":1,"registered":1,"cast":1,"rejected":0,"votes":[{"candidate":"1","votes":1}],"captured":"yesterday"}`, `captured: "yesterday" is not a UTC time`},
		{`{"type":"declaration","election":"e","log":"l","contest":"c","form":48,"votes":[{"candidate":"1","votes":1}],"rejected":0,"declared":"2024-02-08T18:31:00Z"}`, `form: 48 is not a declaration form`},
		{`{"type":"keys","election":"e","log":"l","grants":[{"role":"king","scope":"*","key":"x"}]}`, `unknown role "king"`},
		{`{"type":"attestation","election":"e","log":"l","contest":"c","station":"s","kind":"countersign","captured":"2024-02-08T18:31:00Z"}`, `sheet: "" is not a SHA-256`},
		{`{"type":"gazette","election":"e","assembly":"NA","notified":"2024-02-16"}`, `log: is required`},
		// Orders: the authority for corrections.
		{`{"type":"order","election":"e","log":"l","contest":"c","kind":"annulment","stations":["s"],"reason":"r","ordered":"2024-02-09T08:30:00Z"}`, `kind: "annulment" is not an order kind`},
		{`{"type":"order","election":"e","log":"l","contest":"c","kind":"recount","stations":[],"reason":"r","ordered":"2024-02-09T08:30:00Z"}`, `station: an order names 1 to 1000 stations, not 0`},
		{`{"type":"order","election":"e","log":"l","contest":"c","kind":"recount","stations":["s","s"],"reason":"r","ordered":"2024-02-09T08:30:00Z"}`, `station: station s is listed twice`},
		{`{"type":"order","election":"e","log":"l","contest":"c","kind":"recount","stations":["s"],"reason":"","ordered":"2024-02-09T08:30:00Z"}`, `reason: is required`},
		{`{"type":"order","election":"e","log":"l","contest":"c","kind":"recount","stations":["s"],"reason":"\u2066x","ordered":"2024-02-09T08:30:00Z"}`, `reason: must be text without control or bidirectional`},
		{`{"type":"sheet","election":"e","log":"l","contest":"c","station":"s","revision":1,"registered":1,"cast":1,"rejected":0,"votes":[{"candidate":"1","votes":1}],"captured":"2024-02-08T18:31:00Z","order":"` + strings.Repeat("ab", 32) + `"}`, `reason: order and reason belong to corrections`},
		{`{"type":"sheet","election":"e","log":"l","contest":"c","station":"s","revision":2,"registered":1,"cast":1,"rejected":0,"votes":[{"candidate":"1","votes":1}],"captured":"2024-02-08T18:31:00Z","supersedes":"` + strings.Repeat("ab", 32) + `","order":"AB","reason":"recount"}`, `order: "AB" is not a SHA-256`},
		{`{"type":"sheet","election":"e","log":"l","contest":"c","station":"s","revision":2,"registered":1,"cast":1,"rejected":0,"votes":[{"candidate":"1","votes":1}],"captured":"2024-02-08T18:31:00Z","supersedes":"` + strings.Repeat("ab", 32) + `","ordered_by":"Returning Officer","reason":"recount"}`, `$.ordered_by: unknown field`},
		{`{"type":"gazette","election":"e","log":"a+b","assembly":"NA","notified":"2024-02-16"}`, `log: "a+b" is not a log origin`},
		{`{"type":"sheet","election":"e","log":"l","contest":"c","station":"s","revision":2,"registered":1,"cast":1,"rejected":0,"votes":[{"candidate":"1","votes":1}],"captured":"2024-02-08T18:31:00Z","supersedes":"` + strings.Repeat("ab", 32) + `","reason":"re\u202ecount"}`, `reason: must be text without control or bidirectional control characters`},
	}
	for _, c := range cases {
		_, err := FromJSON([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.in, err, c.want)
		}
	}
}

func FuzzOpen(f *testing.F) {
	files, _ := filepath.Glob("testdata/vectors/*.note")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
		// The hostile shapes of issue 13: no log line, another log, bidi
		// controls, times far outside any election.
		for _, edit := range [][2]string{
			{"log results.example.pk/ge2024\n", ""},
			{"log results.example.pk/ge2024", "log results.example.pk/rehearsal"},
			{"station NA-57/PS-112", "station NA-57/PS-112\u202e"},
			{"reason ", "reason \u2067"},
			{"captured 2024", "captured 9999"},
			{"captured 2024", "captured 0000"},
		} {
			if bytes.Contains(b, []byte(edit[0])) {
				f.Add(bytes.Replace(b, []byte(edit[0]), []byte(edit[1]), 1))
			}
		}
	}
	f.Fuzz(func(t *testing.T, entry []byte) {
		// The check of canonical form compares lines; it must say what
		// comparing the bytes of the encoding says.
		if i := bytes.Index(entry, []byte("\n\n")); i >= 0 {
			body := entry[:i+1]
			if rec, r, err := parseLines(body); err == nil {
				if canonical(rec, r.lines) != bytes.Equal(Encode(rec), body) {
					t.Fatalf("canonical says %v, comparing bytes says otherwise:\n%s", canonical(rec, r.lines), body)
				}
				r.release()
			}
		}
		env, err := Open(entry)
		if err != nil {
			return
		}
		// Whatever parses is canonical and survives a round trip.
		if !bytes.Equal(Encode(env.Record), env.Body) {
			t.Fatalf("accepted a non-canonical body:\n%s", env.Body)
		}
		if err := env.Record.Check(); err != nil {
			t.Fatalf("accepted a record that fails Check: %v", err)
		}
	})
}

func FuzzFromJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/vectors/*.json")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
		// No log, another log, bidi controls escaped and raw.
		f.Add(bytes.Replace(b, []byte(`"log":"results.example.pk/ge2024",`), nil, 1))
		f.Add(bytes.Replace(b, []byte(`"log":"results.example.pk/ge2024"`), []byte(`"log":"results.example.pk/\u202ege2024"`), 1))
		f.Add(bytes.Replace(b, []byte(`"reason":"`), []byte("\"reason\":\"\u2066"), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := FromJSON(data)
		if err != nil {
			return
		}
		if _, err := ParseBody(Encode(rec)); err != nil {
			t.Fatalf("record accepted from JSON does not parse back: %v\n%s", err, Encode(rec))
		}
	})
}

// BenchmarkOpen parses the known-answer sheet vector: what every verifier
// does for every entry before checking its signature.
func BenchmarkOpen(b *testing.B) {
	entry, err := os.ReadFile("testdata/vectors/01-sheet.note")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(entry); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNotCanonical checks that a body which parses to a valid record but
// is not that record's encoding is refused: the lines a grant splits on
// any white space are the ones that reach the check.
func TestNotCanonical(t *testing.T) {
	entry, err := os.ReadFile("testdata/vectors/07-keys.note")
	if err != nil {
		t.Fatal(err)
	}
	body := entry[:bytes.Index(entry, []byte("\n\n"))+1]
	if _, err := ParseBody(body); err != nil {
		t.Fatalf("the vector does not parse: %v", err)
	}
	for _, edit := range []string{"grant presiding  NA-57/PS-112 ", "grant presiding\u00a0NA-57/PS-112 ", "grant presiding NA-57/PS-112\u2003"} {
		bad := bytes.Replace(body, []byte("grant presiding NA-57/PS-112 "), []byte(edit), 1)
		_, err := ParseBody(bad)
		if err == nil || !strings.Contains(err.Error(), "body: not in canonical form") {
			t.Errorf("%q: got %v, want the body refused as not canonical", edit, err)
		}
	}
}

// TestKeysErrorsNameTheGrant checks that a keys record's error names the
// grant or revocation that breaks the rule, by its index.
func TestKeysErrorsNameTheGrant(t *testing.T) {
	js, err := os.ReadFile("testdata/vectors/07-keys.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ old, new, want string }{
		{`"role":"returning"`, `"role":"mayor"`, `grant[1]: unknown role "mayor"`},
		{`"scope":"NA-57","key":"agent`, `"scope":"*","key":"agent`, `grant[2]: a agent key is granted for one contest, not "*"`},
		{`"scope":"NA-57/PS-112"`, `"scope":"NA 57"`, `grant[0]: "NA 57" is not an identifier`},
		{`+4257be7d+AfZw`, `+4257be7d+AfZ`, `grant[1]: "ro.NA-57+4257be7d+AfZ`},
		{`]}`, `],"revoke":["po.NA-57.PS-112+eb31a5ee+AUTIzg2aCegeul5xlgZdIjt7WE48Nr1eHMuWPuUl8XjC","x y"]}`, `revoke[1]: a verifier key holds no white space`},
	}
	for _, c := range cases {
		bad := strings.Replace(string(js), c.old, c.new, 1)
		if bad == string(js) {
			t.Fatalf("%q is not in the vector", c.old)
		}
		_, err := FromJSON([]byte(bad))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error starting %q", c.new, err, c.want)
		}
	}
}

// FuzzValidTime checks validTime and count against what they stand for:
// time.Parse and Format giving the text back, and strconv's parse and
// format giving it back within the range of a count.
func FuzzValidTime(f *testing.F) {
	for _, s := range []string{"2024-02-08T18:30:00Z", "2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
		"2024-02-08T24:00:00Z", "2024-02-08T18:30:60Z", "2024-02-08T18:30:00.5Z", "2024-02-08t18:30:00z",
		"2024-13-08T18:30:00Z", "2024-00-08T18:30:00Z", "2024-04-31T18:30:00Z", "2024-02-08T8:30:00ZZ",
		"+024-02-08T18:30:00Z", "0", "00", "1000000000", "1000000001", "-0", "+5", "0012", "999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := time.Parse(TimeLayout, s)
		if want := err == nil && tm.Format(TimeLayout) == s; validTime(s) != want {
			t.Fatalf("validTime(%q) = %v, time.Parse and Format say %v", s, !want, want)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		want := err == nil && n >= 0 && n <= election.MaxCount && strconv.FormatInt(n, 10) == s
		if got, ok := count(s); ok != want || ok && got != n {
			t.Fatalf("count(%q) = %d, %v; strconv says %d, %v", s, got, ok, n, want)
		}
	})
}
