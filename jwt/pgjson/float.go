package pgjson

import (
	"math"
	"math/big"
	"strconv"
)

// appendFloat appends f as float8out (bits 64) or float4out (bits 32) print
// it with the default extra_float_digits=1 of PostgreSQL 12+: the shortest
// decimal that reads back to the same value, in positional notation when the
// decimal exponent lies in [-4, 15) for float8 and [-4, 6) for float4, else
// as d.ddde±XX (at least two exponent digits). Go's %g switches at another
// exponent, hence this function. NaN and the infinities return their output
// text in special instead.
func appendFloat(dst []byte, f float64, bits int) (out []byte, special string) {
	switch {
	case math.IsNaN(f):
		return dst, "NaN"
	case math.IsInf(f, 1):
		return dst, "Infinity"
	case math.IsInf(f, -1):
		return dst, "-Infinity"
	}
	if math.Signbit(f) {
		dst = append(dst, '-') // float8out prints -0 as "-0"
		f = -f
	}
	if f == 0 {
		return append(dst, '0'), ""
	}
	var buf [32]byte
	digits, exp := shortestDigits(buf[:0], f, bits)
	limit := 15 // DBL_DIG
	if bits == 32 {
		limit = 6 // FLT_DIG
	}
	if exp < -4 || exp >= limit {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		return appendPadded(dst, exp, 2), ""
	}
	switch {
	case exp < 0: // 0.000ddd
		dst = append(dst, '0', '.')
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	case exp+1 >= len(digits): // ddd000
		dst = append(dst, digits...)
		for i := len(digits); i <= exp; i++ {
			dst = append(dst, '0')
		}
	default: // dd.ddd
		dst = append(dst, digits[:exp+1]...)
		dst = append(dst, '.')
		dst = append(dst, digits[exp+1:]...)
	}
	return dst, ""
}

// shortestDigits returns the significant digits (no trailing zeros) and the
// decimal exponent of the first digit of the shortest decimal that lies
// strictly between the midpoints to f's neighbours (f > 0, finite).
//
// Bug-compatible: PostgreSQL's Ryu port never accepts a decimal that lies
// exactly on such a midpoint (strtod would have to break the tie to even),
// where Go's shortest formatting (like upstream Ryu) does for even
// mantissas. For example the float4 90472976 prints as 9.0472976e+07 in
// PostgreSQL, not 9.047298e+07, and the float8 8.2513e+20 prints as
// 8.251299999999999e+20.
func shortestDigits(buf []byte, f float64, bits int) ([]byte, int) {
	s := strconv.AppendFloat(buf, f, 'e', -1, bits)
	digits, exp := splitE(s)
	// A midpoint between two floats is a short decimal only for large
	// magnitudes (its binary exponent must be nearly non-negative), so
	// smaller values cannot hit the tie and skip the exact check.
	threshold := float64(1 << 50)
	if bits == 32 {
		threshold = 1 << 18
	}
	if f < threshold {
		return digits, exp
	}
	lo, hi := midpoints(f, bits)
	if c := decimalRat(digits, exp); c.Cmp(lo) > 0 && c.Cmp(hi) < 0 {
		return digits, exp
	}
	return shortestExclusive(f, bits, len(digits), lo, hi)
}

// splitE splits Go's d.ddde±XX into its digits and exponent.
func splitE(s []byte) ([]byte, int) {
	x := len(s) - 1
	for s[x] != 'e' {
		x--
	}
	exp := 0
	for _, c := range s[x+2:] {
		exp = exp*10 + int(c-'0')
	}
	if s[x+1] == '-' {
		exp = -exp
	}
	digits := s[:0:0]
	digits = append(digits, s[0])
	if x > 1 {
		digits = append(digits, s[2:x]...) // skip the point
	}
	return digits, exp
}

// midpoints returns the exact midpoints between f and its neighbours at the
// given precision.
func midpoints(f float64, bits int) (lo, hi *big.Rat) {
	var prev, next float64
	if bits == 32 {
		prev = float64(math.Nextafter32(float32(f), 0))
		next = float64(math.Nextafter32(float32(f), math.MaxFloat32))
		if next == f { // the largest float4: its upper gap equals the lower one
			next = f + (f - prev)
		}
	} else {
		prev = math.Nextafter(f, 0)
		next = math.Nextafter(f, math.Inf(1))
		if math.IsInf(next, 1) { // the largest float8: f+gap/2 overflows, so in big
			r := new(big.Rat).SetFloat64(f)
			gap := new(big.Rat).Sub(r, new(big.Rat).SetFloat64(prev))
			hi = r.Add(r, gap.Quo(gap, big.NewRat(2, 1)))
		}
	}
	half := big.NewRat(1, 2)
	fr := new(big.Rat).SetFloat64(f)
	lo = new(big.Rat).Add(fr, new(big.Rat).SetFloat64(prev))
	lo.Mul(lo, half)
	if hi == nil {
		hi = new(big.Rat).Add(fr, new(big.Rat).SetFloat64(next))
		hi.Mul(hi, half)
	}
	return lo, hi
}

// decimalRat is the exact value of 0.d1d2d3… × 10^(exp+1).
func decimalRat(digits []byte, exp int) *big.Rat {
	n, _ := new(big.Int).SetString(string(digits), 10)
	return scaled(n, exp-len(digits)+1)
}

// scaled is n × 10^e.
func scaled(n *big.Int, e int) *big.Rat {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(e))), nil)
	if e >= 0 {
		return new(big.Rat).SetInt(n.Mul(n, p))
	}
	return new(big.Rat).SetFrac(n, p)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// shortestExclusive searches, from n digits up, for the decimals of n
// significant digits next to f that lie strictly inside (lo, hi), and
// returns the one closest to f (on a tie, the one with an even last digit).
func shortestExclusive(f float64, bits, n int, lo, hi *big.Rat) ([]byte, int) {
	fr := new(big.Rat).SetFloat64(f)
	for ; n <= 17; n++ {
		s := strconv.AppendFloat(nil, f, 'e', n-1, bits) // f rounded to n digits
		digits, exp := splitE(s)
		unit := exp - n + 1 // power of ten of the last digit
		near, _ := new(big.Int).SetString(string(digits), 10)
		other := new(big.Int).Set(near)
		switch scaled(new(big.Int).Set(near), unit).Cmp(fr) {
		case 0:
			return digits, exp
		case 1:
			other.Sub(other, big.NewInt(1))
		default:
			other.Add(other, big.NewInt(1))
		}
		var best *big.Int
		var bestDist *big.Rat
		for _, c := range []*big.Int{near, other} {
			v := scaled(new(big.Int).Set(c), unit)
			if v.Cmp(lo) <= 0 || v.Cmp(hi) >= 0 {
				continue
			}
			d := new(big.Rat).Sub(v, fr)
			d.Abs(d)
			if best == nil || d.Cmp(bestDist) < 0 || (d.Cmp(bestDist) == 0 && c.Bit(0) == 0) {
				best, bestDist = c, d
			}
		}
		if best != nil {
			return normalise(best.String(), unit)
		}
	}
	// Unreachable: 17 digits always separate two float8s.
	return splitE(strconv.AppendFloat(nil, f, 'e', 16, bits))
}

// normalise turns the integer text t × 10^unit into significant digits
// without trailing zeros and the exponent of the first digit.
func normalise(t string, unit int) ([]byte, int) {
	exp := unit + len(t) - 1
	for len(t) > 1 && t[len(t)-1] == '0' {
		t = t[:len(t)-1]
	}
	return []byte(t), exp
}
