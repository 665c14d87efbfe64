package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/node"
	"github.com/tallylog/tallylog/registry"
	"golang.org/x/mod/sumdb/note"
)

// runInit creates an election's log: its first entries are the election
// record and the definition, signed by the commission's key.
func runInit(st *State, args []string) error {
	fs := newFlagSet(st, "init", "--dir DIR (--definition FILE | --builtin NAME) [--commission-key FILE] [--keys FILE...]")
	dir := fs.String("dir", "", "`DIR`ectory to create the election in (must not hold one)")
	defFile := fs.String("definition", "", "election definition `FILE` (strict JSON, see docs/spec.md)")
	builtin := fs.String("builtin", "", "use a built-in definition instead: pk-ge2024 (structure only: no stations or candidates)")
	commissionKey := fs.String("commission-key", "", "the commission's private key `FILE` (default: generate DIR/keys/commission.key)")
	var keyFiles multiFlag
	fs.Var(&keyFiles, "keys", "signed keys record `FILE` (a note) granting officers' keys; repeatable")
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	storage := addStorageFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	kind, dsn, err := storage.resolve(nil)
	if err != nil {
		return err
	}
	if *dir == "" || (*defFile == "") == (*builtin == "") {
		return usageError{"--dir and exactly one of --definition or --builtin are required"}
	}
	var def *election.Definition
	if *builtin != "" {
		def, err = election.Builtin(*builtin)
	} else {
		var data []byte
		if data, err = os.ReadFile(*defFile); err == nil {
			def, err = election.Parse(data)
		}
		if err != nil {
			err = fmt.Errorf("definition %s: %w", *defFile, err)
		}
	}
	if err != nil {
		return err
	}
	var grants [][]byte
	for _, f := range keyFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		grants = append(grants, b)
	}

	d := datadir.Dir{Root: *dir}
	if d.Exists() {
		return fmt.Errorf("%s already holds an election; choose another --dir", *dir)
	}
	var commission note.Signer
	var commissionVKey string
	if *commissionKey != "" {
		if commission, err = datadir.LoadSigner(*commissionKey); err != nil {
			return err
		}
		pub, err := os.ReadFile(*commissionKey + ".pub")
		if err != nil {
			return fmt.Errorf("the commission's public key: %v (keygen writes it beside the private key as %s.pub)", err, *commissionKey)
		}
		if _, commissionVKey, err = datadir.LoadVerifier(string(pub)); err != nil {
			return err
		}
	}
	logSKey, logVKey, err := note.GenerateKey(rand.Reader, def.Origin)
	if err != nil {
		return fmt.Errorf("log key for origin %q: %v", def.Origin, err)
	}
	if err := d.Create(&datadir.Meta{Origin: def.Origin, LogKey: logVKey, Election: def.ID, Storage: kind}, logSKey); err != nil {
		return err
	}
	if commission == nil {
		skey, vkey, _ := note.GenerateKey(rand.Reader, "commission."+def.ID)
		path := filepath.Join(d.KeysDir(), "commission.key")
		if err := datadir.WriteFileAtomic(path, []byte(skey+"\n"), 0o600); err != nil {
			return err
		}
		datadir.WriteFileAtomic(path+".pub", []byte(vkey+"\n"), 0o644)
		commission, _ = note.NewSigner(skey)
		commissionVKey = vkey
		fmt.Fprintf(st.Stderr, "generated the commission's key in %s: move it offline; it signs keys and the definition\n", path)
	}
	genesis, err := registry.Genesis(def, commission, commissionVKey, time.Now())
	if err != nil {
		return err
	}
	size, err := openLog(st.Ctx, d, dsn, genesis, grants)
	if err != nil {
		os.RemoveAll(*dir)
		return err
	}
	out := map[string]any{"dir": *dir, "origin": def.Origin, "log_key": logVKey, "commission_key": commissionVKey, "entries": size}
	if *jsonOut {
		return json.NewEncoder(st.Stdout).Encode(out)
	}
	serveArgs, verifyAt := "", *dir
	if kind == "mysql" {
		// The log is in the database: it is verified where it is served.
		serveArgs, verifyAt = " --mysql-dsn DSN", "http://127.0.0.1:8080"
	}
	fmt.Fprintf(st.Stdout, "created election %s in %s (%d entries)\norigin:          %s\nlog key:         %s\ncommission key:  %s\n\nserve it:   tallylog serve --dir %s%s --addr 127.0.0.1:8080\nverify it:  tallylog verify --log %s --log-key %s\n",
		def.ID, *dir, size, def.Origin, logVKey, commissionVKey, *dir, serveArgs, verifyAt, logVKey)
	return nil
}

// openLog appends the genesis entries (election record alone, then the
// definition's parts, then keys records) to a new log and waits for a
// checkpoint covering them. It returns the log's size.
func openLog(ctx context.Context, d datadir.Dir, dsn string, genesis, grants [][]byte) (uint64, error) {
	n, err := node.Open(ctx, d, node.Options{Command: "init", Empty: true, Log: ledger.Options{CheckpointInterval: 100 * time.Millisecond, MySQLDSN: dsn}})
	if err != nil {
		return 0, err
	}
	defer n.Close(context.Background())
	in := n.Intake
	if _, err := in.Append(ctx, genesis[0]); err != nil {
		return 0, fmt.Errorf("election record: %w", err)
	}
	if _, err := in.AppendUnordered(ctx, genesis[1:]); err != nil {
		return 0, fmt.Errorf("definition: %w", err)
	}
	if len(grants) > 0 {
		if _, err := in.AppendUnordered(ctx, grants); err != nil {
			return 0, fmt.Errorf("keys: %w", err)
		}
	}
	size := uint64(len(genesis) + len(grants))
	if _, _, err := n.Log.WaitCheckpoint(ctx, size); err != nil {
		return 0, err
	}
	return size, nil
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
