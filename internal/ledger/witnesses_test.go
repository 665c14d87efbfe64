package ledger

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	f_note "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// endless is a witness answer that never ends; it counts what was read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestWitnessAnswers checks what the log makes of a witness's answers: a
// witness is healthy only when its cosignature verifies with its key, and
// however much it sends, a bounded amount is read.
func TestWitnessAnswers(t *testing.T) {
	logS, logV, _ := note.GenerateKey(rand.Reader, "log.test")
	logSigner, _ := note.NewSigner(logS)
	logVerifier, _ := note.NewVerifier(logV)
	wS, wV, _ := note.GenerateKey(rand.Reader, "witness.test")
	otherS, _, _ := note.GenerateKey(rand.Reader, "witness.test")
	cosigV, err := f_note.NewVerifierForCosignatureV1(wV)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := note.Sign(&note.Note{Text: "log.test\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"}, logSigner)
	if err != nil {
		t.Fatal(err)
	}
	// cosign returns the signature line a witness holding skey answers.
	cosign := func(skey string) []byte {
		s, err := f_note.NewSignerForCosignatureV1(skey)
		if err != nil {
			t.Fatal(err)
		}
		n, err := note.Open(cp, note.VerifierList(logVerifier))
		if err != nil {
			t.Fatal(err)
		}
		signed, err := note.Sign(n, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.SplitAfter(string(signed), "\n") {
			if strings.HasPrefix(line, "— ") && !bytes.Contains(cp, []byte(line)) {
				return []byte(line)
			}
		}
		t.Fatal("no cosignature line")
		return nil
	}
	const url = "http://witness.test/add-checkpoint"
	junk := &endless{}
	cases := []struct {
		name    string
		status  int
		body    io.Reader
		ok      bool
		problem string
	}{
		{"a cosignature that verifies", 200, bytes.NewReader(cosign(wS)), true, ""},
		{"200 with a cosignature by another key", 200, bytes.NewReader(cosign(otherS)), false, "does not verify with its key"},
		{"200 with an empty body", 200, strings.NewReader(""), false, "does not verify"},
		{"200 with endless junk", 200, junk, false, "more than 16384 bytes"},
		{"404: origin unknown", 404, strings.NewReader("unknown log"), false, "does not know this log's origin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &witnessRecorder{keys: map[string]note.Verifier{url: cosigV},
				next: roundTripFunc(func(*http.Request) (*http.Response, error) {
					return &http.Response{StatusCode: tc.status, Status: http.StatusText(tc.status), Header: http.Header{}, Body: io.NopCloser(tc.body)}, nil
				})}
			req, _ := http.NewRequest("POST", url, bytes.NewReader(append([]byte("old 0\n\n"), cp...)))
			resp, err := rec.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			passed, _ := io.ReadAll(resp.Body)
			if len(passed) > maxWitnessResponse {
				t.Errorf("Tessera was handed %d bytes of the answer, more than %d", len(passed), maxWitnessResponse)
			}
			rep := rec.reports[url]
			if rep.OK != tc.ok || !strings.Contains(rep.Problem, tc.problem) {
				t.Errorf("report %+v, want ok %v and a problem saying %q", rep, tc.ok, tc.problem)
			}
			if rep.Size != 3 {
				t.Errorf("report size %d, want 3 (from the checkpoint offered)", rep.Size)
			}
		})
	}
	if junk.n > maxWitnessResponse+1+32<<10 {
		t.Errorf("read %d bytes of an endless answer", junk.n)
	}
}

// TestWitnessRetryStep checks that a witness's "I last cosigned size n",
// which only tells the log where to prove from, does not hide the verdict
// on the proof the log sends next: Tessera asks from its own checkpoint on
// every attempt, so the two answers alternate for as long as a fork lasts.
func TestWitnessRetryStep(t *testing.T) {
	const url = "http://witness.test/add-checkpoint"
	var status int
	rec := &witnessRecorder{next: roundTripFunc(func(*http.Request) (*http.Response, error) {
		h := http.Header{}
		body := ""
		if status == http.StatusConflict {
			h.Set("Content-Type", "text/x.tlog.size")
			body = "10\n"
		}
		return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h, Body: io.NopCloser(strings.NewReader(body))}, nil
	})}
	ask := func(code int, old, size int) WitnessReport {
		status = code
		body := "old " + strconv.Itoa(old) + "\n\nlog.test\n" + strconv.Itoa(size) + "\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		if _, err := rec.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		return rec.reports[url]
	}
	if rep := ask(http.StatusConflict, 13, 14); !strings.Contains(rep.Problem, "last cosigned size 10, not 13") {
		t.Fatalf("first answer: %+v", rep)
	}
	for range 3 {
		if rep := ask(http.StatusUnprocessableEntity, 10, 14); !strings.Contains(rep.Problem, "consistency proof from size 10 does not verify") {
			t.Fatalf("the proof from 10 refused: %+v", rep)
		}
		if rep := ask(http.StatusConflict, 13, 14); !strings.Contains(rep.Problem, "consistency proof from size 10 does not verify") {
			t.Fatalf("the next attempt's first step replaced the verdict: %+v", rep)
		}
	}
	// A larger checkpoint is news: its first step is reported until its verdict.
	if rep := ask(http.StatusConflict, 14, 15); !strings.Contains(rep.Problem, "not 14") || rep.Size != 15 {
		t.Fatalf("a new checkpoint's first step: %+v", rep)
	}
}

// FuzzWitnessAnswer feeds the recorder arbitrary witness answers: it must
// never hand Tessera more than maxWitnessResponse bytes, and never report a
// witness healthy unless the answer holds a cosignature that verifies.
func FuzzWitnessAnswer(f *testing.F) {
	logS, _, _ := note.GenerateKey(rand.Reader, "log.test")
	logSigner, _ := note.NewSigner(logS)
	_, wV, _ := note.GenerateKey(rand.Reader, "witness.test")
	cosigV, err := f_note.NewVerifierForCosignatureV1(wV)
	if err != nil {
		f.Fatal(err)
	}
	cp, _ := note.Sign(&note.Note{Text: "log.test\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"}, logSigner)
	const url = "http://witness.test/add-checkpoint"
	f.Add(200, []byte("— witness.test AAAA\n"), "")
	f.Add(409, []byte("12\n"), "text/x.tlog.size")
	f.Add(200, bytes.Repeat([]byte("x"), 20000), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, ctype string) {
		if status < 100 || status > 999 {
			return
		}
		rec := &witnessRecorder{keys: map[string]note.Verifier{url: cosigV},
			next: roundTripFunc(func(*http.Request) (*http.Response, error) {
				h := http.Header{}
				h.Set("Content-Type", ctype)
				return &http.Response{StatusCode: status, Status: strconv.Itoa(status), Header: h, Body: io.NopCloser(bytes.NewReader(body))}, nil
			})}
		req, _ := http.NewRequest("POST", url, bytes.NewReader(append([]byte("old 0\n\n"), cp...)))
		resp, err := rec.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		passed, _ := io.ReadAll(resp.Body)
		if len(passed) > maxWitnessResponse {
			t.Fatalf("handed on %d bytes", len(passed))
		}
		if rep := rec.reports[url]; rep.OK {
			if _, err := note.Open(append(bytes.Clone(cp), passed...), note.VerifierList(cosigV)); err != nil {
				t.Fatalf("reported healthy without a verifying cosignature: %q", body)
			}
		}
	})
}
