package jwt

import (
	"math"
	"strconv"
)

// TryCastDouble is pgjwt 0.2.0's try_cast_double(text): the text as
// PostgreSQL's float8 input reads it, or ok == false (SQL NULL) for any text
// that input rejects. PostgreSQL's float8 input is C's strtod (glibc) with
// its own checks, so the rules are NOT strconv.ParseFloat's:
//
//   - leading and trailing C-locale whitespace (space, \t, \n, \v, \f, \r) is
//     skipped; an empty or all-space text is rejected;
//   - decimal numbers with optional sign, fraction and exponent ("+.5", "5.",
//     "1e11"); no "_" digit separators, no ","; an exponent without digits
//     ("1e") leaves "e" as trailing junk, which is rejected;
//   - hexadecimal numbers, with or without a binary exponent ("0x10" = 16,
//     "0x1p4" = 16, "0x.8" = 0.5);
//   - "inf", "infinity", "nan" and "nan(chars)" in any case, with a sign;
//   - overflow ("1e309") and total underflow to zero ("1e-400") are errors,
//     hence rejected; subnormal results ("1e-320") are accepted.
func TryCastDouble(s string) (v float64, ok bool) {
	i, j := 0, len(s)
	for i < j && isCSpace(s[i]) {
		i++
	}
	for j > i && isCSpace(s[j-1]) {
		j--
	}
	if i == j {
		return 0, false
	}
	if v, ok := smallInteger(s[i:j]); ok {
		return v, true
	}
	v, n, ok := strtod(s[i:j])
	if !ok || n != j-i {
		return 0, false
	}
	return v, true
}

// smallInteger reads an optionally signed decimal integer of at most 15
// digits, which every float64 holds exactly, so strtod's result is known
// without it: the common case of an exp or nbf claim.
func smallInteger(s string) (float64, bool) {
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	v := float64(n)
	if neg {
		v = -v
	}
	return v, true
}

func isCSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// strtod reads the longest prefix of s that glibc's strtod would read and
// reports its value, its length and whether float8 input accepts it (no
// conversion, overflow and underflow to zero are errors there).
func strtod(s string) (v float64, n int, ok bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if n := matchFold(s[i:], "infinity"); n > 0 {
		return math.Copysign(math.Inf(1), sign(neg)), i + n, true
	}
	if n := matchFold(s[i:], "inf"); n > 0 {
		return math.Copysign(math.Inf(1), sign(neg)), i + n, true
	}
	if n := matchFold(s[i:], "nan"); n > 0 {
		n += i
		// "nan(" n-char-sequence ")" is consumed only when it is closed.
		if n < len(s) && s[n] == '(' {
			k := n + 1
			for k < len(s) && (isDigit(s[k]) || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || s[k] == '_') {
				k++
			}
			if k < len(s) && s[k] == ')' {
				n = k + 1
			}
		}
		return math.NaN(), n, true
	}
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		if v, n, ok, matched := hexFloat(s, i+2, neg); matched {
			return v, n, ok
		}
		// "0x" without hex digits: strtod reads the "0" alone.
	}
	start := i
	digits, nonzero := 0, false
	for i < len(s) && isDigit(s[i]) {
		nonzero = nonzero || s[i] != '0'
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			nonzero = nonzero || s[i] != '0'
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		k := i + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			i = k
		}
	}
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil && !math.IsInf(f, 0) && f != 0 {
		return 0, i, false
	}
	if math.IsInf(f, 0) || f == 0 && nonzero {
		return 0, i, false // ERANGE: overflow, or underflow to zero
	}
	return math.Copysign(f, sign(neg)), i, true
}

// hexFloat reads the hexadecimal digits, optional point and optional binary
// exponent after "0x" at i. matched is false when no hex digit follows.
func hexFloat(s string, i int, neg bool) (v float64, n int, ok, matched bool) {
	start := i
	digits, nonzero := 0, false
	for i < len(s) && hexValue(s[i]) >= 0 {
		nonzero = nonzero || s[i] != '0'
		i++
		digits++
	}
	mantEnd := i
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && hexValue(s[i]) >= 0 {
			nonzero = nonzero || s[i] != '0'
			i++
			digits++
		}
		mantEnd = i
	}
	if digits == 0 {
		return 0, 0, false, false
	}
	exp := "p0"
	if i < len(s) && (s[i] == 'p' || s[i] == 'P') {
		k := i + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			exp = s[i:k]
			i = k
		}
	}
	f, err := strconv.ParseFloat("0x"+s[start:mantEnd]+exp, 64)
	if math.IsInf(f, 0) || f == 0 && nonzero {
		return 0, i, false, true
	}
	if err != nil {
		return 0, i, false, true
	}
	return math.Copysign(f, sign(neg)), i, true, true
}

// matchFold returns len(word) when s starts with word, ignoring ASCII case.
func matchFold(s, word string) int {
	if len(s) < len(word) {
		return 0
	}
	for k := 0; k < len(word); k++ {
		c := s[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[k] {
			return 0
		}
	}
	return len(word)
}

func sign(neg bool) float64 {
	if neg {
		return -1
	}
	return 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
