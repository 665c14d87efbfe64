package sim_test

import "testing"

// TestBelievable checks the model's broad shape against 2024: turnout near
// 47% (Punjab above Khyber Pakhtunkhwa and Balochistan), PTI-backed
// independents winning most Khyber Pakhtunkhwa seats, the PPP most of rural
// Sindh, MQM-P some of Karachi, and between 4 and 12 candidates per contest.
func TestBelievable(t *testing.T) {
	e := smallElection(t)
	r := replay(t, e)
	cast, registered := map[string]int64{}, map[string]int64{}
	wins := map[string]map[string]int{} // region -> bloc -> NA seats won (by sheets)
	for _, c := range e.Def.Contests {
		if len(c.Candidates) < 4 || len(c.Candidates) > 12 {
			t.Fatalf("%s: %d candidates", c.ID, len(c.Candidates))
		}
		if c.Assembly != "NA" {
			continue
		}
		votes, _, _ := r.sum(e.Def, c.ID)
		for _, si := range e.Def.StationsOf(c.ID) {
			if s := r.current[[2]string{c.ID, e.Def.Stations[si].ID}]; s != nil {
				cast[c.Region] += s.Cast
				registered[c.Region] += s.Registered
				cast[""] += s.Cast
				registered[""] += s.Registered
			}
		}
		w := c.Candidates[winner(votes)]
		side := w.Party
		if side == "" {
			side = "independent"
		}
		if wins[c.Region] == nil {
			wins[c.Region] = map[string]int{}
		}
		wins[c.Region][side]++
	}
	turnout := func(region string) float64 { return float64(cast[region]) / float64(registered[region]) }
	t.Logf("turnout: all %.3f punjab %.3f kp %.3f sindh %.3f balochistan %.3f; NA wins %v",
		turnout(""), turnout("punjab"), turnout("kp"), turnout("sindh"), turnout("balochistan"), wins)
	if tt := turnout(""); tt < 0.42 || tt > 0.54 {
		t.Errorf("national turnout %.3f, want about 0.47", tt)
	}
	if turnout("punjab") <= turnout("kp") || turnout("punjab") <= turnout("balochistan") {
		t.Error("Punjab's turnout should be above Khyber Pakhtunkhwa's and Balochistan's")
	}
	if wins["kp"]["independent"] < 25 || wins["sindh"]["ppp"] < 25 || wins["punjab"]["pmln"] < 40 || wins["sindh"]["mqmp"] < 3 {
		t.Errorf("NA seats won by sheets: %v", wins)
	}
}
