package pgjson_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// How Go values outside the basic kinds are taken (no server needed: each
// maps onto a kind the server checks cover).
func TestGoTypes(t *testing.T) {
	type role string
	type level uint8
	type ratio float32
	type flag bool
	n := int64(42)
	var nilPtr *int64
	var nilAny any
	cases := []struct {
		v    any
		json string
		b    string // JSONB of {"v": v}
	}{
		{role("anon"), `"anon"`, `{"v": "anon"}`},
		{level(7), `7`, `{"v": 7}`},
		{ratio(0.5), `0.5`, `{"v": 0.5}`},
		{flag(true), `true`, `{"v": true}`},
		{&n, `42`, `{"v": 42}`},
		{nilPtr, `null`, `{"v": null}`},
		{&nilAny, `null`, `{"v": null}`},
		{uintptr(9), `9`, `{"v": 9}`},
		{uint64(18446744073709551615), `18446744073709551615`, `{"v": 18446744073709551615}`},
		{[2]byte{0xab, 0x01}, `"\\xab01"`, `{"v": "\\xab01"}`},
		{[]byte(nil), `null`, `{"v": null}`},
		{[]byte{}, `"\\x"`, `{"v": "\\x"}`},
		{json.RawMessage(nil), `null`, `{"v": null}`},
		{pgjson.Object(nil), `null`, `{"v": null}`},
		{pgjson.Object{}, `{}`, `{"v": {}}`},
		{[]any(nil), `null`, `{"v": null}`},
		{[]any{}, `[]`, `{"v": []}`},
		{[][]int{{1, 2}, {3}}, `[[1,2],[3]]`, `{"v": [[1, 2], [3]]}`},
		{[]*string{nil}, `[null]`, `{"v": [null]}`},
		{[]role{"a", "b"}, `["a","b"]`, `{"v": ["a", "b"]}`},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)), `"2026-01-02T02:04:05+00:00"`, `{"v": "2026-01-02T02:04:05+00:00"}`},
	}
	for _, c := range cases {
		got, err := pgjson.ToJSON(c.v)
		if err != nil || string(got) != c.json {
			t.Errorf("ToJSON(%#v) = %s, %v; want %s", c.v, got, err, c.json)
		}
		got, err = pgjson.JSONB(pgjson.Object{{Key: "v", Value: c.v}})
		if err != nil || string(got) != c.b {
			t.Errorf("JSONB(%#v) = %s, %v; want %s", c.v, got, err, c.b)
		}
	}
}

func TestUnsupportedTypes(t *testing.T) {
	type point struct{ X, Y int }
	for _, v := range []any{map[string]any{"a": 1}, make(chan int), point{1, 2}, func() {}, complex(1, 2), []any{1, map[int]int{}}} {
		for _, render := range []func(pgjson.Object) ([]byte, error){pgjson.RowToJSON, pgjson.BuildObject, pgjson.JSONB} {
			out, err := render(pgjson.Object{{Key: "v", Value: v}})
			if !errors.Is(err, pgjson.ErrUnsupportedType) || out != nil {
				t.Errorf("%T: %q, %v", v, out, err)
			}
		}
	}
}

// Errors carry PostgreSQL's SQLSTATE and message and match their sentinel;
// the Append functions leave dst as it was.
func TestErrors(t *testing.T) {
	cases := []struct {
		o    pgjson.Object
		want error
		code string
	}{
		{pgjson.Object{{Key: "", Value: 1}}, pgjson.ErrEmptyColumnName, "42601"},
		{pgjson.Object{{Key: string(make([]byte, 64)), Value: 1}}, pgjson.ErrInvalidEncoding, "22021"},
		{pgjson.Object{{Key: "k", Value: "\xff"}}, pgjson.ErrInvalidEncoding, "22021"},
		{pgjson.Object{{Key: "k", Value: pgjson.Numeric("1e")}}, pgjson.ErrNumericSyntax, "22P02"},
		{pgjson.Object{{Key: "k", Value: pgjson.Numeric("1e200000")}}, pgjson.ErrNumericOverflow, "22003"},
		{pgjson.Object{{Key: "k", Value: time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)}}, pgjson.ErrTimestampRange, "22008"},
		{pgjson.Object{{Key: "k", Value: json.RawMessage(`{`)}}, pgjson.ErrInvalidJSON, "22P02"},
	}
	for _, c := range cases {
		dst := []byte("prefix")
		out, err := pgjson.AppendRowToJSON(dst, c.o)
		var coded interface{ SQLState() string }
		if !errors.Is(err, c.want) || !errors.As(err, &coded) || coded.SQLState() != c.code || string(out) != "prefix" {
			t.Errorf("%#v: %q, %v", c.o, out, err)
		}
	}
	long := pgjson.Object{{Key: "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", Value: 1}}
	if _, err := pgjson.RowToJSON(long); !errors.Is(err, pgjson.ErrColumnNameTooLong) {
		t.Errorf("64-byte key: %v", err)
	}
	if _, err := pgjson.BuildObject(long); err != nil {
		t.Errorf("64-byte key in json_build_object: %v", err)
	}
	if _, err := pgjson.JSONB(pgjson.Object{{Key: "k", Value: json.RawMessage(`"\u0000"`)}}); !errors.Is(err, pgjson.ErrUnicodeEscape) {
		t.Errorf(`jsonb \u0000: %v`, err)
	}
	if _, err := pgjson.EpochSeconds(time.Date(2038, 1, 19, 3, 14, 7, 500000000, time.UTC)); !errors.Is(err, pgjson.ErrIntegerRange) {
		t.Errorf("2038: %v", err)
	}
}
