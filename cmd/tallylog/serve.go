package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/tallylog/tallylog/datadir"
	"github.com/tallylog/tallylog/ledger"
	"github.com/tallylog/tallylog/web"
	"github.com/tallylog/tallylog/witness"
)

// runServe serves an election: the submission API, the log as tlog-tiles,
// and the public site.
func runServe(st *State, args []string) error {
	fs := newFlagSet(st, "serve", "--dir DIR [--addr HOST:PORT] [--witness-policy FILE]")
	dir := fs.String("dir", "", "election `DIR`ectory made by tallylog init")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	interval := fs.Duration("checkpoint-interval", 200*time.Millisecond, "how often to publish a checkpoint (min 100ms)")
	policyFile := fs.String("witness-policy", "", "publish a checkpoint only once the witnesses in this policy `FILE` cosign it (see docs/witnesses.md)")
	witnessTimeout := fs.Duration("witness-timeout", 5*time.Second, "how long to wait for the witnesses' cosignatures on each checkpoint")
	receiptWait := fs.Duration("receipt-wait", 15*time.Second, "how long a submission waits for a checkpoint before answering 503 with its index")
	limits := limitFlags(fs)
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
	logger := slog.New(slog.NewTextHandler(st.Stderr, nil))
	srv, err := web.Open(st.Ctx, datadir.Dir{Root: *dir}, web.Options{
		Log:       ledger.Options{CheckpointInterval: *interval, WitnessTimeout: *witnessTimeout},
		Logger:    logger,
		Witnesses: policy, ReceiptWait: *receiptWait, Limits: limits(),
	})
	if err != nil {
		return err
	}
	ln, conns, err := limitListen(srv, *addr)
	if err != nil {
		srv.Close(context.Background())
		return err
	}
	hs := srv.HTTPServer(*addr)
	fmt.Fprintf(st.Stdout, "serving %s at http://%s/\n", srv.Meta.Election, ln.Addr())
	logger.Info("limits", "connections", conns, "uploads", srv.Limits().Uploads, "cache_bytes", srv.Limits().CacheBytes)
	if policy != nil {
		for _, m := range policy.Members {
			fmt.Fprintf(st.Stdout, "witness %s at %s: %s\n", m.ID, m.URL, m.Key.VKey)
		}
	}
	return serveUntilDone(st.Ctx, hs, ln, srv)
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
