// Command tallylog makes election results provable: station sheets are signed
// where they are made, appended to a public transparency log, and every
// declared result is recomputed from the logged sheets.
//
// Each subcommand lives in a file of its own and runs through a State that
// carries its standard streams, so every command is testable in-process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// State carries what a subcommand may touch: its context and standard streams.
type State struct {
	Ctx    context.Context
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand. run receives the arguments after the
// subcommand's name and returns an error to print; usageError makes the
// program exit 2 and print the command's usage.
type command struct {
	name    string
	summary string
	run     func(st *State, args []string) error
}

// commands is the table of subcommands. Keep it sorted by name.
var commands = []command{
	{"app", "write the officers' web app as static files for hosting or devices", runApp},
	{"audit", "plan and run risk-limiting audits of polling stations", runAudit},
	{"bench", "measure ingest, verification and re-tabulation on a simulated election", runBench},
	{"demo", "play a simulated Pakistani election night on a local site", runDemo},
	{"hostile", "measure a server's peak memory under hostile load (issue 14's mix, loopback)", runHostile},
	{"evidence", "export a contest's evidence pack for a tribunal or newsroom", runEvidence},
	{"forensics", "screen station results for statistical anomalies", runForensics},
	{"import", "turn published results into a log and compare sources", runImport},
	{"init", "create an election's log from its definition", runInit},
	{"keygen", "make a signing key for records or checkpoints", runKeygen},
	{"mirror", "follow a public log, verify it as it grows, serve the same site", runMirror},
	{"serve", "serve an election: submissions, the log, the results site", runServe},
	{"sign", "sign a record (sheet, declaration, ...) written as JSON", runSign},
	{"sim", "generate a simulated election with injected fraud", runSim},
	{"submit", "send signed records to the server and keep their receipts", runSubmit},
	{"verify", "verify a whole log and replay it to the same results", runVerify},
	{"verify-evidence", "check an evidence pack offline", runVerifyEvidence},
	{"verify-receipt", "check a receipt offline with the log's public key", runVerifyReceipt},
	{"seats", "allocate reserved seats from general seats won", runSeats},
	{"version", "print the version this binary was built from", runVersion},
}

// usageError is returned for wrong flags or arguments; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a specific exit status without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	// Tessera logs through klog: its warnings and errors go to the
	// command's logger, its internals at INFO nowhere.
	routeKlog(os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = append([]string{"version"}, args[1:]...)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	name := args[0]
	for _, c := range commands {
		if c.name != name {
			continue
		}
		st := &State{Ctx: ctx, Stdin: stdin, Stdout: stdout, Stderr: stderr}
		err := c.run(st, args[1:])
		var ue usageError
		var ee exitError
		var cc cannotCheck
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ee):
			return ee.code
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "tallylog %s: %s\nRun 'tallylog %s -h' for usage.\n", name, ue.msg, name)
			return exitUsage
		case errors.As(err, &cc):
			fmt.Fprintf(stderr, "tallylog %s: %v\n", name, err)
			return exitCannotCheck
		default:
			fmt.Fprintf(stderr, "tallylog %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "tallylog: unknown command %q\nRun 'tallylog help' for the list of commands.\n", name)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: tallylog <command> [flags]\n\nCommands:")
	sorted := append([]command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'tallylog <command> -h' for a command's flags; every command takes --json\nto print its result as JSON.\n\n"+exitCodesHelp)
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its usage to the command's stderr.
func newFlagSet(st *State, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(st.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(st.Stderr, "Usage: tallylog %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning a flag error into a usageError. Flags
// may come before or after positional arguments ("verify-receipt R --log-key
// K"); "--" ends the flags. The positional arguments are left in fs.Args()
// order and returned.
func parseFlags(fs *flag.FlagSet, args []string) error {
	_, err := parseArgs(fs, args)
	return err
}

// parseArgs is parseFlags returning the positional arguments.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	fs.Parse(append([]string{"--"}, pos...))
	return pos, nil
}
