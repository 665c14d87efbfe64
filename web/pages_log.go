package web

import (
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/tallylog/tallylog/ledger"
	"github.com/tallylog/tallylog/tally"
	"golang.org/x/mod/sumdb/note"
)

// logData is the log page and GET /api/v1/log.
type logData struct {
	Origin     string `json:"origin"`
	LogKey     string `json:"log_key"`
	Size       uint64 `json:"size"`
	Root       string `json:"root"` // base64, as in the checkpoint
	Checkpoint string `json:"checkpoint"`
	// Signatures lists the checkpoint's signatures: the log's, verified,
	// then witnesses' cosignatures (verify them with the witnesses' keys).
	Signatures []signature `json:"signatures"`
	Witnessed  bool        `json:"witnessed"`
}

type signature struct {
	Name  string `json:"name"`
	KeyID string `json:"key_id"` // hex
	Log   bool   `json:"log"`    // the log's own, verified here
}

// logOf reads the published checkpoint and sorts its signatures.
func (x *site) logOf() (logData, error) {
	out := logData{Origin: x.s.Meta.Origin, LogKey: x.s.Meta.LogKey, Signatures: []signature{}}
	cp, _ := x.s.Log.Checkpoint()
	if cp == nil {
		return out, nil
	}
	size, root, err := ledger.ParseCheckpoint(cp, x.s.LogVerifier)
	if err != nil {
		return out, fmt.Errorf("the published checkpoint does not verify with the log key: %v", err)
	}
	n, err := note.Open(cp, note.VerifierList(x.s.LogVerifier))
	if err != nil {
		return out, fmt.Errorf("the published checkpoint does not open: %v", err)
	}
	out.Size, out.Root, out.Checkpoint = size, base64.StdEncoding.EncodeToString(root), string(cp)
	for _, s := range n.Sigs {
		out.Signatures = append(out.Signatures, signature{Name: s.Name, KeyID: fmt.Sprintf("%08x", s.Hash), Log: true})
	}
	for _, s := range n.UnverifiedSigs {
		out.Signatures = append(out.Signatures, signature{Name: s.Name, KeyID: fmt.Sprintf("%08x", s.Hash)})
		out.Witnessed = true
	}
	return out, nil
}

// siteURL is the URL the request reached this site by, for commands the
// reader copies.
func siteURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/"
}

// logPage serves /log.
func (x *site) logPage(r *http.Request) (*response, state) {
	var common pageCommon
	st := x.read(func(v *tally.View) { common = x.common(v, "The log") })
	data, err := x.logOf()
	if err != nil {
		return textResponse(http.StatusInternalServerError, err.Error()+"; report this to the site's operator"), st
	}
	return htmlResponse(http.StatusOK, "log", struct {
		pageCommon
		L   logData
		URL string
	}{common, data, siteURL(r)}), st
}
