// Package night plays a simulated election night against a running server:
// it submits every record of a simulated election through the real HTTP
// submission path at its scheduled time (scaled by a speed), keeps the
// simulated clock the server judges deadlines by, and measures how fast
// the tally flags each injected fraud against the simulator's ground truth.
package night

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/sim"
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
	deps := Dependencies(events)
	acked := make(map[string]chan struct{}, len(events))
	for i := range events {
		acked[events[i].HashHex()] = make(chan struct{})
	}
	work := make(chan *sim.Event, opts.Workers)
	var sent atomic.Int64
	var firstErr error
	var errOnce sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(func() {
			for ev := range work {
				for _, ref := range deps[ev.HashHex()] {
					if ch, ok := acked[ref]; ok {
						select {
						case <-ch:
						case <-ctx.Done():
						}
					}
				}
				if opts.Sending != nil {
					opts.Sending(ev, time.Now())
				}
				if err := submit(ctx, client, base, ev); err != nil {
					fail(err)
					continue
				}
				close(acked[ev.HashHex()])
				if opts.Acked != nil {
					opts.Acked(ev, time.Now())
				}
				sent.Add(1)
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
				select {
				case <-ctx.Done():
					break dispatch
				case <-time.After(d):
				}
			}
		} else {
			clock.Set(el.PollsClose.Add(ev.Arrival), 0)
		}
		select {
		case <-ctx.Done():
			break dispatch
		case work <- ev:
		}
	}
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

// submit posts one record, retrying transient failures.
func submit(ctx context.Context, client *http.Client, base string, ev *sim.Event) error {
	var last error
	for attempt := 0; attempt < 8; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/records", bytes.NewReader(ev.Entry))
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			last = err
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return nil
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			last = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
		default:
			return fmt.Errorf("the server refused simulated record %s: %s", ev.HashHex()[:12], bytes.TrimSpace(body))
		}
	}
	return errors.Join(errors.New("giving up after 8 attempts"), last)
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
	out := map[string][]string{}
	bySigner := map[string][]string{}
	for i := range events {
		env, err := record.Open(events[i].Entry)
		if err != nil {
			continue
		}
		if _, ok := env.Record.(*record.Declaration); ok && len(bySigner[env.KeyName]) > 0 {
			out[events[i].HashHex()] = bySigner[env.KeyName]
		}
		bySigner[env.KeyName] = append(bySigner[env.KeyName], events[i].HashHex())
	}
	return out
}
