package forensics

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteText prints the report for people: the caveat, the data, one
// paragraph per national finding, the groups with reasons, the flagged
// stations with reasons. maxGroups caps the groups listed (0 for 20).
func (r *Report) WriteText(w io.Writer, maxGroups int) error {
	if maxGroups <= 0 {
		maxGroups = 20
	}
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "ELECTION FORENSICS SCREENING\n%s\n\n", r.Caveat)
	fmt.Fprintf(b, "Stations: %d read, %d analysed", r.Stations, r.Analysed)
	if n := r.Stations - r.Analysed; n > 0 {
		fmt.Fprintf(b, ", %d excluded:\n", n)
		for _, e := range r.Excluded {
			fmt.Fprintf(b, "  %6d  %s (e.g. %s)\n", e.Count, e.Reason, strings.Join(e.Examples, ", "))
		}
	} else {
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "Registered %d, ballots %d (turnout %.2f%%), leader %s with %.2f%% of ballots in the box.\n",
		r.Totals.Registered, r.Totals.Ballots, 100*r.Totals.Turnout, r.Leader, 100*r.Totals.LeaderShare)
	fmt.Fprintf(b, "Seed %d, %d resamples, α = %g.\n\n", r.Seed, r.Resamples, r.Alpha)

	b.WriteString("NATIONAL FINDINGS\n")
	for _, f := range r.Findings {
		mark := "  "
		if f.Flagged {
			mark = "! "
		}
		fmt.Fprintf(b, "%s%s", mark, strings.ToUpper(f.Test))
		if f.Level > 0 {
			verdict := "not flagged"
			if f.Flagged {
				verdict = "FLAGGED"
			}
			fmt.Fprintf(b, " — %s (p = %.4g, α = %g)", verdict, f.P, f.Level)
		}
		fmt.Fprintf(b, "\n%s\n\n", wrap(f.Explanation, 96, "    "))
	}

	fmt.Fprintf(b, "EXACTLY 100%% TURNOUT\n  %d stations report ballots equal to registered voters (%d voters); %s received %d of their %d valid votes (%.1f%%); %d of them gave %s 90%% or more.\n\n",
		r.FullTurnout.Stations, r.FullTurnout.Registered, r.Leader, r.FullTurnout.LeaderVotes, r.FullTurnout.Valid, 100*r.FullTurnout.LeaderShare, r.FullTurnout.Landslide, r.Leader)
	fmt.Fprintf(b, "STATION SCREEN\n  %s's votes per registered voter against each constituency: %d of %d stations above the calibrated threshold %.2f (%.2f%%; calibrated to flag about 1%% of honest stations, so a higher rate means more stations stand out than honest variation explains).\n",
		r.Leader, r.Screen.Flagged, r.Screen.Scored, r.Screen.Threshold, 100*r.Screen.Rate)
	for i, f := range r.Screen.Top {
		if i == 10 {
			fmt.Fprintf(b, "  … %d more in the JSON report\n", len(r.Screen.Top)-10)
			break
		}
		fmt.Fprintf(b, "  %s [%s] — score %.1f\n%s\n", f.ID, f.Group, f.Score, wrap("- "+strings.TrimSuffix(f.Explanation, "; "+Caveat+"."), 96, "      "))
	}
	b.WriteString("\n")

	b.WriteString("SIGNALS PER STATION\n")
	for _, c := range r.RuleCounts {
		fmt.Fprintf(b, "  %-24s %d\n", c.Code, c.Count)
	}
	fmt.Fprintf(b, "  %d stations reach the flag score %.0f.\n\n", r.FlaggedTotal, FlagScore)

	groups := slices.Clone(r.Groups)
	slices.SortStableFunc(groups, func(a, b GroupReport) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	fmt.Fprintf(b, "GROUPS (%d; highest scores first; tests at α/%d)\n", len(groups), len(groups))
	shown := 0
	for _, g := range groups {
		if g.Score == 0 || shown == maxGroups {
			continue
		}
		shown++
		fmt.Fprintf(b, "  %s — score %.0f, %d stations, turnout %.1f%%, leader %.1f%%\n", g.Name, g.Score, g.Stations, 100*g.Turnout, 100*g.LeaderShare)
		for _, why := range g.Reasons {
			fmt.Fprintf(b, "%s\n", wrap("- "+why, 96, "      "))
		}
	}
	if shown == 0 {
		b.WriteString("  No group raised a signal.\n")
	}
	b.WriteString("\n")

	fmt.Fprintf(b, "FLAGGED STATIONS (%d; showing %d)\n", r.FlaggedTotal, len(r.Flagged))
	for _, f := range r.Flagged {
		fmt.Fprintf(b, "  %s [%s] — score %.0f\n", f.ID, f.Group, f.Score)
		for _, s := range f.Signals {
			fmt.Fprintf(b, "%s\n", wrap("- "+strings.TrimSuffix(s.Explanation, "; "+Caveat+"."), 96, "      "))
		}
	}
	fmt.Fprintf(b, "\nEvery flag above is %s.\n", Caveat)
	return b.Flush()
}

// wrap breaks text into lines of at most width characters, each indented.
func wrap(text string, width int, indent string) string {
	var out strings.Builder
	line := indent
	for _, word := range strings.Fields(text) {
		if len([]rune(line))+len([]rune(word))+1 > width && strings.TrimSpace(line) != "" {
			out.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += word + " "
	}
	out.WriteString(strings.TrimRight(line, " "))
	return out.String()
}
