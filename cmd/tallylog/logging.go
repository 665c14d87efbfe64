package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sync/atomic"

	"k8s.io/klog/v2"
)

// klogLogger receives Tessera's warnings and errors (see routeKlog). Until
// a command installs its own logger they go to stderr as text.
var klogLogger atomic.Pointer[slog.Logger]

// routeKlog sends what Tessera logs through klog to klogLogger: its
// warnings at WARN and its errors at ERROR, each with the Go source line
// that logged it. Its INFO output (every batch, every checkpoint) is
// dropped: it describes Tessera's internals, and tallylog logs what an
// operator acts on itself.
func routeKlog(stderr io.Writer) {
	klogLogger.Store(slog.New(slog.NewTextHandler(stderr, nil)))
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	fs.Set("logtostderr", "false")
	fs.Set("alsologtostderr", "false")
	fs.Set("stderrthreshold", "FATAL")
	fs.Set("one_output", "true")
	klog.SetOutput(io.Discard)
	klog.SetOutputBySeverity("WARNING", klogWriter{slog.LevelWarn})
	klog.SetOutputBySeverity("ERROR", klogWriter{slog.LevelError})
	klog.SetOutputBySeverity("FATAL", klogWriter{slog.LevelError})
}

// klogHeader is klog's line header: severity, date, time, thread, file:line.
var klogHeader = regexp.MustCompile(`^[IWEF][0-9]{4} [0-9:.]+ +[0-9]+ ([^ \]]+)\] `)

// klogWriter turns one klog line into one slog record at its level.
type klogWriter struct{ level slog.Level }

func (k klogWriter) Write(p []byte) (int, error) {
	line := bytes.TrimRight(p, "\n")
	source := ""
	if m := klogHeader.FindSubmatchIndex(line); m != nil {
		source = string(line[m[2]:m[3]])
		line = line[m[1]:]
	}
	if l := klogLogger.Load(); l != nil {
		l.LogAttrs(context.Background(), k.level, string(line), slog.String("component", "tessera"), slog.String("source", source))
	}
	return len(p), nil
}

// newLogger returns the logger a server command writes to stderr: "text"
// (key=value) or "json" (one JSON object a line), at level.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format %q: want text or json", format)}
}

// logFlags are a server command's logging flags.
type logFlags struct {
	format, level *string
	access        *bool
}

func addLogFlags(fs *flag.FlagSet, access bool) logFlags {
	return logFlags{
		format: fs.String("log-format", "text", "write the log on stderr as `text` (key=value) or json (one object a line)"),
		level:  fs.String("log-level", "info", "log messages at this `LEVEL` and above: debug, info, warn, error"),
		access: fs.Bool("access-log", access, "log one line per HTTP request"),
	}
}

// open returns the command's logger, which also receives Tessera's
// warnings and errors, and the access logger (nil without --access-log).
func (f logFlags) open(st *State) (*slog.Logger, *slog.Logger, error) {
	logger, err := newLogger(st.Stderr, *f.format, *f.level)
	if err != nil {
		return nil, nil, err
	}
	klogLogger.Store(logger)
	if !*f.access {
		return logger, nil, nil
	}
	return logger, logger.With("log", "access"), nil
}
