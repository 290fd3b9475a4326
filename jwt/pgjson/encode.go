package pgjson

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
)

// producer selects the text layout of one of PostgreSQL's json producers.
type producer uint8

const (
	rowToJSON   producer = iota // row_to_json: {"a":1,"b":2}
	buildObject                 // json_build_object: {"a" : 1, "b" : 2}
)

// encoder renders Go values for the json producers (RowToJSON, BuildObject);
// JSONB has its own tree in jsonb.go.
type encoder struct {
	p     producer
	major int // PostgreSQL major whose numeric_in to follow
}

func (e encoder) appendObject(dst []byte, o Object, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return dst, ErrTooDeep
	}
	dst = append(dst, '{')
	var err error
	for i, m := range o {
		if i > 0 {
			if e.p == buildObject {
				dst = append(dst, ", "...)
			} else {
				dst = append(dst, ',')
			}
		}
		if e.p == rowToJSON {
			if err = checkColumnName(m.Key); err != nil {
				return dst, err
			}
			dst = appendString(dst, m.Key)
		} else if dst, err = appendText(dst, m.Key); err != nil {
			return dst, err
		}
		if e.p == buildObject {
			dst = append(dst, " : "...)
		} else {
			dst = append(dst, ':')
		}
		if dst, err = e.appendValue(dst, m.Value, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendValue renders v as datum_to_json renders the PostgreSQL value it
// stands for.
func (e encoder) appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendText(dst, v)
	case bool:
		return strconv.AppendBool(dst, v), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case float64:
		return appendFloatJSON(dst, v, 64), nil
	case float32:
		return appendFloatJSON(dst, float64(v), 32), nil
	case Numeric:
		out, special, err := appendNumeric(dst, string(v), e.major)
		if special != "" {
			// numeric_out's NaN/Infinity are no JSON numbers: to_json quotes them.
			return appendString(out, special), nil
		}
		return out, err
	case time.Time:
		return appendTimestamptz(dst, v)
	case json.RawMessage:
		if v == nil {
			return append(dst, "null"...), nil
		}
		if err := validateJSON(v); err != nil {
			return dst, err
		}
		// A json datum is output as the text it was given, white space and all.
		return append(dst, v...), nil
	case []byte:
		if v == nil {
			return append(dst, "null"...), nil
		}
		return appendBytea(dst, v), nil
	case Object:
		if v == nil {
			return append(dst, "null"...), nil
		}
		return e.appendObject(dst, v, depth)
	case []any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		if depth >= MaxDepth {
			return dst, ErrTooDeep
		}
		dst = append(dst, '[')
		var err error
		for i, x := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = e.appendValue(dst, x, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
	return e.appendReflect(dst, reflect.ValueOf(v), depth)
}

// appendReflect handles the kinds the type switch above does not name:
// named types, the remaining integer widths, pointers, and typed slices.
func (e encoder) appendReflect(dst []byte, rv reflect.Value, depth int) ([]byte, error) {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		if depth >= MaxDepth {
			return dst, ErrTooDeep
		}
		return e.appendValue(dst, rv.Elem().Interface(), depth+1)
	case reflect.String:
		return e.appendValue(dst, rv.String(), depth)
	case reflect.Bool:
		return strconv.AppendBool(dst, rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.Float64:
		return appendFloatJSON(dst, rv.Float(), 64), nil
	case reflect.Float32:
		return appendFloatJSON(dst, rv.Float(), 32), nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return append(dst, "null"...), nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return appendBytea(dst, byteSlice(rv)), nil
		}
		if depth >= MaxDepth {
			return dst, ErrTooDeep
		}
		dst = append(dst, '[')
		var err error
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = e.appendValue(dst, rv.Index(i).Interface(), depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
	return dst, unsupported(rv)
}

func unsupported(rv reflect.Value) error {
	return ErrUnsupportedType.With("unsupported Go type " + rv.Type().String())
}

// byteSlice copies a byte slice or array of any named type out of rv.
func byteSlice(rv reflect.Value) []byte {
	b := make([]byte, rv.Len())
	for i := range b {
		b[i] = byte(rv.Index(i).Uint())
	}
	return b
}

// appendFloatJSON renders a float as datum_to_json does: float8out's text
// when it is a JSON number, else (NaN, Infinity, -Infinity) that text quoted.
func appendFloatJSON(dst []byte, f float64, bits int) []byte {
	out, special := appendFloat(dst, f, bits)
	if special != "" {
		return appendString(out, special)
	}
	return out
}

// appendBytea renders bytea as to_json does with the default
// bytea_output=hex: the text \x followed by lower-case hex, whose backslash
// the JSON string escapes.
func appendBytea(dst []byte, b []byte) []byte {
	dst = append(dst, `"\\x`...)
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(dst, '"')
}

// maxIdentifierBytes is NAMEDATALEN-1: PostgreSQL truncates longer
// identifiers.
const maxIdentifierBytes = 63

// checkColumnName refuses keys that a column alias cannot spell exactly.
func checkColumnName(key string) error {
	if err := checkText(key); err != nil {
		return err
	}
	if key == "" {
		return ErrEmptyColumnName
	}
	if len(key) > maxIdentifierBytes {
		// PostgreSQL would truncate the alias (with only a NOTICE) at a
		// character boundary, and row_to_json would then emit another key.
		n := maxIdentifierBytes
		for n > 0 && !utf8.RuneStart(key[n]) {
			n--
		}
		return ErrColumnNameTooLong.With(`identifier "` + key + `" will be truncated to "` + key[:n] + `"`)
	}
	return nil
}

// estimate guesses the output size of o so that the common case allocates
// the result once.
func estimate(o Object) int {
	n := 2
	for _, m := range o {
		n += len(m.Key) + 8
		switch v := m.Value.(type) {
		case string:
			n += len(v) + 2 + len(v)/8
		case json.RawMessage:
			n += len(v)
		case time.Time:
			n += 36
		default:
			n += 24
		}
	}
	return min(n, 1<<20)
}
