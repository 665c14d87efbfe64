package strictjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// The fast path. DecodeIgnoring checks a document with encoding/json's
// tokenizer and then decodes it again with encoding/json: two slow passes,
// which a national election's definition (megabytes, parsed by every
// verifier) pays on the sequential path. decodeFast decodes in one pass
// straight into the destination, for the types and documents it knows, and
// gives up (returns false) at anything else: a rule broken, a syntax error,
// a type it does not handle (pointers, interfaces, floats, byte slices,
// embedded structs, tag options, custom unmarshalers), a string with an
// escaped surrogate. Then the destination is reset and the two-pass path
// decodes the document and, when it is bad, reports its error: every error
// comes from that path, so the errors are the same with and without the
// fast path. What decodeFast accepts, the two-pass path accepts and decodes
// to an equal value (FuzzDecode checks both).

// plan is how the fast path decodes into one type.
type plan struct {
	kind   reflect.Kind
	ok     bool           // false: the fast path does not handle this type
	elem   *plan          // of a slice or a map
	fields map[string]int // of a struct: JSON name → index in both slices below
	index  []int          // of a struct: the Go field of each JSON field
	sub    []*plan        // of a struct: the plan of each JSON field
}

var (
	planMu sync.Mutex
	plans  = map[reflect.Type]*plan{}
)

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// planFor returns the plan for typ, building and caching it.
func planFor(typ reflect.Type) *plan {
	planMu.Lock()
	defer planMu.Unlock()
	return buildPlan(typ)
}

// buildPlan builds typ's plan with planMu held. A type's plan is stored
// before its parts are built, so a recursive type refers to itself; it is
// marked ok only when every part is, and a recursive type that refers to
// a plan still being built is left to the two-pass path.
func buildPlan(typ reflect.Type) *plan {
	if p, ok := plans[typ]; ok {
		return p
	}
	p := &plan{kind: typ.Kind()}
	plans[typ] = p
	if typ.Implements(jsonUnmarshaler) || typ.Implements(textUnmarshaler) ||
		reflect.PointerTo(typ).Implements(jsonUnmarshaler) || reflect.PointerTo(typ).Implements(textUnmarshaler) {
		return p
	}
	switch typ.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p.ok = true
	case reflect.Slice:
		if typ.Elem().Kind() == reflect.Uint8 { // encoding/json reads base64 strings into byte slices
			return p
		}
		p.elem = buildPlan(typ.Elem())
		p.ok = p.elem.ok
	case reflect.Map:
		if typ.Key().Kind() != reflect.String || typ.Key().Implements(textUnmarshaler) || reflect.PointerTo(typ.Key()).Implements(textUnmarshaler) {
			return p
		}
		p.elem = buildPlan(typ.Elem())
		p.ok = p.elem.ok
	case reflect.Struct:
		p.fields = map[string]int{}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Anonymous {
				return p // encoding/json's rules for embedded fields are the two-pass path's
			}
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" && opts == "" {
				continue
			}
			for _, o := range strings.Split(opts, ",") {
				if o != "" && o != "omitempty" && o != "omitzero" {
					return p // ",string" and the like change how a value is read
				}
			}
			if name == "" {
				name = f.Name
			}
			if !plainName(name) {
				return p // encoding/json ignores a tag name it finds invalid
			}
			if _, dup := p.fields[name]; dup {
				return p // encoding/json drops both fields
			}
			sub := buildPlan(f.Type)
			if !sub.ok {
				return p
			}
			p.fields[name] = len(p.index)
			p.index = append(p.index, i)
			p.sub = append(p.sub, sub)
		}
		p.ok = true
	}
	return p
}

// plainName reports whether a JSON field name is made only of ASCII
// letters, digits and underscores: a name encoding/json takes as it is.
func plainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// maxFastDepth bounds how deeply the fast path skips nested ignored
// values; deeper documents are the two-pass path's.
const maxFastDepth = 1000

// fastDecoder reads one document; pos is the next byte.
type fastDecoder struct {
	data []byte
	pos  int
}

// decodeFast decodes data into v (addressable, zero) and reports whether
// it could; see the comment at the top of this file.
func decodeFast(data []byte, v reflect.Value, ignore []string) bool {
	p := planFor(v.Type())
	if !p.ok {
		return false
	}
	if len(ignore) > 0 {
		// An ignored key the struct also has, in any case, would be
		// decoded by encoding/json.
		if p.kind != reflect.Struct {
			return false
		}
		for name := range p.fields {
			if slices.ContainsFunc(ignore, func(k string) bool { return strings.EqualFold(k, name) }) {
				return false
			}
		}
	}
	d := fastDecoder{data: data}
	d.space()
	if !d.value(v, p, ignore) {
		return false
	}
	d.space()
	return d.pos == len(d.data)
}

func (d *fastDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value decodes the next value into v, of plan p; ignore names the keys
// of a top-level object that are skipped.
func (d *fastDecoder) value(v reflect.Value, p *plan, ignore []string) bool {
	if d.pos >= len(d.data) {
		return false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(v, p, ignore)
	case c == '[':
		if p.kind != reflect.Slice {
			return false
		}
		return d.array(v, p)
	case c == '"':
		if p.kind != reflect.String {
			return false
		}
		s, ok := d.str()
		if ok {
			v.SetString(s)
		}
		return ok
	case c == 'n':
		if !d.literal("null") {
			return false
		}
		switch p.kind {
		case reflect.Slice, reflect.Map:
			v.SetZero()
			return true
		}
		return false
	case c == 't' || c == 'f':
		if p.kind != reflect.Bool {
			return false
		}
		if d.literal("true") {
			v.SetBool(true)
			return true
		}
		return d.literal("false") // v is false already
	case c == '-' || '0' <= c && c <= '9':
		return d.number(v, p)
	}
	return false
}

func (d *fastDecoder) literal(lit string) bool {
	if !strings.HasPrefix(string(d.data[d.pos:min(len(d.data), d.pos+len(lit))]), lit) {
		return false
	}
	d.pos += len(lit)
	return true
}

func (d *fastDecoder) object(v reflect.Value, p *plan, ignore []string) bool {
	if p.kind != reflect.Struct && p.kind != reflect.Map {
		return false
	}
	var seen []bool
	var seenIgnored []string
	switch p.kind {
	case reflect.Struct:
		seen = make([]bool, len(p.index))
	case reflect.Map:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
	}
	if d.empty('}') {
		return true
	}
	for {
		key, ok := d.key()
		if !ok {
			return false
		}
		switch {
		case slices.Contains(ignore, key):
			if slices.Contains(seenIgnored, key) {
				return false
			}
			seenIgnored = append(seenIgnored, key)
			if !d.skip(0) {
				return false
			}
		case p.kind == reflect.Struct:
			i, ok := p.fields[key]
			if !ok || seen[i] {
				return false
			}
			seen[i] = true
			if !d.value(v.Field(p.index[i]), p.sub[i], nil) {
				return false
			}
		default: // a map
			kv := reflect.ValueOf(key).Convert(v.Type().Key())
			if v.MapIndex(kv).IsValid() {
				return false // a duplicate key
			}
			ev := reflect.New(v.Type().Elem()).Elem()
			if !d.value(ev, p.elem, nil) {
				return false
			}
			v.SetMapIndex(kv, ev)
		}
		if more, ok := d.more('}'); !more {
			return ok
		}
	}
}

// empty passes the opening bracket at d.pos and reports whether the
// closing one follows (and passes it too).
func (d *fastDecoder) empty(closing byte) bool {
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == closing {
		d.pos++
		return true
	}
	return false
}

// key reads an object's key and the colon after it.
func (d *fastDecoder) key() (string, bool) {
	d.space()
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", false
	}
	key, ok := d.str()
	if !ok {
		return "", false
	}
	d.space()
	if d.pos >= len(d.data) || d.data[d.pos] != ':' {
		return "", false
	}
	d.pos++
	d.space()
	return key, true
}

// more reads what follows a value in an object or an array: a comma
// (more is true) or the closing bracket (ok is true); anything else is
// neither.
func (d *fastDecoder) more(closing byte) (more, ok bool) {
	d.space()
	if d.pos >= len(d.data) {
		return false, false
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		return true, true
	case closing:
		d.pos++
		return false, true
	}
	return false, false
}

func (d *fastDecoder) array(v reflect.Value, p *plan) bool {
	v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // an empty array is an empty slice, not nil
	if d.empty(']') {
		return true
	}
	for n := 0; ; n++ {
		if n == v.Cap() {
			v.Grow(1)
		}
		v.SetLen(n + 1)
		e := v.Index(n)
		e.SetZero() // Grow does not promise zeroed elements
		d.space()
		if !d.value(e, p.elem, nil) {
			return false
		}
		if more, ok := d.more(']'); !more {
			return ok
		}
	}
}

// numberEnd returns the end of the JSON number at d.pos, or -1 when the
// bytes there are not one.
func (d *fastDecoder) numberEnd() int {
	i, b := d.pos, d.data
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return -1
		}
	}
	return i
}

func (d *fastDecoder) number(v reflect.Value, p *plan) bool {
	end := d.numberEnd()
	if end < 0 {
		return false
	}
	lit := string(d.data[d.pos:end])
	switch p.kind {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(lit, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(lit, 10, 64)
		if err != nil || v.OverflowUint(n) {
			return false
		}
		v.SetUint(n)
	default:
		return false
	}
	d.pos = end
	return true
}

// str reads the string at d.pos (at its opening quote).
func (d *fastDecoder) str() (string, bool) {
	b := d.data
	i := d.pos + 1
	start := i
	for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
		i++
	}
	if i < len(b) && b[i] == '"' {
		d.pos = i + 1
		return string(b[start:i]), true
	}
	// Escapes: build the string.
	out := append([]byte(nil), b[start:i]...)
	for i < len(b) {
		switch c := b[i]; {
		case c == '"':
			d.pos = i + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return "", false
		}
		switch b[i+1] {
		case '"', '\\', '/':
			out = append(out, b[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+6 > len(b) {
				return "", false
			}
			var r rune
			for _, h := range b[i+2 : i+6] {
				switch {
				case '0' <= h && h <= '9':
					r = r<<4 | rune(h-'0')
				case 'a' <= h && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				case 'A' <= h && h <= 'F':
					r = r<<4 | rune(h-'A'+10)
				default:
					return "", false
				}
			}
			if utf16.IsSurrogate(r) {
				return "", false // surrogates, paired or not, are the two-pass path's
			}
			out = utf8.AppendRune(out, r)
			i += 6
			continue
		default:
			return "", false
		}
		i += 2
	}
	return "", false
}

// skip passes over one valid JSON value of any kind.
func (d *fastDecoder) skip(depth int) bool {
	if d.pos >= len(d.data) || depth > maxFastDepth {
		return false
	}
	switch c := d.data[d.pos]; {
	case c == '"':
		_, ok := d.str()
		return ok
	case c == 'n':
		return d.literal("null")
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == '-' || '0' <= c && c <= '9':
		end := d.numberEnd()
		if end < 0 {
			return false
		}
		d.pos = end
		return true
	case c == '[' || c == '{':
		closing := byte(']')
		if c == '{' {
			closing = '}'
		}
		if d.empty(closing) {
			return true
		}
		keys := map[string]bool{} // an object's, each allowed once
		for {
			if c == '{' {
				key, ok := d.key()
				if !ok || keys[key] {
					return false
				}
				keys[key] = true
			} else {
				d.space()
			}
			if !d.skip(depth + 1) {
				return false
			}
			if more, ok := d.more(closing); !more {
				return ok
			}
		}
	}
	return false
}
