package pgjson

import "strings"

// Numeric is the text of a PostgreSQL numeric value, such as "1.50", "-3e2"
// or "NaN". It renders as numeric_out prints the value numeric_in reads from
// the text: "1.50" stays "1.50" (the display scale keeps trailing zeros),
// "-3e2" becomes "-300", "1.5e-3" becomes "0.0015", "-0.0" becomes "0.0".
// NaN, Infinity and -Infinity are not JSON numbers, so the json producers
// render them as the strings "NaN", "Infinity" and "-Infinity", as
// PostgreSQL does.
//
// Accepted text is what numeric_in accepts on PostgreSQL 14 to 18: optional
// surrounding white space, an optional sign, decimal digits with at most one
// point, an optional exponent (e or E), or (any letter case) NaN,
// [+-]Infinity, [+-]inf. PostgreSQL 13's numeric has no infinity and refuses
// the last two; this package accepts them. The underscores and 0x/0o/0b
// prefixes that PostgreSQL 16+ accepts are refused, so that a Numeric means
// the same number on every major from 14 on.
type Numeric string

// Limits of numeric_in, as observed on PostgreSQL 15 and 18: exponents from
// INT_MAX/2 on overflow, as do more integer digits than the weight can
// hold or a display scale above NUMERIC_DSCALE_MAX.
const (
	maxNumericExponent  = 1073741823
	maxNumericIntDigits = 131072
	maxNumericScale     = 16383
)

// appendNumeric appends numeric_out(numeric_in(s)). For NaN and the
// infinities it appends nothing and returns their output text in special.
func appendNumeric(dst []byte, s string) (out []byte, special string, err error) {
	t := strings.Trim(s, " \t\n\r\v\f")
	body := t
	neg := false
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "nan":
		if t[0] == '+' || t[0] == '-' {
			return dst, "", numericSyntax(s)
		}
		return dst, "NaN", nil
	case "infinity", "inf":
		if neg {
			return dst, "-Infinity", nil
		}
		return dst, "Infinity", nil
	}
	// digits[.digits] | .digits, then [eE][+-]digits
	i := 0
	for i < len(body) && isDigit(body[i]) {
		i++
	}
	intDigits := body[:i]
	fracDigits := ""
	if i < len(body) && body[i] == '.' {
		i++
		j := i
		for i < len(body) && isDigit(body[i]) {
			i++
		}
		fracDigits = body[j:i]
	}
	if intDigits == "" && fracDigits == "" {
		return dst, "", numericSyntax(s)
	}
	exp := 0
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		i++
		expNeg := false
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			expNeg = body[i] == '-'
			i++
		}
		j := i
		for i < len(body) && isDigit(body[i]) {
			if exp < maxNumericExponent { // saturate: beyond it is overflow anyway
				exp = exp*10 + int(body[i]-'0')
			}
			i++
		}
		if j == i {
			return dst, "", numericSyntax(s)
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(body) {
		return dst, "", numericSyntax(s)
	}
	return appendDecimal(dst, neg, intDigits, fracDigits, exp)
}

// appendDecimal renders the exact decimal sign·intDigits.fracDigits·10^exp
// as numeric_out does: no exponent, no leading zeros, and as many fraction
// digits as the display scale max(0, len(fracDigits)-exp) that numeric_in
// gives it. Values beyond what numeric can hold (131072 integer digits, a
// display scale of 16383) are ErrNumericOverflow, zero included.
func appendDecimal(dst []byte, neg bool, intDigits, fracDigits string, exp int) ([]byte, string, error) {
	if exp >= maxNumericExponent || exp <= -maxNumericExponent {
		return dst, "", ErrNumericOverflow
	}
	scale := max(0, len(fracDigits)-exp)
	point := len(intDigits) + exp // position of the point among all digits
	all := len(intDigits) + len(fracDigits)
	digit := func(k int) byte { // k-th digit of intDigits‖fracDigits, 0 outside
		switch {
		case k < 0 || k >= all:
			return '0'
		case k < len(intDigits):
			return intDigits[k]
		default:
			return fracDigits[k-len(intDigits)]
		}
	}
	first := 0 // first non-zero digit, or all for zero
	for first < all && digit(first) == '0' {
		first++
	}
	if first == all {
		neg = false // numeric has no negative zero
		first = point
	}
	if point-first > maxNumericIntDigits || scale > maxNumericScale {
		return dst, "", ErrNumericOverflow
	}
	if neg {
		dst = append(dst, '-')
	}
	if first >= point {
		dst = append(dst, '0')
	}
	for k := first; k < point; k++ {
		dst = append(dst, digit(k))
	}
	if scale > 0 {
		dst = append(dst, '.')
		for k := point; k < point+scale; k++ {
			dst = append(dst, digit(k))
		}
	}
	return dst, "", nil
}

func numericSyntax(s string) error {
	return ErrNumericSyntax.With(`invalid input syntax for type numeric: "` + s + `"`)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
