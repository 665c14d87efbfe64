package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"

	"github.com/tallylog/tallylog/internal/node"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// Limits bound what clients can make the server hold, whatever they do:
// memory (the page cache, uploads in flight, evidence packs), disk (images
// and attestations per key and per station) and descriptors (connections).
// Every refusal names its rule: 429 for a quota or a limit on requests at
// once (retry later, or ask the operator to raise it), 413 for one upload
// too large. docs/limits.md lists them with the serve flags that set them.
type Limits struct {
	// CacheBytes bounds the rendered pages and API answers kept per log
	// state.
	CacheBytes int64
	// MaxConns bounds the connections served at once; further clients wait
	// in the kernel's accept queue. It is lowered at start so that, with
	// FDMargin descriptors kept free for the log, images and packs, the
	// process cannot run out of descriptors (RLIMIT_NOFILE).
	MaxConns int
	FDMargin int
	// Uploads bounds the image and claim-checker uploads in flight at once,
	// and UploadsPerAddr those from one client address. An upload is
	// streamed to a temporary file while it is hashed: memory per upload is
	// a buffer, not the upload.
	Uploads        int
	UploadsPerAddr int
	// Batches bounds the batch requests (POST /api/v1/records/batch) read
	// and checked at once, and BatchesPerAddr those from one client
	// address: a batch holds up to MaxBatchBytes while it is read.
	Batches        int
	BatchesPerAddr int
	// Quotas bound the images a station's records, and those of one
	// signing key, may have uploaded, and the attestations logged about one
	// station and by one key; the node keeps the accounts (node.Quotas).
	node.Quotas
	// StationAttestations caps the attestations per contest in one station
	// answer (API and page); further ones are on later pages (?page=2).
	StationAttestations int
	// PackBytes caps an evidence pack. Packs are built once per checkpoint
	// into DIR/packs/ and served from there.
	PackBytes int64
}

// DefaultLimits are sized for a general election on one server: a station
// has a sheet, a few revisions and a few dozen agents' and observers' word
// on it; an agent or observer key covers a constituency's few hundred
// stations.
var DefaultLimits = Limits{
	CacheBytes:          64 << 20,
	MaxConns:            4096,
	FDMargin:            256,
	Uploads:             32,
	UploadsPerAddr:      4,
	Batches:             64,
	BatchesPerAddr:      16,
	Quotas:              node.DefaultQuotas,
	StationAttestations: 100,
	PackBytes:           1 << 30,
}

// withDefaults fills the zero fields of l from DefaultLimits, but for the
// quotas, which are the node's (New takes them from it).
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	orDefault(&l.CacheBytes, d.CacheBytes)
	orDefault(&l.MaxConns, d.MaxConns)
	orDefault(&l.FDMargin, d.FDMargin)
	orDefault(&l.Uploads, d.Uploads)
	orDefault(&l.UploadsPerAddr, d.UploadsPerAddr)
	orDefault(&l.Batches, d.Batches)
	orDefault(&l.BatchesPerAddr, d.BatchesPerAddr)
	orDefault(&l.StationAttestations, d.StationAttestations)
	orDefault(&l.PackBytes, d.PackBytes)
	return l
}

// orDefault sets *v to d when it is zero or negative (unset).
func orDefault[T int | int64](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// limits is a server's live accounting against its Limits.
type limits struct {
	cfg Limits

	uploads *slots // uploads in flight
	batches *slots // batch requests read and checked

	node *node.Node // the quotas' accounts
}

func newLimits(cfg Limits, n *node.Node) *limits {
	cfg = cfg.withDefaults()
	return &limits{cfg: cfg, node: n,
		uploads: newSlots(cfg.Uploads, cfg.UploadsPerAddr, "uploads", "uploads", "--max-uploads"),
		batches: newSlots(cfg.Batches, cfg.BatchesPerAddr, "batches", "batch requests", "--max-batches")}
}

// slots bounds requests of one kind in flight at once, in all and per
// client address.
type slots struct {
	all        chan struct{} // a token per request in flight
	perAddrMax int
	field      string // the field of the refusal
	what, flag string // the requests, and the serve flag that sets the bound

	mu      sync.Mutex
	perAddr map[string]int // in flight per client address
}

func newSlots(all, perAddr int, field, what, flag string) *slots {
	return &slots{all: make(chan struct{}, all), perAddrMax: perAddr, field: field, what: what, flag: flag, perAddr: map[string]int{}}
}

// start takes a slot for addr, or refuses with the rule; the function
// returned gives it back.
func (sl *slots) start(addr string) (func(), error) {
	select {
	case sl.all <- struct{}{}:
	default:
		return nil, limitError(http.StatusTooManyRequests, sl.field,
			fmt.Sprintf("the server takes at most %d %s at once (%s); retry in a few seconds", cap(sl.all), sl.what, sl.flag))
	}
	sl.mu.Lock()
	if sl.perAddr[addr] >= sl.perAddrMax {
		sl.mu.Unlock()
		<-sl.all
		return nil, limitError(http.StatusTooManyRequests, sl.field,
			fmt.Sprintf("at most %d %s at once from one address (%s-per-addr); finish one first", sl.perAddrMax, sl.what, sl.flag))
	}
	sl.perAddr[addr]++
	sl.mu.Unlock()
	return func() {
		sl.mu.Lock()
		if sl.perAddr[addr]--; sl.perAddr[addr] <= 0 {
			delete(sl.perAddr, addr)
		}
		sl.mu.Unlock()
		<-sl.all
	}, nil
}

// Limits returns the limits the server enforces.
func (s *Server) Limits() Limits { return s.limits.cfg }

// limitError is a refusal for a limit: 429 (or 413) naming the rule.
func limitError(status int, field, rule string) *apiErr {
	return &apiErr{Status: status, Field: field, Rule: rule}
}

// startUpload takes an upload slot for addr, or refuses with the rule.
func (l *limits) startUpload(addr string) (func(), error) { return l.uploads.start(addr) }

// staged is an upload written to a temporary file while it was hashed.
type staged struct {
	path string
	size int64
	sum  string // SHA-256, hex
	head []byte // the first 512 bytes, for content sniffing
}

// stage streams r into a temporary file in dir, hashing it on the way, and
// refuses more than max bytes (413). The caller removes s.path unless it
// renames it.
func stage(dir string, r io.Reader, max int64) (*staged, error) {
	f, err := os.CreateTemp(dir, ".tmp-upload-*")
	if err != nil {
		return nil, fmt.Errorf("could not store the upload (%w); retry", err)
	}
	h := sha256.New()
	hw := &headWriter{h: h}
	n, err := io.Copy(f, io.TeeReader(io.LimitReader(r, max+1), hw))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > max {
		err = errTooLarge
	}
	if err != nil {
		os.Remove(f.Name())
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = errTooLarge
		}
		return nil, err
	}
	return &staged{path: f.Name(), size: n, sum: hex.EncodeToString(h.Sum(nil)), head: hw.head}, nil
}

var errTooLarge = errors.New("the upload is larger than allowed")

// headWriter hashes what passes and keeps its first 512 bytes.
type headWriter struct {
	h    hash.Hash
	head []byte
}

func (w *headWriter) Write(p []byte) (int, error) {
	if len(w.head) < 512 {
		w.head = append(w.head, p[:min(len(p), 512-len(w.head))]...)
	}
	return w.h.Write(p)
}

// keyName is how quotas and rate limits name a signing key.
func keyName(env *record.Envelope) string { return node.KeyName(env) }

// admitAttestation is the node's AdmitAttestation, its quota refusals
// answered 429.
func (l *limits) admitAttestation(env *record.Envelope, size int, logged func() bool) (func(ok bool, applied bool), error) {
	done, err := l.node.AdmitAttestation(env, size, logged)
	return done, quotaAnswer(err)
}

// errNotApplied is the answer for an image whose naming record the server
// has logged but not yet counted.
var errNotApplied = &apiErr{Status: http.StatusServiceUnavailable, Field: "hash", Rule: node.ErrNotApplied.Error()}

// admitImage is the node's AdmitImage, its refusals answered 429 (a
// quota) or errNotApplied.
func (l *limits) admitImage(hash string, size int64) error {
	return quotaAnswer(l.node.AdmitImage(hash, size))
}

// quotaAnswer maps the node's quota refusals to their HTTP answers.
func quotaAnswer(err error) error {
	var q *node.QuotaError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, node.ErrNotApplied):
		return errNotApplied
	case errors.As(err, &q):
		return limitError(http.StatusTooManyRequests, "quota", q.Rule)
	}
	return err
}

// ConnLimit is how many connections the server may hold at once: MaxConns,
// lowered so that the descriptors they use leave FDMargin (and one per
// upload) free under the process's RLIMIT_NOFILE. It refuses to start a
// server that would have fewer than 16.
func (s *Server) ConnLimit() (int, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return s.limits.cfg.MaxConns, nil
	}
	return connLimit(s.limits.cfg, rl.Cur)
}

// connLimit is ConnLimit for a process that may open nofile files.
func connLimit(cfg Limits, nofile uint64) (int, error) {
	free := int64(min(nofile, 1<<40)) - int64(cfg.FDMargin) - int64(cfg.Uploads)
	if free < 16 {
		return 0, fmt.Errorf("the process may open %d files (ulimit -n), too few to serve: the server keeps %d free for the log and uploads and needs 16 for connections; raise it (ulimit -n 8192) or lower --fd-margin", nofile, int64(cfg.FDMargin)+int64(cfg.Uploads))
	}
	return int(min(int64(cfg.MaxConns), free)), nil
}

// LimitListener returns a listener that accepts at most n connections at
// once: Accept waits until a served connection closes. (The same idea as
// golang.org/x/net/netutil.LimitListener, with the standard library only.)
func LimitListener(ln net.Listener, n int) net.Listener {
	return &limitListener{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	sem       chan struct{}
	closeOnce sync.Once
	done      chan struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// pageAttestations keeps one page (from 1) of per attestations of each of
// a station's contests, so that a station answer is bounded however many
// agents and observers wrote about it. It returns, per contest, how many
// attestations the log holds when some were left out.
func pageAttestations(sr *tally.StationResult, page, per int) map[string]int {
	var total map[string]int
	page = max(page, 1)
	for i := range sr.Contests {
		all := sr.Contests[i].Attestations
		if len(all) == 0 || len(all) <= per && page == 1 {
			continue
		}
		if total == nil {
			total = map[string]int{}
		}
		total[sr.Contests[i].Contest] = len(all)
		from := min(len(all), (page-1)*per)
		sr.Contests[i].Attestations = all[from:min(len(all), from+per)]
	}
	return total
}

// stationAnswer is the API's station answer: the station, with a page of
// attestations per contest when it has more than one page.
type stationAnswer struct {
	tally.StationResult
	// AttestationsTotal counts each contest's attestations when the answer
	// holds only a page of them (?page=N, Limits.StationAttestations each).
	AttestationsTotal map[string]int `json:"attestations_total,omitempty"`
}

// attestationPage reads ?page= for a station answer.
func attestationPage(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}
