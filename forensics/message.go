package forensics

import (
	"fmt"
	"slices"
)

// Message is an English sentence of a report kept as its format and
// arguments, so that a reader in another language can say the same thing:
// look up Format in a catalogue (a translation keeps its % verbs, perhaps
// reordered with %[n]), say each argument that is itself a Message the
// same way, and format. String gives back the report's English text.
//
// Every Format is one of [Formats]. Arguments are numbers, names (of
// candidates or parties, groups, stations) and Messages. Messages are not
// part of the report's JSON, which carries their English text: a report
// read back from JSON has none (zero Messages, nil Messages slices).
type Message struct {
	Format string
	Args   []any
}

// String is the message in English: the text the report's JSON carries.
func (m Message) String() string { return fmt.Sprintf(m.Format, m.Args...) }

// Formats returns every format a report's Message may carry, so that a
// translation can be checked for completeness.
func Formats() []string { return slices.Clone(formats[:]) }

// say is the only way a Message is made: its format comes from formats.
func say(id msgID, args ...any) Message { return Message{Format: formats[id], Args: args} }

type msgID int

const (
	msgCaveat msgID = iota
	msgShpilkinCriticism
	msgKlimekCaveat
	msgInteger
	msgLastDigit
	msgSecondDigit
	msgCorrelation
	msgShpilkin
	msgKlimek
	msgKlimekFitted
	msgRejectedNational
	msgGroupInteger
	msgGroupLastDigit
	msgGroupSecondDigit
	msgGroupCorrelation
	msgGroupRejected
	msgGroupFlagged
	msgTurnoutAbove100
	msgBoxAboveReg
	msgBoxAboveIssued
	msgFullTurnout
	msgIdentical
	msgIntegerBoth
	msgGroupTail
	msgExtremeCluster
	msgSheetArithmetic
	msgScreen
	msgCount
)

// formats are the English sentences, by message. A signal's format ends in
// "; %s." for the Caveat.
var formats = [msgCount]string{
	msgCaveat:            Caveat,
	msgShpilkinCriticism: ShpilkinCriticism,
	msgKlimekCaveat:      KlimekCaveat,
	msgInteger: "%.0f of %d stations have a turnout or leader share within 0.05 points of a whole percentage; " +
		"binomial resampling of the same stations gives %.1f ± %.1f (excess %.1f, p = %.4f). " +
		"Round percentages in excess suggest numbers were written to a target rather than counted (Kobak et al. 2016); %s.",
	msgLastDigit: "%d last digits of vote counts expected to reach 100 depart from what binomial resampling of the same counts gives by Q = %.1f (p = %.4f); " +
		"invented numbers often over-use some final digits (Beber & Scacco 2012); %s.",
	msgSecondDigit: "%d second digits of vote counts expected to reach 30 depart from what binomial resampling of the same counts gives by Q = %.1f (p = %.4f); " +
		"Mebane's second-digit Benford test; its link to fraud is disputed (Mebane 2013 found implausible results on Russian data); %s.",
	msgCorrelation: "Across %d stations, turnout and the leader's share correlate with r = %.3f, and r = %.3f within groups (p = %.4f); " +
		"each extra registered voter who turned out added %.2f leader votes against a mean share of %.2f. " +
		"Ballot stuffing raises both together, but so can honest geography (rural areas vote more and differently); %s.",
	msgShpilkin: "Taking the other candidates' turnout peak at %.0f%% as clean, the leader received %.0f votes " +
		"(%.1f%% of theirs) more than a constant leader/others ratio predicts above it (%.0f to %.0f when the peak moves by two points); " +
		"share %.1f%% official against %.1f%% corrected. Caveat: %s; %s.",
	msgKlimek: "Fair-election parameters: turnout mode %.3f (σ %.3f), leader-share mode %.3f (σ %.3f), θ %.3f. Caveat: %s; %s.",
	msgKlimekFitted: "Fair-election parameters: turnout mode %.3f (σ %.3f), leader-share mode %.3f (σ %.3f), θ %.3f. " +
		"Best simulated fit: incremental fraud in a fraction f_i = %.3f of stations, extreme fraud f_e = %.4f, α = %.2f " +
		"(distance %.2e against %.2e for a fair model). Caveat: %s; %s.",
	msgRejectedNational: "%d rejected ballots against a margin of %d votes between the first two candidates; " +
		"when rejections exceed the margin, how ballots were rejected can decide the result; %s.",
	msgGroupInteger:     "%.0f stations with whole-percentage turnout or share against %.1f expected (p = %.4f < %.2g)",
	msgGroupLastDigit:   "last digits of %d counts depart from the resampled null (p = %.4f < %.2g)",
	msgGroupSecondDigit: "second digits of %d counts depart from the resampled null (p = %.4f < %.2g)",
	msgGroupCorrelation: "turnout and leader share correlate (r = %.2f, p = %.2g < %.2g)",
	msgGroupRejected:    "%d rejected ballots exceed the %d-vote margin between the first two candidates",
	msgGroupFlagged:     "%d of %d stations flagged (see the station list)",
	msgTurnoutAbove100:  "%d ballots were issued for %d registered voters (turnout %.1f%%); %s.",
	msgBoxAboveReg:      "%d ballots were found in the boxes for %d registered voters; %s.",
	msgBoxAboveIssued:   "%d ballots were found in the boxes but only %d were issued; %s.",
	msgFullTurnout:      "turnout is %.1f%% and %s received %.1f%% of the valid votes; %s.",
	msgIdentical:        "its invalid and candidate counts (%d valid votes) are identical to those of %s; %s.",
	msgIntegerBoth:      "turnout %.2f%% and leader share %.2f%% are both whole percentages (chance under binomial noise: %.4f); %s.",
	msgGroupTail:        "turnout %.1f%% and leader share %.1f%% are both above the 99th percentiles of %q (%.1f%%, %.1f%%); %s.",
	msgExtremeCluster:   "turnout %.1f%% and leader share %.1f%% sit where Klimek et al.'s extreme fraud puts a second cluster; %s.",
	msgSheetArithmetic:  "candidate votes add up to %d but the sheet reports %d valid ballots (excluded from the statistics); %s.",
	msgScreen: "turnout %.1f%% and %s's share %.1f%% against medians of %.1f%% and %.1f%% in %q: %s's votes are %.1f%% of registered voters, " +
		"%.1f robust standard deviations above the constituency; %s.",
}

// caveat is the Caveat as a Message, the last argument of every signal.
func caveat() Message { return say(msgCaveat) }
