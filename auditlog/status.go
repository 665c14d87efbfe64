package auditlog

// ContestAudit is the progress of one contest's audit, for the site and
// for tallylog audit status.
type ContestAudit struct {
	Contest     string `json:"contest"`
	RiskLimit   string `json:"risk_limit"`
	Stations    int    `json:"stations"` // in the frame
	FrameSHA256 string `json:"frame_sha256"`
	CommitIndex uint64 `json:"commit_index"`
	Seed        string `json:"seed,omitempty"` // once revealed
	RevealIndex uint64 `json:"reveal_index,omitempty"`
	// Round is the open round, or the last one once the audit has ended.
	Round     int64  `json:"round"`
	FullCount bool   `json:"full_count"` // every station of the frame is counted
	Draws     []Draw `json:"draws"`
	Counted   int    `json:"counted"`   // distinct stations hand-counted
	Remaining int    `json:"remaining"` // stations the open round still has to count
	// Risk and Decision are those of the last closed round; empty before.
	Risk     string `json:"risk,omitempty"`
	Decision string `json:"decision,omitempty"`
	Ended    bool   `json:"ended"`
}

// Draw is one draw of the sample and whether its station is counted yet.
type Draw struct {
	Index   int    `json:"index"`
	Station string `json:"station"`
	Round   int    `json:"round"` // the round that first drew the station
	Ticket  string `json:"ticket"`
	Counted bool   `json:"counted"`
}

// Status returns the audit of every committed contest, in the definition's
// contest order.
func (s *State) Status() []ContestAudit {
	var out []ContestAudit
	for i := range s.def.Contests {
		ca, ok := s.contests[s.def.Contests[i].ID]
		if !ok {
			continue
		}
		out = append(out, ca.status())
	}
	return out
}

func (ca *contestAudit) status() ContestAudit {
	st := ContestAudit{
		Contest: ca.commit.Contest, RiskLimit: ca.commit.RiskLimit, Stations: len(ca.cast), FrameSHA256: ca.commit.FrameSHA256,
		CommitIndex: ca.commitIndex, Seed: ca.seed, RevealIndex: ca.revealIndex, Round: ca.round(), FullCount: ca.full,
		Counted: len(ca.counts), Ended: ca.ended,
	}
	if ca.ended {
		st.Round--
	}
	if n := len(ca.rounds); n > 0 {
		st.Risk, st.Decision = ca.rounds[n-1].rec.Risk, ca.rounds[n-1].rec.Decision
	}
	for _, d := range ca.draws {
		_, counted := ca.counts[d.Station]
		st.Draws = append(st.Draws, Draw{Index: d.Index, Station: d.Station, Round: ca.drawn[d.Station], Ticket: d.Ticket, Counted: counted})
	}
	if ca.revealIndex != 0 && !ca.ended {
		st.Remaining = ca.remaining()
	}
	return st
}

// remaining counts the stations the open round has still to count.
func (ca *contestAudit) remaining() int {
	todo := map[string]bool{}
	if ca.full {
		for id := range ca.cast {
			todo[id] = true
		}
	}
	for _, d := range ca.draws {
		todo[d.Station] = true
	}
	n := 0
	for id := range todo {
		if _, ok := ca.counts[id]; !ok {
			n++
		}
	}
	return n
}
