package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/tallylog/tallylog/app"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/witness"
)

// runApp writes the officers' web app as static files, configured for one
// election's log, so a commission can host it anywhere or load it onto
// devices (docs/app.md).
func runApp(st *State, args []string) error {
	fs := newFlagSet(st, "app", "--out DIR (--dir ELECTION-DIR | --election ID --log-key KEY) [--witness-key KEY]... [--server URL]")
	out := fs.String("out", "", "write the app into `DIR` (new or empty)")
	dir := fs.String("dir", "", "take the election, origin and log key from this election `DIRECTORY` (from tallylog init)")
	electionID := fs.String("election", "", "the election's `ID`, when --dir is not given")
	logKey := fs.String("log-key", "", "the log's verifier `KEY` (name+hash+key, or a file holding it), when --dir is not given")
	var witnesses multiFlag
	fs.Var(&witnesses, "witness-key", "a witness's verifier `KEY` (cosignature/v1 or Ed25519, or a file holding it) whose cosignatures the app checks; repeatable")
	server := fs.String("server", "", "the election server's `URL` when the app is hosted elsewhere (default: the app's own origin)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || (*dir == "") == (*logKey == "") {
		return usageError{"--out and either --dir or --log-key (with --election) are required"}
	}
	cfg := app.Config{Election: *electionID, Server: strings.TrimSuffix(*server, "/")}
	if *dir != "" {
		meta, err := datadir.Dir{Root: *dir}.ReadMeta()
		if err != nil {
			return err
		}
		cfg.Election, cfg.Origin, cfg.LogKey = meta.Election, meta.Origin, meta.LogKey
	} else {
		v, vkey, err := datadir.LoadVerifier(*logKey)
		if err != nil {
			return fmt.Errorf("--log-key: %v", err)
		}
		cfg.Origin, cfg.LogKey = v.Name(), vkey
	}
	for _, k := range witnesses {
		text := k
		if b, err := os.ReadFile(k); err == nil {
			text = string(b)
		}
		w, err := witness.ParseKey(text)
		if err != nil {
			return fmt.Errorf("--witness-key: %v", err)
		}
		cfg.Witnesses = append(cfg.Witnesses, w.VKey)
	}
	if err := cfg.Check(); err != nil {
		return fmt.Errorf("the app's configuration: %v", err)
	}
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: write the app into a new or empty directory", *out)
	}
	if err := app.Write(*out, cfg); err != nil {
		return err
	}
	fmt.Fprintf(st.Stdout, "wrote the app for %s (log %s) into %s; serve it over HTTPS beside the election's API\n", cfg.Election, cfg.Origin, *out)
	fmt.Fprintf(st.Stdout, "if its Content-Security-Policy restricts scripts, allow the import map of index.html: script-src 'self' %s\n", app.ImportMapSource)
	return nil
}
