package web

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
)

// TestReceiptPage checks that a pasted receipt is told apart: a current
// sheet's, a superseded sheet's, and an altered one.
func TestReceiptPage(t *testing.T) {
	ts := newTestSite(t)
	sc := ts.electionNight(t)
	post := func(text string) (int, string) {
		t.Helper()
		resp, err := ts.HTTP.Client().PostForm(ts.HTTP.URL+"/receipt", url.Values{"receipt": {text}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	_, current := ts.get(t, fmt.Sprintf("/api/v1/proofs/%d", sc.SheetIndex["NA-57/PS-1"]))
	code, body := post(current)
	if code != 200 || !strings.Contains(body, `id="receipt-proves"`) || !strings.Contains(body, `href="/station/NA-57/PS-1"`) ||
		!strings.Contains(body, "current sheet") || !strings.Contains(body, "Candidate One") {
		t.Errorf("a current sheet's receipt: %d\n%s", code, body)
	}
	_, old := ts.get(t, fmt.Sprintf("/api/v1/proofs/%d", sc.SheetIndex["NA-57/PS-2"]))
	if _, body := post(old); !strings.Contains(body, "A later sheet of this station replaced it") {
		t.Errorf("a superseded sheet's receipt does not say it was replaced:\n%s", body)
	}
	altered := strings.Replace(old, "index ", "index 1", 1)
	if code, body := post(altered); code != 400 || !strings.Contains(body, `id="receipt-error"`) {
		t.Errorf("an altered receipt: %d\n%s", code, body)
	}
	if code, body := post("hello"); code != 400 || !strings.Contains(body, "this is not a receipt") {
		t.Errorf("not a receipt: %d\n%s", code, body)
	}
}
