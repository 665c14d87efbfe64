package web

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// A JSON Schema draft-04 validator for the keywords NIST's SP 1500-100 v2
// schema uses ($ref, type, properties, required, additionalProperties,
// items, minItems, enum, oneOf, pattern, format, maxLength). It exists so
// the export is checked against NIST's own schema without a dependency;
// it fails on any keyword it does not know, so a schema update cannot
// silently weaken the test.

type schemaDoc struct {
	root map[string]any
}

var knownKeywords = map[string]bool{"$ref": true, "$schema": true, "definitions": true, "type": true, "properties": true,
	"required": true, "additionalProperties": true, "items": true, "minItems": true, "enum": true, "oneOf": true,
	"pattern": true, "format": true, "maxLength": true, "refTypes": true}

// validate returns every violation of s by v, each with its JSON path.
func (d *schemaDoc) validate(s map[string]any, v any, path string) []string {
	for k := range s {
		if !knownKeywords[k] {
			return []string{path + ": the validator does not know the keyword " + k}
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		return d.validate(d.resolve(ref), v, path)
	}
	var errs []string
	fail := func(f string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(f, args...)) }
	if t, ok := s["type"].(string); ok && !hasType(v, t) {
		fail("is %T, want %s", v, t)
		return errs
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			fail("%v is not one of %v", v, enum)
		}
	}
	if str, ok := v.(string); ok {
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
		if m, ok := s["maxLength"].(float64); ok && len([]rune(str)) > int(m) {
			fail("longer than %v", m)
		}
		if f, ok := s["format"].(string); ok {
			layouts := map[string]string{"date": "2006-01-02", "date-time": time.RFC3339}
			if l, ok := layouts[f]; ok {
				if _, err := time.Parse(l, str); err != nil {
					fail("%q is not a %s", str, f)
				}
			}
		}
	}
	if one, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, alt := range one {
			if len(d.validate(alt.(map[string]any), v, path)) == 0 {
				n++
			}
		}
		if n != 1 {
			fail("matches %d of the oneOf alternatives, want exactly 1", n)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				fail("lacks the required %s", r)
			}
		}
		for k, val := range obj {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if ap, ok := s["additionalProperties"].(bool); ok && !ap {
					fail("has %s, which the schema does not allow", k)
				}
				continue
			}
			errs = append(errs, d.validate(ps, val, path+"."+k)...)
		}
	}
	if arr, ok := v.([]any); ok {
		if m, ok := s["minItems"].(float64); ok && len(arr) < int(m) {
			fail("has %d items, want at least %v", len(arr), m)
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range arr {
				errs = append(errs, d.validate(items, it, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func asList(v any) []any { l, _ := v.([]any); return l }

func (d *schemaDoc) resolve(ref string) map[string]any {
	name, ok := strings.CutPrefix(ref, "#/definitions/")
	if !ok {
		panic("unsupported $ref " + ref)
	}
	def, ok := d.root["definitions"].(map[string]any)[name].(map[string]any)
	if !ok {
		panic("dangling $ref " + ref)
	}
	return def
}

func hasType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	}
	return false
}

// refIntegrity checks what the schema cannot: every "...Id" and "...Ids"
// value names an object's @id, of a type the schema's refTypes allow.
func (d *schemaDoc) refIntegrity(doc any) []string {
	types := map[string]string{} // @id -> @type
	var collect func(v any)
	collect = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["@id"].(string); ok {
				if _, dup := types[id]; dup {
					types[id+"#dup"] = "duplicate"
				}
				t, _ := v["@type"].(string)
				types[id] = t
			}
			for _, c := range v {
				collect(c)
			}
		case []any:
			for _, c := range v {
				collect(c)
			}
		}
	}
	collect(doc)
	var errs []string
	for id, t := range types {
		if t == "duplicate" {
			errs = append(errs, "@id "+strings.TrimSuffix(id, "#dup")+" is used twice")
		}
	}
	var check func(v any, path string)
	check = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			typ, _ := v["@type"].(string)
			def, _ := d.root["definitions"].(map[string]any)[typ].(map[string]any)
			props, _ := def["properties"].(map[string]any)
			for k, val := range v {
				p, _ := props[k].(map[string]any)
				allowed := asList(p["refTypes"])
				if len(allowed) == 0 {
					if items, ok := p["items"].(map[string]any); ok {
						allowed = asList(items["refTypes"])
					}
				}
				if len(allowed) > 0 {
					refs := []any{val}
					if l, ok := val.([]any); ok {
						refs = l
					}
					for _, r := range refs {
						rs, _ := r.(string)
						target, ok := types[rs]
						if !ok {
							errs = append(errs, fmt.Sprintf("%s.%s: %v names no object", path, k, r))
						} else if !containsAny(allowed, target) {
							errs = append(errs, fmt.Sprintf("%s.%s: %v is a %s, want one of %v", path, k, r, target, allowed))
						}
					}
					continue
				}
				check(val, path+"."+k)
			}
		case []any:
			for i, c := range v {
				check(c, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	check(doc, "$")
	return errs
}

func containsAny(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
