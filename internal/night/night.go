// Package night plays a simulated election night against a running server:
// it submits every record of a simulated election through the real HTTP
// submission path at its scheduled time (scaled by a speed), keeps the
// simulated clock the server judges deadlines by, and measures how fast
// the tally flags each injected fraud against the simulator's ground truth.
package night

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
)

// Clock is the simulated clock: it runs from the moment polls close at
// Speed simulated seconds per wall second, once started.
type Clock struct {
	mu      sync.Mutex
	origin  time.Time // simulated instant at wallRef
	wallRef time.Time
	speed   float64 // 0 while stopped
}

// NewClock returns a stopped clock showing at.
func NewClock(at time.Time) *Clock { return &Clock{origin: at, wallRef: time.Now()} }

// Now returns the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.origin.Add(time.Duration(float64(time.Since(c.wallRef)) * c.speed))
}

// Set moves the clock to at and runs it at speed from now on.
func (c *Clock) Set(at time.Time, speed float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.origin, c.wallRef, c.speed = at, time.Now(), speed
}

// Options tune a night.
type Options struct {
	// Speed is simulated seconds per wall second; 0 plays as fast as the
	// server allows.
	Speed float64
	// Workers is the number of concurrent submitters (default 512: a receipt waits for the next checkpoint, so throughput is workers per checkpoint interval).
	Workers int
	// Skip reports records already in the log (a resumed night); they are
	// not sent again.
	Skip func(hash [32]byte) bool
	// Progress, if set, is called about twice a second and at the end.
	Progress func(Progress)
	// Acked, if set, is called when a record is acknowledged, with the wall
	// time of the acknowledgement.
	Acked func(ev *sim.Event, at time.Time)
	// Sending, if set, is called when a worker starts submitting a record
	// (after the records it names are acknowledged), with the wall time.
	Sending func(ev *sim.Event, at time.Time)
	// Batch, if above 1, sends records through the batch endpoint
	// (POST /api/v1/records/batch) up to this many at a time, as a
	// store-and-forward gateway does: each worker sends the records due
	// together in one request.
	Batch int
	// Window, if set, bounds the simulated time in flight when the night
	// plays as fast as the server allows (Speed 0): a record is sent only
	// once every record due more than Window before it is acknowledged. A
	// log receives a night roughly in its order, and the tally reads time
	// from it (the latest record time is the log's clock: a declaration
	// turns stale, sheets overdue, on it); without a window, concurrent
	// batches hours apart land in any order and that clock runs ahead of
	// records still in flight.
	Window time.Duration
}

// Progress is how far a night has played.
type Progress struct {
	Sent, Total int
	SimTime     time.Time
	Done        bool
}

// Play submits el's records to the server at base in arrival order, each
// at its scheduled time, and returns when every one is acknowledged (or
// refused: a refusal of a simulated record is an error, since every one of
// them is valid).
func Play(ctx context.Context, base string, el *sim.Election, clock *Clock, opts Options) error {
	if opts.Workers == 0 {
		opts.Workers = 512
	}
	events := el.Records
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: opts.Workers}}
	start := time.Now()
	first := Start(events)
	if opts.Speed > 0 {
		clock.Set(el.PollsClose.Add(first), opts.Speed)
	}
	// A record that names another (a countersignature, a correction) is sent
	// only once the record it names is acknowledged, as a device would: the
	// log refuses references to records it does not hold (see dependencies
	// for the rest).
	deps, named := plan(events)
	acked := make(map[string]chan struct{}, len(events))
	for i := range events {
		acked[events[i].HashHex()] = make(chan struct{})
	}
	work := make(chan []*sim.Event, opts.Workers)
	var sent atomic.Int64
	var firstErr error
	var errOnce sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	// send submits records (one, or a batch) once the records they depend
	// on outside the batch are acknowledged, and acknowledges them. Those
	// inside it are ones they name (stages).
	send := func(evs []*sim.Event) error {
		inBatch := make(map[string]bool, len(evs))
		for _, ev := range evs {
			for _, ref := range deps[ev.HashHex()] {
				if ch, ok := acked[ref]; ok && !inBatch[ref] {
					select {
					case <-ch:
					case <-ctx.Done():
					}
				}
			}
			inBatch[ev.HashHex()] = true
		}
		if opts.Sending != nil {
			now := time.Now()
			for _, ev := range evs {
				opts.Sending(ev, now)
			}
		}
		var err error
		if opts.Batch > 1 {
			err = submitBatch(ctx, client, base, evs)
		} else {
			err = submit(ctx, client, base, evs[0])
		}
		if err != nil {
			return err
		}
		now := time.Now()
		for _, ev := range evs {
			close(acked[ev.HashHex()])
			if opts.Acked != nil {
				opts.Acked(ev, now)
			}
		}
		sent.Add(int64(len(evs)))
		return nil
	}
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(func() {
			for evs := range work {
				for _, part := range stages(evs, deps, named, acked) {
					if len(part) == 0 {
						continue
					}
					if err := send(part); err != nil {
						fail(err)
						break
					}
				}
			}
		})
	}
	stopProgress := make(chan struct{})
	if opts.Progress != nil {
		go func() {
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case <-t.C:
					opts.Progress(Progress{Sent: int(sent.Load()), Total: len(events), SimTime: clock.Now()})
				}
			}
		}()
	}
	maxBatch := max(1, opts.Batch)
	var pending []*sim.Event
	flush := func() bool {
		if len(pending) == 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case work <- pending:
			pending = nil
			return true
		}
	}
	low := 0 // the oldest record that may not be acknowledged yet (Window)
dispatch:
	for i := range events {
		ev := &events[i]
		if opts.Skip != nil && opts.Skip(ev.Hash) {
			close(acked[ev.HashHex()])
			sent.Add(1)
			continue
		}
		if opts.Speed > 0 {
			due := start.Add(time.Duration(float64(ev.Arrival-first) / opts.Speed))
			if d := time.Until(due); d > 0 {
				if !flush() {
					break dispatch
				}
				select {
				case <-ctx.Done():
					break dispatch
				case <-time.After(d):
				}
			}
		} else {
			for opts.Window > 0 && low < i && events[low].Arrival < ev.Arrival-opts.Window {
				ch := acked[events[low].HashHex()]
				select {
				case <-ch:
					low++
					continue
				default:
				}
				if !flush() {
					break dispatch
				}
				select {
				case <-ctx.Done():
					break dispatch
				case <-ch:
					low++
				}
			}
			clock.Set(el.PollsClose.Add(ev.Arrival), 0)
		}
		pending = append(pending, ev)
		if len(pending) >= maxBatch && !flush() {
			break dispatch
		}
	}
	flush()
	close(work)
	wg.Wait()
	close(stopProgress)
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if opts.Progress != nil {
		opts.Progress(Progress{Sent: int(sent.Load()), Total: len(events), SimTime: clock.Now(), Done: true})
	}
	return nil
}

// submit posts one record, retrying transient failures and waiting out the
// server's rate limits (see retrier).
func submit(ctx context.Context, client *http.Client, base string, ev *sim.Event) error {
	var rt retrier
	for {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/records", bytes.NewReader(ev.Entry))
		resp, err := client.Do(req)
		limited := 0
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rt.last = err
		default:
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusOK:
				return nil
			case resp.StatusCode == http.StatusTooManyRequests:
				limited = max(1, retryAfter(resp.Header.Get("Retry-After")))
				rt.last = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
			case resp.StatusCode >= 500:
				rt.last = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
			default:
				return fmt.Errorf("the server refused simulated record %s: %s", ev.HashHex()[:12], bytes.TrimSpace(body))
			}
		}
		if err := rt.wait(ctx, limited); err != nil {
			return err
		}
	}
}

// retrier paces a record's (or a batch's) attempts. A 429 is the server's
// backpressure on a key or an address, not a failure: the player waits as
// long as the server asks and tries again, for at most maxLimitedWait in
// all, as a gateway draining its queue after a shutdown does. Other
// failures (5xx, the connection) are tried 8 times with growing pauses.
type retrier struct {
	failures int
	limited  time.Duration
	last     error
}

// maxLimitedWait bounds the time one record or batch waits on rate limits.
const maxLimitedWait = 10 * time.Minute

// retryUnit is a Retry-After second (shorter in tests).
var retryUnit = time.Second

// wait pauses before the next attempt: limitedSecs seconds when the last
// attempt was only rate-limited (limitedSecs > 0), else a pause that grows
// with each failure. It returns an error when the attempts are spent.
func (rt *retrier) wait(ctx context.Context, limitedSecs int) error {
	var d time.Duration
	if limitedSecs > 0 {
		d = time.Duration(limitedSecs) * retryUnit
		if rt.limited += time.Duration(limitedSecs) * time.Second; rt.limited > maxLimitedWait {
			return errors.Join(fmt.Errorf("giving up after %s of rate limits", maxLimitedWait), rt.last)
		}
	} else {
		if rt.failures++; rt.failures == 8 {
			return errors.Join(errors.New("giving up after 8 attempts"), rt.last)
		}
		d = time.Duration(rt.failures) * 100 * time.Millisecond
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// retryAfter reads a Retry-After header's seconds (0 if absent or a date).
func retryAfter(h string) int {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Start returns the arrival of the first record of the night proper: the
// first at or after polls close. Records due earlier (the postal-ballot
// accounts, logged hours before) are sent at once when the night starts.
func Start(events []sim.Event) time.Duration {
	for i := range events {
		if events[i].Arrival >= 0 {
			return events[i].Arrival
		}
	}
	if len(events) > 0 {
		return events[len(events)-1].Arrival
	}
	return 0
}

// SignerOrder returns, for each declaration among events (in arrival
// order), the hashes of the records its signer signed before it that must
// reach the log first: a returning officer's device sends its corrections
// and its postal-ballot account before the declaration that counts them.
func SignerOrder(events []sim.Event) map[string][]string {
	return signerOrder(events, openAll(events))
}

// signerOrder is SignerOrder with the events' entries opened (openAll).
func signerOrder(events []sim.Event, envs []*record.Envelope) map[string][]string {
	out := map[string][]string{}
	bySigner := map[string][]string{}
	for i := range events {
		env := envs[i]
		if env == nil {
			continue
		}
		if _, ok := env.Record.(*record.Declaration); ok && len(bySigner[env.KeyName]) > 0 {
			out[events[i].HashHex()] = bySigner[env.KeyName]
		}
		bySigner[env.KeyName] = append(bySigner[env.KeyName], events[i].HashHex())
	}
	return out
}

// submitBatch posts records to the batch endpoint, sending again those
// refused for now (rate limits, no checkpoint yet) until every one is
// acknowledged.
func submitBatch(ctx context.Context, client *http.Client, base string, evs []*sim.Event) error {
	var rt retrier
	for {
		limited, done, err := postBatch(ctx, client, base, &evs, &rt)
		if done || err != nil {
			return err
		}
		if err := rt.wait(ctx, limited); err != nil {
			return fmt.Errorf("%d records of a batch not logged: %w", len(evs), err)
		}
	}
}

// postBatch sends evs once. It leaves in evs the records to send again,
// with in rt.last why; limited is the seconds the server asked to wait
// when it only rate-limited them (0 after a failure). done is true once
// every record is logged; err is a refusal that sending again cannot fix.
func postBatch(ctx context.Context, client *http.Client, base string, evs *[]*sim.Event, rt *retrier) (limited int, done bool, err error) {
	var req struct {
		Records []string `json:"records"`
	}
	for _, ev := range *evs {
		req.Records = append(req.Records, string(ev.Entry))
	}
	body, _ := json.Marshal(req)
	hreq, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/records/batch", bytes.NewReader(body))
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return 0, false, ctx.Err()
		}
		rt.last = err
		return 0, false, nil
	}
	var ans struct {
		Results []struct {
			Status     int    `json:"status"`
			Error      string `json:"error"`
			RetryAfter int    `json:"retry_after"`
		} `json:"results"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&ans)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || len(ans.Results) != len(*evs) {
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			rt.last = fmt.Errorf("batch: %s", resp.Status)
			return max(1, retryAfter(resp.Header.Get("Retry-After"))), false, nil
		case resp.StatusCode >= 500:
			rt.last = fmt.Errorf("batch: %s", resp.Status)
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("the server refused a batch of %d simulated records: %s (%v)", len(*evs), resp.Status, err)
	}
	var again []*sim.Event
	failed := false
	for i, res := range ans.Results {
		switch {
		case res.Status == http.StatusOK:
		case res.Status == http.StatusTooManyRequests:
			again = append(again, (*evs)[i])
			limited = max(limited, res.RetryAfter, 1)
			rt.last = errors.New(res.Error)
		case res.Status >= 500 || len(again) > 0:
			// A refusal after a record that must be sent again may
			// name that record: send it again after it.
			again = append(again, (*evs)[i])
			failed = res.Status >= 500 || failed
			rt.last = errors.New(res.Error)
		default:
			return 0, false, fmt.Errorf("the server refused simulated record %s: %s", (*evs)[i].HashHex()[:12], res.Error)
		}
	}
	*evs = again
	if failed {
		limited = 0 // a failure, not only backpressure: counted
	}
	return limited, len(again) == 0, nil
}

// stages splits a batch into requests sent one after another, each
// keeping the records' order. A record goes in a later request than a
// record of the batch it depends on, unless it names that record by hash
// (the server logs a record after one it names in the same request, and
// the others of a request in no set order); and a record that waits for a
// record another worker is sending goes after those that can go at once.
func stages(evs []*sim.Event, deps, named map[string][]string, acked map[string]chan struct{}) [][]*sim.Event {
	stage := make(map[string]int, len(evs))
	var out [][]*sim.Event
	for _, ev := range evs {
		h := ev.HashHex()
		s := 0
		for _, ref := range deps[h] {
			if rs, in := stage[ref]; in {
				if !slices.Contains(named[h], ref) {
					rs++
				}
				s = max(s, rs)
				continue
			}
			if ch, known := acked[ref]; known {
				select {
				case <-ch:
				default:
					s = max(s, 1)
				}
			}
		}
		stage[h] = s
		for len(out) <= s {
			out = append(out, nil)
		}
		out[s] = append(out[s], ev)
	}
	return out
}
