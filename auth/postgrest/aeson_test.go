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
// json.Number text, the first duplicate member winning as in aeson ≥ 2.2;
// encoding/json's tokens are assembled by firstWins for that).
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
		want, err := firstWins(dec)
		if err != nil {
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

// firstWins builds the next value of dec from its tokens, keeping the first
// of duplicate member names.
func firstWins(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := firstWins(dec)
			if err != nil {
				return nil, err
			}
			if _, dup := m[k.(string)]; !dup {
				m[k.(string)] = v
			}
		}
		_, err = dec.Token() // '}'
		return m, err
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := firstWins(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err = dec.Token() // ']'
		return a, err
	}
	return tok, nil
}

func TestParseJSONFirstDuplicateWins(t *testing.T) {
	for text, want := range map[string]any{
		`{"a":1,"a":2}`:                  map[string]any{"a": json.Number("1")},
		`{"a":{"b":1,"b":2},"a":3}`:      map[string]any{"a": map[string]any{"b": json.Number("1")}},
		`[{"x":"\u0041","x":"B"}]`:       []any{map[string]any{"x": "A"}},
		`{"a":"first","b":0,"a":"last"}`: map[string]any{"a": "first", "b": json.Number("0")},
	} {
		got, ok := parseJSON([]byte(text))
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, %v; want %#v", text, got, ok, want)
		}
	}
	// A later duplicate is dropped but must still be valid JSON.
	if _, ok := parseJSON([]byte(`{"a":1,"a":01}`)); ok {
		t.Error(`{"a":1,"a":01} accepted`)
	}
}
