package pgjson

import (
	"math/big"
	"strings"
)

// Numeric is the text of a PostgreSQL numeric value, such as "1.50", "-3e2"
// or "NaN". It renders as numeric_out prints the value numeric_in reads from
// the text: "1.50" stays "1.50" (the display scale keeps trailing zeros),
// "-3e2" becomes "-300", "1.5e-3" becomes "0.0015", "-0.0" becomes "0.0".
// NaN, Infinity and -Infinity are not JSON numbers, so the json producers
// render them as the strings "NaN", "Infinity" and "-Infinity", as
// PostgreSQL does.
//
// Accepted text is what numeric_in accepts on the major the encoding
// follows (the package-level functions: 18; see ForVersion): optional
// surrounding white space, an optional sign, decimal digits with at most one
// point, an optional exponent (e or E), or (any letter case) NaN; from 14 on
// also [+-]Infinity and [+-]inf; from 16 on also single underscores between
// digits ("1_000.5") and the integer prefixes 0x, 0o and 0b ("-0x1F" is -31).
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
func appendNumeric(dst []byte, s string, major int) (out []byte, special string, err error) {
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
		if major < 14 { // 13's numeric has no infinity
			return dst, "", numericSyntax(s)
		}
		if neg {
			return dst, "-Infinity", nil
		}
		return dst, "Infinity", nil
	}
	if major >= 16 && len(body) > 2 && body[0] == '0' {
		switch body[1] {
		case 'x', 'X':
			return appendPrefixed(dst, s, neg, body[2:], 16)
		case 'o', 'O':
			return appendPrefixed(dst, s, neg, body[2:], 8)
		case 'b', 'B':
			return appendPrefixed(dst, s, neg, body[2:], 2)
		}
	}
	// digits[.digits] | .digits, then [eE][+-]digits; 16+ allow a single
	// underscore between two digits.
	under := major >= 16
	i := 0
	intDigits, ok := "", true
	if i, intDigits, ok = scanDigits(body, i, under); !ok {
		return dst, "", numericSyntax(s)
	}
	fracDigits := ""
	if i < len(body) && body[i] == '.' {
		if i, fracDigits, ok = scanDigits(body, i+1, under); !ok {
			return dst, "", numericSyntax(s)
		}
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
		var digits string
		if i, digits, ok = scanDigits(body, i, under); !ok || digits == "" {
			return dst, "", numericSyntax(s)
		}
		for k := 0; k < len(digits) && exp < maxNumericExponent; k++ {
			// saturate: beyond it is overflow anyway
			exp = exp*10 + int(digits[k]-'0')
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

// scanDigits reads decimal digits from body[i:]. With under, a single "_"
// may stand between two digits (PostgreSQL 16+); it is dropped from digits.
// ok is false for an underscore not between two digits.
func scanDigits(body string, i int, under bool) (next int, digits string, ok bool) {
	j := i
	for i < len(body) && isDigit(body[i]) {
		i++
	}
	if !under || i == len(body) || body[i] != '_' {
		return i, body[j:i], true
	}
	var b strings.Builder
	b.WriteString(body[j:i])
	for i < len(body) && body[i] == '_' {
		if i == j || i+1 == len(body) || !isDigit(body[i+1]) {
			return i, "", false
		}
		i++
		for i < len(body) && isDigit(body[i]) {
			b.WriteByte(body[i])
			i++
		}
	}
	return i, b.String(), true
}

// appendPrefixed renders the 0x/0o/0b integer digits (after the prefix) of
// PostgreSQL 16+: single underscores may separate digits, and may follow
// the prefix; the value is an integer of display scale 0.
func appendPrefixed(dst []byte, s string, neg bool, digits string, base int) ([]byte, string, error) {
	var clean strings.Builder
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c == '_' {
			if i+1 == len(digits) || digitValue(digits[i+1]) >= base {
				return dst, "", numericSyntax(s)
			}
			continue
		}
		if digitValue(c) >= base {
			return dst, "", numericSyntax(s)
		}
		clean.WriteByte(c)
	}
	if clean.Len() == 0 {
		return dst, "", numericSyntax(s)
	}
	n, ok := new(big.Int).SetString(clean.String(), base)
	if !ok {
		return dst, "", numericSyntax(s)
	}
	return appendDecimal(dst, neg, n.String(), "", 0)
}

// digitValue is c's value as a digit of base up to 36; 99 for a non-digit.
func digitValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

func numericSyntax(s string) error {
	return ErrNumericSyntax.With(`invalid input syntax for type numeric: "` + s + `"`)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
