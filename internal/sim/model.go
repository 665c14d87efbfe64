package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/tallylog/tallylog/election"
)

// contestModel is a contest as the simulation sees it.
type contestModel struct {
	id       string
	cands    []candidate
	candIDs  []string // "1".."n", ballot order
	agent    int      // ballot index of the challenger whose agent is registered, -1 if none
	stations []int    // indexes into the station models, definition order
	roKey    int      // index into keys
	agentKey int
}

// stationModel is a polling station and its true counts.
type stationModel struct {
	id         string
	registered int64
	contests   []int   // contest indexes: the NA contest, then the PA contest if any
	counts     []count // the true count in each of contests
	key        int     // presiding officer's key
	newKey     int     // the key granted to it on election night (fate rekeyed only)
}

// populate fills in the definition's contest names, candidates and stations
// and returns the simulation's view of them with every station's true count.
func populate(def *election.Definition, stations int, seed uint64, noise float64) ([]contestModel, []stationModel) {
	if noise == 0 {
		noise = 1
	}
	seats := layOut(def, stations, stream(seed, "layout"))
	cs := make([]contestModel, len(def.Contests))
	rp, rn := stream(seed, "parties"), stream(seed, "names")
	grounds := make([][11]float64, len(seats))
	for k := range seats {
		s := &seats[k]
		grounds[k] = ground(profileOf(s), rp)
		for _, ci := range append([]int{s.na}, s.pas...) {
			g := grounds[k]
			if ci != s.na {
				for b := range g {
					g[b] *= lognormal(rp, 0.2)
				}
			}
			cs[ci] = newContest(def, ci, field(g, rp), s.region, rn)
		}
	}
	rt, rc := stream(seed, "turnout"), stream(seed, "counts")
	var st []stationModel
	for k := range seats {
		s := &seats[k]
		seatTurnout := profileOf(s).turnout + 0.05*rt.NormFloat64()
		number := 0
		for j, n := range s.stations {
			contests := []int{s.na}
			if len(s.pas) > 0 {
				contests = append(contests, s.pas[j])
			}
			for range n {
				number++
				m := stationModel{
					id:         fmt.Sprintf("%s/PS-%d", def.Contests[s.na].ID, number),
					registered: registeredVoters(rt),
					contests:   contests,
				}
				turnout := clamp(seatTurnout+0.06*noise*rt.NormFloat64(), 0.12, 0.9)
				swing := stationSwing(rc, noise)
				for b, ci := range contests {
					t := turnout
					if b > 0 {
						t = clamp(turnout*lognormal(rc, 0.01), 0, 1)
					}
					m.counts = append(m.counts, countVotes(m.registered, t, cs[ci].cands, &swing, rc))
					cs[ci].stations = append(cs[ci].stations, len(st))
				}
				def.Stations = append(def.Stations, election.Station{ID: m.id, Registered: m.registered, Contests: idsOf(def, contests)})
				st = append(st, m)
			}
		}
	}
	return cs, st
}

// newContest names the contest's candidates and records them in the
// definition.
func newContest(def *election.Definition, ci int, cands []candidate, region string, r *rand.Rand) contestModel {
	c := contestModel{id: def.Contests[ci].ID, cands: cands, agent: challenger(cands)}
	for i, cd := range cands {
		id := strconv.Itoa(i + 1)
		name, local := personName(region, r)
		c.candIDs = append(c.candIDs, id)
		def.Contests[ci].Candidates = append(def.Contests[ci].Candidates,
			election.Candidate{ID: id, Name: name, LocalName: local, Party: blocs[cd.bloc].party})
	}
	return c
}

func idsOf(def *election.Definition, contests []int) []string {
	ids := make([]string, len(contests))
	for i, c := range contests {
		ids[i] = def.Contests[c].ID
	}
	return ids
}
