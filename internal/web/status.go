package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tallylog/tallylog/internal/ledger"
)

// status is GET /api/v1/status: the server's live state, which (unlike
// the pages) changes between checkpoints and is never cached.
type status struct {
	Origin string `json:"origin"`
	// PublishedSize is the size of the latest published checkpoint;
	// IntegratedSize counts the entries sequenced and durable. They differ
	// for a moment after each batch, and for as long as the witnesses do
	// not cosign.
	PublishedSize  uint64 `json:"published_size"`
	IntegratedSize uint64 `json:"integrated_size"`
	// Applied is how many entries the results on the site reflect.
	Applied   uint64          `json:"applied"`
	Witnesses []witnessStatus `json:"witnesses"`
	// Problem says why publication is stalled, if it is.
	Problem string `json:"problem,omitempty"`
	// Accepting is false while the server refuses submissions; Stopped
	// then says why and what the operator must do (guard.go). A mirror
	// never accepts them and has not stopped.
	Accepting bool   `json:"accepting"`
	Stopped   string `json:"stopped,omitempty"`
}

type witnessStatus struct {
	ID  string `json:"id"`
	Key string `json:"key"`
	URL string `json:"url"`
	// Cosigned is whether its cosignature on the published checkpoint verifies.
	Cosigned bool `json:"cosigned"`
	// Last is the outcome of the log's latest request to it.
	Last *ledger.WitnessReport `json:"last,omitempty"`
}

func (s *Server) routeStatus(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/status", s.handleStatus)
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	cp, published := s.Log.Checkpoint()
	integrated, err := s.Log.IntegratedSize(r.Context())
	if err != nil {
		integrated = published
	}
	applied, _ := s.Applied()
	out := status{Origin: s.Meta.Origin, PublishedSize: published, IntegratedSize: integrated, Applied: applied,
		Witnesses: s.witnessStatuses(cp), Problem: s.publicationProblem(), Stopped: s.Stopped()}
	out.Accepting = out.Stopped == "" && s.mirror == nil // a mirror refuses every submission (405)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// witnessStatuses pairs the policy's witnesses with their cosignatures on
// cp and the log's latest exchange with each.
func (s *Server) witnessStatuses(cp []byte) []witnessStatus {
	out := []witnessStatus{}
	if s.Witnesses == nil {
		return out
	}
	reports := map[string]ledger.WitnessReport{}
	for _, r := range s.Log.WitnessReports() {
		reports[r.URL] = r
	}
	cosigned := s.Witnesses.Cosigned(cp)
	for i, m := range s.Witnesses.Members {
		ws := witnessStatus{ID: m.ID, Key: m.Key.VKey, URL: m.URL, Cosigned: cp != nil && cosigned[i]}
		for u, r := range reports {
			if strings.TrimSuffix(strings.TrimSuffix(u, "/add-checkpoint"), "/") == strings.TrimSuffix(m.URL, "/") {
				ws.Last = &r
			}
		}
		out = append(out, ws)
	}
	return out
}

// publicationProblem explains why the log is not publishing, or returns
// "" when nothing is known to be wrong.
func (s *Server) publicationProblem() string {
	var problems []string
	for _, r := range s.Log.WitnessReports() {
		if !r.OK {
			problems = append(problems, "witness "+r.URL+": "+r.Problem)
		}
	}
	if len(problems) == 0 {
		return ""
	}
	return "checkpoints are published only once the witnesses cosign them; " + strings.Join(problems, "; ")
}
