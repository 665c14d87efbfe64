// Package audit holds the mathematics of tallylog's risk-limiting audits that
// sample polling stations: pure, deterministic functions from a contest's
// frame (its stations and their reported tallies), a seed and the audit
// boards' hand counts to a draw, a measured risk and the next sample size.
// It keeps no state and does no I/O; the ceremony (committing to the frame
// and to the seed's hash, revealing the seed, recording each round) belongs
// to the log, which calls this package.
//
// # Method
//
// The audit is a batch-comparison audit where a batch is a polling station:
// Stark's MACRO as Arlo applies it to one contest (votingworks/arlo,
// server/audit_math/macro.py). Prepare computes each station's error bound
// u_p and their total U; Plan gives the first-round size; Draw selects
// stations with probability proportional to error bound (PPEB), with
// replacement; Risk turns the hand counts of the drawn stations into the
// P-value P = Π (1 − 1/U) / (1 − t_k) and stops the audit when P ≤ α, or
// says how many more draws to make, or to escalate to FullCount.
//
// # Guarantees
//
//   - Exact arithmetic: bounds, U, taints and P are rationals (math/big), and
//     every ceiling that decides a sample size is settled by an exact
//     comparison, so two implementations agree at the boundaries.
//   - Portable draws: draws come from Rivest's consistent sampler's SHA-256
//     fractions (Sampler, SHA256Uniform, FirstFraction), never from a
//     language's random generator; docs/audit.md specifies the mapping with
//     vectors so anyone can recompute a draw.
//   - Consistency: draw k of a contest depends only on the seed, the contest
//     ID, k and the frame; a later round extends the sample, never reshuffles
//     it.
//   - One contest per audit: a station holding a National and a Provincial
//     Assembly contest appears in two audits with independent draws (the
//     draw IDs name the contest). docs/audit.md explains the choice.
//   - Bad input is rejected with an *InputError naming the field, the rule
//     and the next step; its Kind (ErrNotInSample, ErrTooManyBallots, …)
//     lets callers branch with errors.Is.
package audit
