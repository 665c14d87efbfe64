package night

import (
	"fmt"
	"runtime"
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
//     after the contest's first declaration.
//
// Events are in arrival order, and every dependency comes earlier.
//
// Dependencies adds to these, for a declaration, the records its signer
// signed before it (SignerOrder): one device, one queue.
func Dependencies(events []sim.Event) map[string][]string {
	envs := openAll(events)
	deps := dependencies(events, envs)
	for h, before := range signerOrder(events, envs) {
		deps[h] = append(deps[h], before...)
	}
	return deps
}

func dependencies(events []sim.Event, envs []*record.Envelope) map[string][]string {
	deps := make(map[string][]string, len(events))
	type slot struct{ contest, station string }
	sheets := map[slot][]string{}        // sheets so far, per contest and station
	byStation := map[string][]string{}   // sheets so far, per station
	corrections := map[string][]string{} // corrections so far, per contest
	accounts := map[string][]string{}    // postal-ballot accounts so far, per contest
	granted := map[string][]string{}     // keys records so far, per key granted (name and key ID)
	for i := range events {
		env := envs[i]
		if env == nil {
			continue
		}
		h := events[i].HashHex()
		var d []string
		switch r := env.Record.(type) {
		case *record.Sheet:
			d = nonEmpty(r.Supersedes, r.Order)
			sheets[slot{r.Contest, r.Station}] = append(sheets[slot{r.Contest, r.Station}], h)
			byStation[r.Station] = append(byStation[r.Station], h)
			if r.Supersedes != "" {
				corrections[r.Contest] = append(corrections[r.Contest], h)
			}
		case *record.Declaration:
			d = append(append(nonEmpty(r.Supersedes), corrections[r.Contest]...), accounts[r.Contest]...)
		case *record.PostalAccount:
			accounts[r.Contest] = append(accounts[r.Contest], h)
		case *record.Attestation:
			d = nonEmpty(r.Sheet)
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
	return deps
}

func nonEmpty(hashes ...string) []string {
	var out []string
	for _, h := range hashes {
		if h != "" {
			out = append(out, h)
		}
	}
	return out
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
