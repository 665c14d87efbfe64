// Package web is tallylog's HTTP server: the submission API, the log served
// as C2SP tlog-tiles static files, the scanned forms, and (in the site and
// API files) the public results pages and read API.
//
// Every handler bounds what it reads and how long it waits; state-changing
// requests are refused from other origins (http.CrossOriginProtection);
// results are a function of the log's published checkpoint, so a response
// is immutable for a given checkpoint and carries an ETag naming it.
package web

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/tallylog/tallylog/datadir"
	"github.com/tallylog/tallylog/intake"
	"github.com/tallylog/tallylog/ledger"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"github.com/tallylog/tallylog/tally"
	"github.com/tallylog/tallylog/witness"
	"golang.org/x/mod/sumdb/note"
)

// Options configure a server.
type Options struct {
	Log ledger.Options
	// Now is the clock for deadlines; the demo passes its simulated clock.
	Now func() time.Time
	// Logger receives operational messages (default: discard).
	Logger *slog.Logger
	// Witnesses, when set, must cosign every checkpoint before it is
	// published; until they do, records are sequenced and durable but get
	// no receipt.
	Witnesses *witness.Policy
	// Limits bound what clients may make the server hold (limits.go);
	// zero fields take DefaultLimits.
	Limits Limits
	// ReceiptWait bounds how long a submission waits for a published
	// checkpoint covering its record (default 15 s). Past it the answer is
	// 503 with the record's index: the record is durable, and submitting
	// it again returns its receipt once a checkpoint is published.
	ReceiptWait time.Duration
	// AccessLog, when set, receives one line per HTTP request.
	AccessLog *slog.Logger
	// Mirror, when set, opens the directory as a read-only mirror (see
	// mirror.go): no signing key, no submissions, every signature replayed.
	Mirror *Mirror
}

// Server serves one election's log.
type Server struct {
	Dir         datadir.Dir
	Meta        *datadir.Meta
	Log         *ledger.Log
	Intake      *intake.Intake
	Tally       *tally.Tally
	LogVerifier note.Verifier
	Witnesses   *witness.Policy // nil: checkpoints need no cosignature
	Now         func() time.Time
	logger      *slog.Logger
	receiptWait time.Duration
	metrics     *serverMetrics
	accessLog   *slog.Logger
	mirror      *Mirror

	cancel context.CancelFunc
	done   chan struct{}
	lock   *datadir.Lock // the directory's exclusive lock (guard.go)
	limits *limits       // uploads, quotas, packs (limits.go)

	mu      sync.Mutex
	applied uint64 // entries the tally has applied
	applyCh chan struct{}
	failed  error // a tally failure: the log holds an entry replay refuses

	evidence evidenceState // the evidence download's (claim.go)
}

// Open opens the election in dir: its log, the intake (replaying what the
// log holds) and the tally, which follows published checkpoints.
func Open(ctx context.Context, dir datadir.Dir, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	meta, err := dir.ReadMeta()
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(meta.LogKey)
	if err != nil {
		return nil, fmt.Errorf("log key in %s/tallylog.json: %v", dir.Root, err)
	}
	lock, err := takeDir(dir, opts.Logger)
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
		return nil, err
	}
	lg, err := openLedger(ctx, dir, meta, opts)
	if err != nil {
		return nil, err
	}
	in, err := intake.New(ctx, lg)
	if err != nil {
		lg.Close(ctx)
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReceiptWait == 0 {
		opts.ReceiptWait = 15 * time.Second
	}
	s := &Server{Dir: dir, Meta: meta, Log: lg, Intake: in, Tally: tally.New(meta.Origin), LogVerifier: v,
		Witnesses: opts.Witnesses, Now: opts.Now, logger: opts.Logger, receiptWait: opts.ReceiptWait,
		done: make(chan struct{}), applyCh: make(chan struct{}), lock: lock, limits: newLimits(opts.Limits),
		accessLog: opts.AccessLog, mirror: opts.Mirror}
	s.metrics = newServerMetrics(s)
	opened = true
	in.SetExtension(s.checkAudit)
	fctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.follow(fctx)
	if s.Witnesses != nil {
		go s.watchWitnesses(fctx)
	}
	return s, nil
}

// Close stops the tally follower and closes the log after every accepted
// entry is durable.
func (s *Server) Close(ctx context.Context) error {
	s.cancel()
	<-s.done
	err := s.Log.Close(ctx)
	s.lock.Unlock()
	return err
}

// follow applies every newly published entry to the tally, in index order.
func (s *Server) follow(ctx context.Context) {
	defer close(s.done)
	for {
		changed := s.Log.Changed()
		_, size := s.Log.Checkpoint()
		s.mu.Lock()
		from := s.applied
		s.mu.Unlock()
		if size > from {
			err := s.Log.ReadEntries(ctx, from, size, size, func(i uint64, e []byte) error {
				// The tally follows this intake's appends: it need not
				// verify again the signatures the intake just verified
				// (tallylog verify always does).
				apply := func() error { return s.Tally.Apply(i, e) }
				if v := s.Intake.Verified(sha256.Sum256(e)); v != nil {
					apply = func() error { return s.Tally.ApplyVerified(i, v) }
				}
				if err := apply(); err != nil {
					return fmt.Errorf("index %d: %w", i, err)
				}
				s.limits.learn(e, s.Dir.ImagesDir())
				s.mu.Lock()
				s.applied = i + 1
				s.mu.Unlock()
				return nil
			})
			if err != nil && ctx.Err() == nil {
				s.logger.Error("tally stopped: the log holds an entry that replay refuses; run tallylog verify", "err", err)
				s.mu.Lock()
				s.failed = err
				s.mu.Unlock()
				return
			}
			s.mu.Lock()
			close(s.applyCh)
			s.applyCh = make(chan struct{})
			s.mu.Unlock()
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
func (s *Server) checkAudit(size uint64, env *record.Envelope, key *registry.Key) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.WaitApplied(ctx, size); err != nil {
		return &registry.Rejection{Field: "log", Rule: "the tally has not caught up with the log yet; retry in a few seconds"}
	}
	return s.Tally.CheckAudit(env, key)
}

// Applied returns how many entries the tally has applied and a channel
// closed when that number next grows.
func (s *Server) Applied() (uint64, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied, s.applyCh
}

// WaitApplied blocks until the tally has applied n entries.
func (s *Server) WaitApplied(ctx context.Context, n uint64) error {
	for {
		got, ch := s.Applied()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routeLog(mux)
	s.routeSubmit(mux)
	s.routeStatus(mux)
	s.routeSite(mux)
	s.routeClaims(mux)
	s.routeApp(mux)
	s.routeMetrics(mux)
	cop := http.NewCrossOriginProtection()
	return s.observe(s.mirrorGuard(securityHeaders(cop.Handler(mux))))
}

// HTTPServer returns an http.Server for addr with the timeouts an
// election-night server needs: slow clients cannot hold connections open.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}
