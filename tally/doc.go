// Package tally is the replay state machine of an election log: it applies
// the log's entries in index order and keeps, per contest and polling
// station, the results that follow from them, with every discrepancy
// flagged and its evidence attached.
//
// The server (as it appends) and the verifier (as it replays) run this same
// code; the results are a pure function of the log's entries (and, for the
// one clock-dependent flag, of the asOf time the reader passes), so both
// reach byte-identical Summary JSON.
//
// What the tally keeps:
//
//   - Per station and contest, every sheet (Form-45) ever logged. The
//     current sheet is, among the sheets no later sheet supersedes, the one
//     with the highest revision (the earliest logged on a tie). A
//     correction or recount is a new sheet that names the one it replaces,
//     the order record that authorised it (see authority.go) and why;
//     nothing is overwritten.
//   - Per contest, running sums of the current sheets, the stations in and
//     missing, every declaration (the latest of each form is current), and
//     independents' affiliations.
//   - Flags: each check recomputes the flags of the one station or contest
//     an entry touched. A flag stands while its condition holds; when a
//     later entry removes the condition it is kept as resolved, with the
//     index of that entry. See docs/tally.md for every rule and flag kind.
//
// Entries the registry refuses (a bad signature, a key without the right,
// a record naming nothing in the log or another station's sheet) return an
// error naming the rule and change nothing.
//
// Cost: Apply is dominated by the Ed25519 check inside registry.Admit; the
// tally's own update is O(candidates + versions and attestations of the
// station + stations listed missing by the contest's current declarations).
// Evidence that lists a contest's sheets is filled in when a flag is read.
package tally
