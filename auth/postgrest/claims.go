package postgrest

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// decodeClaims parses a JWT payload the way aeson does for PostgREST: one
// JSON object, surrounding whitespace allowed, valid UTF-8. Numbers keep their
// text (json.Number) so that exp/nbf/iat and the claims handed to the
// database see exactly what the token carried.
func decodeClaims(payload []byte) (map[string]any, bool) {
	v, ok := parseJSON(payload)
	m, isObject := v.(map[string]any)
	return m, ok && isObject
}

// timeClaim is exp, nbf or iat after PostgREST's parsing.
type timeClaim struct {
	present bool  // a JSON number (absent and null are not checked)
	invalid bool  // present and not a number: "must be a number"
	value   int64 // the number, or 0 when not integral or beyond int64
}

func parseTimeClaim(claims map[string]any, name string) timeClaim {
	v, ok := claims[name]
	if !ok || v == nil {
		return timeClaim{}
	}
	n, ok := v.(json.Number)
	if !ok {
		return timeClaim{invalid: true}
	}
	return timeClaim{present: true, value: boundedInt64(string(n))}
}

// boundedInt64 converts a JSON number to int64 only if it is integral and fits;
// anything else counts as 0. Bug-compatible with PostgREST, which uses
// Haskell's toBoundedInteger with a default of 0: exp 1893456000.5 is 0
// (expired) and nbf 1e30 is 0 (valid).
func boundedInt64(num string) int64 {
	if isPlainInteger(num) { // the usual "exp":1700000000
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return 0 // beyond int64
		}
		return v
	}
	neg := strings.HasPrefix(num, "-")
	mant, expText, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(num, "-")), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return 0
	}
	exp := -len(frac)
	if expText != "" {
		e, err := strconv.Atoi(expText)
		if err != nil {
			return 0 // |exponent| beyond int: far too large or far from integral
		}
		if e > 1<<20 || e < -(1<<20) {
			return 0
		}
		exp += e
	}
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		exp++
	}
	if exp < 0 || len(digits)+exp > 19 {
		return 0
	}
	s := digits + strings.Repeat("0", exp)
	if neg {
		s = "-" + s
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// audClaim is the checked aud claim.
type audClaim struct {
	invalid bool     // not a string, not an array of strings
	present bool     // a string or a non-null array
	values  []string // the string, or the array's elements
}

func parseAud(claims map[string]any) audClaim {
	v, ok := claims["aud"]
	if !ok || v == nil {
		return audClaim{}
	}
	switch x := v.(type) {
	case string:
		return audClaim{present: true, values: []string{x}}
	case []any:
		vals := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return audClaim{invalid: true}
			}
			vals = append(vals, s)
		}
		return audClaim{present: true, values: vals}
	}
	return audClaim{invalid: true}
}

// inAudience applies jwt-aud: an empty array passes, otherwise one element
// must equal it exactly.
func (a audClaim) inAudience(want string) bool {
	if !a.present || len(a.values) == 0 {
		return true
	}
	return slices.Contains(a.values, want)
}

func appendSortedKeys(keys []string, m map[string]any) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // bytewise = code point order, as aeson's Text keys
	return keys
}

// appendAeson renders v as aeson's encode does: compact, object members in
// sorted order, strings escaped as appendJSONString, numbers as aeson prints
// a Scientific.
func appendAeson(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		return appendJSONString(b, x)
	case json.Number:
		return appendAesonNumber(b, string(x))
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAeson(b, e)
		}
		return append(b, ']')
	case map[string]any:
		return appendAesonObject(b, x, "", nil)
	}
	return append(b, "null"...)
}

// appendAesonObject renders m, with member override set to value when
// override is not "" (it is added if m lacks it).
func appendAesonObject(b []byte, m map[string]any, override string, value any) []byte {
	var buf [16]string
	keys := appendSortedKeys(buf[:0], m)
	if override != "" {
		if _, ok := m[override]; !ok {
			keys = append(keys, override)
			slices.Sort(keys)
		}
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if k == override {
			b = appendAeson(b, value)
		} else {
			b = appendAeson(b, m[k])
		}
	}
	return append(b, '}')
}

// appendAesonNumber prints a JSON number as aeson does. aeson keeps the
// parsed coefficient and exponent unnormalised: a non-negative exponent
// (at most 1024) prints the integer in full ("1e3" → 1000), otherwise
// Haskell's formatScientific Generic: fixed notation when the decimal
// exponent is within 0..7, else d.ddde±n ("1900000000.0" → 1.9e9, "0.001" →
// 1.0e-3, "1.50" → 1.5).
func appendAesonNumber(b []byte, num string) []byte {
	if isPlainInteger(num) && num != "-0" {
		return append(b, num...) // JSON forbids leading zeros: already aeson's form
	}
	neg := strings.HasPrefix(num, "-")
	mant, expText, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(num, "-")), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	coef := strings.TrimLeft(intPart+frac, "0")
	exp := -len(frac)
	if expText != "" {
		e, err := strconv.Atoi(strings.TrimPrefix(expText, "+"))
		if err != nil || e > 1<<30 || e < -(1<<30) {
			return append(b, num...) // absurd exponent: keep the text
		}
		exp += e
	}
	if coef == "" { // zero has no sign in a Scientific
		if exp >= 0 {
			return append(b, '0')
		}
		return append(b, "0.0"...)
	}
	if neg {
		b = append(b, '-')
	}
	if exp >= 0 && exp <= 1024 {
		b = append(b, coef...)
		for range exp {
			b = append(b, '0')
		}
		return b
	}
	// toDecimalDigits: value = 0.d1d2... × 10^e
	ds := strings.TrimRight(coef, "0")
	e := len(coef) + exp
	if e < 0 || e > 7 {
		b = append(b, ds[0])
		b = append(b, '.')
		if len(ds) == 1 {
			b = append(b, '0')
		} else {
			b = append(b, ds[1:]...)
		}
		b = append(b, 'e')
		return strconv.AppendInt(b, int64(e-1), 10)
	}
	if e == 0 {
		b = append(b, "0."...)
		return append(b, ds...)
	}
	if len(ds) <= e {
		b = append(b, ds...)
		for range e - len(ds) {
			b = append(b, '0')
		}
		return append(b, ".0"...)
	}
	b = append(b, ds[:e]...)
	b = append(b, '.')
	return append(b, ds[e:]...)
}

// isPlainInteger reports a JSON number without fraction or exponent.
func isPlainInteger(num string) bool {
	digits := strings.TrimPrefix(num, "-")
	if digits == "" {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}
