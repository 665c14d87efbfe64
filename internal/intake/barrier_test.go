package intake

import (
	"slices"
	"sync"
	"testing"

	"github.com/tallylog/tallylog/registry"
)

func use(kind registry.ScopeKind, name string, exclusive bool) registry.ScopeUse {
	return registry.ScopeUse{Scope: registry.Scope{Kind: kind, Name: name}, Exclusive: exclusive}
}

func claim(us ...registry.ScopeUse) registry.Claim { return registry.Claim{Scopes: us} }

// TestBarrierHoldsOnlyConflicts: while a claim is held, the claims that
// conflict with it wait and the others go ahead; a claim of the whole log
// waits for every claim and holds up every other.
func TestBarrierHoldsOnlyConflicts(t *testing.T) {
	b := newBarrier()
	revokeA := claim(use(registry.ScopeKeys, "", true), use(registry.ScopeSigner, "a", true), use(registry.ScopeSigner, "ecp", false))
	byA := claim(use(registry.ScopeSigner, "a", false))
	byB := claim(use(registry.ScopeSigner, "b", false))
	alsoByECP := claim(use(registry.ScopeSigner, "ecp", false))

	release := b.acquire(revokeA)
	if _, ok := b.tryAcquire(byA); ok {
		t.Fatal("a record signed by a key being revoked went ahead")
	}
	r1, ok := b.tryAcquire(byB)
	if !ok {
		t.Fatal("a record signed by another key waited for the keys record")
	}
	r2, ok := b.tryAcquire(alsoByECP)
	if !ok {
		t.Fatal("a record signed by the keys record's own signer waited")
	}
	if _, ok := b.tryAcquire(registry.Claim{Whole: true}); ok {
		t.Fatal("a claim of the whole log went ahead of claims held")
	}
	release()
	r3, ok := b.tryAcquire(byA)
	if !ok {
		t.Fatal("a record still waits after the keys record was released")
	}
	r1()
	r2()
	r3()
	rw, ok := b.tryAcquire(registry.Claim{Whole: true})
	if !ok {
		t.Fatal("a claim of the whole log waits with nothing held")
	}
	if _, ok := b.tryAcquire(byB); ok {
		t.Fatal("a record went ahead of a claim of the whole log")
	}
	rw()
	if len(b.held) != 0 {
		t.Fatalf("scopes left after every claim was released: %v", b.held)
	}
}

// TestBarrierNoDeadlock: claims that each wait for a scope the other
// reads, taken by many goroutines at once, all get through, and no two
// conflicting claims are ever held together.
func TestBarrierNoDeadlock(t *testing.T) {
	b := newBarrier()
	claims := []registry.Claim{
		claim(use(registry.ScopeSlot, "x", true), use(registry.ScopeSigner, "y", false)),
		claim(use(registry.ScopeSigner, "y", true), use(registry.ScopeSlot, "x", false)),
		claim(use(registry.ScopeSlot, "x", false)),
		claim(use(registry.ScopeSigner, "y", false)),
		{Whole: true},
	}
	var mu sync.Mutex
	held := map[int]int{} // claim -> holders
	var wg sync.WaitGroup
	for g := range 40 {
		wg.Go(func() {
			for n := range 200 {
				i := (g + n) % len(claims)
				release := b.acquire(claims[i])
				mu.Lock()
				for j, k := range held {
					if k > 0 && claims[i].Conflicts(claims[j]) {
						t.Errorf("claims %d and %d held together", i, j)
					}
				}
				held[i]++
				mu.Unlock()
				mu.Lock()
				held[i]--
				mu.Unlock()
				release()
			}
		})
	}
	wg.Wait()
	if len(b.held) != 0 {
		t.Fatalf("scopes left after every claim was released: %v", b.held)
	}
}

// TestBatchOrder: within a batch a record waits for the earlier records
// whose claims conflict with its own (the last exclusive user of a scope
// stands for those before it), for every earlier one if it claims the
// whole log, and every later record waits for such a one.
func TestBatchOrder(t *testing.T) {
	sheet := claim(use(registry.ScopeSigner, "po1", false), use(registry.ScopeSlot, "c\ns1", false))
	sheet2 := claim(use(registry.ScopeSigner, "po2", false), use(registry.ScopeSlot, "c\ns2", false))
	order := claim(use(registry.ScopeSigner, "ro", false), use(registry.ScopeSlot, "c\ns1", true))
	copyBy := claim(use(registry.ScopeSigner, "agent", false))
	revoke := claim(use(registry.ScopeKeys, "", true), use(registry.ScopeSigner, "agent", true), use(registry.ScopeSigner, "ecp", false))
	claims := []registry.Claim{sheet, sheet2, copyBy, order, copyBy, revoke, copyBy, sheet, {Whole: true}, sheet2}
	want := [][]int{
		nil,                      // 0: sheet s1
		nil,                      // 1: sheet s2
		nil,                      // 2: a copy by the agent
		{0},                      // 3: an order for s1, after s1's sheet
		nil,                      // 4: another copy
		{2, 4},                   // 5: the agent's key revoked, after both copies
		{5},                      // 6: a copy after the revocation
		{3},                      // 7: a sheet of s1 after the order
		{0, 1, 2, 3, 4, 5, 6, 7}, // 8: the whole log
		{8},                      // 9: after it
	}
	var o batchOrder
	for i, c := range claims {
		got := o.after(i, c)
		slices.Sort(got)
		if !slices.Equal(got, want[i]) {
			t.Errorf("record %d waits for %v, want %v", i, got, want[i])
		}
	}
}

// tryAcquire holds claim c and returns its release if it is free now,
// without waiting: the tests' probe of what acquire would wait for.
func (b *barrier) tryAcquire(c registry.Claim) (release func(), ok bool) {
	us := uses(c)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ticket++
	if !b.free(us, b.ticket) {
		return nil, false
	}
	b.take(us)
	return func() { b.release(us) }, true
}
