package pgjson

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// JSONB renders o as PostgreSQL prints the jsonb value built from it, as in
//
//	select json_build_object('role', $1::text, 'exp', $2::int8)::jsonb::text
//	{"exp": 1764097300, "role": "anon"}
//
// jsonb keeps one member per key, the last one given, and orders members by
// key length, then bytewise; it writes ": " after keys and ", " between
// members and array elements. Numbers are stored as numeric, so they print
// as numeric_out prints them: float 1e+21 becomes 1000000000000000000000,
// 1e-05 becomes 0.00001, -0 becomes 0, while Numeric("1.50") keeps its
// scale, 1.50. NaN and ±Inf are strings, as in the json producers. Nested
// Objects and json.RawMessage values are normalised the same way (escapes
// decoded and re-encoded, white space replaced); a RawMessage holding \u0000
// or an unpaired surrogate escape is refused as jsonb refuses it. Keys may be
// any text, the empty string included.
func JSONB(o Object) ([]byte, error) {
	return orNil(AppendJSONB(make([]byte, 0, estimate(o)+2*len(o)), o))
}

// AppendJSONB appends JSONB(o) to dst.
func AppendJSONB(dst []byte, o Object) ([]byte, error) {
	return latest.AppendJSONB(dst, o)
}

type jbKind uint8

const (
	jbNull jbKind = iota
	jbBool
	jbNumber
	jbString
	jbArray
	jbObject
)

// jbValue is a jsonb value: text holds a string's de-escaped text, a
// number's numeric_out text, or "true"/"false".
type jbValue struct {
	kind  jbKind
	text  string
	items []jbValue
	pairs []jbPair
}

type jbPair struct {
	key string
	val jbValue
}

// normaliseObject orders pairs as jsonb stores them (shorter keys first,
// then bytewise) and keeps the last pair of each key.
func normaliseObject(pairs []jbPair) []jbPair {
	slices.SortStableFunc(pairs, func(a, b jbPair) int {
		if len(a.key) != len(b.key) {
			return len(a.key) - len(b.key)
		}
		return strings.Compare(a.key, b.key)
	})
	out := pairs[:0]
	for i, p := range pairs {
		if i+1 < len(pairs) && pairs[i+1].key == p.key {
			continue // a later duplicate wins
		}
		out = append(out, p)
	}
	return out
}

func (ver Version) objectToJSONB(o Object, depth int) (jbValue, error) {
	if depth >= MaxDepth {
		return jbValue{}, ErrTooDeep
	}
	pairs := make([]jbPair, 0, len(o))
	for _, m := range o {
		if err := checkText(m.Key); err != nil {
			return jbValue{}, err
		}
		v, err := ver.toJSONB(m.Value, depth+1)
		if err != nil {
			return jbValue{}, err
		}
		pairs = append(pairs, jbPair{key: m.Key, val: v})
	}
	return jbValue{kind: jbObject, pairs: normaliseObject(pairs)}, nil
}

// toJSONB converts v as to_jsonb converts the PostgreSQL value it stands for.
func (ver Version) toJSONB(v any, depth int) (jbValue, error) {
	switch v := v.(type) {
	case nil:
		return jbValue{kind: jbNull}, nil
	case string:
		if err := checkText(v); err != nil {
			return jbValue{}, err
		}
		return jbValue{kind: jbString, text: v}, nil
	case bool:
		return jbValue{kind: jbBool, text: strconv.FormatBool(v)}, nil
	case int:
		return jbValue{kind: jbNumber, text: strconv.Itoa(v)}, nil
	case int64:
		return jbValue{kind: jbNumber, text: strconv.FormatInt(v, 10)}, nil
	case int32:
		return jbValue{kind: jbNumber, text: strconv.FormatInt(int64(v), 10)}, nil
	case float64:
		return floatToJSONB(v, 64)
	case float32:
		return floatToJSONB(float64(v), 32)
	case Numeric:
		out, special, err := appendNumeric(nil, string(v), ver.Major())
		if err != nil {
			return jbValue{}, err
		}
		if special != "" {
			return jbValue{kind: jbString, text: special}, nil
		}
		return jbValue{kind: jbNumber, text: string(out)}, nil
	case time.Time:
		out, err := appendTimestamptz(nil, v)
		if err != nil {
			return jbValue{}, err
		}
		return jbValue{kind: jbString, text: string(out[1 : len(out)-1])}, nil
	case json.RawMessage:
		if v == nil {
			return jbValue{kind: jbNull}, nil
		}
		return ver.parseJSONB(v)
	case []byte:
		if v == nil {
			return jbValue{kind: jbNull}, nil
		}
		b := appendBytea(nil, v)
		return jbValue{kind: jbString, text: `\` + string(b[3:len(b)-1])}, nil
	case Object:
		if v == nil {
			return jbValue{kind: jbNull}, nil
		}
		return ver.objectToJSONB(v, depth)
	case []any:
		if v == nil {
			return jbValue{kind: jbNull}, nil
		}
		if depth >= MaxDepth {
			return jbValue{}, ErrTooDeep
		}
		arr := jbValue{kind: jbArray, items: make([]jbValue, 0, len(v))}
		for _, x := range v {
			item, err := ver.toJSONB(x, depth+1)
			if err != nil {
				return jbValue{}, err
			}
			arr.items = append(arr.items, item)
		}
		return arr, nil
	}
	return ver.reflectToJSONB(reflect.ValueOf(v), depth)
}

func (ver Version) reflectToJSONB(rv reflect.Value, depth int) (jbValue, error) {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return jbValue{kind: jbNull}, nil
		}
		if depth >= MaxDepth {
			return jbValue{}, ErrTooDeep
		}
		return ver.toJSONB(rv.Elem().Interface(), depth+1)
	case reflect.String:
		return ver.toJSONB(rv.String(), depth)
	case reflect.Bool:
		return ver.toJSONB(rv.Bool(), depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ver.toJSONB(rv.Int(), depth)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return jbValue{kind: jbNumber, text: strconv.FormatUint(rv.Uint(), 10)}, nil
	case reflect.Float64:
		return floatToJSONB(rv.Float(), 64)
	case reflect.Float32:
		return floatToJSONB(rv.Float(), 32)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return jbValue{kind: jbNull}, nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return ver.toJSONB(byteSlice(rv), depth)
		}
		if depth >= MaxDepth {
			return jbValue{}, ErrTooDeep
		}
		arr := jbValue{kind: jbArray, items: make([]jbValue, 0, rv.Len())}
		for i := 0; i < rv.Len(); i++ {
			item, err := ver.toJSONB(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return jbValue{}, err
			}
			arr.items = append(arr.items, item)
		}
		return arr, nil
	}
	return jbValue{}, unsupported(rv)
}

// floatToJSONB stores float8out's text as numeric, as to_jsonb does; the
// text is a decimal number (digits, point, exponent), which every major's
// numeric input reads alike.
func floatToJSONB(f float64, bits int) (jbValue, error) {
	text, special := appendFloat(nil, f, bits)
	if special != "" {
		return jbValue{kind: jbString, text: special}, nil
	}
	out, _, err := appendNumeric(nil, string(text), MaxMajor)
	return jbValue{kind: jbNumber, text: string(out)}, err
}

// appendJB prints v as jsonb's output function does. It walks the tree
// without recursion: a json.RawMessage may nest to any depth.
func appendJB(dst []byte, v jbValue) []byte {
	type open struct {
		c *jbValue // a container being written
		i int      // its member or element being written
	}
	var stack []open
	cur := &v
	for {
		switch cur.kind {
		case jbNull:
			dst = append(dst, "null"...)
		case jbBool, jbNumber:
			dst = append(dst, cur.text...)
		case jbString:
			dst = appendString(dst, cur.text)
		case jbArray:
			if len(cur.items) > 0 {
				dst = append(dst, '[')
				stack = append(stack, open{c: cur})
				cur = &cur.items[0]
				continue
			}
			dst = append(dst, "[]"...)
		default:
			if len(cur.pairs) > 0 {
				dst = append(dst, '{')
				dst = appendString(dst, cur.pairs[0].key)
				dst = append(dst, ": "...)
				stack = append(stack, open{c: cur})
				cur = &cur.pairs[0].val
				continue
			}
			dst = append(dst, "{}"...)
		}
		// cur is written: close the containers it ends, then go on with
		// the next member or element.
		for {
			if len(stack) == 0 {
				return dst
			}
			top := &stack[len(stack)-1]
			top.i++
			if top.c.kind == jbArray {
				if top.i < len(top.c.items) {
					dst = append(dst, ", "...)
					cur = &top.c.items[top.i]
					break
				}
				dst = append(dst, ']')
			} else {
				if top.i < len(top.c.pairs) {
					dst = append(dst, ", "...)
					dst = appendString(dst, top.c.pairs[top.i].key)
					dst = append(dst, ": "...)
					cur = &top.c.pairs[top.i].val
					break
				}
				dst = append(dst, '}')
			}
			stack = stack[:len(stack)-1]
		}
	}
}
