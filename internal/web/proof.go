package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/tally"
)

// proofFor returns the receipt of the entry at index against the latest
// published checkpoint (node.Receipt).
func (x *site) proofFor(ctx context.Context, index uint64) (*receipt.Receipt, error) {
	return x.s.Receipt(ctx, index)
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
		return x.notFoundPage(r, "Not a log index: "+r.PathValue("index"), "Log indexes are decimal numbers from 0.")
	}
	rc, err := x.proofFor(r.Context(), index)
	if err != nil {
		return x.notFoundPage(r, fmt.Sprintf("No published entry %d", index), err.Error())
	}
	var (
		common pageCommon
		e      entrySummary
		flags  []tally.Flag
	)
	st := x.read(func(v *tally.View) {
		common, e = x.common(r, v, tr(langOf(r), "Log entry %d", index)), summarizeEntry(v.Definition(), rc.Entry)
		if e.Type == "declaration" {
			flags = flagsOn(v.Flags(tally.Filter{Contest: e.Contest, AsOf: x.asOf()}), index)
		}
	})
	return htmlResponse(http.StatusOK, "entry", struct {
		pageCommon
		Index   uint64
		Record  string
		Receipt string
		Verify  string
		E       entrySummary
		// Flags are the standing flags about this declaration.
		Flags []tally.Flag
	}{common, index, string(rc.Entry), string(rc.Marshal()), x.verifyCommand("receipt.tlog-proof"), e, flags}), st
}

// flagsOn returns the flags among fs about the record at index: those
// whose first evidence it is (a flag on a declaration cites the
// declaration, then the sheets it is compared with; those sheets are not
// what the flag is about).
func flagsOn(fs []tally.Flag, index uint64) []tally.Flag {
	var out []tally.Flag
	for _, f := range fs {
		if len(f.Evidence) > 0 && f.Evidence[0].Index == index {
			out = append(out, f)
		}
	}
	return out
}
