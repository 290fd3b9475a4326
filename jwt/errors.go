package jwt

import "github.com/pgjwt-go/pgjwt/internal/sqlerr"

// Error is the type of every error this package returns. It carries
// PostgreSQL's SQLSTATE (SQLState method, as pgconn.PgError has) and its
// message text verbatim (the Message field; Error() prefixes "jwt: "), plus
// the DETAIL or HINT line where PostgreSQL gives one. Use errors.Is with the
// sentinels below; instances with variable text still match their sentinel.
type Error = sqlerr.Error

// Errors of url_decode (PostgreSQL's base64 decoder), SQLSTATE 22023.
var (
	// ErrBase64Padding: a "=" where no padding may stand (at the first or
	// second symbol of a group), including the "=" url_decode appends itself.
	ErrBase64Padding = sqlerr.New("jwt", "22023", `unexpected "=" while decoding base64 sequence`)
	// ErrBase64Symbol: a character outside the base64 alphabet; the
	// instance's message names the whole offending character, e.g.
	// `invalid symbol "é" found while decoding base64 sequence`.
	ErrBase64Symbol = sqlerr.New("jwt", "22023", `invalid symbol found while decoding base64 sequence`)
	// ErrBase64End: the symbols do not fill whole groups of four (possible
	// only because whitespace counts for url_decode's padding but not for
	// the decoder).
	ErrBase64End = withHint(sqlerr.New("jwt", "22023", "invalid base64 end sequence"),
		"Input data is missing padding, is truncated, or is otherwise corrupted.")
)

// ErrUnknownAlgorithm: the algorithm is none of HS256, HS384, HS512 (exact,
// case-sensitive). pgjwt maps every other name to the empty string and
// pgcrypto's hmac() rejects that, hence the empty quotes (22023).
var ErrUnknownAlgorithm = sqlerr.New("jwt", "22023", `Cannot use "": No such hash algorithm`)

// ErrInvalidEncoding: bytes that are not valid UTF-8, or a NUL byte, where
// PostgreSQL needs text: a decoded header or payload (convert_from(…,
// 'utf8')), or a Go string that no PostgreSQL text value could hold. The
// instance's message lists the offending bytes as PostgreSQL does, e.g.
// `invalid byte sequence for encoding "UTF8": 0xc3 0x28` (22021).
var ErrInvalidEncoding = sqlerr.New("jwt", "22021", `invalid byte sequence for encoding "UTF8"`)

// ErrInvalidJSON: text that PostgreSQL's json input rejects (the payload
// given to Sign, a decoded header or payload), or an unpaired UTF-16
// surrogate escape met while pgjwt 0.2.0 extracts the nbf/exp claims. The
// Detail field carries PostgreSQL's DETAIL line, e.g. `Token "tru" is
// invalid.` (22P02).
var ErrInvalidJSON = sqlerr.New("jwt", "22P02", "invalid input syntax for type json")

// ErrUnicodeEscape: a \u0000 escape anywhere in a payload whose claims
// pgjwt 0.2.0 extracts; Detail is `\u0000 cannot be converted to text.`
// (22P05).
var ErrUnicodeEscape = sqlerr.New("jwt", "22P05", "unsupported Unicode escape sequence")

// Errors of the nbf/exp validity window (pgjwt 0.2.0), raised only when the
// signature is not known to be wrong.
var (
	// ErrTimestampNaN: a claim that reads as NaN ("NaN", "nan(…)") (22008).
	ErrTimestampNaN = sqlerr.New("jwt", "22008", "timestamp cannot be NaN")
	// ErrTimestampRange: a claim beyond PostgreSQL's timestamp range; the
	// instance's message quotes the number as C's %g prints it, e.g.
	// `timestamp out of range: "1e+20"` (22008).
	ErrTimestampRange = sqlerr.New("jwt", "22008", "timestamp out of range")
	// ErrRangeBounds: nbf is later than exp (22000).
	ErrRangeBounds = sqlerr.New("jwt", "22000", "range lower bound must be less than or equal to range upper bound")
)

func withHint(e *Error, hint string) *Error {
	e.Hint = hint
	return e
}
