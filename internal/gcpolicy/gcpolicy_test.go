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

// files writes the given contents (a name absent from the map is a file
// that does not exist) and returns Files pointing at them.
func files(t *testing.T, v2, v1, meminfo string) Files {
	dir := t.TempDir()
	f := Files{CgroupV2: filepath.Join(dir, "memory.max"), CgroupV1: filepath.Join(dir, "memory.limit_in_bytes"), MemInfo: filepath.Join(dir, "meminfo")}
	for path, s := range map[string]string{f.CgroupV2: v2, f.CgroupV1: v1, f.MemInfo: meminfo} {
		if s == "-" {
			continue
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestAvailable(t *testing.T) {
	const gib = int64(1) << 30
	mem := "MemTotal: 16777216 kB\n" // 16 GiB
	for _, c := range []struct {
		name, v2, v1, meminfo string
		want                  int64
		from                  string
	}{
		{"cgroup v2 below the machine", "4294967296\n", "-", mem, 4 * gib, "memory.max"},
		{"cgroup v2 unlimited", "max\n", "-", mem, 16 * gib, "meminfo MemTotal"},
		{"cgroup v1 below the machine", "-", "2147483648\n", mem, 2 * gib, "memory.limit_in_bytes"},
		{"cgroup v1 unlimited", "-", "9223372036854771712\n", mem, 16 * gib, "meminfo MemTotal"},
		{"cgroup above the machine", "68719476736\n", "-", mem, 16 * gib, "meminfo MemTotal"},
		{"both cgroups, the lower wins", "8589934592", "3221225472", mem, 3 * gib, "memory.limit_in_bytes"},
		{"no cgroup files", "-", "-", mem, 16 * gib, "meminfo MemTotal"},
		{"nothing readable", "-", "-", "-", 0, ""},
		{"malformed everything", "lots", "many", "MemTotal: x kB", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := files(t, c.v2, c.v1, c.meminfo)
			got, from := Available(f)
			if got != c.want {
				t.Errorf("Available = %d, want %d", got, c.want)
			}
			if c.from == "" && from != "" || c.from != "" && filepath.Base(from) != c.from {
				t.Errorf("Available's source = %q, want one ending %q", from, c.from)
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
	p := Apply(files(t, "4294967296\n", "-", "MemTotal: 16777216 kB\n"))
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
	p := Apply(files(t, "4294967296\n", "-", "MemTotal: 16777216 kB\n"))
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
	p := Apply(files(t, "-", "-", "-"))
	if p.Limit != math.MaxInt64 || p.LimitFrom != "none" {
		t.Errorf("Apply = %+v, want no limit", p)
	}
	if s := p.String(); s != "GC percent 200 (default), soft memory limit none (none)" {
		t.Errorf("String() = %q", s)
	}
}
