package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"k8s.io/klog/v2"
)

// TestKlogRouted checks that what Tessera logs through klog reaches the
// command's logger at its level, and that its INFO output does not.
func TestKlogRouted(t *testing.T) {
	var buf bytes.Buffer
	old := klogLogger.Load()
	klogLogger.Store(slog.New(slog.NewJSONHandler(&buf, nil)))
	defer klogLogger.Store(old)
	klog.Infof("integrated %d entries", 7)
	klog.Warningf("publishCheckpoint: %v", "database is locked")
	klog.Errorf("Failed to write tile: %v", "disk full")
	out := buf.String()
	for _, want := range []string{
		`"level":"WARN","msg":"publishCheckpoint: database is locked","component":"tessera","source":"logging_test.go:`,
		`"level":"ERROR","msg":"Failed to write tile: disk full","component":"tessera"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "integrated") || strings.Count(out, "\n") != 2 {
		t.Errorf("want exactly the warning and the error, each once:\n%s", out)
	}
}
