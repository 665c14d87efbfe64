package gcpolicy

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestParseCgroupLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"max\n", 0},
		{"4294967296\n", 4 << 30},
		{"9223372036854771712\n", 0}, // cgroup v1's "no limit"
		{"4611686018427387904", 0},   // 2^62: taken as none
		{"4611686018427387903", 4611686018427387903},
		{"", 0},
		{"-1", 0},
		{"0", 0},
		{"12 kB", 0},
	} {
		if got := ParseCgroupLimit([]byte(c.in)); got != c.want {
			t.Errorf("ParseCgroupLimit(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestParseMemTotal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"MemTotal:       24683664 kB\nMemFree:         1000 kB\n", 24683664 << 10},
		{"MemFree:         1000 kB\nMemTotal: 1024 kB\n", 1 << 20},
		{"MemFree:         1000 kB\n", 0},
		{"MemTotal: lots kB\n", 0},
		{"MemTotal: 1024 MB\n", 0},
		{"MemTotal: -5 kB\n", 0},
		{"", 0},
	} {
		if got := ParseMemTotal([]byte(c.in)); got != c.want {
			t.Errorf("ParseMemTotal(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// files writes a tree (paths relative to a temporary directory: the
// cgroup mount under "cg/", "cgroup" for /proc/self/cgroup, "meminfo") and
// returns Files pointing into it.
func files(t *testing.T, tree map[string]string) Files {
	dir := t.TempDir()
	for name, s := range tree {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Files{CgroupRoot: filepath.Join(dir, "cg"), ProcCgroup: filepath.Join(dir, "cgroup"), MemInfo: filepath.Join(dir, "meminfo")}
}

func TestAvailable(t *testing.T) {
	const gib = int64(1) << 30
	mem := "MemTotal: 16777216 kB\n" // 16 GiB
	const service = "0::/system.slice/tallylog.service\n"
	for _, c := range []struct {
		name string
		tree map[string]string
		want int64
		from string // the source's path below the temporary directory
	}{
		{"a systemd unit's MemoryMax (cgroup v2)", map[string]string{"cgroup": service, "meminfo": mem,
			"cg/memory.max": "max\n",
			"cg/system.slice/tallylog.service/memory.max": "4294967296\n"},
			4 * gib, "cg/system.slice/tallylog.service/memory.max"},
		{"the slice's limit below the unit's", map[string]string{"cgroup": service, "meminfo": mem,
			"cg/system.slice/memory.max":                  "2147483648\n",
			"cg/system.slice/tallylog.service/memory.max": "max\n"},
			2 * gib, "cg/system.slice/memory.max"},
		{"cgroup v2 unlimited", map[string]string{"cgroup": service, "meminfo": mem,
			"cg/system.slice/tallylog.service/memory.max": "max\n"},
			16 * gib, "meminfo MemTotal"},
		{"a container's own namespace (cgroup v2 at the root)", map[string]string{"cgroup": "0::/\n", "meminfo": mem,
			"cg/memory.max": "4294967296\n"},
			4 * gib, "cg/memory.max"},
		{"cgroup v1, the memory controller among others", map[string]string{"meminfo": mem,
			"cgroup":                          "5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/\n",
			"cg/memory/memory.limit_in_bytes": "9223372036854771712\n",
			"cg/memory/docker/abc/memory.limit_in_bytes":      "3221225472\n",
			"cg/cpu,cpuacct/docker/abc/memory.limit_in_bytes": "1024\n"}, // not the memory controller's
			3 * gib, "cg/memory/docker/abc/memory.limit_in_bytes"},
		{"cgroup v1 unlimited", map[string]string{"cgroup": "4:memory:/\n", "meminfo": mem,
			"cg/memory/memory.limit_in_bytes": "9223372036854771712\n"},
			16 * gib, "meminfo MemTotal"},
		{"a cgroup limit above the machine", map[string]string{"cgroup": "0::/\n", "meminfo": mem,
			"cg/memory.max": "68719476736\n"},
			16 * gib, "meminfo MemTotal"},
		{"no /proc/self/cgroup: the mounts' roots", map[string]string{"meminfo": mem,
			"cg/memory/memory.limit_in_bytes": "2147483648\n"},
			2 * gib, "cg/memory/memory.limit_in_bytes"},
		{"a path climbing out of the mount reads nothing outside it", map[string]string{"meminfo": mem,
			"cgroup":     "0::/../../x\n",
			"memory.max": "1048576\n", "x/memory.max": "1048576\n"},
			16 * gib, "meminfo MemTotal"},
		{"nothing readable", map[string]string{}, 0, ""},
		{"malformed everything", map[string]string{"cgroup": "garbage", "cg/memory.max": "lots",
			"cg/memory/memory.limit_in_bytes": "many", "meminfo": "MemTotal: x kB"}, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := files(t, c.tree)
			got, from := Available(f)
			if got != c.want {
				t.Errorf("Available = %d, want %d", got, c.want)
			}
			want := ""
			if c.from != "" {
				want = filepath.Join(filepath.Dir(f.MemInfo), c.from)
			}
			if from != want {
				t.Errorf("Available's source = %q, want %q", from, want)
			}
		})
	}
}

// restore puts the runtime's GC settings back as they were.
func restore(t *testing.T) {
	pct := debug.SetGCPercent(-1)
	debug.SetGCPercent(pct)
	lim := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(lim)
	})
}

// unsetenv removes name for the test and puts it back after.
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "") // registers the restore
	os.Unsetenv(name)
}

func TestApplyDefaults(t *testing.T) {
	restore(t)
	unsetenv(t, "GOGC")
	unsetenv(t, "GOMEMLIMIT")
	p := Apply(files(t, map[string]string{"cgroup": "0::/\n", "cg/memory.max": "4294967296\n", "meminfo": "MemTotal: 16777216 kB\n"}))
	if p.Percent != Percent || p.PercentFrom != "default" {
		t.Errorf("percent %d from %q, want %d from default", p.Percent, p.PercentFrom, Percent)
	}
	if got := debug.SetGCPercent(-1); got != Percent {
		t.Errorf("runtime's GC percent %d, want %d", got, Percent)
	}
	debug.SetGCPercent(Percent)
	want := int64(3 << 30) // 75% of the cgroup's 4 GiB
	if p.Limit != want {
		t.Errorf("limit %d, want %d", p.Limit, want)
	}
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("runtime's memory limit %d, want %d", got, want)
	}
	if s := p.String(); s != "GC percent 200 (default), soft memory limit 3072 MiB (75% of "+p.LimitFrom[len("75% of "):]+")" {
		t.Errorf("String() = %q", s)
	}
}

func TestApplyLeavesTheEnvironmentAlone(t *testing.T) {
	restore(t)
	// The runtime read GOGC and GOMEMLIMIT at start; set its state as they
	// would have, then check Apply reports it and changes nothing.
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(1 << 30)
	p := Apply(files(t, map[string]string{"cgroup": "0::/\n", "cg/memory.max": "4294967296\n", "meminfo": "MemTotal: 16777216 kB\n"}))
	if p.Percent != 150 || p.PercentFrom != "GOGC" || p.Limit != 1<<30 || p.LimitFrom != "GOMEMLIMIT" {
		t.Errorf("Apply = %+v, want GOGC's 150 and GOMEMLIMIT's 1 GiB", p)
	}
	if got := debug.SetGCPercent(-1); got != 150 {
		t.Errorf("runtime's GC percent %d, want GOGC's 150", got)
	}
	debug.SetGCPercent(150)
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("runtime's memory limit %d, want GOMEMLIMIT's", got)
	}
}

func TestApplyWithNothingToBoundBy(t *testing.T) {
	restore(t)
	unsetenv(t, "GOGC")
	unsetenv(t, "GOMEMLIMIT")
	debug.SetMemoryLimit(math.MaxInt64)
	p := Apply(files(t, map[string]string{}))
	if p.Limit != math.MaxInt64 || p.LimitFrom != "none" {
		t.Errorf("Apply = %+v, want no limit", p)
	}
	if s := p.String(); s != "GC percent 200 (default), soft memory limit none (none)" {
		t.Errorf("String() = %q", s)
	}
}
