package main

import (
	"fmt"
	"os"
	"time"
)

// progress prints a progress line on stderr when stderr is a terminal and
// does nothing otherwise.
type progress struct {
	st    *State
	label string
	on    bool
	last  time.Time
}

func newProgress(st *State, label string) *progress {
	f, ok := st.Stderr.(*os.File)
	on := false
	if ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{st: st, label: label, on: on}
}

func (p *progress) update(done, total uint64) {
	if !p.on || (time.Since(p.last) < 200*time.Millisecond && done != total) {
		return
	}
	p.last = time.Now()
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	fmt.Fprintf(p.st.Stderr, "\r%s: %d/%d (%.0f%%)", p.label, done, total, pct)
	if done == total {
		fmt.Fprintln(p.st.Stderr)
	}
}
