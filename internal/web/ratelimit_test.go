package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tallylog/tallylog/internal/testelection"
	"github.com/tallylog/tallylog/record"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(2, 3, func() time.Time { return now })
	for _, step := range []struct {
		advance time.Duration
		name    string
		ok      bool
		wait    time.Duration
	}{
		{0, "a", true, 0}, {0, "a", true, 0}, {0, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
		{0, "b", true, 0}, // buckets are independent
		{250 * time.Millisecond, "a", false, 250 * time.Millisecond},
		{250 * time.Millisecond, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
		{time.Hour, "a", true, 0}, // refills, but only to the burst
		{0, "a", true, 0}, {0, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
	} {
		now = now.Add(step.advance)
		ok, wait := l.take(step.name)
		if ok != step.ok || (!ok && (wait-step.wait).Abs() > time.Millisecond) {
			t.Fatalf("at %v, take(%q) = %v, %v; want %v, %v", now.Unix(), step.name, ok, wait, step.ok, step.wait)
		}
	}
	// Buckets that refilled are forgotten when the table is full.
	for i := range maxBuckets + 10 {
		l.take(strconv.Itoa(i))
		if i == maxBuckets/2 {
			now = now.Add(time.Hour)
		}
	}
	if len(l.buckets) > maxBuckets {
		t.Errorf("limiter holds %d buckets, more than %d", len(l.buckets), maxBuckets)
	}
	if ok, _ := newLimiter(0, 0, time.Now).take("x"); !ok {
		t.Error("a zero rate must mean no limit")
	}
}

// TestRateLimits checks the submission handler's limits end to end: a key
// that sends too fast gets 429 with Retry-After and nothing is logged;
// other keys are unaffected; forgeries naming a key are charged to the
// sender's address, not to the key.
func TestRateLimits(t *testing.T) {
	ts := newTestSite(t)
	var mu sync.Mutex
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := ts.Srv.limitRecordsWith(RateLimits{PerKey: 1, KeyBurst: 2, PerAddr: 1, AddrBurst: 2}, clock, ts.Srv.handleRecord)
	hs := httptest.NewServer(h)
	defer hs.Close()

	n := 0
	copyBy := func(key string) []byte {
		n++
		return ts.E.Sign(t, key, &record.Attestation{Election: ts.E.Def.ID, Log: ts.E.Def.Origin, Contest: "NA-57", Station: "NA-57/PS-1", Kind: "copy",
			Registered: 1000, Cast: 550, Votes: testelection.Counts(300, 200, 50), Captured: fmt.Sprintf("2024-02-08T18:%02d:00Z", n)})
	}
	forgery := func() []byte {
		return bytes.Replace(copyBy("observer"), []byte("votes 1 300"), []byte("votes 1 301"), 1)
	}
	post := func(body []byte) (int, string) {
		t.Helper()
		resp, err := http.Post(hs.URL, "text/plain", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	size := func() uint64 {
		s, err := ts.Srv.Log.IntegratedSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	for i, step := range []struct {
		name    string
		body    func() []byte
		advance time.Duration
		status  int
		retry   string
	}{
		{"forgery 1 naming the observer", forgery, 0, 403, ""},
		{"forgery 2", forgery, 0, 403, ""},
		{"forgery 3: the address is out of tokens", forgery, 0, 429, "1"},
		{"the observer is not charged for the forgeries", func() []byte { return copyBy("observer") }, 0, 200, ""},
		{"observer, second record", func() []byte { return copyBy("observer") }, 0, 200, ""},
		{"observer, third record: throttled", func() []byte { return copyBy("observer") }, 0, 429, "1"},
		{"another key is not throttled", func() []byte { return copyBy("agent.NA-57") }, 0, 200, ""},
		{"the observer after a second", func() []byte { return copyBy("observer") }, time.Second, 200, ""},
		{"unparseable body, address refilled", func() []byte { return []byte("hello") }, 0, 400, ""},
	} {
		advance(step.advance)
		before := size()
		status, retry := post(step.body())
		if status != step.status || retry != step.retry {
			t.Fatalf("step %d, %s: status %d Retry-After %q; want %d %q", i, step.name, status, retry, step.status, step.retry)
		}
		if grew := size() > before; grew != (status == 200) {
			t.Errorf("step %d, %s: status %d but the log grew: %v", i, step.name, status, grew)
		}
	}
}

// TestDefaultRateLimitsGenerous pins the defaults above what an honest
// officer, the demo and the hostile-input catalogue (about 45 refused
// requests from one address) need.
func TestDefaultRateLimitsGenerous(t *testing.T) {
	if DefaultRateLimits.PerKey < 10 || DefaultRateLimits.KeyBurst < 20 || DefaultRateLimits.AddrBurst < 50 {
		t.Errorf("default limits %+v would throttle honest officers or the tests", DefaultRateLimits)
	}
}
