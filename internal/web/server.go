// Package web is tallylog's HTTP server: the submission API, the log served
// as C2SP tlog-tiles static files, the scanned forms, and (in the site and
// API files) the public results pages and read API.
//
// It only speaks HTTP about a running election, a *node.Node (package
// node), which holds the log, the registries, the tally and their
// lifecycle: New serves a node, Open opens one and serves it.
//
// Every handler bounds what it reads and how long it waits; state-changing
// requests are refused from other origins (http.CrossOriginProtection);
// results are a function of the log's published checkpoint, so a response
// is immutable for a given checkpoint and carries an ETag naming it.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/node"
	"github.com/tallylog/tallylog/witness"
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
	// PublicURL, when set (CheckPublicURL), is the site's public address:
	// pages name their share cards and themselves by absolute URLs under
	// it (og:image, og:url), as social networks require. Without it they
	// use paths on the server that answered.
	PublicURL string
}

// Server serves one election: it speaks HTTP about a running node (the
// log, registries, tally and their lifecycle are the node's; see package
// node).
type Server struct {
	*node.Node
	logger      *slog.Logger
	receiptWait time.Duration
	metrics     *serverMetrics
	accessLog   *slog.Logger
	mirror      *Mirror
	publicURL   string // Options.PublicURL without its trailing "/"

	limits *limits // uploads, quotas, packs (limits.go)
}

// Open opens the election in dir (node.Open, with the Log, Now, Logger,
// Witnesses, the quotas in Limits, and read-only for a Mirror) and serves
// it (New). It is the one way the servers (serve, demo, bench, mirror)
// open an election.
func Open(ctx context.Context, dir datadir.Dir, opts Options) (*Server, error) {
	n, err := node.Open(ctx, dir, node.Options{Log: opts.Log, Now: opts.Now, Logger: opts.Logger, Witnesses: opts.Witnesses,
		ReadOnly: opts.Mirror != nil, Quotas: opts.Limits.Quotas})
	if err != nil {
		return nil, err
	}
	return New(n, opts), nil
}

// New serves a running node. It uses the HTTP fields of opts (Logger,
// Limits but their quotas, which are the node's, ReceiptWait, AccessLog,
// Mirror); the node's own are set when it is opened. The server owns the
// node: Close closes it.
func New(n *node.Node, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReceiptWait == 0 {
		opts.ReceiptWait = 15 * time.Second
	}
	lim := opts.Limits
	lim.Quotas = n.Quotas()
	s := &Server{Node: n, logger: opts.Logger, receiptWait: opts.ReceiptWait, limits: newLimits(lim, n),
		accessLog: opts.AccessLog, mirror: opts.Mirror, publicURL: strings.TrimSuffix(opts.PublicURL, "/")}
	s.metrics = newServerMetrics(s)
	return s
}

// Close closes the server's node: the tally follower stops, every
// accepted entry is made durable, the directory's lock is released.
func (s *Server) Close(ctx context.Context) error {
	return s.Node.Close(ctx)
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
