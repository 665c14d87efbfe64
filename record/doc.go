// Package record defines tallylog's signed records and their one canonical
// encoding.
//
// A record's body is line-oriented UTF-8 text: a type line
// "tallylog/v1 <type>", then "key value" lines in the fixed order given for
// each type in docs/spec.md. The body is the text of a C2SP signed note
// carrying exactly one Ed25519 signature; the signed note's bytes are the log
// entry, and the SHA-256 of those bytes is the record's hash, by which later
// records refer to it.
//
// Parsing is strict: a body is accepted only if re-encoding what was parsed
// gives back the same bytes, so every record has exactly one byte
// representation. Unknown or missing fields, fields out of order, duplicate
// fields, numbers with signs or leading zeros, counts above election.MaxCount,
// control characters and trailing spaces are errors that name the line and
// the rule. Signatures are checked separately (Envelope.Verify), against the
// key the log has registered for the signer.
package record
