// Package strictjson decodes JSON from untrusted or hand-written sources with
// the rules encoding/json leaves out: a duplicate key, an unknown field,
// trailing data, invalid UTF-8, a number that does not fit its field or a value
// of the wrong type is an error naming the JSON path ($.contests[3].id) and
// the rule. When Decode returns an error, the destination may be partly
// written and must be discarded.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Error is a decoding error at a JSON path.
type Error struct {
	Path string // JSON path, for example $.stations[12].registered
	Rule string // what was wrong
}

func (e *Error) Error() string { return e.Path + ": " + e.Rule }

// Decode parses data into v, which must be a pointer to a struct, slice or
// map whose fields carry json tags.
func Decode(data []byte, v any) error { return DecodeIgnoring(data, v) }

// DecodeIgnoring is Decode, except that the named top-level keys may appear
// (once each) and are not decoded: the caller has read them already, for
// example a "type" that chose the destination.
func DecodeIgnoring(data []byte, v any, ignore ...string) error {
	if !utf8.Valid(data) {
		return &Error{"$", "invalid UTF-8: the document must be UTF-8 text"}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("strictjson: Decode needs a non-nil pointer")
	}
	if dst := rv.Elem(); dst.IsZero() {
		if decodeFast(data, dst, ignore) {
			return nil
		}
		dst.SetZero() // as it was: the two-pass path decodes it again
	}
	return decodeTwoPass(data, rv, ignore)
}

// decodeTwoPass is DecodeIgnoring without the fast path: it checks the
// document with encoding/json's tokenizer, naming the path and rule of
// the first problem, then decodes it with encoding/json.
func decodeTwoPass(data []byte, rv reflect.Value, ignore []string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := walk(dec, rv.Elem().Type(), nil, ignore); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{"$", "unexpected data after the top-level value"}
	}
	std := json.NewDecoder(bytes.NewReader(data))
	if len(ignore) == 0 {
		std.DisallowUnknownFields() // walk has checked every key; this is a second line of defence
	}
	if err := std.Decode(rv.Interface()); err != nil {
		return &Error{"$", err.Error()}
	}
	return nil
}

// jpath is a JSON path built only when an error names it: a key (".key")
// or an index ("[i]") under its parent; nil is the root, "$".
type jpath struct {
	parent *jpath
	key    string // empty for an index
	index  int
}

func (p *jpath) String() string {
	if p == nil {
		return "$"
	}
	if p.key != "" {
		return p.parent.String() + "." + p.key
	}
	return p.parent.String() + "[" + strconv.Itoa(p.index) + "]"
}

// walk checks the next value in dec against typ.
func walk(dec *json.Decoder, typ reflect.Type, path *jpath, ignore []string) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(path, err)
	}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return walkObject(dec, typ, path, ignore)
		case '[':
			if typ.Kind() != reflect.Slice && typ.Kind() != reflect.Array && typ.Kind() != reflect.Interface {
				return &Error{path.String(), "want " + kindName(typ) + ", got an array"}
			}
			var elem reflect.Type
			if typ.Kind() != reflect.Interface {
				elem = typ.Elem()
			} else {
				elem = typ
			}
			for i := 0; dec.More(); i++ {
				if err := walk(dec, elem, &jpath{parent: path, index: i}, nil); err != nil {
					return err
				}
			}
			_, err := dec.Token() // ']'
			return syntaxError(path, err)
		}
	case nil:
		switch typ.Kind() {
		case reflect.Slice, reflect.Map, reflect.Interface:
			return nil
		}
		return &Error{path.String(), "want " + kindName(typ) + ", got null"}
	case bool:
		if typ.Kind() != reflect.Bool && typ.Kind() != reflect.Interface {
			return &Error{path.String(), "want " + kindName(typ) + ", got a boolean"}
		}
	case string:
		if typ.Kind() != reflect.String && typ.Kind() != reflect.Interface {
			return &Error{path.String(), "want " + kindName(typ) + ", got a string"}
		}
	case json.Number:
		return checkNumber(t, typ, path)
	}
	return nil
}

func walkObject(dec *json.Decoder, typ reflect.Type, path *jpath, ignore []string) error {
	var fields map[string]field
	switch typ.Kind() {
	case reflect.Struct:
		fields = structFields(typ)
	case reflect.Map:
		if typ.Key().Kind() != reflect.String {
			return &Error{path.String(), "unsupported map key type"}
		}
	case reflect.Interface:
	default:
		return &Error{path.String(), "want " + kindName(typ) + ", got an object"}
	}
	// The keys seen so far: a struct's by field number, others by name.
	var seenField []bool
	var seen map[string]bool
	if fields != nil {
		seenField = make([]bool, len(fields))
	} else {
		seen = map[string]bool{}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(path, err)
		}
		key := tok.(string)
		sub := &jpath{parent: path, key: key}
		var ft reflect.Type
		switch {
		case slices.Contains(ignore, key):
			if seen == nil {
				seen = map[string]bool{}
			}
			if seen[key] {
				return &Error{sub.String(), "duplicate key: each field may appear once"}
			}
			seen[key] = true
			ft = reflect.TypeFor[any]()
		case typ.Kind() == reflect.Struct:
			f, ok := fields[key]
			if !ok {
				return &Error{sub.String(), "unknown field: check its spelling against the documented format"}
			}
			if seenField[f.n] {
				return &Error{sub.String(), "duplicate key: each field may appear once"}
			}
			seenField[f.n] = true
			ft = f.typ
		case typ.Kind() == reflect.Map:
			ft = typ.Elem()
		default:
			ft = typ
		}
		if fields == nil {
			if seen[key] {
				return &Error{sub.String(), "duplicate key: each field may appear once"}
			}
			seen[key] = true
		}
		if err := walk(dec, ft, sub, nil); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	return syntaxError(path, err)
}

// field is a struct field's type and its number among the struct's JSON
// fields.
type field struct {
	typ reflect.Type
	n   int
}

// fieldCache holds structFields by type: a document of many objects of
// one type (a definition's stations) asks for the same map each time.
var fieldCache sync.Map // reflect.Type → map[string]field

// structFields maps the JSON names of a struct's exported fields to their
// types and numbers. Names are matched exactly: the case-insensitive
// matching encoding/json does would let two spellings mean one field.
func structFields(typ reflect.Type) map[string]field {
	if m, ok := fieldCache.Load(typ); ok {
		return m.(map[string]field)
	}
	types := fieldTypes(typ)
	m := make(map[string]field, len(types))
	for name, t := range types {
		m[name] = field{t, len(m)}
	}
	fieldCache.Store(typ, m)
	return m
}

// fieldTypes maps the JSON names of a struct's exported fields to types.
func fieldTypes(typ reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range fieldTypes(f.Type) {
				m[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

func checkNumber(n json.Number, typ reflect.Type, path *jpath) error {
	switch typ.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || reflect.Zero(typ).OverflowInt(i) {
			return &Error{path.String(), fmt.Sprintf("%s is not a whole number that fits in %d bits", n, typ.Bits())}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || reflect.Zero(typ).OverflowUint(u) {
			return &Error{path.String(), fmt.Sprintf("%s is not a non-negative whole number that fits in %d bits", n, typ.Bits())}
		}
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(f, 0) {
			return &Error{path.String(), fmt.Sprintf("%s is not a finite number", n)}
		}
	case reflect.Interface:
	default:
		return &Error{path.String(), "want " + kindName(typ) + ", got a number"}
	}
	return nil
}

func kindName(typ reflect.Type) string {
	switch typ.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Interface:
		return "a value"
	default:
		return "a number"
	}
}

func syntaxError(path *jpath, err error) error {
	if err == nil {
		return nil
	}
	if err == io.EOF {
		return &Error{path.String(), "unexpected end of JSON: the document is truncated"}
	}
	return &Error{path.String(), "malformed JSON: " + err.Error()}
}
