package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Findings is what Verify established about a pack.
type Findings struct {
	Origin, Election, Contest string
	TreeSize                  uint64
	Cosigners                 []string
	Records                   int
	// Proven and NotProven are plain sentences: what the pack proves, and
	// what it cannot (a scan missing from the pack, ...).
	Proven    []string
	NotProven []string
	// Statements are the report's findings, recomputed from the records.
	Statements []Statement
}

// Problem is one check a pack failed, naming the file concerned.
type Problem struct {
	File   string
	Reason string
}

// Error is a failed verification: every problem found.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("the evidence pack does not verify:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.File, p.Reason)
	}
	return b.String()
}

// Limits on what Verify reads from a pack.
const (
	maxSmallFile = 1 << 20  // checkpoint, records, proofs
	maxBigFile   = 64 << 20 // manifest, report
)

// Verify checks a pack offline with the log's key and, optionally, the keys
// of witnesses that must have cosigned its checkpoint. See the package
// documentation for what success proves. On failure the *Error names every
// file that failed and why; Findings is returned whenever the pack could be
// read far enough to say something.
func Verify(pack []byte, logKey note.Verifier, witnesses []note.Verifier) (*Findings, error) {
	return VerifyReader(bytes.NewReader(pack), int64(len(pack)), logKey, witnesses)
}

// VerifyReader is Verify for a pack read from r, of size bytes.
func VerifyReader(r io.ReaderAt, size int64, logKey note.Verifier, witnesses []note.Verifier) (*Findings, error) {
	v := &verifier{logKey: logKey, witnesses: witnesses, files: map[string][]byte{}}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &Error{[]Problem{{"zip", "not a readable zip (truncated or corrupted): " + err.Error() + "; download the pack again"}}}
	}
	if !v.read(zr) {
		return nil, v.err()
	}
	f := v.check()
	if off, err := canonicalDiff(zr, r, size); err != nil {
		v.fail("zip", "cannot rebuild the container: "+err.Error())
	} else if off >= 0 {
		v.fail("zip", fmt.Sprintf("byte %d differs from the canonical container for these files: the zip was altered or re-packed outside its files", off))
	}
	return f, v.err()
}

type verifier struct {
	logKey    note.Verifier
	witnesses []note.Verifier
	files     map[string][]byte
	order     []string
	problems  []Problem
}

func (v *verifier) fail(file, reason string) { v.problems = append(v.problems, Problem{file, reason}) }

func (v *verifier) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &Error{v.problems}
}

// read loads every file, bounded in size; the zip reader checks each
// file's CRC-32 as it is read.
func (v *verifier) read(zr *zip.Reader) bool {
	for _, f := range zr.File {
		limit := uint64(maxSmallFile)
		switch {
		case strings.HasPrefix(f.Name, "images/"):
			limit = MaxImage
		case f.Name == pathManifest || f.Name == pathReport:
			limit = maxBigFile
		}
		if f.UncompressedSize64 > limit {
			v.fail(f.Name, fmt.Sprintf("%d bytes, more than the %d a pack file may hold", f.UncompressedSize64, limit))
			continue
		}
		if _, dup := v.files[f.Name]; dup {
			v.fail(f.Name, "appears twice in the zip")
			continue
		}
		rc, err := f.Open()
		if err != nil {
			v.fail(f.Name, "cannot be read: "+err.Error())
			continue
		}
		data, err := io.ReadAll(io.LimitReader(rc, int64(limit)+1))
		rc.Close()
		if err != nil {
			v.fail(f.Name, "corrupted in the zip: "+err.Error())
			continue
		}
		v.files[f.Name] = data
		v.order = append(v.order, f.Name)
	}
	return len(v.problems) == 0
}

// check runs every check on the loaded files.
func (v *verifier) check() *Findings {
	m := v.manifest()
	if m == nil {
		return nil
	}
	f := &Findings{Origin: m.Origin, Election: m.Election, Contest: m.Contest, TreeSize: m.TreeSize}
	cp, err := openCheckpoint(v.files[pathCheckpoint], v.logKey, v.witnesses)
	if err != nil {
		v.fail(pathCheckpoint, err.Error())
		return f
	}
	f.Cosigners = cp.Cosigners
	if cp.Size != m.TreeSize || cp.Origin != m.Origin {
		v.fail(pathManifest, fmt.Sprintf("names tree size %d of %s, but the checkpoint is size %d of %s", m.TreeSize, m.Origin, cp.Size, cp.Origin))
	}
	f.Proven = append(f.Proven, fmt.Sprintf("The checkpoint (tree size %d, root %s) is signed by the log key %s.", cp.Size, cp.Root, cp.Origin))
	for _, w := range cp.Cosigners {
		f.Proven = append(f.Proven, "The checkpoint is cosigned by witness "+w+".")
	}
	recs := v.records(cp)
	if len(v.problems) > 0 {
		return f
	}
	f.Records = len(recs)
	f.Proven = append(f.Proven, fmt.Sprintf("All %d records are in the log at their indexes: each inclusion proof verifies against the checkpoint.", len(recs)))
	rp, err := replay(cp.Origin, recs)
	if err != nil {
		v.fail("records", err.Error())
		return f
	}
	if rp.header.Origin != cp.Origin || rp.header.Election != m.Election {
		v.fail(recordPath(0), fmt.Sprintf("the election record names election %s of log %s, the manifest %s of %s", rp.header.Election, rp.header.Origin, m.Election, cp.Origin))
		return f
	}
	f.Proven = append(f.Proven, fmt.Sprintf("Every record names election %s and is signed by a key the pack's keys records register, with the right to sign it (the log's rules, replayed).", m.Election))
	if m.SinceSize > 0 || v.files[pathSince] != nil {
		v.consistency(f, cp, m)
	}
	present := v.images(f, rp)
	rep, stmts, err := buildReport(rp, reportInput{Contest: m.Contest, Checkpoint: *cp, SinceSize: m.SinceSize, Images: present})
	if err != nil {
		v.fail(pathManifest, err.Error())
		return f
	}
	f.Statements = stmts
	if !bytes.Equal(rep.render(), v.files[pathReport]) {
		v.fail(pathReport, "differs from the report the pack's records give: the report was altered")
	} else {
		f.Proven = append(f.Proven, "report.html states exactly the findings the records give.")
	}
	f.NotProven = append(f.NotProven, rep.Missing...)
	f.NotProven = append(f.NotProven, "That the log holds no other record of "+m.Contest+": only the whole log shows that (tallylog verify).")
	return f
}

// manifest parses manifest.json, insists on its canonical bytes, and checks
// every file against it.
func (v *verifier) manifest() *Manifest {
	raw, ok := v.files[pathManifest]
	if !ok {
		v.fail(pathManifest, "missing: this is not an evidence pack, or it is truncated")
		return nil
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		v.fail(pathManifest, "not a valid manifest: "+err.Error())
		return nil
	}
	if !bytes.Equal(m.encode(), raw) {
		v.fail(pathManifest, "not in its canonical form: it was altered")
		return nil
	}
	if m.Format != Format {
		v.fail(pathManifest, fmt.Sprintf("format %q; this verifier reads %q", m.Format, Format))
		return nil
	}
	listed := map[string]bool{pathManifest: true}
	for _, f := range m.Files {
		listed[f.Path] = true
		data, ok := v.files[f.Path]
		if !ok {
			v.fail(f.Path, "listed in the manifest but missing from the pack")
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(data)) != f.Size {
			v.fail(f.Path, "its SHA-256 differs from the manifest's: the file or the manifest was altered")
		}
	}
	for _, name := range v.order {
		if !listed[name] {
			v.fail(name, "in the pack but not listed in the manifest")
		}
	}
	if len(v.problems) > 0 {
		return nil
	}
	return &m
}

// records checks every record file against its proof and returns them.
func (v *verifier) records(cp *checkpoint) []logged {
	var out []logged
	for _, name := range v.order {
		idx, ok := parseIndexPath(name, "records/", ".note")
		if !ok {
			if strings.HasPrefix(name, "records/") {
				v.fail(name, "not named records/<index>.note")
			}
			continue
		}
		entry := v.files[name]
		pf := proofPath(idx)
		rc, err := receipt.Parse(v.files[pf])
		switch {
		case v.files[pf] == nil:
			v.fail(pf, "missing: the record's inclusion proof")
			continue
		case err != nil:
			v.fail(pf, err.Error())
			continue
		case rc.Index != idx || !bytes.Equal(rc.Entry, entry) || !bytes.Equal(rc.Checkpoint, cp.Raw):
			v.fail(pf, "does not prove "+name+" at index "+fmt.Sprint(idx)+" against the pack's checkpoint")
			continue
		}
		if _, err := rc.Verify(v.logKey, v.witnesses...); err != nil {
			v.fail(pf, err.Error())
			continue
		}
		env, err := record.Open(entry)
		if err != nil {
			v.fail(name, "not a tallylog record: "+err.Error())
			continue
		}
		out = append(out, logged{Index: idx, Entry: entry, Env: env})
	}
	for _, name := range v.order {
		if idx, ok := parseIndexPath(name, "proofs/", ".tlog-proof"); ok && v.files[recordPath(idx)] == nil {
			v.fail(name, "proves a record the pack lacks")
		}
	}
	return out
}

// consistency checks the older checkpoint and the proof that it is a
// prefix of the pack's.
func (v *verifier) consistency(f *Findings, cp *checkpoint, m *Manifest) {
	old, err := openCheckpoint(v.files[pathSince], v.logKey, nil)
	if err != nil {
		v.fail(pathSince, err.Error())
		return
	}
	if old.Size != m.SinceSize {
		v.fail(pathManifest, fmt.Sprintf("since_size %d, but the older checkpoint's size is %d", m.SinceSize, old.Size))
		return
	}
	var proof tlog.TreeProof
	for _, l := range strings.Split(strings.TrimSuffix(string(v.files[pathTreeProof]), "\n"), "\n") {
		h, err := base64.StdEncoding.Strict().DecodeString(l)
		if l == "" && old.Size == cp.Size {
			break
		}
		if err != nil || len(h) != tlog.HashSize {
			v.fail(pathTreeProof, fmt.Sprintf("line %q is not a base64 SHA-256", l))
			return
		}
		proof = append(proof, tlog.Hash(h))
	}
	if err := tlog.CheckTree(proof, int64(cp.Size), cp.Root, int64(old.Size), old.Root); err != nil {
		v.fail(pathTreeProof, "the older checkpoint is not proven a prefix of the pack's: "+err.Error())
		return
	}
	f.Proven = append(f.Proven, fmt.Sprintf("The log's tree of size %d (the older checkpoint) is a prefix of the checkpoint's: the log did not fork between them.", old.Size))
}

// images checks every scan against its name and returns those present.
func (v *verifier) images(f *Findings, rp *replayed) map[string]bool {
	named := map[string]bool{}
	for _, img := range rp.namedImages() {
		named[img.Hash] = true
	}
	present := map[string]bool{}
	for _, name := range v.order {
		h, ok := strings.CutPrefix(name, "images/")
		if !ok {
			continue
		}
		sum := sha256.Sum256(v.files[name])
		switch {
		case !isHex64(h) || hex.EncodeToString(sum[:]) != h:
			v.fail(name, "the scan does not hash to its name")
		case !named[h]:
			v.fail(name, "no record in the pack names this scan")
		default:
			present[h] = true
		}
	}
	if len(present) > 0 {
		f.Proven = append(f.Proven, fmt.Sprintf("%d scans are the ones their records name (SHA-256 equal).", len(present)))
	}
	return present
}
