package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/tallylog/tallylog/internal/datadir"
	"github.com/tallylog/tallylog/internal/gcpolicy"
	"github.com/tallylog/tallylog/internal/ledger"
	"github.com/tallylog/tallylog/internal/metrics"
	"github.com/tallylog/tallylog/internal/web"
	"github.com/tallylog/tallylog/witness"
)

// runServe serves an election: the submission API, the log as tlog-tiles,
// and the public site.
func runServe(st *State, args []string) error {
	fs := newFlagSet(st, "serve", "--dir DIR [--addr HOST:PORT] [--witness-policy FILE] [--log-format text|json] [--json]")
	dir := fs.String("dir", "", "election `DIR`ectory made by tallylog init")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	interval := fs.Duration("checkpoint-interval", 200*time.Millisecond, "how often to publish a checkpoint (min 100ms)")
	policyFile := fs.String("witness-policy", "", "publish a checkpoint only once the witnesses in this policy `FILE` cosign it (see docs/witnesses.md)")
	witnessTimeout := fs.Duration("witness-timeout", 5*time.Second, "how long to wait for the witnesses' cosignatures on each checkpoint")
	receiptWait := fs.Duration("receipt-wait", 15*time.Second, "how long a submission waits for a checkpoint before answering 503 with its index")
	publicURL := fs.String("public-url", "", "the site's public address, `URL` such as https://results.example.pk, for the absolute share-card links (og:image) pages carry")
	limits := limitFlags(fs)
	logs := addLogFlags(fs, true)
	storage := addStorageFlags(fs)
	jsonOut := fs.Bool("json", false, "print the startup facts (address, origin, log key, witnesses, version) as one JSON object")
	flagsHelp := fs.Usage
	fs.Usage = func() {
		flagsHelp()
		fmt.Fprintf(st.Stderr, `
Memory (docs/limits.md): unless the environment sets them, the server runs
the garbage collector at GOGC=%d (the heap may grow to three times what is
live) under a soft limit, GOMEMLIMIT, of %.0f%% of the memory its cgroup or the
machine allows. Set GOGC or GOMEMLIMIT to choose otherwise; the log line
"memory" at start says what is in force.
`, gcpolicy.Percent, gcpolicy.LimitFraction*100)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var policy *witness.Policy
	if *policyFile != "" {
		text, err := os.ReadFile(*policyFile)
		if err != nil {
			return fmt.Errorf("--witness-policy: %v", err)
		}
		if policy, err = witness.ParsePolicy(text); err != nil {
			return fmt.Errorf("--witness-policy %s: %v", *policyFile, err)
		}
	}
	if *dir == "" {
		return usageError{"--dir is required"}
	}
	if *interval < 100*time.Millisecond {
		return usageError{"--checkpoint-interval must be at least 100ms"}
	}
	logger, access, err := logs.open(st)
	if err != nil {
		return err
	}
	meta, err := datadir.Dir{Root: *dir}.ReadMeta()
	if err != nil {
		return err
	}
	if meta.Mirror != "" {
		return fmt.Errorf("%s is a mirror of %s, not an election this server signs: run tallylog mirror on it", *dir, meta.Mirror)
	}
	_, dsn, err := storage.resolve(meta)
	if err != nil {
		return err
	}
	gc := gcpolicy.Apply(gcpolicy.System)
	opts := web.Options{
		Log:       ledger.Options{CheckpointInterval: *interval, WitnessTimeout: *witnessTimeout, MySQLDSN: dsn},
		Logger:    logger,
		Witnesses: policy, ReceiptWait: *receiptWait, Limits: limits(), PublicURL: *publicURL,
	}
	if err := web.CheckPublicURL(*publicURL); err != nil {
		return usageError{"--public-url: " + err.Error()}
	}
	opts.AccessLog = access
	srv, ln, err := openAndListen(st.Ctx, datadir.Dir{Root: *dir}, opts, *addr)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer(*addr)
	conns, _ := srv.ConnLimit()
	logger.Info("limits", "connections", conns, "uploads", srv.Limits().Uploads, "cache_bytes", srv.Limits().CacheBytes)
	logGCPolicy(logger, gc)
	facts := startupFacts{URL: "http://" + ln.Addr().String() + "/", Election: srv.Meta.Election,
		Origin: srv.Meta.Origin, LogKey: srv.Meta.LogKey, Version: metrics.ReadBuild().Version, Witnesses: []witnessFact{}}
	if policy != nil {
		for _, m := range policy.Members {
			facts.Witnesses = append(facts.Witnesses, witnessFact{ID: m.ID, URL: m.URL, Key: m.Key.VKey})
		}
	}
	if *jsonOut {
		if err := json.NewEncoder(st.Stdout).Encode(facts); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(st.Stdout, "serving %s at %s\n", facts.Election, facts.URL)
		for _, w := range facts.Witnesses {
			fmt.Fprintf(st.Stdout, "witness %s at %s: %s\n", w.ID, w.URL, w.Key)
		}
	}
	logger.Info("serving", "url", facts.URL, "origin", facts.Origin, "version", facts.Version)
	return serveUntilDone(st.Ctx, hs, ln, srv)
}

// openAndListen opens the server and listens on addr, with no more
// connections at once than the server's file descriptors allow.
func openAndListen(ctx context.Context, d datadir.Dir, opts web.Options, addr string) (*web.Server, net.Listener, error) {
	srv, err := web.Open(ctx, d, opts)
	if err != nil {
		return nil, nil, err
	}
	ln, _, err := limitListen(srv, addr)
	if err != nil {
		srv.Close(context.Background())
		return nil, nil, err
	}
	return srv, ln, nil
}

// startupFacts is what serve --json prints once it listens.
type startupFacts struct {
	URL       string        `json:"url"`
	Election  string        `json:"election"`
	Origin    string        `json:"origin"`
	LogKey    string        `json:"log_key"`
	Version   string        `json:"version"`
	Witnesses []witnessFact `json:"witnesses"`
}

type witnessFact struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	Key string `json:"key"`
}

// serveUntilDone serves until ctx is cancelled, then shuts down: stop
// accepting, finish requests in flight, make every accepted entry durable.
func serveUntilDone(ctx context.Context, hs *http.Server, ln net.Listener, srv *web.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	if cerr := srv.Close(sctx); err == nil || errors.Is(err, http.ErrServerClosed) {
		err = cerr
	}
	return err
}

// logGCPolicy logs the collector's policy in force (gcpolicy.Apply), as a
// server and a mirror say at start.
func logGCPolicy(logger *slog.Logger, gc gcpolicy.Policy) {
	logger.Info("memory", "gc_percent", gc.Percent, "gc_percent_from", gc.PercentFrom, "memory_limit_bytes", gc.Limit, "memory_limit_from", gc.LimitFrom)
}
