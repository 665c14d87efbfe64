package record

// The order record: the authority for a recount or a correction. A sheet
// that supersedes another names the order by its record hash (Sheet.Order);
// who may sign an order, and which sheets may name it, is the registry's
// rule (docs/spec.md, "Who may sign what").

import "fmt"

// Order kinds.
const (
	OrderRecount    = "recount"    // count the station's ballots again
	OrderCorrection = "correction" // correct the sheet without a recount (a transcription error)
)

// Order orders a recount or a correction of the sheets of one or more
// stations in one contest. It is signed by the contest's returning
// officer, the commission, or a tribunal key the commission registered.
type Order struct {
	Election string   `json:"election"`
	Log      string   `json:"log"` // the origin of the log it is signed for
	Contest  string   `json:"contest"`
	Kind     string   `json:"kind"`     // OrderRecount or OrderCorrection
	Stations []string `json:"stations"` // one or more, each once
	Reason   string   `json:"reason"`
	Ordered  string   `json:"ordered"` // time
}

func (r *Order) Type() string       { return "order" }
func (r *Order) ElectionID() string { return r.Election }
func (r *Order) LogOrigin() string  { return r.Log }

func (r *Order) encode(w *writer) {
	w.line("contest", r.Contest)
	w.line("kind", r.Kind)
	for _, s := range r.Stations {
		w.line("station", s)
	}
	w.line("reason", r.Reason)
	w.line("ordered", r.Ordered)
}

// MaxOrderStations bounds the stations one order names (a constituency has
// a few hundred; an order for more is split).
const MaxOrderStations = 1000

func (r *Order) Check() error {
	if err := checkLog(r.Log); err != nil {
		return err
	}
	err := firstErr(checkID("election", r.Election), checkID("contest", r.Contest), checkText("reason", r.Reason, true),
		checkTime("ordered", r.Ordered))
	if err != nil {
		return err
	}
	if r.Kind != OrderRecount && r.Kind != OrderCorrection {
		return fieldErr("kind", "%q is not an order kind: use recount or correction", r.Kind)
	}
	if len(r.Stations) == 0 || len(r.Stations) > MaxOrderStations {
		return fieldErr("station", "an order names 1 to %d stations, not %d", MaxOrderStations, len(r.Stations))
	}
	return checkStations("station", r.Stations)
}

// Names reports whether the order names the station.
func (r *Order) Names(station string) bool {
	for _, s := range r.Stations {
		if s == station {
			return true
		}
	}
	return false
}

func (r *Order) String() string {
	return fmt.Sprintf("%s of %d station(s) of %s", r.Kind, len(r.Stations), r.Contest)
}

func init() {
	prevParse, prevNew := parseExtension, newExtension
	parseExtension = func(typ, el, lg string, r *reader) Record {
		if typ == "order" {
			return &Order{Election: el, Log: lg, Contest: r.str("contest"), Kind: r.str("kind"), Stations: r.list("station"),
				Reason: r.str("reason"), Ordered: r.str("ordered")}
		}
		return prevParse(typ, el, lg, r)
	}
	newExtension = func(typ string) Record {
		if typ == "order" {
			return &Order{}
		}
		return prevNew(typ)
	}
}
