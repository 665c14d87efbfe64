package sim

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/strictjson"
	"golang.org/x/mod/sumdb/note"
)

// The files of a written election (see the package documentation).
const (
	DefinitionFile  = "definition.json"
	GenesisFile     = "genesis.notes"
	RecordsFile     = "records.notes"
	GroundTruthFile = "ground-truth.json"
	OfficerKeysFile = "officer-keys.txt"
	KeysDir         = "keys"
)

// WriteDir writes the election to dir, creating it if needed and replacing
// the files it writes. The same election always gives the same bytes.
func (e *Election) WriteDir(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, KeysDir), 0o755); err != nil {
		return err
	}
	truth, err := json.MarshalIndent(&e.Truth, "", "  ")
	if err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(w io.Writer) error
		mode  os.FileMode
	}{
		{DefinitionFile, bytesTo(e.Def.Canonical()), 0o644},
		{filepath.Join(KeysDir, "commission.key"), bytesTo([]byte(e.Keys[0].SKey + "\n")), 0o600},
		{filepath.Join(KeysDir, "commission.key.pub"), bytesTo([]byte(e.CommissionVKey + "\n")), 0o644},
		{filepath.Join(KeysDir, "log.key"), bytesTo([]byte(e.Keys[1].SKey + "\n")), 0o600},
		{filepath.Join(KeysDir, "log.key.pub"), bytesTo([]byte(e.LogVKey + "\n")), 0o644},
		{OfficerKeysFile, e.writeOfficerKeys, 0o600},
		{GenesisFile, func(w io.Writer) error { return writeNotes(w, e.Genesis) }, 0o644},
		{RecordsFile, func(w io.Writer) error { return writeNotes(w, e.Records) }, 0o644},
		{GroundTruthFile, bytesTo(append(truth, '\n')), 0o644},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.mode, f.write); err != nil {
			return err
		}
	}
	return nil
}

func bytesTo(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

func writeFile(path string, mode os.FileMode, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeOfficerKeys writes "name skey" lines for every key but the
// commission's and the log's, in the order of Keys.
func (e *Election) writeOfficerKeys(w io.Writer) error {
	for _, k := range e.Keys[2:] {
		if _, err := fmt.Fprintf(w, "%s %s\n", k.Name, k.SKey); err != nil {
			return err
		}
	}
	return nil
}

// writeNotes writes events as "<arrival seconds> <base64 entry>" lines.
func writeNotes(w io.Writer, events []Event) error {
	buf := make([]byte, 0, 4096)
	for _, ev := range events {
		buf = strconv.AppendInt(buf[:0], int64(ev.Arrival/time.Second), 10)
		buf = append(buf, ' ')
		buf = base64.StdEncoding.AppendEncode(buf, ev.Entry)
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// ReadDir loads an election written by WriteDir. It checks the files'
// syntax (each error names the file, the line and the rule) and that the
// definition is valid; it does not check signatures, which is the log's
// job (registry.Admit).
func ReadDir(dir string) (*Election, error) {
	e := &Election{}
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	b, err := read(GroundTruthFile)
	if err != nil {
		return nil, err
	}
	if err := strictjson.Decode(b, &e.Truth); err != nil {
		return nil, fmt.Errorf("%s: %w", GroundTruthFile, err)
	}
	e.Config = Config{Seed: e.Truth.Seed, Stations: e.Truth.Stations, Scenario: e.Truth.Scenario}
	if b, err = read(DefinitionFile); err != nil {
		return nil, err
	}
	if e.Def, err = election.Parse(b); err != nil {
		return nil, fmt.Errorf("%s: %w", DefinitionFile, err)
	}
	e.PollsClose = PollsClose(e.Def)
	if err := e.readKeys(dir); err != nil {
		return nil, err
	}
	if e.Genesis, err = readNotes(filepath.Join(dir, GenesisFile)); err != nil {
		return nil, err
	}
	if e.Records, err = readNotes(filepath.Join(dir, RecordsFile)); err != nil {
		return nil, err
	}
	return e, nil
}

// readKeys reads the commission's and the log's keys and the officers'.
func (e *Election) readKeys(dir string) error {
	for _, name := range []string{"commission", "log"} {
		skey, err := os.ReadFile(filepath.Join(dir, KeysDir, name+".key"))
		if err != nil {
			return err
		}
		// FILE.pub beside FILE, as tallylog keygen writes it and init
		// reads it; directories written before were NAME.pub.
		vkey, err := os.ReadFile(filepath.Join(dir, KeysDir, name+".key.pub"))
		if errors.Is(err, os.ErrNotExist) {
			vkey, err = os.ReadFile(filepath.Join(dir, KeysDir, name+".pub"))
		}
		if err != nil {
			return err
		}
		k := Key{SKey: strings.TrimSuffix(string(skey), "\n"), VKey: strings.TrimSuffix(string(vkey), "\n")}
		s, err := note.NewSigner(k.SKey)
		if err != nil {
			return fmt.Errorf("%s/%s.key: %v", KeysDir, name, err)
		}
		if v, err := note.NewVerifier(k.VKey); err != nil || v.Name() != s.Name() || v.KeyHash() != s.KeyHash() {
			return fmt.Errorf("%s/%s.key.pub: not the verifier key of %s.key", KeysDir, name, name)
		}
		k.Name = s.Name()
		e.Keys = append(e.Keys, k)
	}
	e.CommissionSigner, _ = e.Keys[0].Signer()
	e.LogSigner, _ = e.Keys[1].Signer()
	e.CommissionVKey, e.LogVKey = e.Keys[0].VKey, e.Keys[1].VKey
	b, err := os.ReadFile(filepath.Join(dir, OfficerKeysFile))
	if err != nil {
		return err
	}
	for i, line := range strings.SplitAfter(string(b), "\n") {
		if line == "" {
			break
		}
		name, skey, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if !ok || !strings.HasSuffix(line, "\n") || !strings.HasPrefix(skey, "PRIVATE+KEY+"+name+"+") {
			return fmt.Errorf("%s:%d: must be '<key name> <private key of that name>'", OfficerKeysFile, i+1)
		}
		e.Keys = append(e.Keys, Key{Name: name, SKey: skey})
	}
	e.setKeys(e.Keys)
	return nil
}

// readNotes reads "<arrival seconds> <base64 entry>" lines; arrivals must
// not decrease.
func readNotes(path string) ([]Event, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	var events []Event
	for n := 1; len(b) > 0; n++ {
		line, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok {
			return nil, fmt.Errorf("%s:%d: the last line must end with a newline", name, n)
		}
		b = rest
		secs, b64, ok := bytes.Cut(line, []byte(" "))
		at, err := strconv.ParseInt(string(secs), 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("%s:%d: must be '<arrival seconds> <base64 entry>'", name, n)
		}
		entry, err := base64.StdEncoding.Strict().AppendDecode(nil, b64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: entry is not base64: %v", name, n, err)
		}
		ev := Event{Arrival: time.Duration(at) * time.Second, Entry: entry, Hash: sha256.Sum256(entry)}
		if len(events) > 0 && ev.Arrival < events[len(events)-1].Arrival {
			return nil, fmt.Errorf("%s:%d: arrival %d is before the previous line's: entries are in arrival order", name, n, at)
		}
		events = append(events, ev)
	}
	return events, nil
}
