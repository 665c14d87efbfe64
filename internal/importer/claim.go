package importer

import "sort"

// ClaimRow is one candidate's declared and claimed votes in one source.
type ClaimRow struct {
	Name     string `json:"name"`
	Party    string `json:"party"` // the source's label
	Declared int64  `json:"declared"`
	Claimed  int64  `json:"claimed"`
	Diff     int64  `json:"diff"` // claimed less declared
}

// ClaimSeat compares one seat's claim with the declaration transcribed by
// the same source, candidate by candidate: no name is matched.
type ClaimSeat struct {
	Contest   string     `json:"contest"`
	Postponed bool       `json:"postponed,omitempty"`
	Rows      []ClaimRow `json:"rows"`
	// Differs is true when some candidate's claimed votes differ from the
	// declared ones; AbsDiff sums |Diff|, NetDiff sums Diff.
	Differs bool  `json:"differs"`
	AbsDiff int64 `json:"abs_diff"`
	NetDiff int64 `json:"net_diff"`
	// DeclaredWinner and ClaimedWinner name the candidate with the most
	// votes under each ("" on a tie); Flip is true when both are named and
	// differ.
	DeclaredWinner string `json:"declared_winner"`
	ClaimedWinner  string `json:"claimed_winner"`
	Flip           bool   `json:"flip"`
	// Later is set when the declared winner changed after election day
	// (recount or tribunal): the declaration compared is the election-day
	// one.
	Later *LaterChange `json:"later,omitempty"`
}

// PartyFlip counts flips from one party label to another.
type PartyFlip struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Seats int    `json:"seats"`
}

// ClaimComparison is the headline: a claim against the declaration from the
// same source.
type ClaimComparison struct {
	Seats     []ClaimSeat `json:"seats"`
	Compared  int         `json:"compared"` // seats with a poll
	Postponed []string    `json:"postponed,omitempty"`
	Differs   int         `json:"differs"`
	Flips     int         `json:"flips"`
	AbsDiff   int64       `json:"abs_diff"`
	NetDiff   int64       `json:"net_diff"`
	FlipsBy   []PartyFlip `json:"flips_by_party"`
}

// CompareClaims sets each seat's claimed votes beside its declared ones, as
// the one source gives both. Postponed seats are listed, not compared. Seats
// come out in the source's order; FlipsBy most seats first, then by labels.
func CompareClaims(ds []DSMSeat) ClaimComparison {
	var out ClaimComparison
	flips := map[[2]string]int{}
	for _, d := range ds {
		cs := ClaimSeat{Contest: d.Contest, Postponed: d.Postponed, Later: laterChange(d.Contest)}
		if d.Postponed {
			out.Postponed = append(out.Postponed, d.Contest)
			out.Seats = append(out.Seats, cs)
			continue
		}
		out.Compared++
		dv, cv := make([]int64, len(d.Candidates)), make([]int64, len(d.Candidates))
		for i, c := range d.Candidates {
			r := ClaimRow{Name: c.Name, Party: c.Party, Declared: c.Declared, Claimed: c.Claimed, Diff: c.Claimed - c.Declared}
			cs.Rows = append(cs.Rows, r)
			cs.AbsDiff += abs(r.Diff)
			cs.NetDiff += r.Diff
			dv[i], cv[i] = c.Declared, c.Claimed
		}
		cs.Differs = cs.AbsDiff > 0
		dw, cw := winner(dv), winner(cv)
		if dw >= 0 {
			cs.DeclaredWinner = d.Candidates[dw].Name
		}
		if cw >= 0 {
			cs.ClaimedWinner = d.Candidates[cw].Name
		}
		cs.Flip = dw >= 0 && cw >= 0 && dw != cw
		if cs.Differs {
			out.Differs++
		}
		if cs.Flip {
			out.Flips++
			flips[[2]string{d.Candidates[dw].Party, d.Candidates[cw].Party}]++
		}
		out.AbsDiff += cs.AbsDiff
		out.NetDiff += cs.NetDiff
		out.Seats = append(out.Seats, cs)
	}
	for k, n := range flips {
		out.FlipsBy = append(out.FlipsBy, PartyFlip{From: k[0], To: k[1], Seats: n})
	}
	sort.Slice(out.FlipsBy, func(i, j int) bool {
		a, b := out.FlipsBy[i], out.FlipsBy[j]
		if a.Seats != b.Seats {
			return a.Seats > b.Seats
		}
		if a.From != b.From {
			return a.From < b.From
		}
		return a.To < b.To
	})
	return out
}

// Form47Check is one transcription of a seat's election-day winner votes
// (the DSM table's) against another (the Form-47 scan reading's).
type Form47Check struct {
	Contest string `json:"contest"`
	Name    string `json:"name"` // the DSM table's winner
	DSM     int64  `json:"dsm"`
	Reading int64  `json:"reading"`
	Later   bool   `json:"later,omitempty"`
}

// Transcriptions sets transcriptions of the same declared results beside
// each other: the DSM table's Form-47 figures against Aiwan-e-Jamhoor's
// candidate results (Candidates, matched by name), and the DSM table's
// winner votes against Aiwan-e-Jamhoor's reading of the Form-47 scans.
// These disagreements are of transcription (or of a later result), not of
// the claim.
type Transcriptions struct {
	Candidates Comparison `json:"candidates"`
	// Agree counts seats where every DSM figure matched and equals Aiwan's.
	Agree int `json:"agree"`
	// WinnerDiffers lists the seats where the two name different winners;
	// Later those of them explained by a later change.
	WinnerDiffers []string `json:"winner_differs,omitempty"`
	Later         []string `json:"later,omitempty"`
	// Form47Compared counts seats with both a DSM winner and a legible scan
	// reading of the winner's votes; Form47Differ lists where they differ.
	Form47Compared int           `json:"form47_compared"`
	Form47Differ   []Form47Check `json:"form47_differ,omitempty"`
}

// CompareTranscriptions compares the DSM table's declared figures with
// Aiwan-e-Jamhoor's candidate results and Form-47 readings.
func CompareTranscriptions(ds []DSMSeat, aiwan []Seat, forms []Form47) Transcriptions {
	var claims []Claim
	var contested []Seat
	postponed := map[string]bool{}
	for _, d := range ds {
		if d.Postponed {
			postponed[d.Contest] = true
			continue
		}
		claims = append(claims, Claim{Contest: d.Contest, Candidates: d.Seat(false).Candidates})
	}
	for _, s := range aiwan {
		if !postponed[s.Contest] {
			contested = append(contested, s)
		}
	}
	var t Transcriptions
	t.Candidates = Compare(contested, claims)
	for i := range t.Candidates.Seats {
		s := &t.Candidates.Seats[i]
		if !s.Differs && !s.Unmatched {
			t.Agree++
		}
		if s.Flip {
			t.WinnerDiffers = append(t.WinnerDiffers, s.Contest)
			if laterChange(s.Contest) != nil {
				t.Later = append(t.Later, s.Contest)
			}
		}
	}
	byContest := map[string]Form47{}
	for _, f := range forms {
		byContest[f.Contest] = f
	}
	for _, d := range ds {
		f, ok := byContest[d.Contest]
		if d.Postponed || !ok || f.WinnerVote < 0 {
			continue
		}
		s := d.Seat(false)
		if len(s.Candidates) == 0 {
			continue
		}
		t.Form47Compared++
		if s.Candidates[0].Votes != f.WinnerVote {
			t.Form47Differ = append(t.Form47Differ, Form47Check{Contest: d.Contest, Name: s.Candidates[0].Name,
				DSM: s.Candidates[0].Votes, Reading: f.WinnerVote, Later: laterChange(d.Contest) != nil})
		}
	}
	return t
}
