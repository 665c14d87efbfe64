package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/verify"
	"github.com/tallylog/tallylog/witness"
	"golang.org/x/mod/sumdb/note"
)

// runVerifyReceipt checks a receipt offline against the log's public key.
func runVerifyReceipt(st *State, args []string) error {
	fs := newFlagSet(st, "verify-receipt", "--log-key KEY [--record FILE] [--json] RECEIPT")
	trust := addTrustFlags(fs)
	recFile := fs.String("record", "", "also check that the receipt is for this signed record `FILE`")
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *trust.logKey == "" || len(pos) != 1 {
		return usageError{"--log-key and one RECEIPT file are required"}
	}
	v, ws, err := trust.load()
	if err != nil {
		return err
	}
	fail := func(err error) error {
		if *jsonOut {
			return failJSON(st.Stdout, err)
		}
		return err
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fail(cannotCheck{err})
	}
	rc, err := receipt.Parse(data)
	if err != nil {
		return fail(err)
	}
	got, err := rc.Verify(v, ws...)
	if err != nil {
		return fail(fmt.Errorf("%s does not verify: %v", pos[0], err))
	}
	if *recFile != "" {
		want, err := os.ReadFile(*recFile)
		if err != nil {
			return fail(cannotCheck{err})
		}
		if string(want) != string(got.Entry) {
			return fail(fmt.Errorf("%s proves a different record than %s", pos[0], *recFile))
		}
	}
	what, hash := "entry", ""
	if env, err := record.Open(got.Entry); err == nil {
		what, hash = describeRecord(env), env.HashHex()
	}
	if *jsonOut {
		return printJSON(st.Stdout, map[string]any{"ok": true, "origin": got.Origin, "index": got.Index,
			"tree_size": got.TreeSize, "record": what, "record_hash": hash, "cosigners": len(ws)})
	}
	fmt.Fprintf(st.Stdout, "OK: %s is in log %s at index %d (checkpoint of size %d)\n", what, got.Origin, got.Index, got.TreeSize)
	return nil
}

func describeRecord(env *record.Envelope) string {
	switch r := env.Record.(type) {
	case *record.Sheet:
		return fmt.Sprintf("sheet of station %s in %s (revision %d), signed by %s", r.Station, r.Contest, r.Revision, env.KeyName)
	case *record.Declaration:
		return fmt.Sprintf("form %d declaration of %s, signed by %s", r.Form, r.Contest, env.KeyName)
	case *record.Attestation:
		return fmt.Sprintf("%s attestation of station %s in %s, signed by %s", r.Kind, r.Station, r.Contest, env.KeyName)
	}
	return env.Record.Type() + " record signed by " + env.KeyName
}

// trustFlags are the flags that name the keys a verification trusts: the
// log's key and the witnesses whose cosignatures are required.
type trustFlags struct {
	logKey    *string
	witnesses multiFlag
}

func addTrustFlags(fs *flag.FlagSet) *trustFlags {
	t := &trustFlags{logKey: fs.String("log-key", "", "the log's verifier `KEY` (name+hash+key, or a file holding it)")}
	fs.Var(&t.witnesses, "witness-key", "require a cosignature by this witness verifier `KEY` (cosignature/v1 or Ed25519, or a file holding it); repeatable")
	return t
}

// load parses the keys the flags name.
func (t *trustFlags) load() (note.Verifier, []note.Verifier, error) {
	v, _, err := datadir.LoadVerifier(*t.logKey)
	if err != nil {
		return nil, nil, usageError{fmt.Sprintf("--log-key: %v", err)}
	}
	var ws []note.Verifier
	for _, k := range t.witnesses {
		w, err := witness.ParseKey(k)
		if err != nil {
			b, ferr := os.ReadFile(k)
			if ferr != nil {
				return nil, nil, usageError{fmt.Sprintf("--witness-key: %v, and not a readable file", err)}
			}
			if w, err = witness.ParseKey(string(b)); err != nil {
				return nil, nil, usageError{fmt.Sprintf("--witness-key %s: %v", k, err)}
			}
		}
		ws = append(ws, w.Verifier)
	}
	return v, ws, nil
}

// runVerify verifies a whole log and replays it.
func runVerify(st *State, args []string) error {
	fs := newFlagSet(st, "verify", "--log URL-or-DIR --log-key KEY [--witness-key KEY]... [--json]")
	loc := fs.String("log", "", "where the log is: its URL or its directory")
	trust := addTrustFlags(fs)
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *loc == "" || *trust.logKey == "" {
		return usageError{"--log and --log-key are required"}
	}
	v, ws, err := trust.load()
	if err != nil {
		return err
	}
	src, err := verify.NewSource(*loc)
	if err != nil {
		err = cannotCheck{err}
		if *jsonOut {
			return failJSON(st.Stdout, err)
		}
		return err
	}
	p := newProgress(st, "verifying")
	start := time.Now()
	res, err := verify.Log(st.Ctx, src, v, verify.Options{Witnesses: ws, Progress: p.update})
	if err != nil {
		err = classify(err)
		if *jsonOut {
			failJSON(st.Stdout, err)
		}
		var cc cannotCheck
		if errors.As(err, &cc) {
			fmt.Fprintf(st.Stderr, "COULD NOT CHECK: %v\n", cc.err)
			return exitError{exitCannotCheck}
		}
		fmt.Fprintf(st.Stderr, "FAIL: %v\n", err)
		return exitError{exitBad}
	}
	// The log has no clock: deadlines are judged as of its latest record.
	summary := res.Tally.Summary(res.Tally.Latest())
	if *jsonOut {
		return json.NewEncoder(st.Stdout).Encode(map[string]any{
			"ok": true, "origin": res.Origin, "tree_size": res.TreeSize, "root": res.Root.String(),
			"cosigners": res.Cosigners, "summary": summary,
		})
	}
	fmt.Fprintf(st.Stdout, "OK: log %s, %d entries, root %s\n", res.Origin, res.TreeSize, res.Root)
	fmt.Fprintf(st.Stdout, "every tile, entry and signature checked; every record replayed (%.1fs)\n\n", time.Since(start).Seconds())
	writeSummary(st.Stdout, summary)
	return nil
}

// writeSummary prints a tally summary for people.
func writeSummary(w io.Writer, s *tally.Summary) {
	for _, a := range s.Assemblies {
		fmt.Fprintf(w, "%s: %d of %d station sheets, %d of %d contests complete, %d provisional and %d final declarations\n",
			a.Name, a.Reported, a.Stations, a.Complete, a.Contests, a.Provisional, a.Final)
		if a.Seats.Total > 0 {
			fmt.Fprintf(w, "  seats (of %d; majority %d, two-thirds %d):", a.Seats.Total, a.Seats.Simple, a.Seats.TwoThirds)
			for _, p := range a.Seats.Parties {
				fmt.Fprintf(w, " %s %d", p.Party, p.Total)
			}
			if a.Seats.Independents > 0 {
				fmt.Fprintf(w, " independents %d", a.Seats.Independents)
			}
			fmt.Fprintln(w)
		}
	}
	if len(s.Flags) == 0 {
		fmt.Fprintln(w, "flags: none")
		return
	}
	fmt.Fprint(w, "flags:")
	for _, k := range s.Flags {
		fmt.Fprintf(w, " %s %d", k.Kind, k.Count)
	}
	fmt.Fprintln(w)
}
