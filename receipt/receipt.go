// Package receipt is the proof a submitter gets that the log holds its
// record: a C2SP tlog-proof (c2sp.org/tlog-proof@v1) whose extra data is the
// logged entry itself, so the receipt verifies offline with nothing but the
// log's public key.
//
// A receipt that verifies proves that the log, as of its checkpoint, held
// exactly these entry bytes at this index. The checkpoint's signatures
// (the log's, and any witnesses' cosignatures) date and anchor that claim;
// a log that later shows a tree without the entry has forked, and the
// receipt is the evidence.
package receipt

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tallylog/tallylog/tlogtiles"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Header is the first line of every receipt.
const Header = "c2sp.org/tlog-proof@v1"

// Receipt is an offline-verifiable inclusion proof of one entry.
type Receipt struct {
	Entry      []byte   // the logged entry (the signed record), carried as extra data
	Index      uint64   // its index in the log
	Proof      [][]byte // RFC 6962 inclusion proof, leaf to root
	Checkpoint []byte   // signed checkpoint the proof is against
}

// Marshal encodes the receipt in the tlog-proof text format.
func (r *Receipt) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(Header + "\n")
	b.WriteString("extra " + base64.StdEncoding.EncodeToString(r.Entry) + "\n")
	b.WriteString("index " + strconv.FormatUint(r.Index, 10) + "\n")
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h) + "\n")
	}
	b.WriteString("\n")
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// Parse decodes a receipt. It does not verify it.
func Parse(data []byte) (*Receipt, error) {
	head, cp, ok := bytes.Cut(data, []byte("\n\n"))
	if !ok {
		return nil, errors.New("receipt: no blank line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != Header {
		return nil, fmt.Errorf("receipt: first line must be %q", Header)
	}
	r := &Receipt{Checkpoint: cp}
	i := 1
	if i < len(lines) && strings.HasPrefix(lines[i], "extra ") {
		e, err := base64.StdEncoding.Strict().DecodeString(strings.TrimPrefix(lines[i], "extra "))
		if err != nil {
			return nil, fmt.Errorf("receipt: extra: %v", err)
		}
		r.Entry = e
		i++
	}
	if r.Entry == nil {
		return nil, errors.New("receipt: missing the 'extra' line carrying the logged record")
	}
	if i >= len(lines) || !strings.HasPrefix(lines[i], "index ") {
		return nil, errors.New("receipt: missing the 'index' line")
	}
	idxText := strings.TrimPrefix(lines[i], "index ")
	idx, err := strconv.ParseUint(idxText, 10, 64)
	if err != nil || strconv.FormatUint(idx, 10) != idxText {
		return nil, fmt.Errorf("receipt: index %q is not a decimal number without leading zeros", idxText)
	}
	r.Index = idx
	for _, l := range lines[i+1:] {
		h, err := base64.StdEncoding.Strict().DecodeString(l)
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("receipt: proof line %q is not a base64 SHA-256", l)
		}
		r.Proof = append(r.Proof, h)
	}
	if len(r.Proof) > 63 {
		return nil, errors.New("receipt: more than 63 proof hashes")
	}
	return r, nil
}

// Verified is what a verified receipt proves.
type Verified struct {
	Origin   string
	TreeSize uint64
	Root     tlog.Hash
	Index    uint64
	Entry    []byte
	// Cosigners are the names of the other keys whose signatures on the
	// checkpoint verified (witnesses given to Verify).
	Cosigners []string
}

// Verify checks the checkpoint's signature with the log's key (and any
// witnesses' keys, all of which must have cosigned), and the inclusion
// proof of the entry at the index against the checkpoint's root. It uses
// only tlogtiles and golang.org/x/mod/sumdb, never the log's own storage
// code.
func (r *Receipt) Verify(logKey note.Verifier, witnesses ...note.Verifier) (*Verified, error) {
	cp, err := tlogtiles.OpenCheckpoint(r.Checkpoint, logKey, witnesses...)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	size, root := cp.Size, cp.Root
	if r.Index >= size {
		return nil, fmt.Errorf("index %d is outside the checkpoint's tree of size %d", r.Index, size)
	}
	proof := make(tlog.RecordProof, len(r.Proof))
	for i, h := range r.Proof {
		copy(proof[i][:], h)
	}
	if err := tlog.CheckRecord(proof, int64(size), root, int64(r.Index), tlog.RecordHash(r.Entry)); err != nil {
		return nil, fmt.Errorf("inclusion proof of index %d does not match the checkpoint's root: %v", r.Index, err)
	}
	return &Verified{Origin: cp.Origin, TreeSize: size, Root: root, Index: r.Index, Entry: r.Entry, Cosigners: cp.Cosigners}, nil
}

// A Prover returns the inclusion proof of the entry at index in tree.
// Nothing it returns is trusted: Build checks the proof against the tree's
// root before it makes a receipt of it.
type Prover func(ctx context.Context, index uint64, tree tlog.Tree) (tlog.RecordProof, error)

// FromTiles is a Prover reading the log's tiles from src, each tile
// checked against the tree's root as it is read.
func FromTiles(src tlogtiles.Source) Prover {
	return func(ctx context.Context, index uint64, tree tlog.Tree) (tlog.RecordProof, error) {
		return tlogtiles.ProveRecord(ctx, src, tree, index)
	}
}

// Build is the one way tallylog makes a receipt: the entry at index, its
// inclusion proof from prove, and the checkpoint cp, which the caller has
// opened with the log's key (tlogtiles.OpenCheckpoint). The proof is
// checked against the checkpoint's root with the entry's own hash, so a
// receipt that would not verify is never returned: a wrong entry, index or
// proof is an error naming the index.
func Build(ctx context.Context, cp *tlogtiles.Checkpoint, index uint64, entry []byte, prove Prover) (*Receipt, error) {
	if index >= cp.Size {
		return nil, fmt.Errorf("index %d is outside the checkpoint's tree of size %d", index, cp.Size)
	}
	p, err := prove(ctx, index, cp.Tree())
	if err != nil {
		return nil, err
	}
	if err := tlog.CheckRecord(p, int64(cp.Size), cp.Root, int64(index), tlog.RecordHash(entry)); err != nil {
		return nil, fmt.Errorf("the entry at index %d does not match its inclusion proof against the checkpoint of size %d (the log's tiles or entries changed under us; run tallylog verify): %v", index, cp.Size, err)
	}
	r := &Receipt{Entry: entry, Index: index, Checkpoint: cp.Raw, Proof: make([][]byte, len(p))}
	for i := range p {
		r.Proof[i] = p[i][:]
	}
	return r, nil
}
