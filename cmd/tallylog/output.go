package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tallylog/tallylog/internal/metrics"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/verify"
)

// Exit statuses. The verifying commands (verify, verify-receipt,
// verify-evidence, evidence) tell a negative answer from no answer, so a
// monitoring script never mistakes an unreachable server for a tampered log.
const (
	exitBad         = 1 // the log, receipt or pack does not verify; or the command failed
	exitUsage       = 2 // wrong flags or arguments
	exitCannotCheck = 3 // could not check: the log unreachable, a file unreadable
)

// exitCodesHelp is printed by tallylog help.
const exitCodesHelp = `Exit status:
  0  success; for verify, verify-receipt, verify-evidence: it verifies
  1  it does not verify (the log, receipt or pack is bad), or the command failed
  2  wrong flags or arguments
  3  could not check: the log or a file could not be read (network, server
     error, missing file); nothing is known about whether it verifies`

// cannotCheck is an error that kept a verifying command from reaching an
// answer; it exits with exitCannotCheck.
type cannotCheck struct{ err error }

func (c cannotCheck) Error() string { return "could not check: " + c.err.Error() }
func (c cannotCheck) Unwrap() error { return c.err }

// classify marks a verification error that reached no answer (the log
// could not be read) as cannotCheck.
func classify(err error) error {
	var u *verify.Unreachable
	if errors.As(err, &u) {
		return cannotCheck{err}
	}
	return err
}

// printJSON writes v as one JSON object on a line.
func printJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

// failJSON prints {"ok":false,...} for a --json command that failed, and
// returns the exit status the error calls for without printing it again.
func failJSON(w io.Writer, err error) error {
	var cc cannotCheck
	out := map[string]any{"ok": false, "error": err.Error(), "checked": !errors.As(err, &cc)}
	printJSON(w, out)
	if errors.As(err, &cc) {
		return exitError{exitCannotCheck}
	}
	return exitError{exitBad}
}

// signedRecord is what sign --json and audit commit/reveal/count --json
// print: the signed record and what identifies it.
type signedRecord struct {
	Type   string `json:"type"`
	Key    string `json:"key"`
	Hash   string `json:"hash"`   // SHA-256 of the signed record, hex
	Record string `json:"record"` // the signed record, as submitted
}

// writeSigned writes a signed record: as is, or described in JSON.
func writeSigned(w io.Writer, entry []byte, asJSON bool) error {
	if !asJSON {
		_, err := w.Write(entry)
		return err
	}
	env, err := record.Open(entry)
	if err != nil {
		return err
	}
	return printJSON(w, signedRecord{Type: env.Record.Type(), Key: env.KeyName, Hash: env.HashHex(), Record: string(entry)})
}

// runVersion prints the version the binary was built from.
func runVersion(st *State, args []string) error {
	fs := newFlagSet(st, "version", "[--json]")
	jsonOut := fs.Bool("json", false, "print the build information (module version, VCS revision, Go version, settings, dependencies) as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	b := metrics.ReadBuild()
	if *jsonOut {
		return printJSON(st.Stdout, b)
	}
	fmt.Fprintf(st.Stdout, "tallylog %s", b.Version)
	if b.Revision != "" {
		fmt.Fprintf(st.Stdout, " (%s", b.Revision)
		if b.Modified {
			fmt.Fprint(st.Stdout, ", modified")
		}
		fmt.Fprint(st.Stdout, ")")
	}
	fmt.Fprintf(st.Stdout, " %s", b.Go)
	if cgo, ok := b.Settings["CGO_ENABLED"]; ok {
		fmt.Fprintf(st.Stdout, " CGO_ENABLED=%s", cgo)
	}
	fmt.Fprintln(st.Stdout)
	return nil
}
