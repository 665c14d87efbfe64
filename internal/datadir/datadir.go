// Package datadir lays out an election server's directory:
//
//	DIR/tallylog.json   what the log is: origin, log verifier key, election
//	DIR/log/            the Tessera log: checkpoint, tile/, tile/entries/ (public)
//	DIR/images/         scanned forms, content-addressed by SHA-256 (public)
//	DIR/keys/log.key    the log's checkpoint signing key (secret, mode 0600)
//	DIR/packs/          evidence packs, built once per checkpoint (a cache)
//	DIR/tallylog.lock   the lock of the process serving the directory
//
// Everything under log/ and images/ may be served as static files or
// mirrored; nothing under keys/ may leave the machine.
package datadir

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Dir is an election server's directory.
type Dir struct{ Root string }

// Meta describes the log held in a directory.
type Meta struct {
	Origin   string `json:"origin"`
	LogKey   string `json:"log_key"` // note verifier key of the checkpoint signer
	Election string `json:"election"`
	// Storage is where the log is kept: "" for log/ (Tessera's POSIX
	// driver), "mysql" for a MySQL or MariaDB database named at run time.
	Storage string `json:"storage,omitempty"`
	// Mirror is the URL of the log this directory is a verified copy of
	// (tallylog mirror); such a directory has no keys/.
	Mirror string `json:"mirror,omitempty"`
}

func (d Dir) LogDir() string    { return filepath.Join(d.Root, "log") }
func (d Dir) ImagesDir() string { return filepath.Join(d.Root, "images") }
func (d Dir) KeysDir() string   { return filepath.Join(d.Root, "keys") }
func (d Dir) metaPath() string  { return filepath.Join(d.Root, "tallylog.json") }
func (d Dir) logKeyPath() string {
	return filepath.Join(d.KeysDir(), "log.key")
}

// Exists reports whether the directory holds an initialised election.
func (d Dir) Exists() bool {
	_, err := os.Stat(d.metaPath())
	return err == nil
}

// ReadMeta reads DIR/tallylog.json.
func (d Dir) ReadMeta() (*Meta, error) {
	b, err := os.ReadFile(d.metaPath())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s holds no election: create one with 'tallylog init --dir %s'", d.Root, d.Root)
		}
		return nil, err
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", d.metaPath(), err)
	}
	return &m, nil
}

// Create makes the directory tree and writes the metadata and the log key.
// It refuses a directory that already holds an election.
func (d Dir) Create(m *Meta, logSKey string) error {
	if d.Exists() {
		return fmt.Errorf("%s already holds an election; choose another --dir or remove it", d.Root)
	}
	for _, p := range []string{d.LogDir(), d.ImagesDir()} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(d.KeysDir(), 0o700); err != nil {
		return err
	}
	if err := WriteFileAtomic(d.logKeyPath(), []byte(logSKey+"\n"), 0o600); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return WriteFileAtomic(d.metaPath(), append(b, '\n'), 0o644)
}

// LogSigner loads the log's checkpoint signing key.
func (d Dir) LogSigner() (note.Signer, error) {
	return LoadSigner(d.logKeyPath())
}

// LoadSigner reads a note signer key file (as written by tallylog keygen).
func LoadSigner(path string) (note.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%s is not a private key from tallylog keygen: %v", path, err)
	}
	return s, nil
}

// LoadVerifier reads a verifier key given inline (name+hash+key) or as a
// file holding one.
func LoadVerifier(s string) (note.Verifier, string, error) {
	s = strings.TrimSpace(s)
	if v, err := note.NewVerifier(s); err == nil {
		return v, s, nil
	}
	b, err := os.ReadFile(s)
	if err != nil {
		return nil, "", fmt.Errorf("%q is neither a verifier key (name+hash+key) nor a readable file", s)
	}
	vkey := strings.TrimSpace(string(b))
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, "", fmt.Errorf("%s does not hold a verifier key: %v", s, err)
	}
	return v, vkey, nil
}

// WriteFileAtomic writes a file through a synced temporary file and a
// rename, so a crash leaves the old file or the new one, never half of it.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return RenameDurable(tmp.Name(), path)
}

// RenameDurable renames a synced file to path and syncs the directory, so
// that after a crash path holds the whole file or is as it was.
func RenameDurable(from, path string) error {
	if err := os.Rename(from, path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}
