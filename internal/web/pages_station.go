package web

import (
	"fmt"
	"net/http"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"github.com/tallylog/tallylog/tally"
)

// stationContestView is a station's part in one contest, as the page
// shows it.
type stationContestView struct {
	tally.StationContest
	Name string // the contest's name
	// LocalName is the contest's name in Urdu, if any.
	LocalName string
	Votes     []voteRow // the current sheet's votes with candidates' names
	// Receipt is the current sheet's inclusion proof (a C2SP tlog-proof),
	// or ProofError says why there is none yet.
	Receipt    string
	ProofError string
	// Attestations shadow the tally's with a per-candidate comparison of
	// each copy against the current sheet.
	Attestations []attestationView
	// Scan is set when this server holds the current sheet's scan.
	Scan bool
	// Versions sets the station's sheets side by side, per candidate,
	// when there are two or more.
	Versions *versionTable
}

// attestationView is an attestation with, for a copy, its counts beside
// the current sheet's.
type attestationView struct {
	tally.AttestationResult
	Compare []declRow
}

// versionTable sets several sheets of a station side by side.
type versionTable struct {
	Heads []string // "revision 1 (#5)"
	Rows  []versionRow
}

type versionRow struct {
	Name    string
	Counts  []int64
	Differs bool
}

// compareCounts sets a copy's counts beside the sheet's, per candidate in
// ballot order; nil when either is missing.
func compareCounts(c *election.Contest, copyVotes, sheet []record.Count) []declRow {
	if len(copyVotes) == 0 || len(sheet) == 0 {
		return nil
	}
	of := map[string]int64{}
	for _, vc := range sheet {
		of[vc.Candidate] = vc.Votes
	}
	var rows []declRow
	for _, vc := range copyVotes {
		d := vc.Votes - of[vc.Candidate]
		rows = append(rows, declRow{candidateName(c, vc.Candidate), vc.Votes, of[vc.Candidate], d, d != 0})
	}
	return rows
}

// versionsOf sets every version of a station's sheet side by side.
func versionsOf(c *election.Contest, hist []tally.SheetVersion) *versionTable {
	if len(hist) < 2 {
		return nil
	}
	vt := &versionTable{}
	for _, h := range hist {
		vt.Heads = append(vt.Heads, fmt.Sprintf("r%d #%d", h.Revision, h.Index))
	}
	add := func(name string, get func(h tally.SheetVersion) int64) {
		row := versionRow{Name: name}
		for i, h := range hist {
			row.Counts = append(row.Counts, get(h))
			if i > 0 && row.Counts[i] != row.Counts[0] {
				row.Differs = true
			}
		}
		vt.Rows = append(vt.Rows, row)
	}
	for _, cd := range c.Candidates {
		add(cd.Name, func(h tally.SheetVersion) int64 {
			for _, vc := range h.Votes {
				if vc.Candidate == cd.ID {
					return vc.Votes
				}
			}
			return 0
		})
	}
	add("Rejected", func(h tally.SheetVersion) int64 { return h.Rejected })
	add("Cast", func(h tally.SheetVersion) int64 { return h.Cast })
	return vt
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
		// canonical is the station id names in another case.
		canonical string
	)
	st := x.read(func(v *tally.View) {
		if v.Definition() == nil {
			return
		}
		sr, found = v.Station(id)
		if !found {
			canonical, _ = resolveStation(v.Definition(), id)
			return
		}
		pageAttestations(&sr, attestationPage(r), x.s.limits.cfg.StationAttestations)
		common = x.common(r, v, tr(langOf(r), "Station")+" "+sr.ID)
		for _, sc := range sr.Contests {
			view := stationContestView{StationContest: sc}
			if c, ok := v.Definition().Contest(sc.Contest); ok {
				view.Name, view.LocalName = c.Name, c.LocalName
				c = inLanguage(c, common.Lang)
				if sc.Current != nil {
					view.Votes = votesOf(c, sc.Current.Votes)
					view.Scan = x.hasImage(sc.Current.Image)
				}
				for _, a := range sc.Attestations {
					av := attestationView{AttestationResult: a}
					if a.Kind == "copy" && sc.Current != nil {
						av.Compare = compareCounts(c, a.Votes, sc.Current.Votes)
					}
					view.Attestations = append(view.Attestations, av)
				}
				view.Versions = versionsOf(c, sc.History)
			}
			views = append(views, view)
		}
	})
	if !found && canonical != "" {
		return redirectTo(langPrefix(r) + "/station/" + canonical), st
	}
	if !found {
		return x.notFoundPage(r, "No station "+id, "Station identifiers look like NA-57/PS-112; the constituency pages list them.")
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
