// Package importer turns published election results into tallylog's terms,
// so that real elections can be replayed and checked, and compares two
// published sources of the same results.
//
// Nothing here is an official record. Every figure this package reads is
// someone's transcription of a result: a web page scraped, a scanned form read
// by eye, a party's table of what its agents' copies say. The importer keeps
// each figure with the source it came from (Provenance: who published it,
// which repository, file and commit), and the records it builds are signed by
// keys named for the transcriber ("transcriber.aiwan-e-jamhoor"), never by
// an officer's key.
//
// The sources it reads (see docs/import.md for their provenance):
//
//   - Aiwan-e-Jamhoor's 2024 National Assembly candidate results
//     (ParseAiwanCandidates) and its reading of the official Form-47 scans
//     (ParseAiwanForm47): the declared results.
//   - Danial Sadiq Masood's table of the Form-45 totals one party (PTI)
//     claimed from its agents' copies, top two candidates per seat
//     (ParseDSMClaims): the claimed results.
//   - Colin Cookman's 2018 candidate results, National and provincial
//     assemblies (ParseCookman2018).
//
// Contracts:
//
//   - Parsers are strict: a missing column, a non-numeric or negative count,
//     a duplicate seat or candidate rank is an error naming the file, the row
//     and the column. Nothing is silently repaired.
//   - Compare, Winners and Allocate are pure functions of their arguments,
//     deterministic and independent of map order.
package importer
