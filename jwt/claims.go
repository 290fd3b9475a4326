package jwt

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// claim is what payload->>'name' yields for one claim: a JSON string (to be
// de-escaped), a number's literal spelling, or nothing usable (absent, null,
// true/false, an object or array: try_cast_double makes all of these NULL).
type claim struct {
	kind tokenKind // tokString, tokNumber, or tokEnd for nothing usable
	raw  []byte    // the token text, quotes included for strings
}

// claimFinder collects nbf and exp from the members of a top-level object
// during the de-escaping parse; a later duplicate key overrides an earlier
// one, as ->> does.
type claimFinder struct {
	nbf, exp claim
	target   *claim // the claim the next top-level value belongs to
}

func (f *claimFinder) key(l *jsonLexer, depth int) {
	f.target = nil
	if depth != 1 {
		return
	}
	var name []byte
	if l.escaped {
		name = unescapeJSON(nil, l.in[l.start:l.end])
	} else {
		name = l.in[l.start+1 : l.end-1]
	}
	switch string(name) {
	case "nbf":
		f.target = &f.nbf
	case "exp":
		f.target = &f.exp
	}
}

func (f *claimFinder) value(l *jsonLexer, depth int, composite bool) {
	if depth != 1 || f.target == nil {
		return
	}
	c := claim{kind: tokEnd}
	if !composite && (l.kind == tokString || l.kind == tokNumber) {
		c = claim{kind: l.kind, raw: l.in[l.start:l.end]}
	}
	*f.target, f.target = c, nil
}

// findClaims is payload->>'nbf' and payload->>'exp' on a valid json text:
// the de-escaping parse of the WHOLE document (so a \u0000 or an unpaired
// surrogate anywhere is an error, although the json type accepted it), then
// the values of the last top-level "nbf" and "exp" keys (keys compared after
// de-escaping). A payload that is not an object has neither.
func findClaims(payload []byte) (nbf, exp claim, err error) {
	var f claimFinder
	if err := parseJSON(payload, true, &f); err != nil {
		return claim{}, claim{}, err
	}
	return f.nbf, f.exp, nil
}

// text is the claim as ->> returns it, for try_cast_double.
func (c claim) text() (string, bool) {
	switch c.kind {
	case tokNumber:
		return string(c.raw), true
	case tokString:
		return string(unescapeJSON(nil, c.raw)), true
	}
	return "", false
}

// unescapeJSON appends the value of the JSON string token tok (quotes
// included), which the de-escaping parse has already accepted.
func unescapeJSON(dst, tok []byte) []byte {
	s := tok[1 : len(tok)-1]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := rune(hex4(s[i+1:]))
			i += 4
			if r >= 0xd800 && r <= 0xdbff {
				lo := rune(hex4(s[i+3:]))
				r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
				i += 6
			}
			dst = utf8.AppendRune(dst, r)
		default: // " \ /
			dst = append(dst, s[i])
		}
	}
	return dst
}

func hex4(s []byte) int {
	return hexValue(s[0])<<12 | hexValue(s[1])<<8 | hexValue(s[2])<<4 | hexValue(s[3])
}

// PostgreSQL timestamps: microseconds since 2000-01-01 00:00:00 UTC, with
// -infinity and infinity at the ends of int64.
const (
	tsNoBegin   = math.MinInt64
	tsNoEnd     = math.MaxInt64
	tsMin       = -211813488000000000 // 4714-11-24 BC
	tsEnd       = 9223371331200000000 // 294277-01-01, exclusive
	pgEpochUnix = 946684800           // 2000-01-01 in Unix seconds
	// to_timestamp(float8) accepts [minUnixSeconds, endUnixSeconds).
	minUnixSeconds = -210866803200
	endUnixSeconds = 9224318016000
)

// claimTime is to_timestamp(try_cast_double(claim)): ok is false for a NULL
// (no bound); NaN and numbers beyond the timestamp range are errors.
func claimTime(c claim) (ts int64, ok bool, err error) {
	s, ok := c.text()
	if !ok {
		return 0, false, nil
	}
	x, ok := TryCastDouble(s)
	if !ok {
		return 0, false, nil
	}
	ts, err = toTimestamp(x)
	return ts, err == nil, err
}

// toTimestamp is PostgreSQL's to_timestamp(double precision).
func toTimestamp(x float64) (int64, error) {
	switch {
	case math.IsNaN(x):
		return 0, ErrTimestampNaN
	case math.IsInf(x, 1):
		return tsNoEnd, nil
	case math.IsInf(x, -1):
		return tsNoBegin, nil
	case x < minUnixSeconds || x >= endUnixSeconds:
		return 0, timestampRange(x)
	}
	// Subtract first, then scale and round half to even, as PostgreSQL does;
	// the float64 conversions keep the compiler from fusing the operations.
	us := math.RoundToEven(float64(float64(x-pgEpochUnix) * 1e6))
	ts := int64(us)
	if ts < tsMin || ts >= tsEnd {
		return 0, timestampRange(x)
	}
	return ts, nil
}

// timestampRange quotes x as C's printf("%g") does: six significant digits,
// trailing zeros removed, exponent form outside [1e-4, 1e6).
func timestampRange(x float64) error {
	return ErrTimestampRange.With(`timestamp out of range: "` + strconv.FormatFloat(x, 'g', 6, 64) + `"`)
}
