package strictjson

import (
	"strings"
	"testing"
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

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"name":"a","items":[{"n":1,"u":2}],"map":{"x":1},"ok":false}`))
	f.Add([]byte(`{"items":[{"tags":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v outer
		if err := Decode(data, &v); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}
