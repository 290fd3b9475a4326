package jwt

import (
	"math"
	"strconv"
	"unsafe"

	"github.com/pgjwt-go/pgjwt/internal/pgjsonlex"
)

// claim is what payload->>'name' yields for one claim: a JSON string (to be
// de-escaped), a number's literal spelling, or nothing usable (absent, null,
// true/false, an object or array: try_cast_double makes all of these NULL).
type claim struct {
	kind pgjsonlex.Kind // pgjsonlex.String, pgjsonlex.Number, or 0 for nothing usable
	raw  []byte         // the token text, quotes included for strings
}

// claimFinder holds nbf and exp of a top-level object; a later duplicate
// key overrides an earlier one, as ->> does.
type claimFinder struct {
	claims [3]claim // indexed by target: -, nbf, exp
	// escapeErr is the first failure of the de-escaping parse, which
	// PostgreSQL raises only when it extracts the claims.
	escapeErr error
}

const (
	targetNBF = 1
	targetEXP = 2
)

// claimTarget is the claim a top-level key names, after de-escaping.
func claimTarget(p *pgjsonlex.Parser) int {
	var name []byte
	if p.Escaped() {
		var buf [8]byte
		name = p.AppendText(buf[:0])
	} else {
		tok := p.Token()
		name = tok[1 : len(tok)-1]
	}
	switch string(name) {
	case "nbf":
		return targetNBF
	case "exp":
		return targetEXP
	}
	return 0
}

// scanPayload is, in one pass, the json input check of the payload and
// payload->>'nbf', payload->>'exp': the de-escaping parse of the WHOLE
// document (a \u0000 or an unpaired surrogate anywhere fails it, although
// the json type accepts them) and the values of the last top-level "nbf"
// and "exp" keys (compared after de-escaping). A payload that is not an
// object has neither. err is a syntax error; the de-escaping failure, which
// PostgreSQL raises only later, is left in f.escapeErr.
func scanPayload(payload []byte) (f claimFinder, err error) {
	p := pgjsonlex.NewParser(payload, pgjsonlex.Options{Mode: pgjsonlex.InputThenUnescape, Errors: jsonErrors})
	target := 0 // the claim the next top-level value belongs to
	for {
		ev, err := p.Next()
		switch {
		case err != nil:
			return f, err
		case ev == pgjsonlex.Done:
			f.escapeErr = p.EscapeErr()
			return f, nil
		case p.Depth() != 1:
		case ev == pgjsonlex.Key:
			target = 0
			if p.EscapeErr() == nil { // once it has failed, the claims are never read
				target = claimTarget(&p)
			}
		case target != 0: // the key's value starts
			c := claim{}
			if k := p.Kind(); ev == pgjsonlex.Scalar && (k == pgjsonlex.String || k == pgjsonlex.Number) {
				c = claim{kind: k, raw: p.Token()}
			}
			f.claims[target], target = c, 0
		}
	}
}

func (f *claimFinder) nbf() claim { return f.claims[targetNBF] }
func (f *claimFinder) exp() claim { return f.claims[targetEXP] }

// text is the claim as ->> returns it, for try_cast_double.
func (c claim) text() (string, bool) {
	switch c.kind {
	case pgjsonlex.Number:
		// Only read while the payload is alive and unchanged.
		return unsafe.String(unsafe.SliceData(c.raw), len(c.raw)), true
	case pgjsonlex.String:
		return string(pgjsonlex.AppendText(nil, c.raw)), true
	}
	return "", false
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
