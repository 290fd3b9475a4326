package pgjson

import "github.com/pgjwt-go/pgjwt/internal/sqlerr"

// The errors this package returns. Each carries the SQLSTATE and the message
// PostgreSQL reports for the same input, where PostgreSQL has one; compare
// with errors.Is.
var (
	// ErrUnsupportedType: a Go value with no PostgreSQL counterpart here
	// (a map, a channel, a struct other than time.Time...). PostgreSQL has
	// no such error; the code is feature_not_supported.
	ErrUnsupportedType = sqlerr.New("pgjson", "0A000", "unsupported Go type")

	// ErrInvalidEncoding: a key or string that is not valid UTF-8 or holds a NUL
	// byte, which text in a UTF8 database cannot hold.
	ErrInvalidEncoding = sqlerr.New("pgjson", "22021", `invalid byte sequence for encoding "UTF8"`)

	// ErrNumericSyntax: a Numeric whose text numeric_in would refuse (or
	// that only some majors accept, such as "1_000" on PostgreSQL 16+).
	ErrNumericSyntax = sqlerr.New("pgjson", "22P02", "invalid input syntax for type numeric")

	// ErrNumericOverflow: a Numeric beyond the numeric type's range.
	ErrNumericOverflow = sqlerr.New("pgjson", "22003", "value overflows numeric format")

	// ErrTimestampRange: a time.Time outside timestamptz's range
	// (4714-11-24 BC to 294276-12-31 UTC).
	ErrTimestampRange = sqlerr.New("pgjson", "22008", "timestamp out of range")

	// ErrIntegerRange: EpochSeconds of an instant beyond the integer
	// (int4) range that `::integer` casts to.
	ErrIntegerRange = sqlerr.New("pgjson", "22003", "integer out of range")

	// ErrInvalidJSON: a json.RawMessage that PostgreSQL's json input
	// refuses, or (JSONB) an unpaired surrogate escape in it. Detail says
	// why, as PostgreSQL's DETAIL line does.
	ErrInvalidJSON = sqlerr.New("pgjson", "22P02", "invalid input syntax for type json")

	// ErrUnicodeEscape: \u0000 in a json.RawMessage headed for jsonb, whose
	// text cannot hold it (json keeps it verbatim and accepts it).
	ErrUnicodeEscape = sqlerr.New("pgjson", "22P05", "unsupported Unicode escape sequence")

	// ErrEmptyColumnName: an empty RowToJSON key; a column alias cannot be
	// empty.
	ErrEmptyColumnName = sqlerr.New("pgjson", "42601", `zero-length delimited identifier at or near """"`)

	// ErrColumnNameTooLong: a RowToJSON key longer than 63 bytes.
	// PostgreSQL truncates such an alias (raising only this NOTICE text),
	// so row_to_json would emit a shorter key; here it is an error.
	ErrColumnNameTooLong = sqlerr.New("pgjson", "42622", "identifier will be truncated")

	// ErrTooDeep: Go values nested deeper than MaxDepth (or a cycle).
	ErrTooDeep = sqlerr.New("pgjson", "54001", "stack depth limit exceeded")
)
