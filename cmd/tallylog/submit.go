package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/web"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
)

// runSubmit sends signed records to the server and keeps each receipt. It
// retries until it holds a receipt, so a device can run it whenever the
// network comes back; running it twice is safe (same receipt, no duplicate).
// Several records (files, or directories of .note files) go through the
// batch endpoint, up to web.MaxBatchRecords a request, in the order given.
func runSubmit(st *State, args []string) error {
	fs := newFlagSet(st, "submit", "--server URL [--image FILE]... [--json] FILE.note|DIR...")
	server := fs.String("server", "", "the election server's `URL`, e.g. http://127.0.0.1:8080")
	var images multiFlag
	fs.Var(&images, "image", "scanned form `FILE` to upload when a submitted record names its SHA-256; repeatable")
	receipts := fs.String("receipts", "", "write receipts into `DIR` (default: beside each record, as FILE.tlog-proof, the extension C2SP tlog-proof names)")
	logKey := fs.String("log-key", "", "if set, verify each receipt with this log verifier `KEY` before keeping it")
	timeout := fs.Duration("timeout", 24*time.Hour, "give up retrying after this long")
	jsonOut := fs.Bool("json", false, "print one JSON object a record: {file, ok, index, receipt, error}")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *server == "" || len(pos) == 0 {
		return usageError{"--server and at least one record FILE are required"}
	}
	imageByHash := map[string]string{}
	for _, f := range images {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		imageByHash[hex.EncodeToString(sum[:])] = f
	}
	c := &submitter{st: st, base: strings.TrimSuffix(*server, "/"), client: &http.Client{Timeout: 60 * time.Second}}
	if *logKey != "" {
		v, _, err := datadir.LoadVerifier(*logKey)
		if err != nil {
			return fmt.Errorf("--log-key: %v", err)
		}
		c.verify = v.Verify
		c.logKey = v
	}
	ctx, cancel := context.WithTimeout(st.Ctx, *timeout)
	defer cancel()
	files, err := recordFiles(pos)
	if err != nil {
		return err
	}
	entries := make([][]byte, len(files))
	for i, f := range files {
		if entries[i], err = os.ReadFile(f); err != nil {
			return err
		}
	}
	var rcs []*receipt.Receipt
	var errs []error
	if len(entries) == 1 {
		rc, err := c.submit(ctx, entries[0])
		rcs, errs = []*receipt.Receipt{rc}, []error{err}
	} else {
		rcs, errs = c.submitMany(ctx, entries)
	}
	failed := 0
	for i, f := range files {
		entry := entries[i]
		out := f + receiptExt
		if *receipts != "" {
			out = filepath.Join(*receipts, filepath.Base(f)+receiptExt)
		}
		rc, err := rcs[i], errs[i]
		if err != nil {
			fmt.Fprintf(st.Stderr, "%s: refused: %v\n", f, err)
			if *jsonOut {
				printJSON(st.Stdout, submitted{File: f, Error: err.Error()})
			}
			failed++
			continue
		}
		if err := datadir.WriteFileAtomic(out, rc.Marshal(), 0o644); err != nil {
			return err
		}
		res := submitted{File: f, OK: true, Index: &rc.Index, Receipt: out}
		if !*jsonOut {
			fmt.Fprintf(st.Stdout, "%s: logged at index %d, receipt %s\n", f, rc.Index, out)
		}
		if env, err := record.Open(entry); err == nil {
			if img := imageOf(env.Record); img != "" {
				if path, ok := imageByHash[img]; ok {
					res.Image = path
					if err := c.upload(ctx, img, path); err != nil {
						fmt.Fprintf(st.Stderr, "%s: image %s: %v\n", f, path, err)
						res.OK, res.Error = false, "image "+path+": "+err.Error()
						failed++
					}
				}
			}
		}
		if *jsonOut {
			printJSON(st.Stdout, res)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d records were not logged or their images not uploaded", failed, len(files))
	}
	return nil
}

// recordFiles expands the arguments of submit: a file is itself, a
// directory its .note files in name order.
func recordFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, a)
			continue
		}
		notes, err := filepath.Glob(filepath.Join(a, "*.note"))
		if err != nil {
			return nil, err
		}
		if len(notes) == 0 {
			return nil, fmt.Errorf("%s: no .note files in this directory", a)
		}
		slices.Sort(notes)
		files = append(files, notes...)
	}
	return files, nil
}

// receiptExt is the file extension of a receipt: C2SP tlog-proof says
// proofs SHOULD be stored with the extension .tlog-proof.
const receiptExt = ".tlog-proof"

// submitted is what submit --json prints for each record.
type submitted struct {
	File    string  `json:"file"`
	OK      bool    `json:"ok"`
	Index   *uint64 `json:"index,omitempty"`
	Receipt string  `json:"receipt,omitempty"`
	Image   string  `json:"image,omitempty"`
	Error   string  `json:"error,omitempty"`
}

func imageOf(r record.Record) string {
	switch r := r.(type) {
	case *record.Sheet:
		return r.Image
	case *record.Attestation:
		return r.Image
	}
	return ""
}

type submitter struct {
	st       *State
	lastWait string // the last reason printed by waiting
	base     string
	client   *http.Client
	verify   func([]byte, []byte) bool
	logKey   interface {
		Name() string
		KeyHash() uint32
		Verify(msg, sig []byte) bool
	}
}

// permanent is a refusal that retrying cannot fix.
type permanent struct{ msg string }

func (p permanent) Error() string { return p.msg }

// submit posts one record, retrying with backoff on network errors and
// 5xx answers until it gets a receipt or a refusal.
func (c *submitter) submit(ctx context.Context, entry []byte) (*receipt.Receipt, error) {
	return retry(ctx, c.waiting, func() (*receipt.Receipt, error) {
		req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/records", bytes.NewReader(entry))
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
		resp, err := c.client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			var e struct{ Error string }
			json.Unmarshal(body, &e)
			if e.Error == "" {
				e.Error = resp.Status
			}
			if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
				return nil, errors.New(e.Error)
			}
			return nil, permanent{e.Error}
		}
		return c.checkReceipt(body, entry)
	})
}

// checkReceipt parses the server's receipt for entry and checks that it is
// for entry and, with --log-key, that it verifies.
func (c *submitter) checkReceipt(body, entry []byte) (*receipt.Receipt, error) {
	rc, err := receipt.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("server sent an unreadable receipt: %v", err)
	}
	if !bytes.Equal(rc.Entry, entry) {
		return nil, permanent{"the server's receipt is for another record"}
	}
	if c.logKey != nil {
		if _, err := rc.Verify(c.logKey); err != nil {
			return nil, permanent{"the server's receipt does not verify: " + err.Error()}
		}
	}
	return rc, nil
}

// submitMany sends entries through the batch endpoint, in order, up to
// web.MaxBatchRecords (and web.MaxBatchBytes) a request, sending again the
// records refused for now (rate limits, no checkpoint yet) with backoff,
// until each has its receipt or a refusal. A server without the batch
// endpoint gets them one at a time.
func (c *submitter) submitMany(ctx context.Context, entries [][]byte) ([]*receipt.Receipt, []error) {
	rcs := make([]*receipt.Receipt, len(entries))
	errs := make([]error, len(entries))
	for start := 0; start < len(entries); {
		end, size := start, 64
		for end < len(entries) && end-start < web.MaxBatchRecords {
			quoted, _ := json.Marshal(string(entries[end]))
			if size+len(quoted)+1 > web.MaxBatchBytes {
				break
			}
			size += len(quoted) + 1
			end++
		}
		end = max(end, start+1)
		pending := make([]int, 0, end-start)
		for i := start; i < end; i++ {
			pending = append(pending, i)
		}
		_, err := retry(ctx, c.waiting, func() (struct{}, error) {
			var again []int
			var why error
			err := c.postBatch(ctx, entries, pending, func(i int, res web.BatchResult) {
				switch {
				case res.Status == http.StatusOK:
					rcs[i], errs[i] = c.checkReceipt([]byte(res.Receipt), entries[i])
					if errs[i] != nil && !isPermanent(errs[i]) {
						again, why = append(again, i), errs[i]
					}
				case res.Status >= 500 || res.Status == http.StatusTooManyRequests || len(again) > 0:
					// A refusal after a record sent again may name that
					// record: send it again after it.
					again, why = append(again, i), errors.New(res.Error)
					errs[i] = errors.New(res.Error)
				default:
					errs[i] = permanent{res.Error}
				}
			})
			if err != nil {
				return struct{}{}, err
			}
			pending = again
			if len(pending) > 0 {
				return struct{}{}, fmt.Errorf("%d records not logged yet: %v", len(pending), why)
			}
			return struct{}{}, nil
		})
		if errors.Is(err, errNoBatch) {
			for _, i := range pending {
				rcs[i], errs[i] = c.submit(ctx, entries[i])
			}
		} else if err != nil {
			var p permanent
			for _, i := range pending {
				if errs[i] == nil || !errors.As(errs[i], &p) {
					errs[i] = err
				}
			}
		}
		start = end
	}
	return rcs, errs
}

// errNoBatch: the server has no batch endpoint.
var errNoBatch = permanent{"the server has no batch endpoint"}

func isPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// postBatch posts the entries at idx as one batch and calls f with each
// one's result. A transient failure of the request as a whole is returned
// to be retried.
func (c *submitter) postBatch(ctx context.Context, entries [][]byte, idx []int, f func(i int, res web.BatchResult)) error {
	var req web.BatchRequest
	for _, i := range idx {
		req.Records = append(req.Records, string(entries[i]))
	}
	body, err := json.Marshal(req)
	if err != nil {
		return permanent{err.Error()}
	}
	hreq, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/records/batch", bytes.NewReader(body))
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(hreq)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
		return errNoBatch
	case resp.StatusCode != http.StatusOK:
		var e struct{ Error string }
		json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e)
		if e.Error == "" {
			e.Error = resp.Status
		}
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return errors.New(e.Error)
		}
		return permanent{e.Error}
	}
	var ans web.BatchAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(&ans); err != nil {
		return fmt.Errorf("server sent an unreadable batch answer: %v", err)
	}
	if len(ans.Results) != len(idx) {
		return fmt.Errorf("server answered %d results for %d records", len(ans.Results), len(idx))
	}
	for k, i := range idx {
		f(i, ans.Results[k])
	}
	return nil
}

func (c *submitter) upload(ctx context.Context, hash, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = retry(ctx, c.waiting, func() (struct{}, error) {
		req, _ := http.NewRequestWithContext(ctx, "PUT", c.base+"/api/v1/images/"+hash, bytes.NewReader(data))
		resp, err := c.client.Do(req)
		if err != nil {
			return struct{}{}, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		switch {
		case resp.StatusCode == http.StatusNoContent:
			return struct{}{}, nil
		case resp.StatusCode >= 500:
			return struct{}{}, fmt.Errorf("%s", resp.Status)
		}
		return struct{}{}, permanent{strings.TrimSpace(string(body))}
	})
	return err
}

// retry calls f until it succeeds, fails permanently, or ctx ends, backing
// off from 200 ms to 30 s between attempts. Before each wait it tells
// waiting why.
func retry[T any](ctx context.Context, waiting func(error), f func() (T, error)) (T, error) {
	wait := 200 * time.Millisecond
	for {
		v, err := f()
		var p permanent
		if err == nil || errors.As(err, &p) {
			return v, err
		}
		if waiting != nil {
			waiting(err)
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("gave up: %v (last error: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// waiting reports on stderr why a submission is being retried, once per
// distinct reason: an officer whose sheet waits for the network, or for
// the witnesses to cosign, sees why and that it is still trying.
func (c *submitter) waiting(err error) {
	if msg := err.Error(); msg != c.lastWait {
		c.lastWait = msg
		fmt.Fprintf(c.st.Stderr, "still trying (the same record is safe to send again): %s\n", msg)
	}
}
