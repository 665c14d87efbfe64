package seats

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Independent is the party name of candidates returned without a party.
// Independents take no reserved seats unless they join a party in time; see
// Allocate.
const Independent = "Independent"

// Kind is a kind of reserved seat.
type Kind string

const (
	Women     Kind = "women"
	NonMuslim Kind = "non-muslim"
)

// Won is the number of general seats a party won in a region. Party is
// Independent for candidates returned without a party. A candidate returned
// from several constituencies counts once per seat.
type Won struct {
	Region string `json:"region"`
	Party  string `json:"party"`
	Seats  int    `json:"seats"`
}

// Join records that Seats independents returned in Region joined Party on
// Date (YYYY-MM-DD), as the signed affiliation records show.
type Join struct {
	Region string `json:"region"`
	Party  string `json:"party"`
	Seats  int    `json:"seats"`
	Date   string `json:"date"`
}

// JoinDecision is a Join and whether it counts for reserved seats.
type JoinDecision struct {
	Join
	Counted bool   `json:"counted"`
	Reason  string `json:"reason,omitempty"`
}

// List is the length of a party's priority list of candidates for one kind
// of reserved seat: women's seats of Region, or non-Muslim seats of the
// whole table (Region empty). A length of 0 means the party has no such
// list.
type List struct {
	Region string `json:"region,omitempty"`
	Party  string `json:"party"`
	Kind   Kind   `json:"kind"`
	Length int    `json:"length"`
}

// Input is what the reserved-seat allocation needs.
type Input struct {
	Table Table
	// Won gives the general seats won per region and party. Seats of a
	// region that appear nowhere (polls postponed, results withheld) are
	// reported as vacant and take no part in the allocation.
	Won []Won
	// Joins lists independents who joined parties; Gazette (YYYY-MM-DD) is
	// the date the names of the returned candidates were published in the
	// official Gazette, required when Joins is not empty.
	Joins   []Join
	Gazette string
	// WindowDays is how many days after the gazette a join counts; 0
	// means JoinWindowDays. The election definition carries it.
	WindowDays int
	// NoList names the parties that filed no priority list at all.
	NoList []string
	// Lists gives known list lengths; a party and kind not listed has a
	// list of unknown length, taken as long enough.
	Lists []List
}

// Reserved is the allocation of one kind of reserved seat over one region
// (Women) or over the whole table (NonMuslim, Region empty).
type Reserved struct {
	Kind   Kind   `json:"kind"`
	Region string `json:"region,omitempty"`
	Apportionment
	// Unallocated counts seats no party was eligible for: every party with
	// a general seat lacked a list. They are not handed to anyone.
	Unallocated int `json:"unallocated,omitempty"`
}

// Result is the outcome of Allocate.
type Result struct {
	Table Table `json:"table"`
	// General lists general seats per region (table order) and party (most
	// seats first, then by name) after the joins that count; Independent
	// rows are the independents who stayed independent.
	General []Won `json:"general"`
	// Vacant lists, per region, the general seats that appear in no Won row.
	Vacant    []Won          `json:"vacant,omitempty"`
	Joins     []JoinDecision `json:"joins,omitempty"`
	Women     []Reserved     `json:"women"`
	NonMuslim Reserved       `json:"non_muslim"`
}

// JoinWindowDays is how long after the gazette notification an independent
// may join a party and count for it: Constitution Art. 51(6) proviso (and
// Art. 106(3) proviso for the provincial assemblies), "within three days of
// the publication in the official Gazette of the names of the returned
// candidates".
const JoinWindowDays = 3

// Allocate shares out the reserved seats of in.Table as the Constitution of
// Pakistan does (Art. 51(6)(d),(e) for the National Assembly, Art. 106(3)(c)
// for a provincial assembly; lists under Elections Act 2017 s.104):
//
//   - Women's seats of each region go to the parties in proportion to the
//     general seats they won in that region; non-Muslim seats go in
//     proportion to the general seats they won over the whole table.
//   - The proportion is Hamilton's largest remainder (LargestRemainder) with
//     quota = eligible general seats / reserved seats, exactly.
//   - An independent counts for a party if the join is dated from the
//     gazette date to WindowDays (JoinWindowDays, 3) days after it,
//     inclusive. Joins dated
//     before the gazette or later are listed as not counted, with the
//     reason. Independents who stay independent are out of the count.
//   - Eligible parties are those with at least one general seat and a list:
//     a party in NoList, or with a List of length 0, is left out before
//     anything is computed, so the quota is recomputed from scratch over
//     the others (nothing is handed down from an earlier computation).
//   - A tie at the cut-off is a Lot, never a silent pick.
//   - A list shorter than the seats a party is entitled to leaves the
//     difference Pending; it is not given to another party. A party in a
//     Lot whose list is already used up stays in the lot: the lot decides
//     the entitlement, and the seat it wins would then be pending.
//
// Errors name the input row and the rule it breaks.
func Allocate(in Input) (*Result, error) {
	if err := in.Table.Validate(); err != nil {
		return nil, err
	}
	general, vacant, err := checkWon(in.Table, in.Won)
	if err != nil {
		return nil, err
	}
	decisions, err := applyJoins(in, general)
	if err != nil {
		return nil, err
	}
	lists, err := checkLists(in)
	if err != nil {
		return nil, err
	}
	res := &Result{Table: in.Table, Vacant: vacant, Joins: decisions}
	national := map[string]int{}
	for _, r := range in.Table.Regions {
		res.General = append(res.General, sortedWon(r.Name, general[r.Name])...)
		for p, n := range general[r.Name] {
			national[p] += n
		}
		if r.Women > 0 {
			res.Women = append(res.Women, allocateKind(Women, r.Name, r.Women, general[r.Name], lists))
		}
	}
	res.NonMuslim = allocateKind(NonMuslim, "", in.Table.NonMuslim, national, lists)
	return res, nil
}

// listInfo is what is known of the parties' lists.
type listInfo struct {
	noList map[string]bool
	length map[List]int // key has Length 0
}

// allocateKind allocates seats of one kind among the parties' general seats.
func allocateKind(kind Kind, region string, seats int, general map[string]int, lists listInfo) Reserved {
	res := Reserved{Kind: kind, Region: region}
	var weights []Weight
	for _, p := range sortedKeys(general) {
		n := general[p]
		key := List{Region: region, Party: p, Kind: kind}
		l, known := lists.length[key]
		switch {
		case p == Independent:
		case n == 0:
			res.Excluded = append(res.Excluded, Exclusion{p, "won no general seat"})
		case lists.noList[p] || (known && l == 0):
			res.Excluded = append(res.Excluded, Exclusion{p, "no priority list (Elections Act 2017 s.104); the quota is recomputed without it"})
		default:
			weights = append(weights, Weight{p, int64(n)})
		}
	}
	if len(weights) == 0 {
		res.Apportionment = Apportionment{Method: LargestRemainderMethod, Seats: seats, Shares: []Share{}, Excluded: res.Excluded}
		res.Unallocated = seats
		return res
	}
	a, err := LargestRemainder(seats, weights)
	if err != nil {
		// Unreachable: weights are distinct, positive and bounded by the
		// table, which Allocate has validated.
		panic("seats: " + err.Error())
	}
	a.Excluded = res.Excluded
	for i, s := range a.Shares {
		if l, known := lists.length[List{Region: region, Party: s.Party, Kind: kind}]; known && s.Seats > l {
			a.Shares[i].Pending = s.Seats - l
		}
	}
	res.Apportionment = a
	return res
}

// checkWon validates the general seats won and returns them per region and
// party, with the vacant seats per region.
func checkWon(t Table, won []Won) (map[string]map[string]int, []Won, error) {
	general := map[string]map[string]int{}
	for i, w := range won {
		field := fmt.Sprintf("won[%d]", i)
		r, ok := t.Region(w.Region)
		if !ok {
			return nil, nil, fmt.Errorf("%s.region: %q is not a region of table %s; use one of %s", field, w.Region, t.Name, regionNames(t))
		}
		if err := checkParty(field+".party", w.Party); err != nil {
			return nil, nil, err
		}
		if w.Seats < 0 || w.Seats > r.General {
			return nil, nil, fmt.Errorf("%s.seats: %s in %s has %d; must be between 0 and the region's %d general seats", field, w.Party, w.Region, w.Seats, r.General)
		}
		if general[w.Region] == nil {
			general[w.Region] = map[string]int{}
		}
		if _, dup := general[w.Region][w.Party]; dup {
			return nil, nil, fmt.Errorf("%s: %s in %s appears twice; give each party once per region with its total", field, w.Party, w.Region)
		}
		general[w.Region][w.Party] = w.Seats
	}
	var vacant []Won
	for _, r := range t.Regions {
		sum := 0
		for _, n := range general[r.Name] {
			sum += n
		}
		switch {
		case sum > r.General:
			return nil, nil, fmt.Errorf("won: %d general seats won in %s but table %s has %d there; check the rows of %s", sum, r.Name, t.Name, r.General, r.Name)
		case sum < r.General:
			vacant = append(vacant, Won{Region: r.Name, Seats: r.General - sum})
		}
	}
	return general, vacant, nil
}

// applyJoins decides which joins count and moves the seats they carry from
// Independent to the party joined.
func applyJoins(in Input, general map[string]map[string]int) ([]JoinDecision, error) {
	if len(in.Joins) == 0 {
		return nil, nil
	}
	gazette, err := time.Parse(time.DateOnly, in.Gazette)
	if err != nil {
		return nil, fmt.Errorf("gazette: %q is not a date YYYY-MM-DD; give the date the names of the returned candidates were published in the official Gazette", in.Gazette)
	}
	days := in.WindowDays
	if days == 0 {
		days = JoinWindowDays
	}
	if days < 0 {
		return nil, fmt.Errorf("window_days: must not be negative (got %d)", days)
	}
	deadline := gazette.AddDate(0, 0, days)
	joined := map[string]int{}
	var out []JoinDecision
	for i, j := range in.Joins {
		field := fmt.Sprintf("joins[%d]", i)
		if _, ok := in.Table.Region(j.Region); !ok {
			return nil, fmt.Errorf("%s.region: %q is not a region of table %s; use one of %s", field, j.Region, in.Table.Name, regionNames(in.Table))
		}
		if err := checkParty(field+".party", j.Party); err != nil {
			return nil, err
		}
		if j.Party == Independent {
			return nil, fmt.Errorf("%s.party: independents cannot join %q; name the party they joined", field, Independent)
		}
		if j.Seats < 1 {
			return nil, fmt.Errorf("%s.seats: must be at least 1 (got %d)", field, j.Seats)
		}
		d, err := time.Parse(time.DateOnly, j.Date)
		if err != nil {
			return nil, fmt.Errorf("%s.date: %q is not a date YYYY-MM-DD", field, j.Date)
		}
		joined[j.Region] += j.Seats
		if won := general[j.Region][Independent]; joined[j.Region] > won {
			return nil, fmt.Errorf("%s: %d independents of %s joined parties, but only %d independents won there; check the joins of %s", field, joined[j.Region], j.Region, won, j.Region)
		}
		dec := JoinDecision{Join: j}
		switch {
		case d.Before(gazette):
			dec.Reason = fmt.Sprintf("dated %s, before the gazette notification of %s; the window opens at publication (Art. 51(6) proviso)", j.Date, in.Gazette)
		case d.After(deadline):
			dec.Reason = fmt.Sprintf("dated %s, more than %d days after the gazette notification of %s (Art. 51(6) proviso)", j.Date, days, in.Gazette)
		default:
			dec.Counted = true
		}
		out = append(out, dec)
	}
	for _, d := range out {
		if d.Counted {
			general[d.Region][Independent] -= d.Seats
			general[d.Region][d.Party] += d.Seats
		}
	}
	for _, r := range in.Table.Regions {
		if n, ok := general[r.Name][Independent]; ok && n == 0 {
			delete(general[r.Name], Independent)
		}
	}
	return out, nil
}

// checkLists validates the list information and indexes it.
func checkLists(in Input) (listInfo, error) {
	info := listInfo{noList: map[string]bool{}, length: map[List]int{}}
	for i, p := range in.NoList {
		if err := checkParty(fmt.Sprintf("no_list[%d]", i), p); err != nil {
			return info, err
		}
		info.noList[p] = true
	}
	for i, l := range in.Lists {
		field := fmt.Sprintf("lists[%d]", i)
		if err := checkParty(field+".party", l.Party); err != nil {
			return info, err
		}
		switch l.Kind {
		case Women:
			if _, ok := in.Table.Region(l.Region); !ok {
				return info, fmt.Errorf("%s.region: women's lists are per region, and %q is not a region of table %s; use one of %s", field, l.Region, in.Table.Name, regionNames(in.Table))
			}
		case NonMuslim:
			if l.Region != "" {
				return info, fmt.Errorf("%s.region: non-Muslim lists are for the whole table; leave the region empty (got %q)", field, l.Region)
			}
		default:
			return info, fmt.Errorf("%s.kind: %q is not a kind of reserved seat; use %q or %q", field, l.Kind, Women, NonMuslim)
		}
		if l.Length < 0 {
			return info, fmt.Errorf("%s.length: must not be negative (got %d)", field, l.Length)
		}
		if info.noList[l.Party] && l.Length > 0 {
			return info, fmt.Errorf("%s: %s is declared to have no list but has a %s list of %d; remove one of the two", field, l.Party, l.Kind, l.Length)
		}
		key := List{Region: l.Region, Party: l.Party, Kind: l.Kind}
		if _, dup := info.length[key]; dup {
			return info, fmt.Errorf("%s: the %s list of %s in %q is given twice", field, l.Kind, l.Party, l.Region)
		}
		info.length[key] = l.Length
	}
	return info, nil
}

// checkParty rejects empty or padded party names, and spellings of
// "Independent" that would otherwise be taken for a party with a list.
func checkParty(field, p string) error {
	switch {
	case strings.TrimSpace(p) == "":
		return fmt.Errorf("%s: party must not be empty", field)
	case p != strings.TrimSpace(p):
		return fmt.Errorf("%s: party %q has leading or trailing spaces", field, p)
	case p != Independent && (strings.EqualFold(p, Independent) || strings.EqualFold(p, "ind") || strings.EqualFold(p, "independents")):
		return fmt.Errorf("%s: write independents as %q, not %q, so they are not taken for a party", field, Independent, p)
	}
	return nil
}

func regionNames(t Table) string {
	names := make([]string, len(t.Regions))
	for i, r := range t.Regions {
		names[i] = fmt.Sprintf("%q", r.Name)
	}
	return strings.Join(names, ", ")
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sortedWon lists a region's general seats, most seats first, then by name.
func sortedWon(region string, m map[string]int) []Won {
	out := make([]Won, 0, len(m))
	for _, p := range sortedKeys(m) {
		out = append(out, Won{Region: region, Party: p, Seats: m[p]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seats > out[j].Seats })
	return out
}
