package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/tally"
	"golang.org/x/mod/sumdb/note"
)

// The receipt checker: a presiding officer (or anyone holding a receipt
// the submission API returned) pastes or uploads it and is told, in
// words, what it proves. The receipt is checked with this log's key,
// exactly as tallylog verify-receipt does offline; nothing is stored.
//
//	GET  /receipt   the form
//	POST /receipt   the answer
func (x *site) routeReceipt(mux *http.ServeMux) {
	for _, prefix := range []string{"", "/ur"} {
		mux.HandleFunc("GET "+prefix+"/receipt", x.receiptPage)
		mux.HandleFunc("POST "+prefix+"/receipt", x.receiptPage)
	}
}

// maxReceipt bounds a pasted or uploaded receipt: a receipt holds one
// entry (at most 64 KiB as base64) and a few dozen hashes.
const maxReceipt = 256 << 10

// receiptAnswer is what a checked receipt proves.
type receiptAnswer struct {
	Error  string
	Index  uint64
	Size   uint64 // the checkpoint's tree size
	Origin string
	E      entrySummary
	// Cosigners name the witnesses whose cosignatures verified.
	Cosigners []string
	// Current is set when the receipt's entry is the station's current
	// sheet (for sheets); Superseded when a later sheet replaced it.
	Current, Superseded bool
}

func (x *site) receiptPage(w http.ResponseWriter, r *http.Request) {
	var (
		text string
		ans  *receiptAnswer
	)
	if r.Method == http.MethodPost {
		text, ans = x.readReceipt(w, r)
	}
	var common pageCommon
	x.read(func(v *tally.View) {
		common = x.common(r, v, "Check a receipt")
		if ans != nil && ans.Error == "" && ans.E.Station != "" {
			if sr, ok := v.Station(ans.E.Station); ok {
				for _, sc := range sr.Contests {
					if sc.Contest == ans.E.Contest && sc.Current != nil {
						ans.Current = sc.Current.Index == ans.Index
						ans.Superseded = !ans.Current
					}
				}
			}
		}
	})
	status := http.StatusOK
	if ans != nil && ans.Error != "" {
		status = http.StatusBadRequest
	}
	resp := htmlResponse(status, "receipt", struct {
		pageCommon
		Text string
		A    *receiptAnswer
	}{common, text, ans})
	w.Header().Set("Content-Type", resp.ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// readReceipt reads the pasted text or the uploaded file and checks it.
func (x *site) readReceipt(w http.ResponseWriter, r *http.Request) (string, *receiptAnswer) {
	r.Body = http.MaxBytesReader(w, r.Body, maxReceipt+16<<10)
	if err := r.ParseMultipartForm(maxReceipt); err != nil && err != http.ErrNotMultipart {
		return "", &receiptAnswer{Error: "the form could not be read (a receipt is at most 256 KiB): " + err.Error()}
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	text := r.FormValue("receipt")
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxReceipt+1))
		if err != nil || len(b) > maxReceipt {
			return "", &receiptAnswer{Error: "the file could not be read, or is larger than a receipt can be (256 KiB)"}
		}
		text = string(b)
	}
	text = strings.ReplaceAll(strings.TrimLeft(text, " \t\r\n"), "\r\n", "\n")
	if text == "" {
		return "", &receiptAnswer{Error: "paste the receipt's text, or choose the receipt file"}
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text, x.checkReceipt([]byte(text))
}

// checkReceipt verifies a receipt with the log's key (and the witnesses'
// keys the server requires) and reads its entry.
func (x *site) checkReceipt(data []byte) *receiptAnswer {
	rc, err := receipt.Parse(data)
	if err != nil {
		return &receiptAnswer{Error: "this is not a receipt: " + err.Error() + ". A receipt starts with the line c2sp.org/tlog-proof@v1; paste it whole."}
	}
	var wits []note.Verifier
	if x.s.Witnesses != nil {
		for _, m := range x.s.Witnesses.Members {
			wits = append(wits, m.Key.Verifier)
		}
	}
	v, err := rc.Verify(x.s.LogVerifier, wits...)
	if err != nil {
		return &receiptAnswer{Error: "the receipt does not verify with this log's key: " + err.Error() + ". It was not issued by this log, or it was altered."}
	}
	var d *election.Definition
	x.read(func(tv *tally.View) { d = tv.Definition() })
	return &receiptAnswer{Index: v.Index, Size: v.TreeSize, Origin: v.Origin, E: summarizeEntry(d, v.Entry), Cosigners: v.Cosigners}
}
