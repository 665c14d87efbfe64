package web

import (
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/tlogtiles"
	"golang.org/x/mod/sumdb/note"
)

// logOf reads the published checkpoint and sorts its signatures.
func (x *site) logOf() (logData, error) {
	out := logData{Origin: x.s.Meta.Origin, LogKey: x.s.Meta.LogKey, Signatures: []signature{}, Policy: []policyWitness{}}
	cp, _ := x.s.Log.Checkpoint()
	if cp == nil {
		return out, nil
	}
	opened, err := tlogtiles.OpenCheckpoint(cp, x.s.LogVerifier)
	if err != nil {
		return out, fmt.Errorf("the published checkpoint does not verify with the log key: %v", err)
	}
	n, err := note.Open(cp, note.VerifierList(x.s.LogVerifier))
	if err != nil {
		return out, fmt.Errorf("the published checkpoint does not open: %v", err)
	}
	out.Size, out.Root, out.Checkpoint = opened.Size, base64.StdEncoding.EncodeToString(opened.Root[:]), string(cp)
	for _, s := range n.Sigs {
		out.Signatures = append(out.Signatures, signature{Name: s.Name, KeyID: fmt.Sprintf("%08x", s.Hash), Log: true})
	}
	ws := x.s.Witnesses
	var cosigned []bool
	if ws != nil {
		cosigned = ws.Cosigned(cp)
		out.Satisfied = ws.Satisfied(cp)
		for i, m := range ws.Members {
			out.Policy = append(out.Policy, policyWitness{ID: m.ID, Key: m.Key.VKey, Cosigned: cosigned[i]})
		}
	}
	for _, s := range n.UnverifiedSigs {
		sig := signature{Name: s.Name, KeyID: fmt.Sprintf("%08x", s.Hash)}
		if ws != nil {
			for i, m := range ws.Members {
				if cosigned[i] && m.Key.Name == s.Name && m.Key.Verifier.KeyHash() == s.Hash {
					sig.Witness = m.ID
				}
			}
		}
		out.Signatures = append(out.Signatures, sig)
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
	st := x.read(func(v *tally.View) { common = x.common(r, v, "The log") })
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
