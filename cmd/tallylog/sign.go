package main

import (
	"fmt"
	"io"
	"os"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/record"
)

// runSign turns a record written as JSON into a signed record, offline.
func runSign(st *State, args []string) error {
	fs := newFlagSet(st, "sign", "--key KEY [--json] [FILE.json | -] > FILE.note")
	keyFile := fs.String("key", "", "private key `FILE` from tallylog keygen")
	jsonOut := fs.Bool("json", false, "print {type, key, hash, record} as JSON instead of the signed record alone")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *keyFile == "" {
		return usageError{"--key is required"}
	}
	if len(pos) > 1 {
		return usageError{"sign one record at a time"}
	}
	signer, err := datadir.LoadSigner(*keyFile)
	if err != nil {
		return err
	}
	var data []byte
	if len(pos) == 0 || pos[0] == "-" {
		data, err = io.ReadAll(io.LimitReader(st.Stdin, 1<<20))
	} else {
		data, err = os.ReadFile(pos[0])
	}
	if err != nil {
		return err
	}
	rec, err := record.FromJSON(data)
	if err != nil {
		return fmt.Errorf("the record is not valid: %v", err)
	}
	entry, err := record.Sign(rec, signer)
	if err != nil {
		return err
	}
	return writeSigned(st.Stdout, entry, *jsonOut)
}
