// Package sim generates whole simulated elections for tests, benchmarks and
// the demo: Pakistan 2024's 266 National Assembly and 593 provincial
// constituencies, any number of polling stations spread over them (90,675 by
// default, as in 2024), candidates, keys for every officer, signed records
// with their arrival times, and fraud of named kinds injected at stated
// sizes, each recorded in a ground truth.
//
// # Guarantees
//
// Generate is a pure function of its Config: the same Config gives the same
// election, byte for byte, whatever the machine or the number of CPUs
// (every random draw comes from a ChaCha8 stream seeded from Config.Seed
// and a fixed purpose label; keys are derived from the seed and the key's
// name; signing runs in parallel into fixed slots). Every record passes
// registry.Admit when appended after Genesis in the order of Events. Honest
// declarations are exactly the sums of their contests' logged sheets; the
// only discrepancies in a run are the ones its GroundTruth lists.
//
// # The model
//
// Each National Assembly seat holds 2 to 4 provincial seats of its
// province (Islamabad's 3 have none); each station votes in its NA contest
// and, outside Islamabad, one provincial contest. Turnout, party strength
// and candidates vary by province, constituency and station; docs/sim.md
// describes the distributions. Sheets arrive province by province between
// 17:30 and 01:30; each contest's provisional declaration (Form-47) follows
// its last sheet by 2 to 15 minutes, before the 02:00 deadline.
//
// # Files
//
// WriteDir writes, and ReadDir reads back:
//
//	definition.json    the definition's canonical JSON (hashes to the election record's definition-sha256)
//	keys/commission.key, keys/commission.key.pub
//	keys/log.key, keys/log.key.pub
//	                   note signer and verifier keys, one line each; the log key is named after the origin
//	officer-keys.txt   "<key name> <signer key>" lines for every other key (observer, officers, agents)
//	genesis.notes      the entries that open the log: election record, definition parts, keys records
//	records.notes      every later entry, in arrival order
//	ground-truth.json  the run's settings and every injection (GroundTruth)
//
// A .notes file has one line per log entry: the arrival time in whole
// seconds after polls close (negative for the genesis, logged a week
// before), a space, the standard base64 of the entry (a signed note), and a
// newline. Lines are in the order entries are to be appended; arrival times
// never decrease.
package sim
