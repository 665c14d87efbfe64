package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/internal/testmysql"
	"golang.org/x/mod/sumdb/note"
)

// cli runs one tallylog command line in-process.
func cli(t *testing.T, ctx context.Context, stdin io.Reader, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	code := run(ctx, args, stdin, &out, &errb)
	return out.String(), errb.String(), code
}

// writeKey writes a deterministic key's private and public files.
func writeKey(t *testing.T, dir, name string) string {
	seed := sha256.Sum256([]byte(name))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".key")
	os.WriteFile(path, []byte(skey+"\n"), 0o600)
	os.WriteFile(path+".pub", []byte(vkey+"\n"), 0o644)
	return path
}

// TestSpine is issue 2's end-to-end path: init, serve on loopback, sign,
// submit, verify the receipt, verify the whole log; then tamper with an
// entry bundle and a tile and see verify fail naming the index. It runs on
// both storage drivers: the log's directory, and a MariaDB/MySQL database
// (where the tampering is done to the rows, seen through the server).
func TestSpine(t *testing.T) {
	t.Run("posix", func(t *testing.T) { spine(t, "") })
	t.Run("mysql", func(t *testing.T) { spine(t, testmysql.DSN(t)) })
}

func spine(t *testing.T, dsn string) {
	var storageArgs []string
	if dsn != "" {
		storageArgs = []string{"--storage", "mysql", "--mysql-dsn", dsn}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	work := t.TempDir()
	e := testelection.New(t)

	// The commission's key and the officers' keys records come from the
	// test election, signed with the same deterministic keys.
	commission := writeKey(t, work, "ecp")
	defFile := filepath.Join(work, "definition.json")
	os.WriteFile(defFile, e.Def.Canonical(), 0o644)
	var keyArgs []string
	for i, entry := range e.Genesis {
		if strings.HasPrefix(string(entry), "tallylog/v1 keys\n") {
			f := filepath.Join(work, "keys"+string(rune('a'+i))+".note")
			os.WriteFile(f, entry, 0o644)
			keyArgs = append(keyArgs, "--keys", f)
		}
	}
	dir := filepath.Join(work, "election")
	out, errs, code := cli(t, ctx, nil, append(append([]string{"init", "--dir", dir, "--definition", defFile, "--commission-key", commission, "--json"}, keyArgs...), storageArgs...)...)
	if code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errs)
	}
	var initOut struct {
		LogKey string `json:"log_key"`
	}
	json.Unmarshal([]byte(out), &initOut)

	// Serve on a free loopback port.
	pr, pw := io.Pipe()
	sctx, stop := context.WithCancel(ctx)
	served := make(chan int)
	go func() {
		var errb bytes.Buffer
		served <- run(sctx, append([]string{"serve", "--dir", dir, "--addr", "127.0.0.1:0", "--checkpoint-interval", "100ms"}, storageArgs...), nil, pw, &errb)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
	if url == "" {
		t.Fatalf("serve printed %q", line)
	}

	// A presiding officer signs the sheet offline and submits it twice.
	po := writeKey(t, work, "po.NA-57.PS-1")
	sheetJSON := `{"type":"sheet","election":"pk-test","log":"results.example.pk/test","contest":"NA-57","station":"NA-57/PS-1","revision":1,
		"registered":1000,"cast":612,"rejected":12,"votes":[{"candidate":"1","votes":300},{"candidate":"2","votes":250},{"candidate":"3","votes":50}],
		"captured":"2024-02-08T18:31:00Z"}`
	note, errs, code := cli(t, ctx, strings.NewReader(sheetJSON), "sign", "--key", po, "-")
	if code != 0 {
		t.Fatalf("sign: %s", errs)
	}
	noteFile := filepath.Join(work, "sheet.note")
	os.WriteFile(noteFile, []byte(note), 0o644)
	out1, errs, code := cli(t, ctx, nil, "submit", "--server", url, "--log-key", initOut.LogKey, noteFile)
	if code != 0 {
		t.Fatalf("submit: %s %s", out1, errs)
	}
	rc1, _ := os.ReadFile(noteFile + receiptExt)
	out2, _, code := cli(t, ctx, nil, "submit", "--server", url, noteFile)
	if code != 0 || out1 != out2 {
		t.Fatalf("second submit: %q, want %q", out2, out1)
	}
	out, errs, code = cli(t, ctx, nil, "verify-receipt", "--log-key", initOut.LogKey, "--record", noteFile, noteFile+receiptExt)
	if code != 0 || !strings.Contains(out, "OK: sheet of station NA-57/PS-1") {
		t.Fatalf("verify-receipt: %s %s", out, errs)
	}
	rc2, _ := os.ReadFile(noteFile + receiptExt)
	if !bytes.Contains(rc1, []byte("index ")) || string(rc1[:bytes.Index(rc1, []byte("\n\n"))]) != string(rc2[:bytes.Index(rc2, []byte("\n\n"))]) {
		t.Fatalf("the second submission's receipt proves another index:\n%s\n%s", rc1, rc2)
	}

	// A forged sheet is refused and changes nothing.
	forged := strings.Replace(note, "votes 1 300", "votes 1 900", 1)
	os.WriteFile(filepath.Join(work, "forged.note"), []byte(forged), 0o644)
	_, errs, code = cli(t, ctx, nil, "submit", "--server", url, filepath.Join(work, "forged.note"))
	if code == 0 || !strings.Contains(errs, "signature") {
		t.Fatalf("forged sheet: code %d, %s", code, errs)
	}

	// The whole log verifies, over HTTP and from the directory.
	out, errs, code = cli(t, ctx, nil, "verify", "--log", url, "--log-key", initOut.LogKey)
	if code != 0 || !strings.Contains(out, "OK: log results.example.pk/test") {
		t.Fatalf("verify over HTTP: %s %s", out, errs)
	}
	out, errs, code = cli(t, ctx, nil, "verify-receipt", "--log-key", initOut.LogKey, "--json", noteFile+receiptExt)
	if code != 0 || !strings.Contains(out, `"ok":true`) || !strings.Contains(out, `"index":3`) {
		t.Fatalf("verify-receipt --json: %d %s %s", code, out, errs)
	}
	if dsn != "" {
		// Tampering with the database's rows: the server serves them as
		// they are, and verify over HTTP names the index.
		for _, tc := range []struct{ stmt, want string }{
			{"UPDATE TiledLeaves SET data = REPLACE(data, 'votes 1 300', 'votes 1 301') WHERE tile_index = 0", "index 3 (tile/0/000.p/"},
			{"UPDATE Subtree SET nodes = CONCAT(SUBSTR(nodes, 1, 69), CHAR(ASCII(SUBSTR(nodes, 70, 1)) ^ 1), SUBSTR(nodes, 71)) WHERE level = 0 AND `index` = 0", "index 2 (tile/0/000.p/"},
		} {
			testmysql.Exec(t, dsn, "CREATE TABLE IF NOT EXISTS saved AS SELECT * FROM TiledLeaves")
			testmysql.Exec(t, dsn, "CREATE TABLE IF NOT EXISTS savedtiles AS SELECT * FROM Subtree")
			testmysql.Exec(t, dsn, tc.stmt)
			_, errs, code = cli(t, ctx, nil, "verify", "--log", url, "--log-key", initOut.LogKey)
			if code != exitBad || !strings.Contains(errs, tc.want) {
				t.Errorf("verify after %s: exit %d, %q; want failure naming %q", tc.stmt, code, errs, tc.want)
			}
			testmysql.Exec(t, dsn, "REPLACE INTO TiledLeaves SELECT * FROM saved")
			testmysql.Exec(t, dsn, "REPLACE INTO Subtree SELECT * FROM savedtiles")
		}
		out, errs, code = cli(t, ctx, nil, "verify", "--log", url, "--log-key", initOut.LogKey)
		if code != 0 {
			t.Fatalf("verify after restoring the rows: %d %s %s", code, out, errs)
		}
	}
	stop()
	if c := <-served; c != 0 {
		t.Fatalf("serve exited %d", c)
	}
	// With the server gone, verify has no answer: exit 3, not 1.
	_, errs, code = cli(t, ctx, nil, "verify", "--log", url, "--log-key", initOut.LogKey)
	if code != exitCannotCheck || !strings.Contains(errs, "COULD NOT CHECK") {
		t.Fatalf("verify of a stopped server: exit %d, %s; want %d, could not check", code, errs, exitCannotCheck)
	}
	if dsn != "" {
		return // the rest reads the log's directory
	}
	jsonOut, errs, code := cli(t, ctx, nil, "verify", "--log", dir, "--log-key", initOut.LogKey, "--json")
	if code != 0 {
		t.Fatalf("verify dir: %s %s", jsonOut, errs)
	}
	var vres struct {
		OK       bool   `json:"ok"`
		TreeSize uint64 `json:"tree_size"`
	}
	json.Unmarshal([]byte(jsonOut), &vres)
	if !vres.OK || vres.TreeSize < 4 {
		t.Fatalf("verify --json: %s", jsonOut)
	}

	// Tampering: flip one byte of the entry bundle, then of a tile.
	bundles, _ := filepath.Glob(filepath.Join(dir, "log", "tile", "entries", "*.p", "*"))
	tiles, _ := filepath.Glob(filepath.Join(dir, "log", "tile", "0", "*.p", "*"))
	if len(bundles) == 0 || len(tiles) == 0 {
		t.Fatalf("no partial bundle or tile found: %v %v", bundles, tiles)
	}
	for _, tc := range []struct {
		file string
		at   func([]byte) int
		want string
	}{
		{bundles[len(bundles)-1], func(b []byte) int { return bytes.Index(b, []byte("votes 1 300")) + 8 }, "index 3 (tile/0/000.p/"},
		{tiles[len(tiles)-1], func(b []byte) int { return 32*2 + 5 }, "index 2 (tile/0/000.p/"},
	} {
		orig, _ := os.ReadFile(tc.file)
		bad := bytes.Clone(orig)
		i := tc.at(bad)
		if i < 8 {
			t.Fatalf("nothing to flip in %s", tc.file)
		}
		bad[i] ^= 1
		os.WriteFile(tc.file, bad, 0o644)
		_, errs, code = cli(t, ctx, nil, "verify", "--log", dir, "--log-key", initOut.LogKey)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("verify after flipping a byte of %s: exit %d, %q; want failure naming %q", tc.file, code, errs, tc.want)
		}
		os.WriteFile(tc.file, orig, 0o644)
	}
}
