package record

import (
	"encoding/json"

	"github.com/tallylog/tallylog/strictjson"
)

// FromJSON reads a record from the JSON a device or a person writes: an
// object with "type" and the record's fields (see docs/spec.md). Decoding
// is strict (unknown fields, duplicates and overflows are errors naming the
// JSON path) and the record must pass Check.
func FromJSON(data []byte) (Record, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, &strictjson.Error{Path: "$", Rule: "not a JSON object with a \"type\": " + err.Error()}
	}
	var rec Record
	switch head.Type {
	case "election":
		rec = &Election{}
	case "definition":
		rec = &DefinitionPart{}
	case "keys":
		rec = &Keys{}
	case "sheet":
		rec = &Sheet{}
	case "declaration":
		rec = &Declaration{}
	case "attestation":
		rec = &Attestation{}
	case "affiliation":
		rec = &Affiliation{}
	case "gazette":
		rec = &Gazette{}
	default:
		if rec = newExtension(head.Type); rec == nil {
			return nil, &strictjson.Error{Path: "$.type", Rule: "unknown record type " + quote(head.Type)}
		}
	}
	if err := strictjson.DecodeIgnoring(data, rec, "type"); err != nil {
		return nil, err
	}
	if err := rec.Check(); err != nil {
		return nil, err
	}
	return rec, nil
}

// newExtension returns an empty record of a type defined in another file of
// this package, or nil.
var newExtension = func(typ string) Record { return nil }

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }
