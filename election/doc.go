// Package election holds an election's definition: its assemblies and seat
// tables, contests (constituencies) with their candidates, polling stations
// with their registered voters, parties with their reserved-seat lists, and
// the authorities whose keys may sign records.
//
// A definition is read from strict JSON: unknown fields, duplicate keys,
// trailing data, invalid identifiers and inconsistent references are errors
// that name the JSON path and the rule broken. A definition that parses is
// internally consistent: every reference resolves, every identifier is unique.
//
// The canonical bytes of a definition (Canonical) are what the log records,
// so two parties holding the same definition hold the same bytes.
package election
