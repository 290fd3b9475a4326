// Package pgjson renders ordered Go key/values as exactly the json text that
// PostgreSQL's json producers print, so that a token Go signs over that text
// is byte-identical to one SQL signs with pgjwt's sign():
//
//   - RowToJSON: row_to_json(r) of a subquery whose columns are the keys,
//     compact: {"role":"anon","email":"a@b.c","exp":1764097300}. This is
//     what the PostgREST login() recipe signs.
//   - BuildObject: json_build_object(k1, v1, k2, v2, ...):
//     {"role" : "anon", "exp" : 1764097300}.
//   - JSONB: the same object cast to jsonb and printed:
//     {"exp": 1764097300, "role": "anon"}; sorted, deduplicated, numbers
//     normalised.
//
// encoding/json cannot stand in for these: it escapes <, >, & and
// U+2028/U+2029 (PostgreSQL does not), sorts map keys, prints float64 with
// another exponent rule (1e+21 where PostgreSQL prints 1e+21 but also
// 1e+15 where PostgreSQL prints 1000000000000000), and has no layout with
// spaces around the colon.
//
// Each Go value stands for a PostgreSQL type (see Member): string is text,
// integers are int2/int4/int8, float64 is float8, Numeric is numeric,
// time.Time is timestamptz, json.RawMessage is json, []byte is bytea, nested
// Objects are rows (or nested json_build_object calls), slices are arrays.
//
// # Assumptions
//
// The server side these renderings match is a UTF8 database with the
// default settings that affect output: TimeZone = 'UTC' for timestamptz,
// extra_float_digits = 1 (the default since PostgreSQL 12) for floats,
// bytea_output = 'hex'. They have been compared byte for byte with
// PostgreSQL 15 and 18.
//
// Text that a UTF8 database cannot hold (invalid UTF-8, a NUL byte) is an
// error (ErrInvalidUTF8), never silently replaced. So are keys RowToJSON
// cannot spell as a column alias, Numeric text numeric_in refuses, instants
// outside timestamptz's range, and Go types with no counterpart. Errors
// carry PostgreSQL's SQLSTATE and message (see the Err variables).
//
// # The login payload
//
// The seed's login() signs row_to_json(r) of
//
//	select _role as role, login.email as email,
//	       extract(epoch from now())::integer + 60*60 as exp
//
// which in Go is
//
//	exp, err := pgjson.EpochSeconds(now) // extract(epoch from now())::integer
//	payload, err := pgjson.RowToJSON(pgjson.Object{
//		{Key: "role", Value: role},
//		{Key: "email", Value: email},
//		{Key: "exp", Value: exp + 60*60},
//	})
//
// (the row's role column has type name, which renders like text).
package pgjson
