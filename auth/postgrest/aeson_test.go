package postgrest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzParseJSON checks the claims parser against encoding/json: on valid
// UTF-8 both accept the same texts and build the same values (numbers as
// json.Number text, last duplicate member winning).
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":1,"a":2}`, `{"role":"x","exp":1.5e9}`, `"\ud83d\ude00"`, `"\ud800"`,
		`01`, `-0`, `1.`, `1e+`, `[1,]`, `{"a" : [true, false, null] } `, "\"\t\"", `"\u00e9\/"`, ` 12 `, `{"a":{"b":[[]]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := parseJSON(data)
		if !utf8.Valid(data) {
			if ok {
				t.Fatalf("accepted invalid UTF-8 %q", data)
			}
			return
		}
		if ok != json.Valid(data) {
			t.Fatalf("%q: parseJSON ok=%v, json.Valid=%v", data, ok, json.Valid(data))
		}
		if !ok {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, want %#v", data, got, want)
		}
	})
}

func TestParseJSONDepth(t *testing.T) {
	deep := bytes.Repeat([]byte("["), maxJSONDepth+2)
	deep = append(deep, bytes.Repeat([]byte("]"), maxJSONDepth+2)...)
	if _, ok := parseJSON(deep); ok {
		t.Fatal("nesting beyond the limit accepted")
	}
}
