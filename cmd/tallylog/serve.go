package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tallylog/tallylog/datadir"
	"github.com/tallylog/tallylog/ledger"
	"github.com/tallylog/tallylog/web"
)

// runServe serves an election: the submission API, the log as tlog-tiles,
// and the public site.
func runServe(st *State, args []string) error {
	fs := newFlagSet(st, "serve", "--dir DIR [--addr HOST:PORT]")
	dir := fs.String("dir", "", "election `DIR`ectory made by tallylog init")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	interval := fs.Duration("checkpoint-interval", 200*time.Millisecond, "how often to publish a checkpoint (min 100ms)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"--dir is required"}
	}
	if *interval < 100*time.Millisecond {
		return usageError{"--checkpoint-interval must be at least 100ms"}
	}
	logger := slog.New(slog.NewTextHandler(st.Stderr, nil))
	srv, err := web.Open(st.Ctx, datadir.Dir{Root: *dir}, web.Options{Log: ledger.Options{CheckpointInterval: *interval}, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		srv.Close(context.Background())
		return fmt.Errorf("--addr %s: %v", *addr, err)
	}
	hs := srv.HTTPServer(*addr)
	fmt.Fprintf(st.Stdout, "serving %s at http://%s/\n", srv.Meta.Election, ln.Addr())
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
