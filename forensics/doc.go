// Package forensics screens station-level election results for statistical
// anomalies and explains every flag it raises.
//
// Every output of this package is a screening signal, not proof of fraud.
// Honest elections produce outliers, and the methods below rest on
// assumptions (smooth distributions, preferences independent of turnout)
// that real electorates can break without anyone cheating. Each signal
// therefore carries a plain-language explanation of what was measured, why
// it was flagged and what innocent causes could produce it.
//
// # Entry point
//
// [Analyze] takes a slice of [Station] results with the candidate names and
// returns a [Report]: national and per-group (constituency or region) test
// results, a ranked list of flagged stations with their reasons, the
// histograms and the turnout × leader-share fingerprint. The CSV reader
// ([ReadCSV]) turns files of station results into the same input, and the
// SVG writers ([WriteFingerprintSVG] and friends) draw the charts.
//
// # Methods
//
//   - Integer percentages (Kobak, Shpilkin & Pshenichnikov, Annals of Applied
//     Statistics 10(1):54–73, 2016), with a binomial-resampling null.
//   - The Klimek et al. fingerprint and fraud model (PNAS 109(41):16469, 2012).
//   - Shpilkin's excess-votes estimate, with its known criticism.
//   - Last-digit (Beber & Scacco, Political Analysis 20(2), 2012) and
//     second-digit Benford (Mebane 2006) tests against a resampled null.
//   - Turnout–share correlation and the Sobyanin–Sukhovolsky slope.
//   - Rules that need no statistics (turnout above 100%, identical sheets, …).
//
// # Determinism
//
// All randomness comes from a PCG generator seeded from [Options.Seed]. Work
// is split into fixed-size chunks, each with its own generator derived from
// the seed and the chunk number, and results are merged in chunk order or by
// integer addition, so a seed gives byte-identical reports whatever the
// number of CPUs.
package forensics

// Caveat is attached to every signal and printed with every report.
const Caveat = "a screening signal, not proof of fraud"
