// Package jwt reproduces the pgjwt PostgreSQL extension (version 0.2.0)
// exactly: a Go service and SQL mint the same tokens byte for byte and judge
// every token the same way, with the same errors (SQLSTATE and message).
//
//	sign(payload json, secret, algorithm)  →  Sign
//	verify(token, secret, algorithm)       →  Verify, VerifyAt (Result)
//	url_encode / url_decode                →  URLEncode / URLDecode
//	algorithm_sign                         →  AlgorithmSign
//	try_cast_double                        →  TryCastDouble
//
// Every behaviour has been compared with PostgreSQL 15 and 18 (UTF8 and
// LATIN1 databases) running CompatSQL, this project's own SQL restatement of
// pgjwt's functions, which is also what to install where the extension is
// not available.
//
// # Minting tokens like SQL does
//
// pgjwt signs the payload's json TEXT verbatim: whitespace, key order,
// duplicate keys and number spelling all go into the token. To mint the
// token an SQL function such as PostgREST's login() mints with
// sign(row_to_json(r), secret), render the claims as row_to_json would
// (package pgjson: RowToJSON, BuildObject, JSONB) and pass that text to Sign.
// The header is always the literal {"alg":"HS256","typ":"JWT"} (or HS384,
// HS512).
//
// # Verifying safely
//
// Only Result.Valid == Valid means "trust this token". pgjwt's verdict is
// three-valued: Invalid for a wrong signature or a time outside
// [nbf, exp), Unknown (SQL NULL) for a token with fewer than three segments.
// Treat Unknown as a rejection. Errors report malformed tokens exactly as
// pgjwt raises them; they are rejections too.
//
// Know pgjwt's weak spots, which this package reproduces where they decide a
// verdict and repairs where they do not:
//
//   - The header's "alg" is never read; the algorithm argument alone decides
//     the MAC. That is safe (no alg=none or algorithm confusion) as long as
//     the argument is a constant of your code, never taken from the token.
//   - exp and nbf are optional and checked only when present and numeric
//     (numbers or numeric strings, read with PostgreSQL's float8 input:
//     "0x10", "inf" and " 12 " count; "75z", true and null are ignored). A
//     token without exp never expires. Check required claims yourself.
//   - Claims are checked against the time given to VerifyAt (PostgreSQL
//     uses the transaction start time), to the microsecond, with no leeway.
//   - Segments after the third are ignored, and PostgreSQL's lenient base64
//     decoder accepts odd header and payload spellings (mixed alphabets,
//     whitespace, data after padding); the signature itself must be
//     pgjwt's exact unpadded base64url text.
//   - In SQL the signature is compared with text equality, which is not
//     constant-time. Verify compares in constant time; the verdict is the
//     same.
//   - pgjwt accepts an empty secret and any secret length. Use at least 32
//     random bytes (PostgREST's advice).
//   - The secret is used as the bytes of the text in the database encoding:
//     a UTF-8 Go string matches a UTF8 database; for a LATIN1 database pass
//     the LATIN1 bytes.
//
// # Call shape and evaluation order
//
// Verify gives the result of SELECT * FROM verify(...) with non-constant
// arguments: the header is decoded first, then the payload, then the
// algorithm is checked, then (unless the signature is wrong) the nbf/exp
// window. PostgreSQL inlines verify (it is an IMMUTABLE SQL function), so
// other call shapes give other results, and this package does not imitate
// them:
//
//   - SELECT valid FROM verify(...) never decodes the header: a token with
//     an undecodable header is false there, an error here.
//   - SELECT payload FROM verify(...) never computes the MAC: an unknown
//     algorithm is no error there.
//   - With constant arguments (literals, or parameters of an unnamed
//     statement) PostgreSQL folds base64 decoding and the MAC at plan time,
//     so for a token with several faults a base64 or algorithm error may be
//     reported where Verify reports a UTF-8 or JSON error. The verdict of a
//     token with at most one fault is the same.
//
// # Interoperability with github.com/golang-jwt/jwt/v5
//
// Tokens from Sign with HS256/384/512 and an object payload verify with
// golang-jwt (use WithValidMethods), and golang-jwt's HS tokens verify with
// Verify. Their bytes coincide only when golang-jwt's json.Marshal text is
// the text pgjwt signs: an ordered struct whose fields are in row_to_json's
// column order, compact, with no <, >, &, U+2028 or U+2029 in any string
// (encoding/json escapes those, PostgreSQL does not). MapClaims sort their
// keys, json_build_object and jsonb put spaces into the text, so those can
// never coincide. The parsers differ at the edges: golang-jwt refuses a
// fourth segment and non-object payloads, which pgjwt accepts; golang-jwt
// trusts the header's alg, which pgjwt ignores.
//
// # Versions
//
// This is pgjwt 0.2.0, the version CREATE EXTENSION installs today. In
// 0.1.0 and 0.1.1, verify's valid is the signature verdict alone: no nbf/exp
// window (so no 22008/22000 errors, and a \u0000 or lone surrogate escape in
// the payload does not fail), and 0.1.1's SELECT valid FROM verify(...) even
// says true for a correctly signed payload that is not JSON. sign,
// url_encode, url_decode and algorithm_sign are the same in all versions.
//
// # Differences from pgjwt that cannot change a verdict
//
// Go strings have no SQL NULL, so NULL arguments (a NULL token, secret or
// algorithm) are not expressible. Strings that no PostgreSQL text could hold
// (invalid UTF-8 in a token or payload, a NUL byte anywhere) are rejected
// with 22021, as the server rejects them on input. PostgreSQL's stack-depth
// limit on deeply nested JSON is not imitated: with the default
// max_stack_depth the server fails beyond about 13,700 to 21,800 levels of
// nesting (54001 "stack depth limit exceeded", measured once on
// PostgreSQL 15 and 18, see internal/pgjsonlex; the limit depends on the
// major, the build, the settings and the text); here nesting is unbounded
// and costs no stack. Only UTF8-database semantics are reproduced for
// Verify (a LATIN1 database additionally fails on payload characters it
// cannot hold).
//
// # Majors
//
// The package-level functions behave like PostgreSQL 18 (any of 14 to 18
// gives the same results). ForVersion(13) words url_decode's and verify's
// invalid-symbol error as PostgreSQL 13 does (add WithServerEncoding("LATIN1")
// for a LATIN1 database); results, verdicts and SQLSTATEs are the same on
// every major from 13 to 18.
package jwt
