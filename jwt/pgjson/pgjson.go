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
	return AppendRowToJSON(make([]byte, 0, estimate(o)), o)
}

// AppendRowToJSON appends RowToJSON(o) to dst. On error it returns dst
// unchanged (in length) and the error.
func AppendRowToJSON(dst []byte, o Object) ([]byte, error) {
	return appendTop(dst, encoder{p: rowToJSON}, o)
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
	return AppendBuildObject(make([]byte, 0, estimate(o)+2*len(o)), o)
}

// AppendBuildObject appends BuildObject(o) to dst.
func AppendBuildObject(dst []byte, o Object) ([]byte, error) {
	return appendTop(dst, encoder{p: buildObject}, o)
}

func appendTop(dst []byte, e encoder, o Object) ([]byte, error) {
	n := len(dst)
	out, err := e.appendObject(dst, o, 0)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}
