package sim

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/registry"
	"golang.org/x/mod/sumdb/note"
)

// Election is a generated election: its definition, keys, the entries that
// open its log, every later record with its arrival time, and the ground
// truth of what was injected.
type Election struct {
	Config Config // as resolved: Stations and Scenario filled in
	Def    *election.Definition
	// PollsClose is 17:00 on polling day; arrivals count from it.
	PollsClose time.Time
	// Commission signs the genesis and the keys records; Log is the log's
	// checkpoint key, named after the origin.
	CommissionSigner note.Signer
	CommissionVKey   string
	LogSigner        note.Signer
	LogVKey          string
	// Keys holds every key: the commission's, the log's, the observer's,
	// then the officers' and agents'. Keys read back by ReadDir have no
	// VKey except the commission's and the log's (the keys records in
	// Genesis hold them all).
	Keys []Key
	// Genesis are the entries that open the log, in order: the election
	// record, the definition parts, the keys records.
	Genesis []Event
	// Records are the later entries in arrival order.
	Records []Event
	Truth   GroundTruth

	// paper holds, per station and contest ("station|contest"), the paper
	// ballots in the station's bag: what a hand count finds (Paper).
	paper map[string]PaperCount

	keyByName map[string]int
}

// PaperCount is what a hand count of a station's bag finds for one
// contest: the ballots in it and the votes per candidate in ballot order.
// It is the true count, except that stuffed ballots are in the bag (a hand
// count finds them) and an honest recount's figures are the bag's.
type PaperCount struct {
	Ballots int64
	Votes   []int64
}

// Paper returns the hand count of a station's bag for a contest; ok is
// false for a station that never reported (or a wrong pair). Elections read
// back by ReadDir have none: regenerate them with Generate.
func (e *Election) Paper(station, contest string) (PaperCount, bool) {
	c, ok := e.paper[station+"|"+contest]
	return c, ok
}

// Event is one log entry and when it reaches the log.
type Event struct {
	// Arrival is the time after polls close (negative for the genesis).
	Arrival time.Duration
	Entry   []byte   // the signed note, as it is appended
	Hash    [32]byte // SHA-256 of Entry: the record's identity
}

// HashHex returns the entry's hash in hex, as records and the ground truth
// name it.
func (e *Event) HashHex() string { return hex.EncodeToString(e.Hash[:]) }

// Events returns the records in arrival order, ties in a fixed order that
// never puts a record before one it names. The slice is shared: do not
// modify it.
func (e *Election) Events() []Event { return e.Records }

// Key returns the named key.
func (e *Election) Key(name string) (*Key, bool) {
	i, ok := e.keyByName[name]
	if !ok {
		return nil, false
	}
	return &e.Keys[i], true
}

// Signer returns a signer for the named key, for tests that sign more
// records (corrections, say) in the simulated election.
func (e *Election) Signer(name string) (note.Signer, error) {
	k, ok := e.Key(name)
	if !ok {
		return nil, fmt.Errorf("sim: no key named %q in this election", name)
	}
	return k.Signer()
}

// setKeys sets Keys and indexes them by name.
func (e *Election) setKeys(keys []Key) {
	e.Keys = keys
	e.keyByName = make(map[string]int, len(keys))
	for i := range keys {
		e.keyByName[keys[i].Name] = i
	}
}

// genesisTime is when the election record and the keys are logged: a week
// before polling day.
var genesisTime = time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)

// Generate simulates a whole election. It is a pure function of cfg: the
// same cfg gives the same election, byte for byte, on any machine and with
// any number of CPUs. Errors name the setting and the rule it breaks.
func Generate(cfg Config) (*Election, error) {
	cfg, fraud, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	def, err := election.Builtin("pk-ge2024")
	if err != nil {
		return nil, err
	}
	for _, set := range []struct {
		name string
		ids  []string
	}{{"declarations", fraud.Declarations}, {"postal_inflation", fraud.PostalInflation}, {"stale_declarations", fraud.StaleDeclarations}} {
		for i, id := range set.ids {
			if _, ok := def.Contest(id); !ok {
				return nil, fmt.Errorf("fraud.%s[%d]: unknown contest %q: name a contest of the definition, such as NA-57", set.name, i, id)
			}
		}
	}
	def.PollsClose = "17:00" // postal-ballot accounts are logged before it
	cs, st := populate(def, cfg.Stations, cfg.Seed, cfg.Noise)
	if err := def.Validate(); err != nil {
		return nil, fmt.Errorf("sim: the generated definition is invalid: %w", err)
	}
	e := &Election{Config: cfg, Def: def, PollsClose: PollsClose(def)}
	fates := assignFates(st, cs, fraud, stream(cfg.Seed, "fraud"))
	e.makeKeys(cs, st, fates)
	if err := e.makeGenesis(cs, st); err != nil {
		return nil, err
	}
	p := &planner{def: def, cs: cs, st: st, fraud: fraud, close: e.PollsClose, keys: e.Keys,
		clock: clock{stream(cfg.Seed, "schedule")}, r: stream(cfg.Seed, "records"), dr: stream(cfg.Seed, "declarations")}
	p.fates = fates
	p.run()
	if err := signItems(p.items, e.Keys); err != nil {
		return nil, err
	}
	e.Records = arrivalOrder(p.items)
	e.paper = map[string]PaperCount{}
	for k, c := range p.paper {
		s := &st[k[0]]
		e.paper[s.id+"|"+cs[s.contests[k[1]]].id] = PaperCount{Ballots: c.cast, Votes: slices.Clone(c.votes)}
	}
	e.Truth = GroundTruth{Election: def.ID, Seed: cfg.Seed, Stations: cfg.Stations, Scenario: cfg.Scenario, Fraud: fraud}
	for _, pd := range p.truth {
		in, it := pd.Injection, &p.items[pd.item]
		in.RecordHash, in.Arrival = hex.EncodeToString(it.hash[:]), it.at
		if in.Kind == KindCopyDiffers || in.Kind == KindRekeyReplace {
			in.Witness = hex.EncodeToString(p.items[pd.witness].hash[:])
		}
		e.Truth.Injected = append(e.Truth.Injected, in)
	}
	return e, nil
}

// makeKeys derives every key and notes each officer's in the models. The
// keys the commission grants on election night to stations that have
// already reported (fate rekeyed) come last, so that every other key keeps
// its place whatever the fraud.
func (e *Election) makeKeys(cs []contestModel, st []stationModel, fates []fate) {
	names := []string{CommissionKeyName, e.Def.Origin, ObserverKeyName} // see observerKey
	for i := range st {
		st[i].key = len(names)
		names = append(names, PresidingKeyName(st[i].id))
	}
	for i := range cs {
		cs[i].roKey, cs[i].agentKey = len(names), len(names)+1
		names = append(names, ReturningKeyName(cs[i].id), AgentKeyName(cs[i].id, blocs[cs[i].cands[cs[i].agent].bloc].id))
	}
	for i := range st {
		if fates[i] == rekeyed {
			st[i].newKey = len(names)
			names = append(names, ReplacementKeyName(st[i].id))
		}
	}
	e.setKeys(newKeys(e.Config.Seed, names))
	e.CommissionSigner, _ = e.Keys[0].Signer()
	e.CommissionVKey = e.Keys[0].VKey
	e.LogSigner, _ = e.Keys[1].Signer()
	e.LogVKey = e.Keys[1].VKey
}

// makeGenesis signs the election record, the definition and the grants.
func (e *Election) makeGenesis(cs []contestModel, st []stationModel) error {
	entries, err := registry.Genesis(e.Def, e.CommissionSigner, e.CommissionVKey, genesisTime)
	if err != nil {
		return err
	}
	var grants []record.Grant
	for i := range st {
		grants = append(grants, record.Grant{Role: "presiding", Scope: st[i].id, Key: e.Keys[st[i].key].VKey})
	}
	for i := range cs {
		grants = append(grants,
			record.Grant{Role: "returning", Scope: cs[i].id, Key: e.Keys[cs[i].roKey].VKey},
			record.Grant{Role: "agent", Scope: cs[i].id, Key: e.Keys[cs[i].agentKey].VKey})
	}
	grants = append(grants, record.Grant{Role: "observer", Scope: "*", Key: e.Keys[observerKey].VKey})
	keys, err := registry.GrantRecords(e.Def.ID, e.Def.Origin, grants, e.CommissionSigner)
	if err != nil {
		return err
	}
	at := genesisTime.Sub(e.PollsClose)
	for _, entry := range append(entries, keys...) {
		e.Genesis = append(e.Genesis, Event{Arrival: at, Entry: entry, Hash: sha256.Sum256(entry)})
	}
	return nil
}

// signItems signs every item in parallel: first those that name no other
// record, then those that name one (by its hash).
func signItems(items []item, keys []Key) error {
	errs := make([]error, len(items))
	for _, level := range []func(it *item) bool{
		func(it *item) bool { return it.dep < 0 && it.order < 0 },
		func(it *item) bool { return it.dep >= 0 || it.order >= 0 },
	} {
		parallel(len(items), func(i int) {
			it := &items[i]
			if !level(it) {
				return
			}
			if it.order >= 0 {
				it.rec.(*record.Sheet).Order = hex.EncodeToString(items[it.order].hash[:])
			}
			if it.dep >= 0 {
				h := hex.EncodeToString(items[it.dep].hash[:])
				switch r := it.rec.(type) {
				case *record.Sheet:
					r.Supersedes = h
				case *record.Attestation:
					r.Sheet = h
				}
			}
			s, _ := keys[it.key].Signer()
			it.entry, errs[i] = record.Sign(it.rec, s)
			it.hash = sha256.Sum256(it.entry)
		})
	}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("sim: signing a %s record: %w", items[i].rec.Type(), err)
		}
	}
	return nil
}

// arrivalOrder sorts the signed items by arrival; ties keep plan order,
// which never puts a record before the one it names.
func arrivalOrder(items []item) []Event {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(items[a].at, items[b].at) })
	events := make([]Event, len(items))
	for k, i := range order {
		events[k] = Event{Arrival: time.Duration(items[i].at) * time.Second, Entry: items[i].entry, Hash: items[i].hash}
	}
	return events
}
