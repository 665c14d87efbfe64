// Package node owns one running election: its data directory (held with
// an exclusive lock), its log (Tessera on POSIX files or MySQL, or a
// read-only verified copy for a mirror), the intake that authenticates and
// appends records, and the tally that follows the published checkpoints.
// Every command that opens an election (init, import, serve, demo, bench,
// hostile, mirror) opens it through Open; package web only speaks HTTP
// about a Node.
//
// # Lifecycle
//
// A Node goes through these states, in this order, once:
//
//   - Opening (Open): read DIR/tallylog.json, take DIR/tallylog.lock,
//     check that the directory can be written and remove the temporary
//     files a killed process left, open the log on the driver it was
//     created on, and replay it into the intake's registries (who may sign
//     what, what a record may name). A failure releases everything taken
//     and is one of the errors below.
//   - Running: the intake appends (Intake), and the follower applies every
//     entry covered by a published checkpoint to the tally, in index
//     order (Applied, WaitApplied), and charges it to its station's and
//     key's quotas (AdmitAttestation, AdmitImage). Records the intake
//     judges by the tally's state (audits) wait for the follower to catch
//     up first. Receipts (Receipt) and evidence packs (EvidencePack) are
//     made against the latest published checkpoint.
//   - Stopped (Stopped != ""): the follower met an entry that replay
//     refuses, or the log cannot be written. The node keeps serving what
//     it has applied, frozen, and the caller must acknowledge nothing; an
//     operator fixes the cause and restarts. Stopped is a state, not an
//     end: the log may become writable again.
//   - Closed (Close): the follower ends, every accepted entry is made
//     durable, the log is closed and the lock released. A Node is not
//     reopened; Open a new one.
//
// A read-only node (Options.ReadOnly, for tallylog mirror) has the same
// lifecycle, but its log is a copy written by verify.Follower after it
// checked it: it holds no signing key, its intake refuses every append
// (ledger.ErrReadOnly), and its tally checks every signature again.
//
// # Errors
//
// Open's errors say what to do next in their text; callers branch on their
// kind with errors.Is: ErrLocked, ErrNotElection, ErrDamagedCheckpoint,
// ErrStorage.
package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/intake"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/witness"
	"golang.org/x/mod/sumdb/note"
)

// The kinds of Open's errors.
var (
	// ErrLocked: another process holds the directory (datadir.ErrLocked).
	ErrLocked = datadir.ErrLocked
	// ErrNotElection: the directory holds no tallylog.json, or one that
	// cannot be read.
	ErrNotElection = errors.New("not an election directory")
	// ErrDamagedCheckpoint: the log's checkpoint file does not open
	// (ledger.ErrDamagedCheckpoint).
	ErrDamagedCheckpoint = ledger.ErrDamagedCheckpoint
	// ErrStorage: the log is asked for on another driver than the one it
	// was created on (a DSN for a log in files, or none for a log in a
	// database).
	ErrStorage = errors.New("wrong storage for this election's log")
)

// kindError gives an error a kind for errors.Is without changing its text.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string        { return e.err.Error() }
func (e *kindError) Unwrap() error        { return e.err }
func (e *kindError) Is(target error) bool { return target == e.kind }

// Options configure a node.
type Options struct {
	Log ledger.Options
	// Now is the clock for deadlines; the demo passes its simulated clock.
	Now func() time.Time
	// Logger receives operational messages (default: discard).
	Logger *slog.Logger
	// Witnesses, when set, must cosign every checkpoint before it is
	// published; until they do, records are sequenced and durable but are
	// not covered by a published checkpoint.
	Witnesses *witness.Policy
	// ReadOnly opens the log as a mirror's verified copy: no signing key,
	// no appends, every signature replayed.
	ReadOnly bool
	// Command names the command holding the directory in its lock file
	// ("serve" when empty), for the next refusal to quote.
	Command string
	// Empty refuses a log that already holds entries (tallylog init on a
	// database), before anything is read from it.
	Empty bool
	// Quotas bound what one station and one key may make the node store;
	// zero fields take DefaultQuotas.
	Quotas Quotas
}

// Node is one running election. Its exported fields are set by Open and
// never change.
type Node struct {
	Dir         datadir.Dir
	Meta        *datadir.Meta
	Log         *ledger.Log
	Intake      *intake.Intake
	Tally       *tally.Tally
	LogVerifier note.Verifier
	Witnesses   *witness.Policy // nil: checkpoints need no cosignature
	Now         func() time.Time
	ReadOnly    bool

	logger *slog.Logger
	quotas *quotas // quota.go
	cancel context.CancelFunc
	done   chan struct{}
	lock   *datadir.Lock

	mu      sync.Mutex
	applied uint64 // entries the tally has applied
	applyCh chan struct{}
	failed  error // a tally failure: the log holds an entry replay refuses

	evidence evidenceState // evidence packs (evidence.go)
}

// Open opens the election in dir (see Lifecycle): its lock, its log, the
// intake (replaying what the log holds) and the tally's follower.
func Open(ctx context.Context, dir datadir.Dir, opts Options) (*Node, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Command == "" {
		opts.Command = "serve"
	}
	meta, err := dir.ReadMeta()
	if err != nil {
		return nil, &kindError{ErrNotElection, err}
	}
	v, err := note.NewVerifier(meta.LogKey)
	if err != nil {
		return nil, &kindError{ErrNotElection, fmt.Errorf("log key in %s/tallylog.json: %v", dir.Root, err)}
	}
	lock, err := takeDir(dir, opts.Command, opts.Logger)
	if err != nil {
		return nil, err
	}
	opened := false
	defer func() {
		if !opened {
			lock.Unlock()
		}
	}()
	if opts.Witnesses != nil {
		opts.Log.Witnesses = &opts.Witnesses.Group
	}
	if err := checkStorage(meta, opts.Log.MySQLDSN); err != nil {
		return nil, &kindError{ErrStorage, err}
	}
	lg, err := openLedger(ctx, dir, meta, opts)
	if err != nil {
		return nil, err
	}
	if opts.Empty {
		if size, err := lg.IntegratedSize(ctx); err != nil || size > 0 {
			lg.Close(ctx)
			return nil, fmt.Errorf("the database already holds a log (%d entries): give --mysql-dsn an empty database", size)
		}
	}
	in, err := intake.New(ctx, lg)
	if err != nil {
		lg.Close(ctx)
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	n := &Node{Dir: dir, Meta: meta, Log: lg, Intake: in, Tally: tally.NewPooled(meta.Origin, in.Pool()), LogVerifier: v,
		Witnesses: opts.Witnesses, Now: opts.Now, ReadOnly: opts.ReadOnly, logger: opts.Logger, quotas: newQuotas(opts.Quotas),
		done: make(chan struct{}), applyCh: make(chan struct{}), lock: lock}
	opened = true
	in.SetExtension(n.checkAudit)
	fctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go n.follow(fctx)
	if n.Witnesses != nil {
		go n.watchWitnesses(fctx)
	}
	return n, nil
}

// Close stops the tally follower, closes the log after every accepted
// entry is durable, and releases the directory's lock.
func (n *Node) Close(ctx context.Context) error {
	n.cancel()
	<-n.done
	err := n.Log.Close(ctx)
	n.lock.Unlock()
	return err
}

// takeDir takes the directory's exclusive lock, checks that the node can
// write what it must, and removes the temporary files a killed process
// left behind.
func takeDir(dir datadir.Dir, command string, logger *slog.Logger) (*datadir.Lock, error) {
	lock, err := dir.Lock(command)
	if err != nil {
		return nil, err
	}
	if err := dir.CheckWritable(); err != nil {
		lock.Unlock()
		return nil, err
	}
	n, err := dir.RemoveStaleTemps()
	if err != nil {
		lock.Unlock()
		return nil, fmt.Errorf("removing stale temporary files in %s: %w", dir.Root, err)
	}
	if n > 0 {
		logger.Info("removed temporary files left by an interrupted write", "count", n)
	}
	return lock, nil
}

// checkStorage refuses to open an election's log on another driver than
// the one it was created on.
func checkStorage(meta *datadir.Meta, dsn string) error {
	switch {
	case meta.Storage == "mysql" && dsn == "":
		return fmt.Errorf("this election's log is in a MySQL/MariaDB database: give its --mysql-dsn")
	case meta.Storage == "" && dsn != "":
		return fmt.Errorf("this election's log is in its directory (log/), not in a database: drop --mysql-dsn")
	case meta.Storage != "" && meta.Storage != "mysql":
		return fmt.Errorf("tallylog.json names storage %q, which this tallylog does not know", meta.Storage)
	}
	return nil
}

// openLedger opens the election's log: a read-only copy for a mirror,
// else the log itself with its signing key.
func openLedger(ctx context.Context, dir datadir.Dir, meta *datadir.Meta, opts Options) (*ledger.Log, error) {
	if opts.ReadOnly {
		return ledger.OpenReadOnly(ctx, dir.LogDir(), meta.LogKey)
	}
	signer, err := dir.LogSigner()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &kindError{ErrNotElection, err}
		}
		return nil, err
	}
	return ledger.Open(ctx, dir.LogDir(), signer, meta.LogKey, opts.Log)
}

// follow applies every newly published entry to the tally, in index order.
func (n *Node) follow(ctx context.Context) {
	defer close(n.done)
	for {
		changed := n.Log.Changed()
		_, size := n.Log.Checkpoint()
		n.mu.Lock()
		from := n.applied
		n.mu.Unlock()
		if size > from {
			err := n.Log.ReadEntries(ctx, from, size, size, func(i uint64, e []byte) error {
				// The tally follows this intake's appends: it need not
				// verify again the signatures the intake just verified
				// (tallylog verify always does).
				var env *record.Envelope
				var err error
				if v := n.Intake.Verified(sha256.Sum256(e)); v != nil {
					env = v.Envelope()
					err = n.Tally.ApplyVerified(i, v)
				} else {
					err = n.Tally.Apply(i, e)
				}
				if err != nil {
					return fmt.Errorf("index %d: %w", i, err)
				}
				n.quotas.learn(e, env, n.Dir.ImagesDir())
				n.mu.Lock()
				n.applied = i + 1
				n.mu.Unlock()
				return nil
			})
			if err != nil && ctx.Err() == nil {
				n.logger.Error("tally stopped: the log holds an entry that replay refuses; run tallylog verify", "err", err)
				n.Halt(err)
				return
			}
			n.mu.Lock()
			close(n.applyCh)
			n.applyCh = make(chan struct{})
			n.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// checkAudit rules on an audit record for the intake: it waits until the
// tally has applied the size entries already in the log, then asks the
// tally's audit state, exactly as replay will.
func (n *Node) checkAudit(size uint64, env *record.Envelope, key *registry.Key) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := n.WaitApplied(ctx, size); err != nil {
		return &registry.Rejection{Field: "log", Rule: "the tally has not caught up with the log yet; retry in a few seconds"}
	}
	return n.Tally.CheckAudit(env, key)
}

// Applied returns how many entries the tally has applied and a channel
// closed when that number next grows.
func (n *Node) Applied() (uint64, <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.applied, n.applyCh
}

// WaitApplied blocks until the tally has applied n entries.
func (n *Node) WaitApplied(ctx context.Context, size uint64) error {
	for {
		got, ch := n.Applied()
		if got >= size {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Halt puts the node in the stopped state with err as the tally's failure
// (the follower does when replay refuses an entry; it then stops
// following). Halt(nil) clears a failure set by Halt, for a test of the
// stopped state; it does not restart a follower that stopped.
func (n *Node) Halt(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failed = err
}

// Failed reports whether the tally stopped on an entry replay refuses.
func (n *Node) Failed() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.failed != nil
}

// Stopped returns why the node must acknowledge no submission now, or "":
// the tally stopped (the results are frozen at the last entry applied),
// or the log cannot be written.
func (n *Node) Stopped() string {
	n.mu.Lock()
	failed := n.failed
	n.mu.Unlock()
	if failed != nil {
		return "the tally stopped at " + failed.Error() + "; the results shown are frozen at the last entry it applied, and no submission is acknowledged: " +
			"run tallylog verify on the log to find the entry, fix the cause, and restart the server"
	}
	if err := n.Log.WriteProblem(); err != nil {
		return err.Error()
	}
	return ""
}

// watchWitnesses logs each change in a witness's answers: when it starts
// refusing or cannot be reached, and when it cosigns again.
func (n *Node) watchWitnesses(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := map[string]string{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, r := range n.Log.WitnessReports() {
			if r.Problem == last[r.URL] {
				continue
			}
			if r.OK {
				n.logger.Info("witness cosigned the checkpoint; publishing", "witness", r.URL, "size", r.Size)
			} else {
				n.logger.Warn("witness did not cosign; the checkpoint is not published until it does", "witness", r.URL, "size", r.Size, "problem", r.Problem)
			}
			last[r.URL] = r.Problem
		}
	}
}
