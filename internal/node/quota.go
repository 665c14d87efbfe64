package node

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/tallylog/tallylog/record"
)

// Quotas bound what one polling station and one signing key may make the
// node store on disk: scanned images (counted once their bytes are
// stored) and attestations (countersignatures, agents' and observers'
// copies) in the log. The accounts are rebuilt from the log at each Open:
// the follower charges every entry it applies, in log order, and an image
// already on disk is charged to the first record that names it.
type Quotas struct {
	ImagesPerStation           int
	ImageBytesPerStation       int64
	ImagesPerKey               int
	ImageBytesPerKey           int64
	AttestationsPerStation     int
	AttestationBytesPerStation int64
	AttestationsPerKey         int
	AttestationBytesPerKey     int64
}

// DefaultQuotas are sized for a general election on one server: a station
// has a sheet, a few revisions and a few dozen agents' and observers' word
// on it; an agent or observer key covers a constituency's few hundred
// stations.
var DefaultQuotas = Quotas{
	ImagesPerStation:           64,
	ImageBytesPerStation:       128 << 20,
	ImagesPerKey:               2000,
	ImageBytesPerKey:           2 << 30,
	AttestationsPerStation:     200,
	AttestationBytesPerStation: 2 << 20,
	AttestationsPerKey:         20000,
	AttestationBytesPerKey:     200 << 20,
}

// withDefaults fills the zero fields of q from DefaultQuotas.
func (q Quotas) withDefaults() Quotas {
	d := DefaultQuotas
	pick(&q.ImagesPerStation, d.ImagesPerStation)
	pick(&q.ImageBytesPerStation, d.ImageBytesPerStation)
	pick(&q.ImagesPerKey, d.ImagesPerKey)
	pick(&q.ImageBytesPerKey, d.ImageBytesPerKey)
	pick(&q.AttestationsPerStation, d.AttestationsPerStation)
	pick(&q.AttestationBytesPerStation, d.AttestationBytesPerStation)
	pick(&q.AttestationsPerKey, d.AttestationsPerKey)
	pick(&q.AttestationBytesPerKey, d.AttestationBytesPerKey)
	return q
}

func pick[T int | int64](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// QuotaError is a refusal for a quota; Rule names the quota, its flag and
// what to do.
type QuotaError struct{ Rule string }

func (e *QuotaError) Error() string { return e.Rule }

// ErrNotApplied refuses an image whose naming record is logged but not
// yet applied by the follower: retry in a second.
var ErrNotApplied = errors.New("the record naming this image is logged but not yet applied; retry in a second")

// KeyName is how quotas and rate limits name a signing key.
func KeyName(env *record.Envelope) string {
	return env.KeyName + "+" + strconv.FormatUint(uint64(env.KeyHash), 16)
}

// quotas is a node's live accounting against its Quotas.
type quotas struct {
	cfg Quotas

	mu         sync.Mutex
	stations   map[string]*usage
	keys       map[string]*usage
	imageOwner map[string]owner // image hash -> the first record naming it
	charged    map[string]bool  // images whose bytes are counted
	reserved   map[[32]byte]reservation
}

// usage is what one station or key has used.
type usage struct {
	attestations     int
	attestationBytes int64
	pending          int // admitted, not yet applied (reservations)
	pendingBytes     int64
	images           int
	imageBytes       int64
}

type owner struct{ station, key string }

func newQuotas(cfg Quotas) *quotas {
	return &quotas{cfg: cfg.withDefaults(), stations: map[string]*usage{}, keys: map[string]*usage{},
		imageOwner: map[string]owner{}, charged: map[string]bool{}, reserved: map[[32]byte]reservation{}}
}

// Quotas returns the quotas the node enforces.
func (n *Node) Quotas() Quotas { return n.quotas.cfg }

// learn accounts for a logged entry: the follower calls it for every
// entry in log order, from the first. An image already on disk is charged
// to its first naming record when that record is learned.
//
// env is entry opened, if the caller has it (nil: learn opens it).
func (q *quotas) learn(entry []byte, env *record.Envelope, imagesDir string) {
	if env == nil {
		var err error
		if env, err = record.Open(entry); err != nil {
			return
		}
	}
	var station, image string
	att := false
	switch r := env.Record.(type) {
	case *record.Sheet:
		station, image = r.Station, r.Image
	case *record.Attestation:
		station, image, att = r.Station, r.Image, true
	default:
		return
	}
	key := KeyName(env)
	q.mu.Lock()
	defer q.mu.Unlock()
	if att {
		if r, held := q.reserved[env.Hash]; held {
			delete(q.reserved, env.Hash)
			q.pend(r, -1)
		}
		for _, u := range []*usage{q.use(q.stations, station), q.use(q.keys, key)} {
			u.attestations++
			u.attestationBytes += int64(len(entry))
		}
	}
	if image == "" {
		return
	}
	if _, ok := q.imageOwner[image]; !ok {
		q.imageOwner[image] = owner{station: station, key: key}
	}
	if !q.charged[image] {
		if fi, err := os.Stat(imagesDir + "/" + image); err == nil {
			q.chargeImage(image, fi.Size())
		}
	}
}

// use returns m[name], made on first use; mu held.
func (q *quotas) use(m map[string]*usage, name string) *usage {
	u := m[name]
	if u == nil {
		u = &usage{}
		m[name] = u
	}
	return u
}

// chargeImage counts an image against its owner's quotas; mu held.
func (q *quotas) chargeImage(image string, size int64) {
	o := q.imageOwner[image]
	for _, u := range []*usage{q.use(q.stations, o.station), q.use(q.keys, o.key)} {
		u.images++
		u.imageBytes += size
	}
	q.charged[image] = true
}

// AdmitAttestation refuses (*QuotaError) an attestation that would take
// its station or its key past a quota. Counted are the attestations the
// tally has applied and those admitted but not yet applied (reserved here,
// by record hash, until the follower applies them), so concurrent
// submissions cannot overshoot. The caller calls done with the outcome of
// the append: a refused append releases the reservation, an accepted one
// keeps it until the follower applies the entry (or releases it at once
// if it already has). Records already in the log are not charged again
// (logged reports it); records other than attestations are not charged.
func (n *Node) AdmitAttestation(env *record.Envelope, size int, logged func() bool) (done func(ok bool, applied bool), err error) {
	q := n.quotas
	nothing := func(bool, bool) {}
	a, ok := env.Record.(*record.Attestation)
	if !ok || logged() {
		return nothing, nil
	}
	key := KeyName(env)
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.reserved[env.Hash]; ok {
		return nothing, nil // the same record, in flight: charged once
	}
	st, k := q.use(q.stations, a.Station), q.use(q.keys, key)
	switch {
	case st.attestations+st.pending >= q.cfg.AttestationsPerStation:
		return nil, &QuotaError{fmt.Sprintf("station %s already has %d attestations, the most one station may have (--attestations-per-station); ask the operator if more are needed", a.Station, st.attestations+st.pending)}
	case st.attestationBytes+st.pendingBytes+int64(size) > q.cfg.AttestationBytesPerStation:
		return nil, &QuotaError{fmt.Sprintf("the attestations of station %s would pass %d bytes (--attestation-bytes-per-station)", a.Station, q.cfg.AttestationBytesPerStation)}
	case k.attestations+k.pending >= q.cfg.AttestationsPerKey:
		return nil, &QuotaError{fmt.Sprintf("key %s has logged %d attestations, the most one key may (--attestations-per-key)", key, k.attestations+k.pending)}
	case k.attestationBytes+k.pendingBytes+int64(size) > q.cfg.AttestationBytesPerKey:
		return nil, &QuotaError{fmt.Sprintf("the attestations of key %s would pass %d bytes (--attestation-bytes-per-key)", key, q.cfg.AttestationBytesPerKey)}
	}
	r := reservation{station: a.Station, key: key, bytes: int64(size)}
	q.reserved[env.Hash] = r
	q.pend(r, 1)
	hash := env.Hash
	return func(ok, applied bool) {
		if ok && !applied {
			return // learn releases it
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		if r, held := q.reserved[hash]; held {
			delete(q.reserved, hash)
			q.pend(r, -1)
		}
	}, nil
}

// reservation is an admitted attestation the tally has not applied yet.
type reservation struct {
	station, key string
	bytes        int64
}

// pend adds (sign 1) or removes (-1) a reservation's counts; mu held.
func (q *quotas) pend(r reservation, sign int) {
	for _, u := range []*usage{q.use(q.stations, r.station), q.use(q.keys, r.key)} {
		u.pending += sign
		u.pendingBytes += int64(sign) * r.bytes
	}
}

// AdmitImage checks an image of size bytes against the quotas of the
// station and key whose record first named it, and charges it
// (*QuotaError if over; ErrNotApplied if no applied record names it yet).
// Charged images are not charged again.
func (n *Node) AdmitImage(hash string, size int64) error {
	q := n.quotas
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.charged[hash] {
		return nil
	}
	o, ok := q.imageOwner[hash]
	if !ok {
		return ErrNotApplied
	}
	st, k := q.use(q.stations, o.station), q.use(q.keys, o.key)
	switch {
	case st.images >= q.cfg.ImagesPerStation:
		return &QuotaError{fmt.Sprintf("station %s already has %d images, the most one station may have (--images-per-station)", o.station, st.images)}
	case st.imageBytes+size > q.cfg.ImageBytesPerStation:
		return &QuotaError{fmt.Sprintf("the images of station %s would pass %d bytes (--image-bytes-per-station)", o.station, q.cfg.ImageBytesPerStation)}
	case k.images >= q.cfg.ImagesPerKey:
		return &QuotaError{fmt.Sprintf("the records of key %s have %d images, the most one key may have (--images-per-key)", o.key, k.images)}
	case k.imageBytes+size > q.cfg.ImageBytesPerKey:
		return &QuotaError{fmt.Sprintf("the images of key %s would pass %d bytes (--image-bytes-per-key)", o.key, q.cfg.ImageBytesPerKey)}
	}
	q.chargeImage(hash, size)
	return nil
}
