// Package auditlog runs the ceremony of tallylog's risk-limiting audits in
// the log: it decides whether an audit record may be logged next (Check)
// and learns it once logged (Apply), keeping per contest the commitment,
// the revealed seed, the draw, the hand counts and each round's risk.
// The mathematics is package audit's; the method and the records are in
// docs/audit.md.
//
// The ceremony of one contest, every step a signed record:
//
//  1. audit-commit (commission): the risk limit, the first round's size,
//     the SHA-256 of the frame (BuildFrame: the current sheets and
//     declaration as of a stated log size) and a commitment to a seed not
//     yet known to anyone but the commission (record.SeedCommitment).
//  2. audit-reveal (commission): the seed, which must match the
//     commitment. Draws 1…n of round 1 follow from it (audit.Audit.Draw).
//  3. audit-count (an auditor key for the contest or "*"): the hand count
//     of one drawn station, once per station.
//  4. audit-round (commission): once every drawn station is counted, the
//     risk those counts give, the decision, and how many draws the next
//     round adds; Check recomputes all of it and refuses any difference.
//
// Guarantees: Check changes nothing, and a record it refuses leaves the
// audit and its risk as they were, with a *registry.Rejection naming the
// field and the rule. Everything Check decides is a function of the log's
// entries before the record, so the server and an independent verifier
// replaying the log reach the same verdicts, the same draws and the same
// risks.
//
// Each contest is audited on its own: a station holding a National and a
// Provincial Assembly contest is in two frames with two commitments, and
// the draw IDs name the contest, so the two samples are independent even
// under one seed (docs/audit.md explains the choice).
package auditlog
