package jwt

import (
	"encoding/json"
	"time"
	"unsafe"
)

// Validity is pgjwt's three-valued verdict: SQL true, false or NULL.
type Validity int8

const (
	// Unknown is SQL NULL: the token has fewer than three segments, and
	// nothing (no failed nbf/exp window) says it is invalid.
	Unknown Validity = iota
	// Invalid is false: a wrong signature, or outside the nbf/exp window.
	Invalid
	// Valid is true: the signature matches and the time lies in the window.
	Valid
)

// String returns "true", "false" or "NULL", the SQL literal for the value
// (psql itself displays t, f and an empty field).
func (v Validity) String() string {
	switch v {
	case Valid:
		return "true"
	case Invalid:
		return "false"
	}
	return "NULL"
}

// Result is the row pgjwt's verify() returns.
type Result struct {
	// Header is the first segment, decoded: its JSON text verbatim. pgjwt
	// never reads it; in particular its "alg" is ignored.
	Header json.RawMessage
	// Payload is the second segment, decoded, verbatim; nil (SQL NULL) when
	// the token has no second segment.
	Payload json.RawMessage
	// Valid is the verdict. Only Valid means the token may be trusted.
	Valid Validity
}

// Verify is pgjwt 0.2.0's verify(token, secret, algorithm) at the current
// time; see VerifyAt.
func Verify(token, secret, algorithm string) (Result, error) {
	return latest.VerifyAt(token, secret, algorithm, time.Now())
}

// Verify is Verify on this major (see ForVersion).
func (v Version) Verify(token, secret, algorithm string) (Result, error) {
	return v.VerifyAt(token, secret, algorithm, time.Now())
}

// VerifyAt is pgjwt 0.2.0's verify(token, secret, algorithm) as evaluated
// by SELECT * FROM verify(...) in a transaction that started at now
// (PostgreSQL's CURRENT_TIMESTAMP is the transaction start; now is cut to
// whole microseconds, as timestamptz has no finer precision).
//
// The verdict: the token is split on every "."; segments after the third
// are ignored. The signature is the HMAC of "segment1.segment2" under secret
// with the algorithm ARGUMENT (the header's alg is never consulted), compared
// with the third segment as text - here in constant time, which changes no
// verdict. With a matching signature the token is Valid when
// nbf <= now < exp; nbf and exp are read from the top-level payload keys
// (the last duplicate wins) through TryCastDouble, so numbers and numeric
// strings count and anything else is no bound. With fewer than three
// segments the verdict is Unknown unless the window already fails.
//
// Errors come in PostgreSQL's evaluation order, each with its SQLSTATE and
// message: the header is decoded first (base64 22023, UTF-8 22021, JSON
// 22P02), then the payload, then the algorithm is checked (22023, only when
// there are at least two segments), and - unless the signature is wrong -
// the window: a \u0000 or an unpaired surrogate escape anywhere in the
// payload (22P05/22P02), NaN or out-of-range claims (22008), nbf after exp
// (22000).
//
// secret is used as raw bytes, as for Sign.
func VerifyAt(token, secret, algorithm string, now time.Time) (Result, error) {
	return latest.VerifyAt(token, secret, algorithm, now)
}

// VerifyAt is VerifyAt on this major: the message of an invalid base64
// symbol differs on 13 (see ForVersion).
func (v Version) VerifyAt(token, secret, algorithm string, now time.Time) (Result, error) {
	if err := checkText(token); err != nil {
		return Result{}, err
	}
	if err := checkNoNUL(secret); err != nil {
		return Result{}, err
	}
	return v.verifyToken(token, algorithmOf(algorithm), nil, secret, now)
}

// verifyToken is VerifyAt after the checks of token and secret, with the
// HMAC keyed in advance (keyed), or, when keyed is nil, from the cache of
// keyed HMACs (alg may then be unknown: the error comes where pgjwt raises
// it).
func (v Version) verifyToken(token string, alg algorithm, keyed *keyedMACs, secret string, now time.Time) (Result, error) {
	seg1, seg2, seg3, count := splitToken(token)
	has2, has3 := count >= 2, count == 3

	// One buffer holds both decoded segments.
	buf := make([]byte, 0, decodedMax(seg1)+decodedMax(seg2))
	buf, err := v.decodeSegment(buf, seg1)
	if err != nil {
		return Result{}, err
	}
	res := Result{Header: json.RawMessage(buf[:len(buf):len(buf)])}
	var claims *claimFinder
	if has2 {
		start := len(buf)
		if buf, err = v.urlDecode(buf, seg2); err != nil {
			return Result{}, err
		}
		res.Payload = json.RawMessage(buf[start:len(buf):len(buf)])
		// The UTF-8 and json checks of the payload; the claims for the
		// window are gathered in the same pass. The fast scan does it all
		// for a plain payload, else the full checks give the verdict.
		f, ascii, plain := scanPlain(res.Payload)
		if !plain || !ascii {
			if err := checkBytes(res.Payload); err != nil {
				return Result{}, err
			}
		}
		if !plain {
			if f, err = scanPayload(res.Payload); err != nil {
				return Result{}, err
			}
		}
		claims = &f
	}

	signature := Unknown
	if has2 {
		// pgjwt computes the HMAC whenever there is a payload segment, even
		// without a third segment to compare it with: so a bad algorithm is
		// an error for two-segment tokens too.
		if alg == algUnknown {
			return Result{}, ErrUnknownAlgorithm
		}
		if has3 {
			signature = Invalid
			if keyed == nil {
				keyed = macs.get(alg, secret)
			}
			var mac [86]byte
			input := token[:len(seg1)+1+len(seg2)]
			want := keyed.appendMAC(mac[:0], unsafe.Slice(unsafe.StringData(input), len(input)))
			if constantTimeEqual(want, seg3) {
				signature = Valid
			}
		}
	}
	if signature == Invalid {
		// false AND window: the window is never evaluated, so its errors
		// cannot happen.
		res.Valid = Invalid
		return res, nil
	}
	inWindow, err := window(claims, now)
	switch {
	case err != nil:
		return Result{}, err
	case !inWindow:
		res.Valid = Invalid
	default:
		res.Valid = signature // true, or NULL AND true = NULL
	}
	return res, nil
}

// decodedMax bounds the bytes url_decode can produce from s.
func decodedMax(s string) int { return (len(s)+3)/4*3 + 3 }

// decodeSegment is convert_from(url_decode(seg), 'utf8')::json for the
// header, appended to dst. The headers pgjwt itself writes are recognised
// without decoding.
func (v Version) decodeSegment(dst []byte, seg string) ([]byte, error) {
	switch seg {
	case hs256HeaderB64:
		return append(dst, headerJSON[algHS256]...), nil
	case hs384HeaderB64:
		return append(dst, headerJSON[algHS384]...), nil
	case hs512HeaderB64:
		return append(dst, headerJSON[algHS512]...), nil
	}
	start := len(dst)
	dst, err := v.urlDecode(dst, seg)
	if err != nil {
		return dst, err
	}
	text := dst[start:]
	if _, ascii, plain := scanPlain(text); plain && ascii {
		return dst, nil
	}
	if err := checkBytes(text); err != nil {
		return dst, err
	}
	if err := validateJSON(text); err != nil {
		return dst, err
	}
	return dst, nil
}

// window is pgjwt 0.2.0's
// tstzrange(to_timestamp(nbf), to_timestamp(exp)) @> CURRENT_TIMESTAMP,
// with the claims read by ->> (c; nil when there is no payload) and
// try_cast_double. A NULL bound is no bound; nbf == exp is the empty range;
// nbf > exp is an error.
func window(c *claimFinder, now time.Time) (bool, error) {
	var nbf, exp claim
	if c != nil {
		if c.escapeErr != nil {
			return false, c.escapeErr
		}
		nbf, exp = c.nbf(), c.exp()
	}
	lo, hasLo, err := claimTime(nbf)
	if err != nil {
		return false, err
	}
	hi, hasHi, err := claimTime(exp)
	if err != nil {
		return false, err
	}
	if hasLo && hasHi {
		if lo > hi {
			return false, ErrRangeBounds
		}
		if lo == hi {
			return false, nil
		}
	}
	t := now.UnixMicro() - pgEpochUnix*1_000_000
	return (!hasLo || lo <= t) && (!hasHi || t < hi), nil
}
