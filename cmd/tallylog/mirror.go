package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/gcpolicy"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/web"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tlogtiles"
	"github.com/tallylog/tallylog/verify"
	"golang.org/x/mod/sumdb/tlog"
)

// runMirror follows a public log over HTTP, verifying every checkpoint,
// tile, entry and signature as it arrives, keeps a verified copy and
// serves the same site, API and tlog-tiles from it.
func runMirror(st *State, args []string) error {
	fs := newFlagSet(st, "mirror", "--log URL --log-key KEY [--witness-key KEY]... --dir DIR [--addr HOST:PORT] [--json]")
	upstream := fs.String("log", "", "the `URL` the log is published at (its tlog-tiles prefix)")
	trust := addTrustFlags(fs)
	dir := fs.String("dir", "", "`DIR`ectory for the verified copy (created if missing; kept across restarts)")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	interval := fs.Duration("interval", time.Second, "how often to read the upstream checkpoint (min 100ms)")
	logs := addLogFlags(fs, false)
	jsonOut := fs.Bool("json", false, "print the startup facts as one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *upstream == "" || *trust.logKey == "" || *dir == "" {
		return usageError{"--log, --log-key and --dir are required"}
	}
	if !strings.HasPrefix(*upstream, "http://") && !strings.HasPrefix(*upstream, "https://") {
		return usageError{"--log must be an http:// or https:// URL"}
	}
	if *interval < 100*time.Millisecond {
		return usageError{"--interval must be at least 100ms"}
	}
	v, ws, err := trust.load()
	if err != nil {
		return err
	}
	_, vkey, _ := datadir.LoadVerifier(*trust.logKey)
	logger, access, err := logs.open(st)
	if err != nil {
		return err
	}
	logGCPolicy(logger, gcpolicy.Apply(gcpolicy.System)) // a mirror serves the same pages as the server
	src, err := verify.NewSource(*upstream)
	if err != nil {
		return err
	}

	d := datadir.Dir{Root: *dir}
	meta, err := mirrorMeta(d, v.Name(), vkey, *upstream)
	if err != nil {
		return err
	}
	m := &web.Mirror{Upstream: *upstream}
	f := &verify.Follower{LogKey: v, Witnesses: ws}
	// A copy kept from an earlier run is verified again before anything
	// is added to it; a fork proved before stays proved.
	if fork, err := readFork(d); err != nil {
		return err
	} else if fork != nil {
		m.SetFork(fork)
		logger.Error("the upstream log forked (proved by an earlier run); not following it: see "+filepath.Join(*dir, "fork"), "reason", fork.Reason)
	}
	if ledger.Exists(d.LogDir()) {
		local, err := verify.NewSource(d.LogDir())
		if err != nil {
			return err
		}
		if _, err := f.Advance(st.Ctx, local); err != nil {
			return fmt.Errorf("the copy in %s does not verify: %w (remove it to copy the log again)", d.LogDir(), err)
		}
	}
	f.Save = func(path string, data []byte) error {
		p := filepath.Join(d.LogDir(), filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return datadir.WriteFileAtomic(p, data, 0o644)
	}
	mf := &mirrorFollower{f: f, src: src, d: d, m: m, logger: logger}
	// The first copy, before serving: the site needs the election record.
	for m.Fork() == nil && f.Checkpoint() == nil {
		mf.step(st.Ctx)
		if f.Checkpoint() != nil {
			break
		}
		select {
		case <-st.Ctx.Done():
			return st.Ctx.Err()
		case <-time.After(*interval):
		}
	}
	if meta.Election == "" {
		if err := nameElection(st.Ctx, d, meta); err != nil {
			return err
		}
	}
	srv, ln, err := openAndListen(st.Ctx, d, web.Options{Logger: logger, AccessLog: access, Mirror: m}, *addr)
	if err != nil {
		return err
	}
	facts := map[string]any{"url": "http://" + ln.Addr().String() + "/", "mirror_of": *upstream, "origin": v.Name(),
		"election": srv.Meta.Election, "tree_size": f.Checkpoint().TreeSize}
	if *jsonOut {
		json.NewEncoder(st.Stdout).Encode(facts)
	} else {
		fmt.Fprintf(st.Stdout, "mirroring %s at %s (verified %d entries)\n", *upstream, facts["url"], f.Checkpoint().TreeSize)
	}
	go func() {
		t := time.NewTicker(*interval)
		defer t.Stop()
		for m.Fork() == nil {
			select {
			case <-st.Ctx.Done():
				return
			case <-t.C:
			}
			mf.step(st.Ctx)
		}
	}()
	return serveUntilDone(st.Ctx, srv.HTTPServer(*addr), ln, srv)
}

// mirrorFollower is one mirror's follower loop.
type mirrorFollower struct {
	f        *verify.Follower
	src      verify.Source
	d        datadir.Dir
	m        *web.Mirror
	logger   *slog.Logger
	lastProb string
}

// step verifies what the upstream added and publishes it in the copy: the
// checkpoint last, after the tiles and bundles it commits to.
func (mf *mirrorFollower) step(ctx context.Context) {
	before := mf.f.Checkpoint()
	res, err := mf.f.Advance(ctx, mf.src)
	var fork *verify.Fork
	switch {
	case errors.As(err, &fork):
		// The evidence is on disk before any page says there is a fork.
		if werr := writeFork(mf.d, fork); werr != nil {
			mf.logger.Error("could not keep the fork's evidence", "err", werr)
		}
		mf.m.SetFork(fork)
		mf.logger.Error("the upstream log forked: the mirror stops following it; both checkpoints and the proof are in "+filepath.Join(mf.d.Root, "fork"), "reason", fork.Reason)
		return
	case err != nil:
		if p := err.Error(); p != mf.lastProb {
			mf.logger.Warn("the upstream log could not be verified; retrying", "err", err)
			mf.lastProb = p
		}
		return
	}
	mf.lastProb = ""
	if before == nil || res.TreeSize > before.TreeSize || string(res.Checkpoint) != string(before.Checkpoint) && res.TreeSize == before.TreeSize {
		if err := datadir.WriteFileAtomic(filepath.Join(mf.d.LogDir(), "checkpoint"), res.Checkpoint, 0o644); err != nil {
			mf.logger.Error("could not write the checkpoint of the copy", "err", err)
			return
		}
	}
	mf.m.Progress(res.TreeSize, mf.f.Checkpoint().TreeSize)
}

// mirrorMeta reads the mirror directory's tallylog.json, creating the
// directory for the log key on first use, and refuses a directory that
// holds another log or a log server's own election.
func mirrorMeta(d datadir.Dir, origin, vkey, upstream string) (*datadir.Meta, error) {
	if !d.Exists() {
		for _, p := range []string{d.LogDir(), d.ImagesDir()} {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return nil, err
			}
		}
		meta := &datadir.Meta{Origin: origin, LogKey: vkey, Mirror: upstream}
		return meta, writeMeta(d, meta)
	}
	meta, err := d.ReadMeta()
	if err != nil {
		return nil, err
	}
	switch {
	case meta.Mirror == "":
		return nil, fmt.Errorf("%s holds an election served with its own key, not a mirror: choose another --dir", d.Root)
	case meta.LogKey != vkey:
		return nil, fmt.Errorf("%s mirrors the log with key %s, not %s: choose another --dir", d.Root, meta.LogKey, vkey)
	}
	return meta, nil
}

func writeMeta(d datadir.Dir, meta *datadir.Meta) error {
	b, _ := json.MarshalIndent(meta, "", "  ")
	return datadir.WriteFileAtomic(filepath.Join(d.Root, "tallylog.json"), append(b, '\n'), 0o644)
}

// nameElection reads the election record (index 0) of the verified copy
// and records the election's ID in tallylog.json.
func nameElection(ctx context.Context, d datadir.Dir, meta *datadir.Meta) error {
	src, err := verify.NewSource(d.LogDir())
	if err != nil {
		return err
	}
	data, err := src.ReadFile(ctx, "tile/entries/000")
	if err != nil {
		data, err = src.ReadFile(ctx, "tile/entries/000.p/1")
		if err != nil {
			// Partial bundles of other widths: the first entry is the same.
			matches, _ := filepath.Glob(filepath.Join(d.LogDir(), "tile", "entries", "000.p", "*"))
			if len(matches) == 0 {
				return fmt.Errorf("the copy has no first entry bundle: %v", err)
			}
			if data, err = os.ReadFile(matches[0]); err != nil {
				return err
			}
		}
	}
	entries, err := tlogtiles.SplitBundle(data)
	if err != nil || len(entries) == 0 {
		return fmt.Errorf("the copy's first entry bundle: %v", err)
	}
	env, err := record.Open(entries[0])
	if err != nil {
		return fmt.Errorf("the log's first entry: %v", err)
	}
	e, ok := env.Record.(*record.Election)
	if !ok {
		return fmt.Errorf("the log's first entry is a %s record, not the election record", env.Record.Type())
	}
	meta.Election = e.Election
	return writeMeta(d, meta)
}

// writeFork keeps a fork's evidence in DIR/fork: both checkpoints, the
// consistency proof that does not verify, and why.
func writeFork(d datadir.Dir, f *verify.Fork) error {
	fd := filepath.Join(d.Root, "fork")
	if err := os.MkdirAll(fd, 0o755); err != nil {
		return err
	}
	var proof strings.Builder
	for _, h := range f.Proof {
		proof.WriteString(h.String() + "\n")
	}
	for name, data := range map[string]string{"old.checkpoint": string(f.Old), "proof": proof.String(), "reason": f.Reason + "\n", "new.checkpoint": string(f.New)} {
		if err := datadir.WriteFileAtomic(filepath.Join(fd, name), []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// readFork reads DIR/fork, or returns nil when there is none.
func readFork(d datadir.Dir) (*verify.Fork, error) {
	fd := filepath.Join(d.Root, "fork")
	newCP, err := os.ReadFile(filepath.Join(fd, "new.checkpoint"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	f := &verify.Fork{New: newCP}
	f.Old, _ = os.ReadFile(filepath.Join(fd, "old.checkpoint"))
	reason, _ := os.ReadFile(filepath.Join(fd, "reason"))
	f.Reason = strings.TrimSpace(string(reason))
	proof, _ := os.ReadFile(filepath.Join(fd, "proof"))
	for _, l := range strings.Fields(string(proof)) {
		if h, err := tlog.ParseHash(l); err == nil {
			f.Proof = append(f.Proof, h)
		}
	}
	return f, nil
}
