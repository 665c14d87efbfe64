package web

import (
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
)

// RateLimits bound how fast records are accepted for submission. A record
// whose signature verifies with a key the log has registered is charged to
// that key: a compromised or runaway device cannot flood the log, and a
// forger who names an honest officer's key cannot use up that officer's
// allowance. Everything else (bodies that do not parse, unknown keys,
// signatures that do not verify, oversized bodies) is charged to the
// client's address.
//
// Refused requests get 429 with a Retry-After header in seconds; nothing was
// read into the log, and a client retries with the same bytes.
type RateLimits struct {
	PerKey    float64 // records per second per signing key
	KeyBurst  float64 // how many a key may send at once
	PerAddr   float64 // unattributable requests per second per client address
	AddrBurst float64
}

// DefaultRateLimits are generous: an officer signs a handful of records on
// election night, and the demo's 512 concurrent clients are never
// throttled. Servers built by Handler read them at that moment.
var DefaultRateLimits = RateLimits{PerKey: 20, KeyBurst: 40, PerAddr: 20, AddrBurst: 100}

// maxBuckets is how many buckets a limiter holds before it forgets those
// that have refilled (a full bucket is the same as no bucket).
const maxBuckets = 1 << 16

type bucket struct {
	tokens float64
	last   time.Time
}

// limiter is a set of token buckets, one per name.
type limiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

func newLimiter(rate, burst float64, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: max(burst, 1), now: now, buckets: map[string]*bucket{}}
}

// take spends one token of name's bucket. When it is empty it returns false
// and how long until a token is available.
func (l *limiter) take(name string) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0 // unlimited
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[name]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[name] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// sweep forgets buckets that have refilled; l.mu is held.
func (l *limiter) sweep(now time.Time) {
	for name, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, name)
		}
	}
}

// submitHandler handles a submitted record whose body the rate limiter has
// read; v is the record authenticated by the intake, or nil.
type submitHandler func(w http.ResponseWriter, r *http.Request, body []byte, v *registry.Verified)

// limitRecordsWith wraps the submission handler with per-key and
// per-address token buckets of its own.
func (s *Server) limitRecordsWith(rl RateLimits, now func() time.Time, h submitHandler) http.HandlerFunc {
	return s.limitRecordsBy(newRecordLimits(rl, now), h)
}

// recordLimits are the token buckets records are charged to: one per
// signing key, one per client address for records that cannot be
// attributed to a registered key.
type recordLimits struct {
	keys, addrs *limiter
}

func newRecordLimits(rl RateLimits, now func() time.Time) *recordLimits {
	return &recordLimits{keys: newLimiter(rl.PerKey, rl.KeyBurst, now), addrs: newLimiter(rl.PerAddr, rl.AddrBurst, now)}
}

// charge spends one token for a record sent by r: of its signer's bucket
// when v (the record authenticated) is not nil, else of the client
// address's. It returns the 429 to answer, with its Retry-After in
// seconds, or nil.
func (rl *recordLimits) charge(r *http.Request, v *registry.Verified) (*apiErr, int) {
	lim, name := rl.addrs, clientAddr(r)
	if v != nil {
		env := v.Envelope()
		lim, name = rl.keys, env.KeyName+"+"+strconv.FormatUint(uint64(env.KeyHash), 16)
	}
	ok, wait := lim.take(name)
	if ok {
		return nil, 0
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	what := "this client address"
	if lim == rl.keys {
		what = "key " + name
	}
	return &apiErr{Status: http.StatusTooManyRequests, Field: "rate",
		Rule: "too many records from " + what + "; retry the same record after " + strconv.Itoa(secs) + " s"}, secs
}

// limitRecordsBy wraps the submission handler with the limits lim. It
// reads the body (at most one byte more than a record may have) to find
// the signer, and hands the bytes and the authenticated record to h, so the
// signature is verified once.
func (s *Server) limitRecordsBy(lim *recordLimits, h submitHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, record.MaxEntry+1))
		if err != nil {
			writeError(w, &apiErr{Status: http.StatusBadRequest, Field: "body", Rule: "could not read the request body"})
			return
		}
		var v *registry.Verified
		if len(body) <= record.MaxEntry {
			v, _ = s.Intake.Authenticate(body)
		}
		if refused, secs := lim.charge(r, v); refused != nil {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(w, refused)
			return
		}
		h(w, r, body, v)
	}
}

// clientAddr is the request's peer address without its port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
