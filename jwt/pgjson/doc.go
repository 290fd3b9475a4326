// Package pgjson renders ordered Go key/values as exactly the json text that
// PostgreSQL's json producers print, so that a token Go signs over that text
// is byte-identical to the one pgjwt's sign() mints in SQL.
//
// pgjwt signs payload::text, and for a json value that is whatever text the
// producer wrote. Each function here corresponds to one producer:
//
//	RowToJSON    row_to_json(r), r = (select $1::text as "role", ...)
//	             {"role":"anon","email":"a@b.c","exp":1764097300}
//	BuildObject  json_build_object('role', $1::text, ...)
//	             {"role" : "anon", "email" : "a@b.c", "exp" : 1764097300}
//	JSONB        json_build_object(...)::jsonb::text, jsonb_build_object(...)
//	             {"exp": 1764097300, "role": "anon", "email": "a@b.c"}
//	ToJSON       to_json(v) of a single value
//	ToJSONB      to_jsonb(v)::text of a single value
//
// RowToJSON is the one the PostgREST login() recipe uses. JSONB sorts keys
// (shorter first, then bytewise), keeps the last of duplicate keys, and
// prints numbers as numeric: 1e+15 becomes 1000000000000000, 1.50 stays 1.50.
//
// encoding/json cannot stand in for these: it escapes <, >, & and
// U+2028/U+2029 (PostgreSQL does not), sorts map keys, spells floats another
// way (PostgreSQL prints 1e+15 and 1e-05 where encoding/json prints
// 1000000000000000 and 0.00001), and has no layout with spaces around the
// colon. It coincides with RowToJSON only for a struct whose
// fields are in the same order and whose strings hold nothing it escapes
// differently.
//
// # Go values and the PostgreSQL types they stand for
//
//	nil, nil pointer/slice   NULL          null
//	string (and named)       text          "…", escaped as below
//	bool                     boolean       true, false
//	int…, uint…              int2/4/8      decimal; uint64 as numeric
//	float64, float32         float8/float4 shortest text, see below
//	Numeric                  numeric       numeric_out of numeric_in(text)
//	time.Time                timestamptz   "2026-11-25T19:57:28.123456+00:00"
//	json.RawMessage          json          verbatim (JSONB: normalised)
//	[]byte                   bytea         "\\x0aff"
//	Object                   a row         nested (json_build_object in BuildObject)
//	other slices, arrays     an array      [1,"a",null] (JSONB: [1, "a", null])
//
// Strings are escaped as PostgreSQL's escape_json does: \" \\ \b \f \n \r \t,
// other bytes below 0x20 as \u00xx, everything else (including '/', DEL and
// all non-ASCII) verbatim.
//
// Floats print as float8out/float4out with the default extra_float_digits=1:
// the shortest decimal that reads back to the same value, positional when
// the decimal exponent is in [-4, 15) (float4: [-4, 6)), else 1.5e+300;
// NaN, Infinity and -Infinity become the strings "NaN", "Infinity",
// "-Infinity" (also in JSONB). PostgreSQL's shortest form never picks a
// decimal that lies exactly halfway between two floats, so 8.2513e20 prints
// as 8.251299999999999e+20 (Go's strconv would print 8.2513e+20); this
// package does the same.
//
// A time.Time is one instant: its Location is ignored and it renders in UTC,
// rounded to the microsecond as PostgreSQL's timestamptz input rounds a
// nine-digit fraction (half to even in effect; pgx's binary encoding
// truncates instead, so call t.Truncate(time.Microsecond) first to match a
// value that made a round trip through pgx). Trailing zeros of the fraction
// are dropped, years have at least four digits, and years before 1 AD carry
// " BC" after the offset (Go's year 0 is 1 BC). Instants outside
// timestamptz's range (4714-11-24 BC to 294276 AD) are ErrTimestampRange.
//
// # Assumptions
//
// The texts match a UTF8 database with the settings that affect output at
// their defaults: TimeZone = 'UTC' (to_json prints the session's offset,
// so another TimeZone prints another text for the same instant),
// extra_float_digits = 1 and bytea_output = 'hex'. DateStyle does not
// matter: json always uses the ISO 8601 form.
//
// In a LATIN1 database row_to_json and json_build_object print the same
// text for any text that database can hold, but jsonb orders keys by their
// length and bytes in the database encoding ("é" is one byte there, two in
// UTF-8), so JSONB's order is the UTF8 database's.
//
// # Errors
//
// Input PostgreSQL would refuse is an error with PostgreSQL's SQLSTATE and
// message (see the Err variables), never a silent change: text that is not
// valid UTF-8 or holds NUL (22021); Numeric text numeric_in refuses (22P02)
// or cannot hold (22003); an EpochSeconds result beyond int4 (22003);
// invalid json (22P02) and, for JSONB, \u0000 (22P05) or unpaired surrogate
// escapes (22P02); instants out of range (22008).
// RowToJSON refuses keys that a column alias cannot spell: empty (42601), or
// longer than 63 bytes, which PostgreSQL silently truncates (42622, with the
// text of the NOTICE PostgreSQL raises). Go types with no PostgreSQL
// counterpart (maps, channels, structs) are ErrUnsupportedType, and Go
// values nested beyond MaxDepth (or a cycle) are ErrTooDeep. A
// json.RawMessage is read by PostgreSQL's json grammar, with the server's
// DETAIL line for each refusal (the error's Detail field), e.g. `Expected
// JSON value, but found "}".` for {"a":}; where majors word it differently
// (a control character right after a lone surrogate escape, for JSONB),
// the Version's major's.
//
// # Majors
//
// The package-level functions behave like PostgreSQL 18; ForVersion(major)
// returns a Version whose methods behave like that major where they differ:
// Numeric text (13 refuses 'Infinity' and 'inf'; 16+ accept '1_000' and the
// 0x/0o/0b prefixes, which 13-15 refuse), EpochSeconds (13 rounds half a
// second to even) and ToJSONB's DETAIL for a control character right after
// a lone high surrogate escape (13-15 name the character, 16+ the
// surrogate).
//
// Deliberate difference: the json text of a json.RawMessage may nest to
// any depth, as in jwt: the server's own limit is its stack
// (max_stack_depth): with the default setting about 13,700 to 21,800
// levels (measured once, see internal/pgjsonlex), depending on the major,
// the build and the text, which is not imitated.
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
//	...
//	payload, err := pgjson.RowToJSON(pgjson.Object{
//		{Key: "role", Value: role}, // a name column renders like text
//		{Key: "email", Value: email},
//		{Key: "exp", Value: exp + 60*60},
//	})
//
// EpochSeconds rounds half a second away from zero, as the numeric →
// integer cast of PostgreSQL 14+ does (PostgreSQL 13's float8 extract
// rounds half to even instead: use ForVersion(13).EpochSeconds there).
//
// All of this is checked against live PostgreSQL 13 to 18 servers by this
// package's tests, with thousands of random objects and values per
// producer.
package pgjson
