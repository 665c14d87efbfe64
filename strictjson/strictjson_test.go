package strictjson

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

type inner struct {
	N    int64    `json:"n"`
	U    uint8    `json:"u"`
	Tags []string `json:"tags,omitempty"`
}

type outer struct {
	Name  string           `json:"name"`
	Items []inner          `json:"items"`
	Map   map[string]int32 `json:"map,omitempty"`
	Ok    bool             `json:"ok"`
}

func TestDecodeRefuses(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"name":"a","name":"b"}`, `$.name: duplicate key`},
		{`{"nmae":"a"}`, `$.nmae: unknown field`},
		{`{"Name":"a"}`, `$.Name: unknown field`},
		{`{"items":[{"n":1},{"n":1.5}]}`, `$.items[1].n: 1.5 is not a whole number`},
		{`{"items":[{"u":256}]}`, `$.items[0].u: 256 is not a non-negative whole number that fits in 8 bits`},
		{`{"items":[{"u":-1}]}`, `$.items[0].u: -1 is not a non-negative`},
		{`{"items":[{"n":99999999999999999999}]}`, `$.items[0].n: 99999999999999999999 is not a whole number`},
		{`{"items":{"n":1}}`, `$.items: want an array, got an object`},
		{`{"name":7}`, `$.name: want a string, got a number`},
		{`{"ok":"yes"}`, `$.ok: want a boolean, got a string`},
		{`{"map":{"a":1,"a":2}}`, `$.map.a: duplicate key`},
		{`{"name":"a"} {}`, `$: unexpected data after the top-level value`},
		{`{"name":"a"`, `$: unexpected end of JSON`},
		{"{\"name\":\"\xff\"}", `$: invalid UTF-8`},
		{`{"items":[{"tags":[1]}]}`, `$.items[0].tags[0]: want a string, got a number`},
		{`[]`, `$: want an object, got an array`},
	}
	for _, c := range cases {
		var v outer
		err := Decode([]byte(c.in), &v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%s) = %v, want error containing %q", c.in, err, c.want)
		}
	}
}

func TestDecodeAccepts(t *testing.T) {
	var v outer
	in := `{"name":"اسلام آباد","items":[{"n":-5,"u":255,"tags":["x"]}],"map":{"k":7},"ok":true}`
	if err := Decode([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.Name != "اسلام آباد" || v.Items[0].N != -5 || v.Items[0].U != 255 || v.Map["k"] != 7 || !v.Ok {
		t.Fatalf("decoded %+v", v)
	}
}

// ignoring is outer with a top-level key the caller reads itself.
const ignored = "kind"

// FuzzDecode checks that Decode fails only with an *Error, and that the
// fast path changes nothing: what it accepts the two-pass path accepts
// with an equal value, and Decode gives the two-pass path's result,
// value or error, with and without an ignored key.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"name":"a","items":[{"n":1,"u":2}],"map":{"x":1},"ok":false}`))
	f.Add([]byte(`{"items":[{"tags":null}]}`))
	f.Add([]byte(`{"name":"a\u0026b\n\"\/\\","items":[],"map":null}`))
	f.Add([]byte(`{"name":"\ud83d\ude00"}`))
	f.Add([]byte(`{"kind":{"a":[1,-2.5e3,true,null,{"b":"c"}]},"name":"x"}`))
	f.Add([]byte(`{"kind":{"a":1,"a":2}}`))
	f.Add([]byte(` {"items":[{"n":-0,"u":0,"tags":["", "x"]}]} `))
	f.Add([]byte(`{"map":{"k":1,"k":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ignore := range [][]string{nil, {ignored}} {
			var v outer
			err := DecodeIgnoring(data, &v, ignore...)
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error of type %T: %v", err, err)
				}
			}
			if !utf8.Valid(data) {
				continue
			}
			var slow outer
			slowErr := decodeTwoPass(data, reflect.ValueOf(&slow), ignore)
			if fmt.Sprint(err) != fmt.Sprint(slowErr) || !reflect.DeepEqual(v, slow) {
				t.Fatalf("ignoring %q: Decode gives %+v, %v; the two-pass path %+v, %v", ignore, v, err, slow, slowErr)
			}
			var fast outer
			if decodeFast(data, reflect.ValueOf(&fast).Elem(), ignore) && (slowErr != nil || !reflect.DeepEqual(fast, slow)) {
				t.Fatalf("ignoring %q: the fast path accepts %+v; the two-pass path gives %+v, %v", ignore, fast, slow, slowErr)
			}
		}
	})
}

// TestFastPath checks that the fast path decodes the documents it is for
// (else Decode is as slow as before, and FuzzDecode compares nothing)
// and leaves the rest to the two-pass path, which decodes them.
func TestFastPath(t *testing.T) {
	type withFloat struct {
		F float64 `json:"f"`
	}
	type withString struct {
		N int64 `json:"n,string"`
	}
	cases := []struct {
		doc    string
		dst    any
		ignore []string
		fast   bool
	}{
		{`{"name":"اسلام آباد","items":[{"n":-5,"u":255,"tags":["x"]}],"map":{"k":7},"ok":true}`, &outer{}, nil, true},
		{`{"name":"a\u0026b\t","items":[],"map":null,"ok":false}`, &outer{}, nil, true},
		{`{"kind":[{"x":1e5}],"name":"a"}`, &outer{}, []string{ignored}, true},
		{`{"name":"\ud83d\ude00"}`, &outer{}, nil, false}, // a surrogate pair
		{`{"f":1.5}`, &withFloat{}, nil, false},
		{`{"n":"12"}`, &withString{}, nil, false},      // refused, as before
		{`{"name":"a"}`, &outer{Ok: true}, nil, false}, // not a zero destination
	}
	for _, c := range cases {
		dst := reflect.ValueOf(c.dst).Elem()
		if dst.IsZero() {
			if got := decodeFast([]byte(c.doc), dst, c.ignore); got != c.fast {
				t.Errorf("fast path on %s into %T: %v, want %v", c.doc, c.dst, got, c.fast)
			}
			dst.SetZero()
		}
		want := reflect.New(dst.Type())
		want.Elem().Set(dst)
		wantErr := decodeTwoPass([]byte(c.doc), want, c.ignore)
		err := DecodeIgnoring([]byte(c.doc), c.dst, c.ignore...)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(c.dst, want.Interface()) {
			t.Errorf("Decode(%s) into %T: %+v, %v; the two-pass path %+v, %v", c.doc, c.dst, c.dst, err, want, wantErr)
		}
	}
}

// BenchmarkDecode decodes a document of 10,000 objects (a national
// definition has some 90,000) with Decode and with the two-pass path
// alone: x-two-pass is how many times faster Decode is.
func BenchmarkDecode(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`{"name":"national","items":[`)
	for i := range 10000 {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"n":%d,"u":%d,"tags":["NA-%d","PS-%d"]}`, i*37, i%256, i%336, i%577)
	}
	doc.WriteString(`],"ok":true}`)
	data := []byte(doc.String())
	var fast, slow float64
	for b.Loop() {
		t0 := time.Now()
		var v outer
		if err := Decode(data, &v); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		var w outer
		if err := decodeTwoPass(data, reflect.ValueOf(&w), nil); err != nil {
			b.Fatal(err)
		}
		fast += t1.Sub(t0).Seconds()
		slow += time.Since(t1).Seconds()
	}
	b.ReportMetric(slow/fast, "x-two-pass")
}
