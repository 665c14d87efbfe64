package evidence

import (
	"fmt"
	"sort"

	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// logged is one record of a pack: its log index and its bytes as logged.
type logged struct {
	Index uint64
	Entry []byte
	Env   *record.Envelope
}

// replayed is a pack's records applied, in log order, to a fresh tally:
// the same rules the server and the verifier apply, run on the pack alone.
// Because the tally numbers entries from 0 without gaps, it sees replay
// positions; pos maps them back to log indexes.
type replayed struct {
	T      *tally.Tally
	pos    []uint64 // replay position -> log index
	recs   []logged // in log order
	header *record.Election
}

// replay applies recs (any order) to a fresh tally for the log origin. It
// fails naming the first record the rules refuse: a record whose signer the
// pack does not register, or that names a record the pack lacks.
func replay(origin string, recs []logged) (*replayed, error) {
	sort.Slice(recs, func(i, j int) bool { return recs[i].Index < recs[j].Index })
	r := &replayed{T: tally.New(origin), recs: recs}
	if len(recs) == 0 || recs[0].Index != 0 {
		return nil, fmt.Errorf("%s: the pack lacks the log's entry 0, the election record", recordPath(0))
	}
	h, ok := recs[0].Env.Record.(*record.Election)
	if !ok {
		return nil, fmt.Errorf("%s: entry 0 is a %s record, not the election record", recordPath(0), recs[0].Env.Record.Type())
	}
	r.header = h
	for i, rec := range recs {
		if i > 0 && rec.Index == recs[i-1].Index {
			return nil, fmt.Errorf("%s: index %d appears twice", recordPath(rec.Index), rec.Index)
		}
		if err := r.T.Apply(uint64(i), rec.Entry); err != nil {
			return nil, fmt.Errorf("%s (%s signed by %s): the log's rules refuse it on this pack's records: %v",
				recordPath(rec.Index), rec.Env.Record.Type(), rec.Env.KeyName, err)
		}
		r.pos = append(r.pos, rec.Index)
	}
	return r, nil
}

// index maps a replay position back to the log index.
func (r *replayed) index(p uint64) uint64 { return r.pos[p] }

// byIndex returns the record at a log index.
func (r *replayed) byIndex(idx uint64) (logged, bool) {
	i := sort.Search(len(r.recs), func(i int) bool { return r.recs[i].Index >= idx })
	if i < len(r.recs) && r.recs[i].Index == idx {
		return r.recs[i], true
	}
	return logged{}, false
}

// namedImages returns the image hashes the records name, each with the
// station and log index of the first record naming it, in log order.
func (r *replayed) namedImages() []namedImage {
	var out []namedImage
	seen := map[string]bool{}
	for _, rec := range r.recs {
		var img, station string
		switch x := rec.Env.Record.(type) {
		case *record.Sheet:
			img, station = x.Image, x.Station
		case *record.Attestation:
			img, station = x.Image, x.Station
		}
		if img != "" && !seen[img] {
			seen[img] = true
			out = append(out, namedImage{Hash: img, Station: station, Index: rec.Index, Type: rec.Env.Record.Type()})
		}
	}
	return out
}

type namedImage struct {
	Hash, Station, Type string
	Index               uint64
}

// dated returns the time a record states it was made (captured, declared,
// created), or "".
func dated(r record.Record) string {
	switch x := r.(type) {
	case *record.Sheet:
		return x.Captured
	case *record.Attestation:
		return x.Captured
	case *record.Declaration:
		return x.Declared
	case *record.Election:
		return x.Created
	case *record.Affiliation:
		return x.Joined
	case *record.PostalAccount:
		return x.Accounted
	}
	return ""
}
