package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/tallylog/tallylog/evidence"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/verify"
)

// runEvidence verifies a whole log, then writes one contest's evidence
// pack (see package evidence and docs/evidence.md).
func runEvidence(st *State, args []string) error {
	fs := newFlagSet(st, "evidence", "--log URL-or-DIR --log-key KEY --contest ID --out PACK.zip [--since-checkpoint FILE] [--witness-key KEY]... [--json]")
	loc := fs.String("log", "", "where the log is: its URL or its directory")
	trust := addTrustFlags(fs)
	contest := fs.String("contest", "", "the contest `ID`, for example NA-57")
	out := fs.String("out", "", "write the pack to `FILE` (a .zip)")
	since := fs.String("since-checkpoint", "", "an older checkpoint `FILE` of the log: the pack proves it is a prefix of the newest")
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *loc == "" || *trust.logKey == "" || *contest == "" || *out == "" {
		return usageError{"--log, --log-key, --contest and --out are required"}
	}
	v, ws, err := trust.load()
	if err != nil {
		return err
	}
	var sinceCP []byte
	if *since != "" {
		if sinceCP, err = os.ReadFile(*since); err != nil {
			return fmt.Errorf("--since-checkpoint: %v", err)
		}
	}
	fail := func(err error) error {
		if *jsonOut {
			return failJSON(st.Stdout, err)
		}
		return err
	}
	src, err := verify.NewSource(*loc)
	if err != nil {
		return fail(cannotCheck{err})
	}
	p := newProgress(st, "verifying")
	var buf bytes.Buffer
	err = evidence.Export(st.Ctx, &buf, src, evidence.ImagesAt(*loc), v, *contest, evidence.ExportOptions{
		Witnesses: ws, Since: sinceCP, Progress: p.update,
		Warn: func(msg string) { fmt.Fprintln(st.Stderr, "warning: "+msg) },
	})
	if err != nil {
		return fail(classify(err))
	}
	if err := datadir.WriteFileAtomic(*out, buf.Bytes(), 0o644); err != nil {
		return fail(err)
	}
	if *jsonOut {
		return printJSON(st.Stdout, map[string]any{"ok": true, "pack": *out, "bytes": buf.Len(), "contest": *contest})
	}
	fmt.Fprintf(st.Stdout, "wrote %s (%d bytes): the evidence of %s; check it with\n  tallylog verify-evidence %s --log-key %s\n", *out, buf.Len(), *contest, *out, *trust.logKey)
	return nil
}

// runVerifyEvidence checks an evidence pack offline and says what it
// proves and what it does not.
func runVerifyEvidence(st *State, args []string) error {
	fs := newFlagSet(st, "verify-evidence", "PACK.zip --log-key KEY [--witness-key KEY]... [--json]")
	trust := addTrustFlags(fs)
	jsonOut := fs.Bool("json", false, "print what the pack proves, does not prove and finds as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *trust.logKey == "" || len(pos) != 1 {
		return usageError{"--log-key and one PACK file are required"}
	}
	v, ws, err := trust.load()
	if err != nil {
		return err
	}
	f, err := os.Open(pos[0])
	if err == nil {
		defer f.Close()
	}
	var info os.FileInfo
	if err == nil {
		info, err = f.Stat()
	}
	if err != nil {
		if *jsonOut {
			return failJSON(st.Stdout, cannotCheck{err})
		}
		return cannotCheck{err}
	}
	got, err := evidence.VerifyReader(f, info.Size(), v, ws)
	if err != nil {
		if *jsonOut {
			failJSON(st.Stdout, err)
		}
		fmt.Fprintf(st.Stderr, "FAIL: %s: %v\n", pos[0], err)
		return exitError{exitBad}
	}
	if *jsonOut {
		return printJSON(st.Stdout, map[string]any{"ok": true, "origin": got.Origin, "election": got.Election,
			"contest": got.Contest, "tree_size": got.TreeSize, "records": got.Records, "cosigners": got.Cosigners,
			"proven": got.Proven, "not_proven": got.NotProven, "findings": got.Statements})
	}
	fmt.Fprintf(st.Stdout, "OK: evidence of %s in election %s, log %s (tree size %d, %d records)\n\nProven:\n",
		got.Contest, got.Election, got.Origin, got.TreeSize, got.Records)
	for _, l := range got.Proven {
		fmt.Fprintln(st.Stdout, "  - "+l)
	}
	fmt.Fprintln(st.Stdout, "\nNot proven:")
	for _, l := range got.NotProven {
		fmt.Fprintln(st.Stdout, "  - "+l)
	}
	fmt.Fprintln(st.Stdout, "\nFindings (from the records):")
	for _, s := range got.Statements {
		fmt.Fprintf(st.Stdout, "  [%s] %s\n", s.Severity, s.Text)
	}
	return nil
}
