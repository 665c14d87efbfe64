package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tallylog/tallylog/internal/datadir"
)

// TestMain lets testscript run this test binary as the "tallylog" command.
func TestMain(m *testing.M) {
	routeKlog(os.Stderr)
	testscript.Main(m, map[string]func(){
		"tallylog": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the command-line scenarios in testdata/script/*.txtar.
// SHARED is set to ../shared when it exists, so scripts that need the real
// data sets can skip with [!exec:...] or a condition on $SHARED.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SHARED", sharedDir())
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				_, err := os.Stat(sharedDir() + "/data")
				return err == nil, nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"serve": cmdServe,
		},
	})
}

func sharedDir() string {
	wd, _ := os.Getwd()
	return wd + "/../../../shared"
}

// background is a tallylog serve running for a script.
type background struct {
	stop   context.CancelFunc
	exited chan int
	stderr *bytes.Buffer
}

var (
	serversMu sync.Mutex
	servers   = map[*testscript.TestScript]*background{}
)

// cmdServe runs tallylog serve in the background for a script:
//
//	serve start DIR [FLAG...]   start serving DIR on a free loopback port and
//	                            wait until it listens; $SERVER is its URL and
//	                            $LOGKEY the log's verifier key (from
//	                            DIR/tallylog.json)
//	serve stop                  stop it (as Ctrl-C does) and fail unless it
//	                            exits 0 after closing the log
//
// A server still running when the script ends is stopped then. It runs in
// this process (the command's run function, as testscript's exec would run
// it in a child), with the script's paths made absolute.
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! serve")
	}
	serversMu.Lock()
	bg := servers[ts]
	serversMu.Unlock()
	switch {
	case len(args) >= 2 && args[0] == "start":
		if bg != nil {
			ts.Fatalf("serve: a server is already running")
		}
		dir := ts.MkAbs(args[1])
		meta, err := datadir.Dir{Root: dir}.ReadMeta()
		ts.Check(err)
		ctx, stop := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		bg = &background{stop: stop, exited: make(chan int, 1), stderr: &bytes.Buffer{}}
		cmd := append([]string{"serve", "--dir", dir, "--addr", "127.0.0.1:0"}, args[2:]...)
		go func() {
			bg.exited <- run(ctx, cmd, nil, pw, bg.stderr)
			pw.Close()
		}()
		lines := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(pr).ReadString('\n')
			lines <- line
			io.Copy(io.Discard, pr)
		}()
		var line string
		select {
		case line = <-lines:
		case <-time.After(30 * time.Second):
			stop()
			ts.Fatalf("serve: not listening after 30 s")
		}
		url := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
		if url == "" {
			stop()
			ts.Fatalf("serve printed %q; stderr: %s", line, bg.stderr)
		}
		serversMu.Lock()
		servers[ts] = bg
		serversMu.Unlock()
		ts.Setenv("SERVER", url)
		ts.Setenv("LOGKEY", meta.LogKey)
		ts.Defer(func() { stopServer(ts) })
	case len(args) == 1 && args[0] == "stop":
		if bg == nil {
			ts.Fatalf("serve stop: no server is running")
		}
		if code := stopServer(ts); code != 0 {
			ts.Fatalf("serve exited %d: %s", code, bg.stderr)
		}
	default:
		ts.Fatalf("usage: serve start DIR [FLAG...] | serve stop")
	}
}

// stopServer stops the script's server, if any, and returns its exit code.
func stopServer(ts *testscript.TestScript) int {
	serversMu.Lock()
	bg := servers[ts]
	delete(servers, ts)
	serversMu.Unlock()
	if bg == nil {
		return 0
	}
	bg.stop()
	return <-bg.exited
}
