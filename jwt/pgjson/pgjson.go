package pgjson

// RowToJSON renders o as `row_to_json(r)` renders a row r whose columns are
// o's keys in order, typed as listed on Member:
//
//	select row_to_json(r) from (select $1::text as "role", $2::int8 as "exp") r
//	{"role":"anon","exp":1764097300}
//
// The layout is compact: no white space. Duplicate keys are kept, as a
// subquery may repeat a column name. Keys must be possible column aliases:
// not empty, at most 63 bytes (PostgreSQL would truncate a longer alias and
// so change the key); otherwise ErrEmptyColumnName or ErrColumnNameTooLong.
// Nested Objects are composite columns (records), rendered the same way.
//
// time.Time values render as to_json renders a timestamptz in a session with
// TimeZone = 'UTC' (the instant is kept; the Location is ignored):
// "2026-11-25T19:57:28.123456+00:00".
func RowToJSON(o Object) ([]byte, error) {
	return orNil(AppendRowToJSON(make([]byte, 0, estimate(o)), o))
}

// AppendRowToJSON appends RowToJSON(o) to dst. On error it returns dst
// unchanged (in length) and the error.
func AppendRowToJSON(dst []byte, o Object) ([]byte, error) {
	return latest.AppendRowToJSON(dst, o)
}

// BuildObject renders o as json_build_object renders its variadic key,
// value arguments:
//
//	select json_build_object('role', $1::text, 'exp', $2::int8)
//	{"role" : "anon", "exp" : 1764097300}
//
// Members are separated by ", " and keys from values by " : "; keys are any
// text, empty and duplicate keys included. Nested Objects stand for nested
// json_build_object calls and render the same way; slices are PostgreSQL
// arrays and render compactly, [1,2], as to_json renders arrays.
func BuildObject(o Object) ([]byte, error) {
	return orNil(AppendBuildObject(make([]byte, 0, estimate(o)+2*len(o)), o))
}

// AppendBuildObject appends BuildObject(o) to dst.
func AppendBuildObject(dst []byte, o Object) ([]byte, error) {
	return latest.AppendBuildObject(dst, o)
}

// latest is the newest major, which the package-level functions follow.
var latest = Version{}

// orNil drops the (empty) buffer that comes with an error.
func orNil(out []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return out, nil
}

func appendTop(dst []byte, e encoder, o Object) ([]byte, error) {
	n := len(dst)
	out, err := e.appendObject(dst, o, 0)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

// ToJSON renders one value as to_json renders the PostgreSQL value it stands
// for (see Member), compactly: to_json('a<b'::text) is "a<b", to_json of
// 1e-05::float8 is 1e-05. An Object renders as RowToJSON renders it, since
// to_json of a row is row_to_json.
func ToJSON(v any) ([]byte, error) {
	return latest.ToJSON(v)
}

// ToJSONB renders one value as to_jsonb(v)::text does: like ToJSON, but with
// numbers normalised as numeric and objects as JSONB renders them.
func ToJSONB(v any) ([]byte, error) {
	return latest.ToJSONB(v)
}
