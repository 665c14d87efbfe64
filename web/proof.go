package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/tally"
)

// proofFor returns the receipt (a C2SP tlog-proof) of the entry at index
// against the latest published checkpoint: the entry itself, its
// inclusion proof and the signed checkpoint, which verify offline with
// the log's public key alone.
func (x *site) proofFor(ctx context.Context, index uint64) (*receipt.Receipt, error) {
	cp := x.s.Log.Published()
	if cp == nil || index >= cp.Size {
		var size uint64
		if cp != nil {
			size = cp.Size
		}
		return nil, fmt.Errorf("entry %d is not covered by a published checkpoint yet (size %d); retry in a second", index, size)
	}
	var entry []byte
	err := x.s.Log.ReadEntries(ctx, index, index+1, cp.Size, func(_ uint64, e []byte) error {
		entry = bytes.Clone(e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading entry %d: %v", index, err)
	}
	rc, err := receipt.Build(ctx, cp, index, entry, x.s.Log.ProveRecord)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of entry %d: %v", index, err)
	}
	return rc, nil
}

// verifyCommand is the line that tells a reader how to check a receipt.
func (x *site) verifyCommand(file string) string {
	return "tallylog verify-receipt --log-key " + x.s.Meta.LogKey + " " + file
}

// parseIndex reads a log index from a path value.
func parseIndex(s string) (uint64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// entryPage serves /entry/{index}: one logged record, its proof, and how
// to check it.
func (x *site) entryPage(r *http.Request) (*response, state) {
	index, ok := parseIndex(r.PathValue("index"))
	if !ok {
		return x.notFoundPage("Not a log index: "+r.PathValue("index"), "Log indexes are decimal numbers from 0.")
	}
	var common pageCommon
	st := x.read(func(v *tally.View) { common = x.common(v, fmt.Sprintf("Log entry %d", index)) })
	rc, err := x.proofFor(r.Context(), index)
	if err != nil {
		return x.notFoundPage(fmt.Sprintf("No published entry %d", index), err.Error())
	}
	return htmlResponse(http.StatusOK, "entry", struct {
		pageCommon
		Index   uint64
		Record  string
		Receipt string
		Verify  string
	}{common, index, string(rc.Entry), string(rc.Marshal()), x.verifyCommand("receipt.tlog-proof")}), st
}
