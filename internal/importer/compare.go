package importer

import "sort"

// Row is one claimed candidate set against the declared result.
type Row struct {
	Name     string `json:"name"`               // as the claim spells it
	Declared string `json:"declared,omitempty"` // the declared candidate matched, as declared
	Party    string `json:"party,omitempty"`    // the declared candidate's party ("" independent)
	Label    string `json:"label,omitempty"`    // the claim's party label
	Matched  bool   `json:"matched"`
	// DeclaredVotes and ClaimedVotes; Diff is claimed less declared.
	DeclaredVotes int64 `json:"declared_votes"`
	ClaimedVotes  int64 `json:"claimed_votes"`
	Diff          int64 `json:"diff"`
	// Nearest is, for an unmatched name, the declared candidate whose name
	// is nearest (see Nearest), and Distance the edit distance between
	// their consonant skeletons: a reader judges the pair.
	Nearest  string `json:"nearest,omitempty"`
	Distance int    `json:"distance,omitempty"`
}

// SeatComparison compares one seat's declared result with a claim.
type SeatComparison struct {
	Contest string `json:"contest"`
	Rows    []Row  `json:"rows"`
	// Differs is true when a matched candidate's claimed votes differ from
	// the declared ones. AbsDiff sums |Diff| over matched rows; NetDiff sums
	// Diff.
	Differs bool  `json:"differs"`
	AbsDiff int64 `json:"abs_diff"`
	NetDiff int64 `json:"net_diff"`
	// Unmatched is true when a claimed candidate matches no declared one
	// (or several): the seat's claimed outcome is then not computed.
	Unmatched bool `json:"unmatched,omitempty"`
	// DeclaredWinner is the declared candidate with the most votes (index
	// into the declared candidates, -1 on a tie); ClaimedWinner is the
	// claimed candidate with the most claimed votes, as an index into the
	// declared candidates (-1 on a tie or when Unmatched): the claim names
	// only its top candidates, so only they can win under it. Flip is true
	// when both are known and differ.
	DeclaredWinner int  `json:"declared_winner"`
	ClaimedWinner  int  `json:"claimed_winner"`
	Flip           bool `json:"flip"`
	// Margin is the declared winner's lead over the runner-up.
	Margin int64 `json:"margin"`
}

// Comparison is a whole claim against the declared results.
type Comparison struct {
	Seats []SeatComparison `json:"seats"`
	// Compared counts the seats both sources give; Differs, Flips and
	// Unmatched count seats as in SeatComparison. NoClaim lists declared
	// seats the claim does not cover; NoDeclared claimed seats not declared.
	Compared  int      `json:"compared"`
	Differs   int      `json:"differs"`
	Flips     int      `json:"flips"`
	Unmatched int      `json:"unmatched"`
	NoClaim   []string `json:"no_claim,omitempty"`
	NoDeclare []string `json:"no_declared,omitempty"`
}

// Compare sets each claim against the declared seat of the same contest.
// Claimed candidates are matched to declared ones by name (see sameName:
// exact after normalisation first, then a unique subset match); a claimed
// name that matches none or several declared candidates is unmatched. Seats
// come out in the order of declared.
func Compare(declared []Seat, claims []Claim) Comparison {
	byContest := map[string]Claim{}
	for _, c := range claims {
		byContest[c.Contest] = c
	}
	var out Comparison
	seen := map[string]bool{}
	for _, s := range declared {
		seen[s.Contest] = true
		c, ok := byContest[s.Contest]
		if !ok {
			out.NoClaim = append(out.NoClaim, s.Contest)
			continue
		}
		sc := compareSeat(s, c)
		out.Compared++
		if sc.Differs {
			out.Differs++
		}
		if sc.Flip {
			out.Flips++
		}
		if sc.Unmatched {
			out.Unmatched++
		}
		out.Seats = append(out.Seats, sc)
	}
	for _, c := range claims {
		if !seen[c.Contest] {
			out.NoDeclare = append(out.NoDeclare, c.Contest)
		}
	}
	sort.Strings(out.NoDeclare)
	return out
}

func compareSeat(s Seat, c Claim) SeatComparison {
	sc := SeatComparison{Contest: s.Contest, DeclaredWinner: winner(votesOf(s.Candidates)), ClaimedWinner: -1}
	sc.Margin = margin(votesOf(s.Candidates))
	var claimedIdx []int
	var claimedVotes []int64
	used := map[int]bool{}
	for _, cc := range c.Candidates {
		row := Row{Name: cc.Name, Label: cc.Party, ClaimedVotes: cc.Votes}
		if j := MatchParty(s.Candidates, cc.Name, orIndependent(cc.Party), len(c.Candidates), used); j >= 0 {
			used[j] = true
			d := s.Candidates[j]
			row.Matched, row.Declared, row.Party, row.DeclaredVotes = true, d.Name, d.Party, d.Votes
			row.Diff = cc.Votes - d.Votes
			claimedIdx, claimedVotes = append(claimedIdx, j), append(claimedVotes, cc.Votes)
			sc.NetDiff += row.Diff
			sc.AbsDiff += abs(row.Diff)
		} else {
			sc.Unmatched = true
			if j, d := Nearest(s.Candidates, cc.Name, used); j >= 0 {
				row.Nearest, row.Distance = s.Candidates[j].Name, d
			}
		}
		sc.Rows = append(sc.Rows, row)
	}
	sc.Differs = sc.AbsDiff > 0
	if !sc.Unmatched {
		if w := winner(claimedVotes); w >= 0 {
			sc.ClaimedWinner = claimedIdx[w]
		}
		sc.Flip = sc.ClaimedWinner >= 0 && sc.DeclaredWinner >= 0 && sc.ClaimedWinner != sc.DeclaredWinner
	}
	return sc
}

// Match returns the index of the one candidate whose name is the given
// spelling, or -1. It tries the levels of nameLevels in turn; the first
// level at which exactly one candidate matches decides; several matching is
// ambiguous (-1).
func Match(cands []Candidate, name string) int { return MatchParty(cands, name, "", 0, nil) }

// MatchParty is Match where namesakes are told apart. Namesakes are common:
// the ECP adds "S/O ..." to tell them apart, and other transcriptions drop
// it. When a level matches several candidates, the one whose party label
// means the same party as party (sameParty; independents, "IND" and
// "PTI-IND" alike) is taken if it is the only one; else, when top > 0, the
// only one among the first top candidates (a source that names only the
// top two is matched against the other's top two); else the next level is
// tried. Candidates in skip (already matched to another name) are passed
// over. party "" with top 0 and no skip is Match.
func MatchParty(cands []Candidate, name, party string, top int, skip map[int]bool) int {
	for _, same := range nameLevels {
		var all, byParty, inTop []int
		for i, c := range cands {
			if skip[i] || !same(c.Name, name) {
				continue
			}
			all = append(all, i)
			if party != "" && sameParty(c.Party, party) {
				byParty = append(byParty, i)
			}
			if i < top {
				inTop = append(inTop, i)
			}
		}
		switch {
		case len(all) == 1:
			return all[0]
		case len(all) == 0:
			continue
		case len(byParty) == 1:
			return byParty[0]
		case len(inTop) == 1:
			return inTop[0]
		case party == "" && top == 0:
			return -1
		}
	}
	return -1
}

// orIndependent is a party label, "IND" for an independent's empty one.
func orIndependent(label string) string {
	if label == "" {
		return "IND"
	}
	return label
}

// sameParty reports whether two sources' party labels name the same party.
func sameParty(a, b string) bool {
	id := func(l string) string {
		if l == "IND" || l == PTIBacked || l == "Independent" {
			return ""
		}
		return PartyID(l)
	}
	return id(a) == id(b)
}

// Claimed returns the seat as the claim gives it: the declared candidates
// the claim names (in the claim's order), with the claimed votes. ok is false
// when a claimed name is unmatched.
func Claimed(s Seat, c Claim) (cands []Candidate, ok bool) {
	used := map[int]bool{}
	for _, cc := range c.Candidates {
		j := Match(s.Candidates, cc.Name)
		if j < 0 || used[j] {
			return nil, false
		}
		used[j] = true
		d := s.Candidates[j]
		d.Votes = cc.Votes
		cands = append(cands, d)
	}
	return cands, true
}

func votesOf(cs []Candidate) []int64 {
	v := make([]int64, len(cs))
	for i, c := range cs {
		v[i] = c.Votes
	}
	return v
}

// winner returns the index of the most votes, -1 on a tie at the top or no
// candidate.
func winner(v []int64) int {
	best := -1
	tie := false
	for i, n := range v {
		switch {
		case best < 0 || n > v[best]:
			best, tie = i, false
		case n == v[best]:
			tie = true
		}
	}
	if tie {
		return -1
	}
	return best
}

// margin returns the lead of the most votes over the second most.
func margin(v []int64) int64 {
	var first, second int64
	for _, n := range v {
		if n > first {
			first, second = n, first
		} else if n > second {
			second = n
		}
	}
	return first - second
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
