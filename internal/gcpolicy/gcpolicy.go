// Package gcpolicy sets the Go runtime's garbage-collection policy for a
// long-running tallylog server: collect less often than the runtime's
// default, and keep the heap under a soft limit derived from the memory the
// machine (or its cgroup) allows, near which the runtime collects as often
// as it must.
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
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
)

// Percent is the server's GOGC when the operator has not set one: the heap
// may grow to three times what is live before a collection, instead of the
// runtime's twice. Measured on the batched ingest path it spends less CPU
// per record and shortens the tail of submit-to-receipt latency, for a
// quarter to a half more peak memory; the soft limit bounds that growth.
const Percent = 200

// LimitFraction is the share of the memory available to the process
// (Available: the lowest of its cgroups' limits and MemTotal) that the
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
// not read. Tests point them at their own tree.
type Files struct {
	// CgroupRoot is where the cgroup file systems are mounted: cgroup v2's
	// memory.max files below it, cgroup v1's memory/…/memory.limit_in_bytes.
	CgroupRoot string
	// ProcCgroup lists the process's own cgroups (/proc/self/cgroup).
	ProcCgroup string
	// MemInfo is /proc/meminfo, for MemTotal.
	MemInfo string
}

// System is where Linux keeps them.
var System = Files{CgroupRoot: "/sys/fs/cgroup", ProcCgroup: "/proc/self/cgroup", MemInfo: "/proc/meminfo"}

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
// file that said so: the lowest of MemTotal and every cgroup memory limit
// that applies to the process, its own cgroup's and its ancestors' (a
// systemd unit's MemoryMax= or a container's limit), cgroup v2 or v1, among
// those that can be read and bound anything. It returns 0, "" when none can.
func Available(f Files) (int64, string) {
	var best int64
	from := ""
	consider := func(path string, parse func([]byte) int64, name string) {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		if n := parse(b); n > 0 && (best == 0 || n < best) {
			best, from = n, name
		}
	}
	if f.CgroupRoot != "" {
		for _, c := range cgroupLimitFiles(f) {
			consider(c, ParseCgroupLimit, c)
		}
	}
	if f.MemInfo != "" {
		consider(f.MemInfo, ParseMemTotal, f.MemInfo+" MemTotal")
	}
	return best, from
}

// cgroupLimitFiles lists the memory limit files that bound the process:
// for each of its cgroups in f.ProcCgroup (the v2 line "0::/PATH", a v1
// line whose controllers include memory), the limit file of that cgroup and
// of each ancestor below the mount's root; and the mounts' root files
// themselves, which inside a container with its own cgroup namespace are
// the container's.
func cgroupLimitFiles(f Files) []string {
	v2 := filepath.Clean(f.CgroupRoot)
	v1 := filepath.Join(f.CgroupRoot, "memory")
	files := []string{filepath.Join(v2, "memory.max"), filepath.Join(v1, "memory.limit_in_bytes")}
	b, err := os.ReadFile(f.ProcCgroup)
	if f.ProcCgroup == "" || err != nil {
		return files
	}
	walk := func(root, rel, name string) {
		// filepath.Join cleans rel, so ".." cannot climb above root.
		dir := filepath.Join(root, filepath.Join("/", rel))
		for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
			files = append(files, filepath.Join(dir, name))
			dir = filepath.Dir(dir)
		}
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.SplitN(line, ":", 3)
		if len(fields) != 3 {
			continue
		}
		switch {
		case fields[0] == "0" && fields[1] == "":
			walk(v2, fields[2], "memory.max")
		case slices.Contains(strings.Split(fields[1], ","), "memory"):
			walk(v1, fields[2], "memory.limit_in_bytes")
		}
	}
	return files
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
