// Package gcpolicy sets the Go runtime's garbage-collection policy for a
// long-running tallylog server: collect less often than the runtime's
// default, and never let the heap grow past a soft limit derived from the
// memory the machine (or its cgroup) allows.
//
// The operator's environment always wins: GOGC set (to anything, "off"
// included) leaves the collector's rate alone, GOMEMLIMIT set leaves the
// limit alone. The figures behind the defaults are in BENCHMARKS.md
// ("engineer s5-gc") and the policy is documented in docs/limits.md.
package gcpolicy

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Percent is the server's GOGC when the operator has not set one: the heap
// may grow to three times what is live before a collection, instead of the
// runtime's twice. Measured on the batched ingest path it spends less CPU
// per record and shortens the tail of submit-to-receipt latency, for about
// a quarter more peak memory; the soft limit bounds that growth.
const Percent = 200

// LimitFraction is the share of the memory available to the process
// (the lower of the cgroup's limit and the machine's MemTotal) that the
// soft limit allows the Go runtime. The rest is left to the kernel's page
// cache (the log's tiles are files), the stacks and whatever shares the
// machine.
const LimitFraction = 0.75

// Policy is what Apply set and where each value came from, for the
// server's start-up log line.
type Policy struct {
	// Percent is the GC percent in force; -1 means off (GOGC=off).
	Percent int
	// PercentFrom is "GOGC" when the operator set it, else "default".
	PercentFrom string
	// Limit is the soft memory limit in bytes in force; math.MaxInt64
	// means none.
	Limit int64
	// LimitFrom names the source: "GOMEMLIMIT", the file the available
	// memory was read from, or "none" when nothing bounded it.
	LimitFrom string
}

// String is the policy in one line, as the server logs it.
func (p Policy) String() string {
	pct := strconv.Itoa(p.Percent)
	if p.Percent < 0 {
		pct = "off"
	}
	lim := "none"
	if p.Limit != math.MaxInt64 {
		lim = fmt.Sprintf("%d MiB", p.Limit>>20)
	}
	return fmt.Sprintf("GC percent %s (%s), soft memory limit %s (%s)", pct, p.PercentFrom, lim, p.LimitFrom)
}

// Files are where Apply reads the memory available; a field left empty is
// not read. Tests point them at their own files.
type Files struct {
	CgroupV2 string // the cgroup v2 limit, "max" or bytes
	CgroupV1 string // the cgroup v1 limit in bytes (a huge value means none)
	MemInfo  string // /proc/meminfo, for MemTotal
}

// System is where Linux keeps them for the process's own cgroup (the
// container's view, where cgroups are namespaced).
var System = Files{
	CgroupV2: "/sys/fs/cgroup/memory.max",
	CgroupV1: "/sys/fs/cgroup/memory/memory.limit_in_bytes",
	MemInfo:  "/proc/meminfo",
}

// Apply sets the server's policy unless the environment already did
// (GOGC, GOMEMLIMIT; the runtime reads those itself at start) and reports
// what is in force. It changes process-wide runtime settings: only a
// command that serves an election calls it, once, before opening it.
func Apply(f Files) Policy {
	var p Policy
	if _, set := os.LookupEnv("GOGC"); set {
		p.Percent, p.PercentFrom = debug.SetGCPercent(-1), "GOGC"
		debug.SetGCPercent(p.Percent)
	} else {
		debug.SetGCPercent(Percent)
		p.Percent, p.PercentFrom = Percent, "default"
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		p.Limit, p.LimitFrom = debug.SetMemoryLimit(-1), "GOMEMLIMIT"
		return p
	}
	avail, from := Available(f)
	if from == "" {
		p.Limit, p.LimitFrom = debug.SetMemoryLimit(-1), "none"
		return p
	}
	p.Limit = int64(float64(avail) * LimitFraction)
	p.LimitFrom = fmt.Sprintf("%.0f%% of %s", LimitFraction*100, from)
	debug.SetMemoryLimit(p.Limit)
	return p
}

// Available returns the memory available to the process in bytes and the
// file that said so: the lowest of the cgroup v2 limit, the cgroup v1
// limit and MemTotal, among those that can be read and bound anything.
// It returns 0, "" when none can.
func Available(f Files) (int64, string) {
	var best int64
	from := ""
	consider := func(n int64, name string) {
		if n > 0 && (best == 0 || n < best) {
			best, from = n, name
		}
	}
	if b, err := os.ReadFile(f.CgroupV2); f.CgroupV2 != "" && err == nil {
		consider(ParseCgroupLimit(b), f.CgroupV2)
	}
	if b, err := os.ReadFile(f.CgroupV1); f.CgroupV1 != "" && err == nil {
		consider(ParseCgroupLimit(b), f.CgroupV1)
	}
	if b, err := os.ReadFile(f.MemInfo); f.MemInfo != "" && err == nil {
		consider(ParseMemTotal(b), f.MemInfo+" MemTotal")
	}
	return best, from
}

// noLimit is at or above what cgroup v1 writes for "no limit"
// (PAGE_COUNTER_MAX pages, 9223372036854771712 with 4 KiB pages); any
// limit of 2^62 bytes or more is taken as none.
const noLimit = int64(1) << 62

// ParseCgroupLimit reads a cgroup memory limit file's contents: bytes as a
// decimal number, or "max". It returns 0 for no limit and for anything it
// cannot read, so a malformed file bounds nothing.
func ParseCgroupLimit(b []byte) int64 {
	s := strings.TrimSpace(string(b))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n >= noLimit {
		return 0
	}
	return n
}

// ParseMemTotal reads MemTotal from /proc/meminfo's contents ("MemTotal:
// 24683664 kB"), in bytes; 0 when it is absent or malformed.
func ParseMemTotal(b []byte) int64 {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || fields[0] != "MemTotal:" || fields[2] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil || kb <= 0 || kb > noLimit>>10 {
			return 0
		}
		return kb << 10
	}
	return 0
}
