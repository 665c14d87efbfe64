// Package evidence builds and checks evidence packs: self-contained zip
// files that let a tribunal, an inquiry or a newsroom check one contest's
// results offline, with nothing but the log's public key.
//
// A pack holds, for one contest, every logged record that bears on it (the
// election record and the definition it names, every sheet and version,
// attestation, declaration and affiliation of the contest, and the keys
// records that registered each signer), byte for byte as logged; an
// inclusion proof of each against one signed checkpoint (with its
// witnesses' cosignatures); optionally a consistency proof from an older
// checkpoint to that one; the scanned sheets the records name, checked
// against their hashes; a manifest of every file's SHA-256; and report.html,
// the findings in words, each linked to the records that prove it. See
// docs/evidence.md for the layout.
//
// Guarantees of Verify, when it returns no error:
//   - the checkpoint is signed by the log key (and cosigned by every
//     witness key given), so the log committed to these entries at these
//     indexes: a log that later shows otherwise has forked;
//   - every record file is, byte for byte, the entry the checkpoint
//     commits to at its index, and names the election the log's entry 0
//     names, whose origin is the checkpoint's;
//   - replayed in log order with the tally's own rules, every record is
//     admitted: its signature verifies with a key the pack's keys records
//     registered, with the right to sign it;
//   - report.html is exactly the report those records give, and every other
//     file is the one the manifest lists; no byte of the zip was altered.
//
// What a pack cannot prove: that the log holds no other record of the
// contest (only the log itself can show that, with tallylog verify), that
// a scan missing from the pack matches its hash, or what happened before a
// record was signed. Verify lists each such gap as "not proven".
package evidence
