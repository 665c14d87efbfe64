package night

import (
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/tallylog/tallylog/internal/sim"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// dependencies returns, by record hash, the hashes of the records that
// must be acknowledged before a record is sent, as the devices and
// officials who sign them would wait for them:
//
//   - the records it names (a countersigned sheet, a superseded sheet or
//     declaration, the order a correction carries out): the log refuses a
//     reference to a record it does not hold;
//   - the keys records of the night that granted its signer's key: the log
//     refuses a signature by a key it does not hold;
//   - for an order, the sheets of its stations logged before it: there is
//     nothing to recount before a sheet;
//   - for a keys record granting a station's presiding key, the station's
//     sheets logged before it, so that a re-keying is logged after the
//     station reported, as it was planned;
//   - for a declaration, the postal-ballot account and the corrections of
//     its contest planned before it: the returning officer's device sends
//     the account it counts first, and the officer declares the recount
//     they ordered (a
//     declaration that overtook it would differ from the sheets as it was
//     declared), and the log refuses a correction made without an order
//     after the contest's first declaration;
//   - for a sheet, the declarations of its contest planned before it that
//     list its station as missing: a Form-47 lists the stations whose
//     sheets had not come in when it was declared, and a sheet that
//     overtook it would make an honest declaration look short of stations
//     and a stale one (never renewed after they report) not stale.
//
// Events are in arrival order, and every dependency comes earlier.
//
// Dependencies adds to these, for a declaration, the records its signer
// signed before it (SignerOrder): one device, one queue.
func Dependencies(events []sim.Event) map[string][]string {
	deps, _ := plan(events)
	return deps
}

// plan returns Dependencies and, by record hash, those of them the record
// names by hash (a superseded sheet or declaration, an order, a
// countersigned sheet): the server logs a record after one it names in the
// same batch request, and the others of a request in no set order.
func plan(events []sim.Event) (deps, named map[string][]string) {
	envs := openAll(events)
	deps, named = dependencies(events, envs)
	for h, before := range signerOrder(events, envs) {
		deps[h] = append(deps[h], before...)
	}
	return deps, named
}

func dependencies(events []sim.Event, envs []*record.Envelope) (deps, named map[string][]string) {
	deps = make(map[string][]string, len(events))
	named = map[string][]string{}
	type slot struct{ contest, station string }
	sheets := map[slot][]string{}        // sheets so far, per contest and station
	byStation := map[string][]string{}   // sheets so far, per station
	corrections := map[string][]string{} // corrections so far, per contest
	accounts := map[string][]string{}    // postal-ballot accounts so far, per contest
	listed := map[slot][]string{}        // declarations so far listing a station missing
	granted := map[string][]string{}     // keys records so far, per key granted (name and key ID)
	for i := range events {
		env := envs[i]
		if env == nil {
			continue
		}
		h := events[i].HashHex()
		if refs := record.References(env.Record); len(refs) > 0 {
			named[h] = refs
		}
		var d []string
		switch r := env.Record.(type) {
		case *record.Sheet:
			d = append(slices.Clone(named[h]), listed[slot{r.Contest, r.Station}]...)
			sheets[slot{r.Contest, r.Station}] = append(sheets[slot{r.Contest, r.Station}], h)
			byStation[r.Station] = append(byStation[r.Station], h)
			if r.Supersedes != "" {
				corrections[r.Contest] = append(corrections[r.Contest], h)
			}
		case *record.Declaration:
			d = append(append(slices.Clone(named[h]), corrections[r.Contest]...), accounts[r.Contest]...)
			for _, st := range r.Missing {
				listed[slot{r.Contest, st}] = append(listed[slot{r.Contest, st}], h)
			}
		case *record.PostalAccount:
			accounts[r.Contest] = append(accounts[r.Contest], h)
		case *record.Attestation:
			d = slices.Clone(named[h])
		case *record.Order:
			for _, st := range r.Stations {
				d = append(d, sheets[slot{r.Contest, st}]...)
			}
		case *record.Keys:
			for _, g := range r.Grants {
				if g.Role == "presiding" {
					d = append(d, byStation[g.Scope]...)
				}
				if v, err := note.NewVerifier(g.Key); err == nil {
					id := fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
					granted[id] = append(granted[id], h)
				}
			}
		}
		d = append(d, granted[fmt.Sprintf("%s+%08x", env.KeyName, env.KeyHash)]...)
		if len(d) > 0 {
			deps[h] = d
		}
	}
	return deps, named
}

// openAll parses every event's entry on every CPU (nil where an entry does
// not parse: the server will say why).
func openAll(events []sim.Event) []*record.Envelope {
	envs := make([]*record.Envelope, len(events))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(events); i += workers {
				envs[i], _ = record.Open(events[i].Entry)
			}
		})
	}
	wg.Wait()
	return envs
}
