package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/tlogtiles"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Images fetches a scanned form by its SHA-256 (hex). Its bytes are not
// trusted: Build checks them against the hash.
type Images func(ctx context.Context, hash string) ([]byte, error)

// Input is what Build reads: a log, a tally of it, and where its scans are.
type Input struct {
	// Checkpoint is the signed checkpoint the pack proves against.
	Checkpoint []byte
	// LogKey verifies it.
	LogKey note.Verifier
	// Log reads the log's tiles and entry bundles (tlog-tiles paths).
	Log tlogtiles.Source
	// Tally has applied at least the checkpoint's entries. Records logged
	// after the checkpoint are left out of the pack.
	Tally *tally.Tally
	// Keys covers at least the checkpoint's entries.
	Keys *KeyIndex
	// Images fetches the scans the records name; nil leaves them out.
	Images Images
	// Since is an older checkpoint of the same log, optional: the pack
	// then carries the proof that it is a prefix of Checkpoint.
	Since []byte
	// Warn, if set, is told of every scan that could not be included.
	Warn func(msg string)
}

// Build writes the evidence pack of contest to w. It checks what it writes:
// every inclusion proof verifies against the checkpoint, every scan
// matches its hash, and the pack's records replay under the log's rules.
func Build(ctx context.Context, w io.Writer, in Input, contest string) error {
	cp, err := openCheckpoint(in.Checkpoint, in.LogKey, nil)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if in.Tally.Size() < cp.Size {
		return fmt.Errorf("the tally has applied %d entries, fewer than the checkpoint's %d", in.Tally.Size(), cp.Size)
	}
	if in.Keys.Scanned() < cp.Size {
		return fmt.Errorf("the key index covers %d entries, fewer than the checkpoint's %d", in.Keys.Scanned(), cp.Size)
	}
	indexes, err := selectContest(in.Tally, contest, cp.Size)
	if err != nil {
		return err
	}
	recs, err := collect(ctx, in, cp, indexes)
	if err != nil {
		return err
	}
	rp, err := replay(cp.Origin, recs)
	if err != nil {
		return fmt.Errorf("the selected records do not replay on their own (a bug: report it): %w", err)
	}
	pw := newPackWriter(w)
	m := &Manifest{Format: Format, Origin: cp.Origin, Election: rp.header.Election, Contest: contest, TreeSize: cp.Size}
	if err := pw.add(pathCheckpoint, cp.Raw); err != nil {
		return err
	}
	tree := cp.Tree()
	for _, rec := range rp.recs {
		if err := addRecord(ctx, pw, in, cp, rec); err != nil {
			return err
		}
	}
	if in.Since != nil {
		if m.SinceSize, err = addConsistency(ctx, pw, in, cp, tree); err != nil {
			return err
		}
	}
	present, err := addImages(ctx, pw, in, rp.namedImages())
	if err != nil {
		return err
	}
	rep, _, err := buildReport(rp, reportInput{Contest: contest, Checkpoint: *cp, SinceSize: m.SinceSize, Images: present})
	if err != nil {
		return err
	}
	if err := pw.add(pathReport, rep.render()); err != nil {
		return err
	}
	return pw.finish(m)
}

// selectContest returns the log indexes of the records that bear on the
// contest directly, below size: entry 0, the definition parts, and every
// sheet, attestation, declaration, affiliation and postal-ballot account of
// the contest, the orders its corrections carry out, and the records that
// raised or resolved its flags (a keys record that re-keyed a station).
func selectContest(t *tally.Tally, contest string, size uint64) ([]uint64, error) {
	idx := []uint64{0}
	var found bool
	t.Read(func(v *tally.View) {
		def := v.Definition()
		if def == nil {
			return
		}
		c, ok := v.Contest(contest, noClock)
		if !ok {
			return
		}
		found = true
		for _, d := range c.Declarations {
			idx = append(idx, d.Index)
		}
		for _, a := range c.Affiliations {
			idx = append(idx, a.Index)
		}
		for _, a := range c.PostalAccounts {
			idx = append(idx, a.Index)
		}
		// The records that raised and resolved the contest's flags: a flag
		// that depends on the log's clock was raised by a record of another
		// contest whose time moved the clock.
		for _, f := range v.Flags(tally.Filter{Contest: contest, Resolved: true}) {
			idx = append(idx, f.Raised)
			if f.Resolved != 0 {
				idx = append(idx, f.Resolved)
			}
		}
		for _, si := range def.StationsOf(contest) {
			st, _ := v.Station(def.Stations[si].ID)
			for _, sc := range st.Contests {
				if sc.Contest != contest {
					continue
				}
				for _, h := range sc.History {
					idx = append(idx, h.Index)
					if h.Order != nil {
						idx = append(idx, h.Order.Index) // the authority for the correction
					}
				}
				for _, f := range sc.Flags {
					for _, e := range f.Evidence {
						idx = append(idx, e.Index) // a re-keying's keys record
					}
				}
				for _, a := range sc.Attestations {
					idx = append(idx, a.Index)
				}
			}
		}
	})
	if !found {
		return nil, fmt.Errorf("the log has no contest %q: use a contest ID of its definition, such as NA-57", contest)
	}
	idx = slices.DeleteFunc(idx, func(i uint64) bool { return i >= size })
	slices.Sort(idx)
	return slices.Compact(idx), nil
}

// collect reads the selected entries, adds the definition parts, the
// keys records that registered every signer (the signers of those keys
// records included) and the records every collected record names (the
// sheet a countersignature of another contest names, when that
// countersignature raised one of this contest's clock flags), and returns
// them parsed: what the pack's replay needs to admit each of them.
func collect(ctx context.Context, in Input, cp *checkpoint, indexes []uint64) ([]logged, error) {
	have := map[uint64]logged{}
	want := indexes
	for len(want) > 0 {
		entries, err := readEntries(ctx, in.Log, cp.Size, want)
		if err != nil {
			return nil, err
		}
		var next []uint64
		for _, i := range want {
			env, err := record.Open(entries[i])
			if err != nil {
				return nil, fmt.Errorf("entry %d: %w", i, err)
			}
			have[i] = logged{Index: i, Entry: entries[i], Env: env}
			if e, ok := env.Record.(*record.Election); ok && i == 0 {
				for p := uint64(1); p <= uint64(e.DefinitionParts); p++ {
					next = append(next, p)
				}
			}
			for _, k := range in.Keys.Records(registry.KeyID{Name: env.KeyName, Hash: env.KeyHash}) {
				if k < cp.Size {
					next = append(next, k)
				}
			}
			if refs := record.References(env.Record); len(refs) > 0 {
				in.Tally.Read(func(v *tally.View) {
					for _, h := range refs {
						if ref, ok := v.Lookup(h); ok && ref.Index < cp.Size {
							next = append(next, ref.Index)
						}
					}
				})
			}
		}
		want = slices.DeleteFunc(slices.Compact(sortedCopy(next)), func(i uint64) bool { _, ok := have[i]; return ok })
	}
	out := make([]logged, 0, len(have))
	for _, l := range have {
		out = append(out, l)
	}
	return out, nil
}

func sortedCopy(s []uint64) []uint64 { s = slices.Clone(s); slices.Sort(s); return s }

// addRecord writes a record and its receipt, after checking the receipt
// verifies: the source's bytes are trusted only once proven.
func addRecord(ctx context.Context, pw *packWriter, in Input, cp *checkpoint, rec logged) error {
	rc, err := receipt.Build(ctx, cp, rec.Index, rec.Entry, receipt.FromTiles(in.Log))
	if err != nil {
		return err
	}
	if err := pw.add(recordPath(rec.Index), rec.Entry); err != nil {
		return err
	}
	return pw.add(proofPath(rec.Index), rc.Marshal())
}

// addConsistency writes the older checkpoint and the proof that its tree
// is a prefix of the pack's, and returns its size.
func addConsistency(ctx context.Context, pw *packWriter, in Input, cp *checkpoint, tree tlog.Tree) (uint64, error) {
	old, err := openCheckpoint(in.Since, in.LogKey, nil)
	if err != nil {
		return 0, fmt.Errorf("--since-checkpoint: %w", err)
	}
	if old.Size > cp.Size {
		return 0, fmt.Errorf("--since-checkpoint has size %d, newer than the log's checkpoint of size %d", old.Size, cp.Size)
	}
	proof, err := tlogtiles.ProveTree(ctx, in.Log, tree, old.Size)
	if err != nil {
		return 0, err
	}
	if err := tlog.CheckTree(proof, int64(cp.Size), cp.Root, int64(old.Size), old.Root); err != nil {
		return 0, fmt.Errorf("--since-checkpoint is not a prefix of the log's checkpoint: the log has forked, keep both checkpoints as evidence: %v", err)
	}
	if err := pw.add(pathSince, old.Raw); err != nil {
		return 0, err
	}
	return old.Size, pw.add(pathTreeProof, encodeHashes(hashesToBytes(proof)))
}

func encodeHashes(hs [][]byte) []byte {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(base64.StdEncoding.EncodeToString(h) + "\n")
	}
	return []byte(b.String())
}

// addImages writes every named scan that can be fetched and matches its
// hash, and returns the set written.
func addImages(ctx context.Context, pw *packWriter, in Input, named []namedImage) (map[string]bool, error) {
	present := map[string]bool{}
	warn := in.Warn
	if warn == nil {
		warn = func(string) {}
	}
	for _, img := range named {
		if in.Images == nil {
			warn(fmt.Sprintf("image for %s not included: no image source", img.Station))
			continue
		}
		data, err := in.Images(ctx, img.Hash)
		if err != nil {
			warn(fmt.Sprintf("image for %s (%s) not included: %v", img.Station, img.Hash, err))
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != img.Hash {
			warn(fmt.Sprintf("image for %s not included: the stored file hashes to %x, not %s as the record says", img.Station, sum, img.Hash))
			continue
		}
		if err := pw.add(imagePath(img.Hash), data); err != nil {
			return nil, err
		}
		present[img.Hash] = true
	}
	return present, nil
}

// ImagesAt returns the Images of a log location as tallylog verify takes it:
// URL/images/<hash> for a URL, or the images/ directory beside the log/
// directory (DIR/images, whether DIR is the server's directory or its log).
func ImagesAt(loc string) Images {
	if strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://") {
		src, err := tlogtiles.NewSource(loc)
		if err != nil {
			return nil
		}
		return func(ctx context.Context, hash string) ([]byte, error) { return src.ReadFile(ctx, imagePath(hash)) }
	}
	return func(_ context.Context, hash string) ([]byte, error) {
		for _, d := range []string{filepath.Join(loc, "images"), filepath.Join(loc, "..", "images")} {
			data, err := os.ReadFile(filepath.Join(d, hash))
			if err == nil || !errors.Is(err, os.ErrNotExist) {
				if len(data) > MaxImage {
					return nil, fmt.Errorf("larger than %d bytes", MaxImage)
				}
				return data, err
			}
		}
		return nil, fmt.Errorf("not found in %s/images: %w", loc, os.ErrNotExist)
	}
}

// ExportOptions tune Export.
type ExportOptions struct {
	Witnesses []note.Verifier
	Since     []byte
	Progress  func(done, total uint64)
	Warn      func(msg string)
}

// Export verifies the whole log at src (tallylog verify's checks), then
// builds the contest's pack against the checkpoint it verified. Scans are
// read from images (nil: none). It reads the log once.
func Export(ctx context.Context, w io.Writer, src tlogtiles.Source, images Images, logKey note.Verifier, contest string, opts ExportOptions) error {
	keys := NewKeyIndex()
	res, err := verify.Log(ctx, scanningSource{src, keys}, logKey, verify.Options{Witnesses: opts.Witnesses, Progress: opts.Progress})
	if err != nil {
		return fmt.Errorf("the log does not verify, so no pack was written: %w", err)
	}
	return Build(ctx, w, Input{Checkpoint: res.Checkpoint, LogKey: logKey, Log: src, Tally: res.Tally, Keys: keys,
		Images: images, Since: opts.Since, Warn: opts.Warn}, contest)
}
