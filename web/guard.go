package web

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/tallylog/tallylog/datadir"
)

// A server that cannot keep its promises says so, everywhere, and refuses
// what it could not honour:
//
//   - only one process writes an election directory (takeDir);
//   - a tally that stopped (the log holds an entry replay refuses) stops
//     the server from acknowledging anything until an operator restarts it
//     after fixing the cause;
//   - a log that cannot be written refuses each submission with 503, and
//     nothing is acknowledged, while the pages and the log stay readable.
//
// Stopped names the reason; /api/v1/status carries it (accepting: false,
// stopped: reason), every page shows it in a banner, and submissions are
// answered 503 with it.

// takeDir takes the directory's exclusive lock, checks that the server can
// write what it must, and removes the temporary files a killed process
// left behind.
func takeDir(dir datadir.Dir, logger *slog.Logger) (*datadir.Lock, error) {
	lock, err := dir.Lock("serve")
	if err != nil {
		return nil, err
	}
	if err := dir.CheckWritable(); err != nil {
		lock.Unlock()
		return nil, err
	}
	n, err := dir.RemoveStaleTemps()
	if err != nil {
		lock.Unlock()
		return nil, fmt.Errorf("removing stale temporary files in %s: %w", dir.Root, err)
	}
	if n > 0 {
		logger.Info("removed temporary files left by an interrupted write", "count", n)
	}
	return lock, nil
}

// Stopped returns why the server refuses submissions now, or "".
func (s *Server) Stopped() string {
	s.mu.Lock()
	failed := s.failed
	s.mu.Unlock()
	if failed != nil {
		return "the tally stopped at " + failed.Error() + "; the results shown are frozen at the last entry it applied, and no submission is acknowledged: " +
			"run tallylog verify on the log to find the entry, fix the cause, and restart the server"
	}
	if err := s.Log.WriteProblem(); err != nil {
		return err.Error()
	}
	return ""
}

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
