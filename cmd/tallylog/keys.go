package main

import (
	"crypto/rand"
	"fmt"
	"os"

	"github.com/tallylog/tallylog/internal/datadir"
	"golang.org/x/mod/sumdb/note"
)

// runKeygen makes an Ed25519 signing key for records or checkpoints.
func runKeygen(st *State, args []string) error {
	fs := newFlagSet(st, "keygen", "--name NAME --out FILE [--json]")
	name := fs.String("name", "", "the key's name, e.g. po.NA-57.PS-112 or results.example.pk/ge2024 (no spaces, no '+')")
	out := fs.String("out", "", "write the private key to `FILE` (mode 0600) and the public key to FILE.pub")
	jsonOut := fs.Bool("json", false, "print the key's name, public key and files as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || *out == "" {
		return usageError{"--name and --out are required"}
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, *name)
	if err != nil {
		return fmt.Errorf("--name %q: %v (a key name has no spaces and no '+')", *name, err)
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists: refusing to overwrite a private key; choose another --out", *out)
	}
	if err := datadir.WriteFileAtomic(*out, []byte(skey+"\n"), 0o600); err != nil {
		return err
	}
	if err := datadir.WriteFileAtomic(*out+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		return err
	}
	if *jsonOut {
		return printJSON(st.Stdout, map[string]string{"name": *name, "public_key": vkey, "key_file": *out, "public_key_file": *out + ".pub"})
	}
	fmt.Fprintln(st.Stdout, vkey)
	return nil
}
