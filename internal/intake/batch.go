package intake

import (
	"context"
	"sync"

	"github.com/tallylog/tallylog/internal/parallel"
	"github.com/tallylog/tallylog/receipt"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// AuthenticateAll is Authenticate for many entries, spread over every
// core: out[i] is entry i's authenticated record, or nil and errs[i] the
// reason. A record whose signer is not registered yet (its key is granted
// by an earlier record of the same batch) fails here and is authenticated
// again by AppendAll once that record is logged.
func (in *Intake) AuthenticateAll(entries [][]byte) (out []*registry.Verified, errs []error) {
	out = make([]*registry.Verified, len(entries))
	errs = make([]error, len(entries))
	parallel.For(len(entries), func(i int) { out[i], errs[i] = in.Authenticate(entries[i]) })
	return out, errs
}

// AppendAll appends a batch of entries as one client's ordered submission
// and returns, for each, its durable index or why it was not logged (an
// *Error, as Append's). It is what a district office or a store-and-forward
// gateway sends after a shutdown:
//
//   - vs[i], if not nil, is entry i authenticated (AuthenticateAll); skip[i],
//     if not nil, is a refusal already decided for it (a rate limit), which
//     AppendAll returns as entry i's error without looking at the entry.
//   - Order is that of the batch where it matters: a record that names
//     another record of the batch (a countersignature of a sheet, a
//     correction, a recount sheet its order) is appended after it, and so
//     is a record whose claim (registry.Claims) conflicts with that of an
//     earlier record of the batch: a record signed by a key an earlier
//     keys record grants or revokes, a correction after its station's
//     earlier records and its contest's declarations, an order after the
//     earlier sheets of its stations, everything after a record that
//     claims the whole log. Other records are appended concurrently, so
//     the batch costs a few durable writes, not one each.
//   - A record that depends on a refused one is admitted or refused on its
//     own against the log, as if sent alone.
//   - Each entry is treated as by Append: the same bytes get the same
//     index, in this batch, in another, or sent alone.
func (in *Intake) AppendAll(ctx context.Context, entries [][]byte, vs []*registry.Verified, skip []error) ([]uint64, []error) {
	n := len(entries)
	idx := make([]uint64, n)
	errs := make([]error, n)
	done := make([]chan struct{}, n)
	envs := make([]*record.Envelope, n)
	for i := range n {
		done[i] = make(chan struct{})
		switch {
		case skip != nil && skip[i] != nil:
			errs[i] = skip[i]
		case vs != nil && vs[i] != nil:
			envs[i] = vs[i].Envelope()
		default:
			env, err := record.Open(entries[i])
			if err != nil {
				errs[i] = refusal(err)
			}
			envs[i] = env
		}
	}
	// Dependencies within the batch: by hash, and between records whose
	// claims conflict (registry.Claims), in the batch's order.
	byHash := make(map[string]int, n)
	var order batchOrder
	var wg sync.WaitGroup
	for i := range n {
		if envs[i] == nil {
			close(done[i])
			continue
		}
		deps := order.after(i, registry.Claims(envs[i]))
		for _, ref := range record.References(envs[i].Record) {
			if j, ok := byHash[ref]; ok {
				deps = append(deps, j)
			}
		}
		byHash[envs[i].HashHex()] = i
		wg.Go(func() {
			defer close(done[i])
			for _, j := range deps {
				select {
				case <-done[j]:
				case <-ctx.Done():
					errs[i] = &Error{Kind: ErrUnavailable, Field: "request", Rule: ctx.Err().Error() + "; retry with the same records"}
					return
				}
			}
			var v *registry.Verified
			if vs != nil {
				v = vs[i]
			}
			idx[i], errs[i] = in.append(ctx, envs[i], v)
		})
	}
	wg.Wait()
	return idx, errs
}

// Receipts waits for a published checkpoint covering every index given
// and returns each entry's receipt against that one checkpoint, the proofs
// built on every core. Entries whose index is given as noIndex are
// skipped (their receipt is nil). If no checkpoint covers them in time,
// the error is an *Error of kind ErrUnavailable and no receipt is returned.
func (in *Intake) Receipts(ctx context.Context, entries [][]byte, indexes []uint64) ([]*receipt.Receipt, []error, error) {
	var size uint64
	for _, x := range indexes {
		if x != NoIndex {
			size = max(size, x+1)
		}
	}
	out := make([]*receipt.Receipt, len(entries))
	errs := make([]error, len(entries))
	if size == 0 {
		return out, errs, nil
	}
	cp, err := in.log.WaitPublished(ctx, size)
	if err != nil {
		return nil, nil, &Error{Kind: ErrUnavailable, Field: "checkpoint",
			Rule: "the records are durable but no checkpoint covers them yet (" + err.Error() + "); retry to get the receipts"}
	}
	parallel.For(len(entries), func(i int) {
		if indexes[i] == NoIndex {
			return
		}
		rc, err := receipt.Build(ctx, cp, indexes[i], entries[i], in.log.ProveRecord)
		if err != nil {
			errs[i] = &Error{Kind: ErrInternal, Field: "proof", Rule: err.Error()}
		}
		out[i] = rc
	})
	return out, errs, nil
}

// NoIndex marks an entry without an index in Receipts.
const NoIndex = ^uint64(0)

// batchOrder finds, for each record of a batch in turn, the earlier
// records its claim conflicts with. It keeps, per scope, the last record
// that used it exclusively and the shared uses since: a record waits for
// those (waiting for the last exclusive user covers every user before it,
// which that one waited for).
type batchOrder struct {
	lastWhole int // index+1 of the last Whole claim, 0 if none
	since     []int
	scopes    map[registry.Scope]*scopeUsers
}

type scopeUsers struct {
	lastExclusive int // index+1, 0 if none
	shared        []int
}

// after returns the earlier records record i, of claim c, must be logged
// after, and notes its claim.
func (o *batchOrder) after(i int, c registry.Claim) []int {
	var deps []int
	if o.lastWhole > 0 {
		deps = append(deps, o.lastWhole-1)
	}
	if c.Whole {
		deps = append(deps, o.since...)
		o.lastWhole, o.since, o.scopes = i+1, nil, nil
		return deps
	}
	o.since = append(o.since, i)
	if o.scopes == nil {
		o.scopes = map[registry.Scope]*scopeUsers{}
	}
	for _, u := range c.Scopes {
		su := o.scopes[u.Scope]
		if su == nil {
			su = &scopeUsers{}
			o.scopes[u.Scope] = su
		}
		if su.lastExclusive > 0 {
			deps = append(deps, su.lastExclusive-1)
		}
		if u.Exclusive {
			deps = append(deps, su.shared...)
			su.lastExclusive, su.shared = i+1, nil
		} else {
			su.shared = append(su.shared, i)
		}
	}
	return deps
}
