package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
	"unicode/utf8"

	"github.com/tallylog/tallylog/election"
	"github.com/tallylog/tallylog/record"
	"golang.org/x/mod/sumdb/note"
)

// Genesis returns the entries that open an election's log, in order: the
// election record (signed by the commission, naming its verifier key
// commissionVKey) and the definition's canonical JSON in parts. Append them
// in this order; the parts' order among themselves does not matter.
func Genesis(def *election.Definition, commission note.Signer, commissionVKey string, created time.Time) ([][]byte, error) {
	canon := def.Canonical()
	parts := splitParts(string(canon))
	sum := sha256.Sum256(canon)
	header := &record.Election{
		Election: def.ID, Origin: def.Origin, Commission: commissionVKey,
		DefinitionSHA256: hex.EncodeToString(sum[:]), DefinitionParts: int64(len(parts)),
		Created: record.FormatTime(created),
	}
	entry, err := record.Sign(header, commission)
	if err != nil {
		return nil, err
	}
	entries := [][]byte{entry}
	for i, p := range parts {
		e, err := record.Sign(&record.DefinitionPart{Election: def.ID, Log: def.Origin, Part: int64(i + 1), Data: p}, commission)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// splitParts cuts s into pieces of at most record.MaxPartData bytes. A record
// line's value may not start or end with a space, so each cut falls on a
// character boundary with no space on either side of it. The definition's
// canonical JSON holds no run of spaces longer than one (its texts refuse
// double spaces), so a cut is found within a few bytes of the limit; s itself
// starts with '{' and ends with '}'.
func splitParts(s string) []string {
	var parts []string
	for len(s) > record.MaxPartData {
		n := record.MaxPartData
		for n > 1 && (!utf8.RuneStart(s[n]) || s[n] == ' ' || s[n-1] == ' ') {
			n--
		}
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return append(parts, s)
}

// GrantRecords signs keys records of the election's log (its ID and
// origin) granting the given keys, as many grants to
// a record as fit comfortably in one log entry.
func GrantRecords(electionID, origin string, grants []record.Grant, commission note.Signer) ([][]byte, error) {
	const perRecord = 300
	var entries [][]byte
	for len(grants) > 0 {
		n := min(perRecord, len(grants))
		e, err := record.Sign(&record.Keys{Election: electionID, Log: origin, Grants: grants[:n]}, commission)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
		grants = grants[n:]
	}
	return entries, nil
}
