package metrics

import (
	"runtime"
	"runtime/debug"
	rm "runtime/metrics"
	"time"
)

var start = time.Now()

// runtimeGauges are the Go runtime's own measurements exported, named as
// the Prometheus Go collector names them where it has a name for them.
var runtimeGauges = []struct{ sample, name, typ, help string }{
	{"/sched/goroutines:goroutines", "go_goroutines", "gauge", "Number of goroutines that currently exist."},
	{"/memory/classes/total:bytes", "go_memory_total_bytes", "gauge", "All memory mapped by the Go runtime."},
	{"/memory/classes/heap/objects:bytes", "go_memstats_heap_alloc_bytes", "gauge", "Bytes of allocated heap objects."},
	{"/gc/heap/goal:bytes", "go_gc_heap_goal_bytes", "gauge", "Heap size target for the end of the GC cycle."},
	{"/gc/cycles/total:gc-cycles", "go_gc_cycles_total", "counter", "Count of completed GC cycles."},
	{"/gc/heap/allocs:bytes", "go_gc_heap_allocs_bytes_total", "counter", "Cumulative bytes allocated to the heap."},
	{"/sched/gomaxprocs:threads", "go_sched_gomaxprocs_threads", "gauge", "The current runtime.GOMAXPROCS setting."},
}

// GoRuntime writes the Go runtime's measurements: goroutines, memory, GC,
// the build's Go version and the process start time.
func GoRuntime(w *Writer) {
	samples := make([]rm.Sample, len(runtimeGauges))
	for i, g := range runtimeGauges {
		samples[i].Name = g.sample
	}
	rm.Read(samples)
	for i, g := range runtimeGauges {
		var v float64
		switch samples[i].Value.Kind() {
		case rm.KindUint64:
			v = float64(samples[i].Value.Uint64())
		case rm.KindFloat64:
			v = samples[i].Value.Float64()
		default:
			continue
		}
		w.Family(g.name, g.typ, g.help)
		w.Sample(g.name, v)
	}
	w.Family("go_info", "gauge", "Information about the Go environment.")
	w.Sample("go_info", 1, "version", runtime.Version())
	w.Family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
	w.Sample("process_start_time_seconds", float64(start.UnixNano())/1e9)
	b := ReadBuild()
	w.Family("tallylog_build_info", "gauge", "The running tallylog's module version and VCS revision.")
	w.Sample("tallylog_build_info", 1, "version", b.Version, "revision", b.Revision)
}

// Build is what the binary says about how it was built.
type Build struct {
	Version  string            `json:"version"`  // module version, "(devel)" for a source build
	Revision string            `json:"revision"` // VCS commit, "" when not recorded
	Time     string            `json:"time,omitempty"`
	Modified bool              `json:"modified"` // built from a work tree with uncommitted changes
	Go       string            `json:"go"`
	Settings map[string]string `json:"settings,omitempty"` // CGO_ENABLED, GOOS, GOARCH, ...
	Deps     map[string]string `json:"deps,omitempty"`     // module path -> version
}

// ReadBuild reads the build information the Go toolchain embeds.
func ReadBuild() Build {
	b := Build{Version: "(devel)", Go: runtime.Version(), Settings: map[string]string{}, Deps: map[string]string{}}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if bi.Main.Version != "" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "CGO_ENABLED", "GOOS", "GOARCH", "GOAMD64", "-trimpath", "-tags":
			b.Settings[s.Key] = s.Value
		}
	}
	for _, d := range bi.Deps {
		v := d.Version
		if d.Replace != nil {
			v = d.Replace.Path + " " + d.Replace.Version
		}
		b.Deps[d.Path] = v
	}
	return b
}
