package jwt

import (
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"
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
	claims [3]claim // indexed by target: -, nbf, exp
	target int      // the claim the next top-level value belongs to, 0 for none
	// escapeErr is the first failure of the de-escaping parse, which
	// PostgreSQL raises only when it extracts the claims.
	escapeErr error
}

const (
	targetNBF = 1
	targetEXP = 2
)

func (f *claimFinder) key(l *jsonLexer, depth int) {
	f.target = 0
	if depth != 1 || l.escapeErr != nil {
		// Once the de-escaping parse has failed, the claims are never read.
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
		f.target = targetNBF
	case "exp":
		f.target = targetEXP
	}
}

func (f *claimFinder) value(l *jsonLexer, depth int, composite bool) {
	if depth != 1 || f.target == 0 {
		return
	}
	c := claim{kind: tokEnd}
	if !composite && (l.kind == tokString || l.kind == tokNumber) {
		c = claim{kind: l.kind, raw: l.in[l.start:l.end]}
	}
	f.claims[f.target], f.target = c, 0
}

// scanPayload is, in one pass, the json input check of the payload and
// payload->>'nbf', payload->>'exp': the de-escaping parse of the WHOLE
// document (a \u0000 or an unpaired surrogate anywhere fails it, although
// the json type accepts them) and the values of the last top-level "nbf"
// and "exp" keys (compared after de-escaping). A payload that is not an
// object has neither. err is a syntax error; the de-escaping failure, which
// PostgreSQL raises only later, is left in f.escapeErr.
func scanPayload(payload []byte) (f claimFinder, err error) {
	err = parseJSON(payload, true, &f)
	return f, err
}

func (f *claimFinder) nbf() claim { return f.claims[targetNBF] }
func (f *claimFinder) exp() claim { return f.claims[targetEXP] }

// text is the claim as ->> returns it, for try_cast_double.
func (c claim) text() (string, bool) {
	switch c.kind {
	case tokNumber:
		// Only read while the payload is alive and unchanged.
		return unsafe.String(unsafe.SliceData(c.raw), len(c.raw)), true
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
			if r >= 0xd800 && r <= 0xdbff && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				if lo := rune(hex4(s[i+3:])); lo >= 0xdc00 && lo <= 0xdfff {
					r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
					i += 6
				}
			}
			// A lone surrogate cannot get here (the parse rejects it);
			// AppendRune would write U+FFFD for it.
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
