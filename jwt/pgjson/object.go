package pgjson

// Object is an ordered list of key/value pairs: a row for RowToJSON, the
// arguments of json_build_object for BuildObject, the input of a jsonb
// object for JSONB. Order and duplicates are kept as given; only JSONB sorts
// and deduplicates, as jsonb does.
type Object []Member

// Member is one key/value pair of an Object.
//
// Value may be (PostgreSQL type it stands for in brackets):
//   - nil, or a nil pointer, slice or interface: SQL NULL, rendered null;
//   - string (text), bool (boolean);
//   - int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
//     uintptr (int2/int4/int8; uint64 beyond int8 as numeric);
//   - float64 (float8), float32 (float4); NaN and ±Inf render as the strings
//     "NaN", "Infinity", "-Infinity", as PostgreSQL's to_json does;
//   - Numeric (numeric);
//   - time.Time (timestamptz, see RowToJSON for the rendering);
//   - json.RawMessage (json: verbatim in RowToJSON and BuildObject,
//     normalised by JSONB);
//   - []byte and other byte slices (bytea, rendered "\\x…" in hex);
//   - Object (a nested row, json_build_object or jsonb object);
//   - any other slice or array, such as []any, []string or [][]int64 (a
//     PostgreSQL array, rendered [a,b] by RowToJSON and BuildObject);
//   - named types whose underlying type is one of the scalar kinds above,
//     and non-nil pointers to any supported value.
//
// Maps are refused: they have no order.
type Member struct {
	Key   string // the column alias (RowToJSON) or object key
	Value any    // a value of one of the types listed above
}

// MaxDepth bounds the nesting of Objects, slices and pointers, so that a
// cyclic value (a []any holding itself) returns ErrTooDeep instead of
// exhausting the stack. The json text inside a json.RawMessage is read
// without recursion and may nest deeper, as it may in PostgreSQL.
const MaxDepth = 1000
