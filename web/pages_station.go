package web

import (
	"net/http"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// stationContestView is a station's part in one contest, as the page
// shows it.
type stationContestView struct {
	tally.StationContest
	Name  string    // the contest's name
	Votes []voteRow // the current sheet's votes with candidates' names
	// Receipt is the current sheet's inclusion proof (a C2SP tlog-proof),
	// or ProofError says why there is none yet.
	Receipt    string
	ProofError string
}

type voteRow struct {
	Name, LocalName string
	Votes           int64
}

func votesOf(c *election.Contest, counts []record.Count) []voteRow {
	var out []voteRow
	for _, vc := range counts {
		row := voteRow{Name: vc.Candidate, Votes: vc.Votes}
		if i, ok := c.CandidateIndex(vc.Candidate); ok {
			row.Name, row.LocalName = c.Candidates[i].Name, c.Candidates[i].LocalName
		}
		out = append(out, row)
	}
	return out
}

// stationPage serves /station/{id...}: the sheet's numbers, who signed
// and when, attestations, the scan's hash, every version, and the current
// sheet's inclusion proof with the command that checks it.
func (x *site) stationPage(r *http.Request) (*response, state) {
	id := r.PathValue("id")
	var (
		sr     tally.StationResult
		found  bool
		common pageCommon
		views  []stationContestView
	)
	st := x.read(func(v *tally.View) {
		if v.Definition() == nil {
			return
		}
		sr, found = v.Station(id)
		if !found {
			return
		}
		pageAttestations(&sr, attestationPage(r), x.s.limits.cfg.StationAttestations)
		common = x.common(v, "Station "+sr.ID)
		for _, sc := range sr.Contests {
			view := stationContestView{StationContest: sc}
			if c, ok := v.Definition().Contest(sc.Contest); ok {
				view.Name = c.Name
				if sc.Current != nil {
					view.Votes = votesOf(c, sc.Current.Votes)
				}
			}
			views = append(views, view)
		}
	})
	if !found {
		return x.notFoundPage("No station "+id, "Station identifiers look like NA-57/PS-112; the constituency pages list them.")
	}
	for i := range views {
		cur := views[i].Current
		if cur == nil {
			continue
		}
		rc, err := x.proofFor(r.Context(), cur.Index)
		if err != nil {
			views[i].ProofError = err.Error()
			continue
		}
		views[i].Receipt = string(rc.Marshal())
	}
	return htmlResponse(http.StatusOK, "station", struct {
		pageCommon
		S        tally.StationResult
		Contests []stationContestView
		Verify   string
	}{common, sr, views, x.verifyCommand("receipt.tlog-proof")}), st
}
