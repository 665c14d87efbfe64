package web

import "net/http"

// A server that cannot keep its promises says so, everywhere, and refuses
// what it could not honour:
//
//   - only one process writes an election directory (node.Open takes its
//     lock);
//   - a tally that stopped (the log holds an entry replay refuses) stops
//     the server from acknowledging anything until an operator restarts it
//     after fixing the cause;
//   - a log that cannot be written refuses each submission with 503, and
//     nothing is acknowledged, while the pages and the log stay readable.
//
// The node's Stopped names the reason; /api/v1/status carries it
// (accepting: false, stopped: reason), every page shows it in a banner,
// and submissions are answered 503 with it.

// refuseStopped answers 503 with the reason when the server is stopped,
// and reports whether it did.
func (s *Server) refuseStopped(w http.ResponseWriter) bool {
	why := s.Stopped()
	if why == "" {
		return false
	}
	w.Header().Set("Retry-After", "60")
	writeError(w, &apiErr{Status: http.StatusServiceUnavailable, Field: "server", Rule: "submissions are refused: " + why})
	return true
}
