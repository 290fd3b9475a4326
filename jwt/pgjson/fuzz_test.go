package pgjson_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// FuzzProducers: no panics; the json producers' output is valid JSON; and
// JSONB of an object equals JSONB of BuildObject's text read back as json,
// which is what json_build_object(...)::jsonb does on the server.
func FuzzProducers(f *testing.F) {
	for _, v := range loadVectors(f).Vectors {
		for _, m := range v.Members {
			var s string
			_ = json.Unmarshal(m.Value, &s)
			f.Add(m.Key, s, []byte(s), s, 1.5, int64(len(s)), int64(1764097300), int64(123456789))
		}
	}
	f.Add("exp", "a<b>&\u2028", []byte(`{"a":[1.0,2e3]}`), "-1.50e-3", math.Inf(1), int64(math.MinInt64), int64(-62135596800), int64(999999999))
	f.Fuzz(func(t *testing.T, key, s string, raw []byte, num string, fl float64, n, sec, nsec int64) {
		o := pgjson.Object{
			{Key: key, Value: s},
			{Key: "raw", Value: json.RawMessage(raw)},
			{Key: "num", Value: pgjson.Numeric(num)},
			{Key: "f8", Value: fl},
			{Key: "f4", Value: float32(fl)},
			{Key: "n", Value: n},
			{Key: "t", Value: time.Unix(sec, nsec)},
			{Key: key, Value: pgjson.Object{{Key: s, Value: []any{n, s, nil, true}}}},
			{Key: "b", Value: raw},
		}
		for _, produce := range []func(pgjson.Object) ([]byte, error){pgjson.RowToJSON, pgjson.BuildObject} {
			if out, err := produce(o); err == nil && !json.Valid(out) {
				t.Fatalf("invalid JSON: %s", out)
			}
		}
		built, berr := pgjson.BuildObject(o)
		jb, jerr := pgjson.JSONB(o)
		if jerr == nil && !json.Valid(jb) {
			t.Fatalf("invalid JSON from JSONB: %s", jb)
		}
		if berr == nil {
			viaText, err := pgjson.ToJSONB(json.RawMessage(built))
			if (err == nil) != (jerr == nil) || (err == nil && !bytes.Equal(viaText, jb)) {
				t.Fatalf("JSONB %s (%v) but via json text %s (%v)", jb, jerr, viaText, err)
			}
		}
		_, _ = pgjson.EpochSeconds(time.Unix(sec, nsec))
	})
}

// FuzzRawJSON: a json.RawMessage is accepted exactly when it is valid JSON
// (PostgreSQL's json grammar is RFC 8259, as encoding/json's) and valid text
// (UTF-8 without NUL), at any depth (encoding/json stops at 10,000 levels).
func FuzzRawJSON(f *testing.F) {
	for _, v := range loadVectors(f).Vectors {
		for _, m := range v.Members {
			if m.Type == "json" {
				var s string
				_ = json.Unmarshal(m.Value, &s)
				f.Add([]byte(s))
			}
		}
	}
	for _, s := range []string{"", "01", "[1,]", `"\ud800"`, `"\u0000"`, "\xff", " 1 ", "{\"a\":1e999999}", "[" + strings.Repeat("[", 10) + "]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := pgjson.ToJSON(json.RawMessage(raw))
		want := json.Valid(raw) && utf8.Valid(raw) && bytes.IndexByte(raw, 0) < 0
		if (err == nil) != want && depth(raw) <= 10000 {
			t.Fatalf("%q: error %v, but encoding/json says valid=%v", raw, err, want)
		}
		if err == nil && !bytes.Equal(out, raw) {
			t.Fatalf("json not verbatim: %q → %q", raw, out)
		}
		if jb, err := pgjson.ToJSONB(json.RawMessage(raw)); err == nil {
			if !want || !json.Valid(jb) {
				t.Fatalf("%q: jsonb %q", raw, jb)
			}
			again, err := pgjson.ToJSONB(json.RawMessage(jb))
			if err != nil || !bytes.Equal(again, jb) {
				t.Fatalf("jsonb output is not a fixed point: %q → %q (%v)", jb, again, err)
			}
		}
	})
}

// depth is the nesting depth of valid JSON text (brackets outside strings).
func depth(raw []byte) int {
	d, max, inString, escaped := 0, 0, false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == '[' || c == '{'):
			d++
			if d > max {
				max = d
			}
		case !inString && (c == ']' || c == '}'):
			d--
		}
	}
	return max
}

// MaxDepth bounds the nesting of Go values, so that cycles fail; the json
// text of a json.RawMessage may nest deeper, as it may in PostgreSQL.
func TestMaxDepth(t *testing.T) {
	nest := func(n int) any {
		var v any = 1
		for i := 0; i < n; i++ {
			v = []any{v}
		}
		return v
	}
	_, err := pgjson.ToJSON(nest(pgjson.MaxDepth))
	assert.NoError(t, err)
	_, err = pgjson.ToJSON(nest(pgjson.MaxDepth + 1))
	assert.ErrorIs(t, err, pgjson.ErrTooDeep)

	deep := strings.Repeat("[", 10*pgjson.MaxDepth) + strings.Repeat("]", 10*pgjson.MaxDepth)
	for _, render := range []func(any) ([]byte, error){pgjson.ToJSON, pgjson.ToJSONB} {
		out, err := render(json.RawMessage(deep))
		assert.NoError(t, err)
		assert.Equal(t, deep, string(out))
	}

	cycle := []any{nil}
	cycle[0] = cycle
	for _, render := range []func(pgjson.Object) ([]byte, error){pgjson.RowToJSON, pgjson.BuildObject, pgjson.JSONB} {
		_, err := render(pgjson.Object{{Key: "c", Value: cycle}})
		assert.ErrorIs(t, err, pgjson.ErrTooDeep, "cycle")
	}
	var self any
	self = &self
	_, err = pgjson.ToJSON(self)
	assert.ErrorIs(t, err, pgjson.ErrTooDeep, "pointer cycle")
}
