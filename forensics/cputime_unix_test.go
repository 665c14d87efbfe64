//go:build unix

package forensics

import "syscall"

// cpuSeconds returns the user + system CPU time of this process so far.
// Benchmarks report it per op: unlike wall time, it does not grow when
// other work shares the machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}
