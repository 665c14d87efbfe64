package tally

import (
	"fmt"
	"reflect"

	"github.com/tallylog/tallylog/internal/parallel"
)

// retabulate recomputes, from scratch, every contest's sums over the
// current sheets and every flag of every station and contest, and reports
// the first difference from the state Apply keeps incrementally. It changes
// nothing. Tests use it to prove the incremental updates exact; the
// benchmark uses it (with the seats) as the full re-tabulation pass.
func (t *Tally) retabulate() error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.def == nil {
		return nil
	}
	// The stations are independent and only read: they are checked on
	// every core in chunks, and the first difference in slot order is
	// reported, whatever the number of cores.
	const chunk = 4096
	errs := make([]error, (len(t.slots)+chunk-1)/chunk)
	parallel.For(len(errs), func(k int) {
		for i := k * chunk; i < min(len(t.slots), (k+1)*chunk); i++ {
			s := &t.slots[i]
			if s.current != currentVersion(s.versions) {
				errs[k] = fmt.Errorf("station %s: current version %d, recomputed %d", t.def.Stations[s.station].ID, s.current, currentVersion(s.versions))
				return
			}
			if err := sameFlags(t.standing[s.id], t.slotFlags(s)); err != nil {
				errs[k] = fmt.Errorf("station %s: %v", t.def.Stations[s.station].ID, err)
				return
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for i := range t.contests {
		c := &t.contests[i]
		fresh := *c
		fresh.sum, fresh.rejected, fresh.cast, fresh.in = make([]int64, len(c.sum)), 0, 0, 0
		for _, s := range t.contestSlots(c) {
			if s.current < 0 {
				continue
			}
			v := &s.versions[s.current]
			for j, n := range v.votes {
				fresh.sum[j] += n
			}
			fresh.rejected += v.rejected
			fresh.cast += v.cast
			fresh.in++
		}
		if !reflect.DeepEqual(fresh.sum, c.sum) || fresh.rejected != c.rejected || fresh.cast != c.cast || fresh.in != c.in {
			return fmt.Errorf("contest %s: running sums %v/%d/%d/%d, recomputed %v/%d/%d/%d", c.def.ID,
				c.sum, c.rejected, c.cast, c.in, fresh.sum, fresh.rejected, fresh.cast, fresh.in)
		}
		if err := sameFlags(c.flags, t.contestFlags(&fresh)); err != nil {
			return fmt.Errorf("contest %s: %v", c.def.ID, err)
		}
	}
	return nil
}

// sameFlags compares standing flags with recomputed ones, ignoring Raised
// (which only the incremental history knows).
func sameFlags(standing, fresh []Flag) error {
	if len(standing) != len(fresh) {
		return fmt.Errorf("%d standing flags, %d recomputed", len(standing), len(fresh))
	}
	for i := range fresh {
		a, b := standing[i], fresh[i]
		a.Raised, b.Raised = 0, 0
		if !reflect.DeepEqual(a, b) {
			return fmt.Errorf("flag %s stands as %+v, recomputed as %+v", a.ID, a, b)
		}
	}
	return nil
}
