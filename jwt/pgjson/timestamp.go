package pgjson

import (
	"math"
	"time"
)

// timestamptz's range, as instants: [4714-11-24 00:00:00 BC, 294277-01-01) UTC.
var (
	minTimestamp = time.Date(-4713, time.November, 24, 0, 0, 0, 0, time.UTC)
	endTimestamp = time.Date(294277, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// toMicroseconds rounds t to the microsecond as PostgreSQL's timestamptz
// input rounds a fraction of nine digits: rint(strtod("0.nnnnnnnnn")*1e6),
// in float8. That is round half to even in nearly every case, but it is the
// float arithmetic that decides (a nanosecond fraction such as .0000025 is not
// exactly representable). pgx's binary encoding truncates instead: call
// t.Truncate(time.Microsecond) first to match a value that went through pgx.
func toMicroseconds(t time.Time) time.Time {
	ns := t.Nanosecond()
	if ns%1000 == 0 {
		return t
	}
	// float64(ns)/1e9 is the correctly rounded value of the decimal 0.nnnnnnnnn,
	// exactly what strtod returns for it.
	us := math.RoundToEven(float64(ns) / 1e9 * 1e6)
	return t.Add(time.Duration(int64(us)*1000 - int64(ns)))
}

// appendTimestamptz appends t as to_json renders a timestamptz in a session
// whose TimeZone is UTC: "2026-11-25T19:57:28.123456+00:00", with the
// fraction's trailing zeros trimmed (and no fraction for whole seconds), at
// least four year digits, and " BC" after the offset for years before 1 AD
// (Go's year 0 is 1 BC). The quotes are included.
func appendTimestamptz(dst []byte, t time.Time) ([]byte, error) {
	t = toMicroseconds(t).UTC()
	if t.Before(minTimestamp) || !t.Before(endTimestamp) {
		return dst, ErrTimestampRange
	}
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	bc := year <= 0
	if bc {
		year = 1 - year
	}
	dst = append(dst, '"')
	dst = appendPadded(dst, year, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendPadded(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendPadded(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, sec, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		digits := 6
		for us%10 == 0 {
			us /= 10
			digits--
		}
		dst = append(dst, '.')
		dst = appendPadded(dst, us, digits)
	}
	dst = append(dst, "+00:00"...)
	if bc {
		dst = append(dst, " BC"...)
	}
	return append(dst, '"'), nil
}

// appendPadded appends n (≥ 0) in decimal with at least width digits.
func appendPadded(dst []byte, n, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for n >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	i--
	buf[i] = byte('0' + n)
	return append(dst, buf[i:]...)
}

// EpochSeconds returns what `extract(epoch from t)::integer` returns on
// PostgreSQL 14 and later, the expression the seed's login() uses for exp
// (it then adds 60*60): t is first rounded to the microsecond like any
// timestamptz, then extract gives the exact numeric seconds, and the cast to
// integer rounds half away from zero (12.5 → 13, -12.5 → -13). Instants
// whose result does not fit an int4 (1901-12-13T20:45:51.5Z and earlier,
// 2038-01-19T03:14:07.5Z and later) return ErrIntegerRange, as the cast does.
//
// PostgreSQL 13 differs: its extract returns float8 and the float8 cast
// rounds half to even (12.5 → 12, 13.5 → 14, -12.5 → -12), so an instant
// exactly half a second past a whole second can give a result one nearer
// zero there; ForVersion(13).EpochSeconds follows it.
func EpochSeconds(t time.Time) (int64, error) {
	return epochSeconds(MaxMajor, t)
}

func epochSeconds(major int, t time.Time) (int64, error) {
	t = toMicroseconds(t)
	if t.Before(minTimestamp) || !t.Before(endTimestamp) {
		return 0, ErrTimestampRange
	}
	us := t.UnixMicro()
	sec, frac := us/1e6, us%1e6
	if major < 14 {
		// float8 us/1e6 is exact enough below 2^52 µs that only a true
		// half lands on .5; rint then rounds it to even.
		if frac < 0 {
			sec, frac = sec-1, frac+1e6
		}
		if frac > 500000 || frac == 500000 && sec%2 != 0 {
			sec++
		}
	} else {
		switch {
		case frac >= 500000:
			sec++
		case frac <= -500000:
			sec--
		}
	}
	if sec < math.MinInt32 || sec > math.MaxInt32 {
		return 0, ErrIntegerRange
	}
	return sec, nil
}
