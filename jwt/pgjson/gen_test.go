package pgjson_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// A generator of random Objects for the cross-checks against the server:
// every value kind, awkward keys and strings, and (rarely, at most one per
// object) a value the server must refuse.

type myString string // a named string type, rendered like text
type myInt int16     // a named integer type

type gen struct {
	r       *rand.Rand
	rowKeys bool // keys must be valid column aliases (RowToJSON)
	bad     bool // an invalid value has been placed in the current object
	latin1  bool // only characters a LATIN1 database can hold
	major   int  // PostgreSQL major the values must suit (0: the newest)
}

// latin1Only reports whether every character of s is in ISO 8859-1 (and,
// for json text, every \u escape too).
func latin1Only(s string) bool {
	for _, r := range s {
		if r > 0xff {
			return false
		}
	}
	for i := strings.Index(s, `\u`); i >= 0; i = strings.Index(s, `\u`) {
		if len(s) < i+6 || s[i+2:i+4] != "00" {
			return false
		}
		s = s[i+6:]
	}
	return true
}

// pieces strings and keys are made of: JSON escapes, characters that
// encoding/json escapes and PostgreSQL does not, multibyte UTF-8.
var textPieces = []string{
	"a", "role", "exp", "Z", "0", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t",
	"\x01", "\x1f", "\x7f", "<", ">", "&", "\u0080", "é", "\u2028", "\u2029", "€",
	"😀", "\uffff", "\U0010ffff", "'", "$1", "{", "}", "[", ",", ":", "\\u0000",
}

func (g *gen) text(max int) string {
	var b strings.Builder
	n := g.r.IntN(max + 1)
	for i := 0; i < n; i++ {
		p := textPieces[g.r.IntN(len(textPieces))]
		if g.latin1 && !latin1Only(p) {
			continue
		}
		b.WriteString(p)
	}
	return b.String()
}

// key returns a key, sometimes a duplicate of an earlier one.
func (g *gen) key(earlier []pgjson.Member) string {
	if len(earlier) > 0 && g.r.IntN(6) == 0 {
		return earlier[g.r.IntN(len(earlier))].Key
	}
	for {
		k := g.text(4)
		if g.r.IntN(10) == 0 {
			k = strings.Repeat("k", 1+g.r.IntN(70))
		}
		if !g.rowKeys {
			return k
		}
		if k != "" && len(k) <= 63 {
			return k
		}
	}
}

func (g *gen) object(depth int) pgjson.Object {
	n := g.r.IntN(6)
	if depth == 0 {
		n = 1 + g.r.IntN(8)
	}
	o := make(pgjson.Object, 0, n)
	for i := 0; i < n; i++ {
		o = append(o, pgjson.Member{Key: g.key(o), Value: g.value(depth + 1)})
	}
	return o
}

func (g *gen) value(depth int) any {
	k := g.r.IntN(22)
	if depth >= 3 && k >= 18 {
		k = g.r.IntN(18)
	}
	switch k {
	case 0:
		return nil
	case 1, 2:
		return g.str()
	case 3:
		return g.r.IntN(2) == 0
	case 4:
		return g.int()
	case 5, 6:
		return g.float64()
	case 7:
		return g.float32()
	case 8, 9:
		return g.numeric()
	case 10, 11:
		return g.time()
	case 12, 13:
		return g.raw()
	case 14:
		b := make([]byte, g.r.IntN(6))
		for i := range b {
			b[i] = byte(g.r.IntN(256))
		}
		return b
	case 15:
		return myString(g.text(3))
	case 16:
		switch g.r.IntN(3) {
		case 0:
			return []string{g.text(2), g.text(2)}
		case 1:
			return []int64{g.r.Int64(), -1, 0}
		default:
			return []string(nil)
		}
	case 17:
		return myInt(g.r.IntN(1<<16) - 1<<15)
	case 18, 19:
		return g.object(depth)
	default:
		n := g.r.IntN(4)
		a := make([]any, n)
		for i := range a {
			a[i] = g.value(depth + 1)
		}
		return a
	}
}

func (g *gen) str() string {
	s := g.text(8)
	// Not for LATIN1: its conversion from the UTF8 client lets some invalid
	// sequences through, which says nothing about the producers.
	if !g.bad && !g.latin1 && g.r.IntN(60) == 0 {
		g.bad = true
		bads := []string{"\x00", "\xff", "\xc3(", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}
		s += bads[g.r.IntN(len(bads))] + "x"
	}
	return s
}

func (g *gen) int() any {
	switch g.r.IntN(8) {
	case 0:
		return int8(g.r.IntN(256) - 128)
	case 1:
		return int16(g.r.IntN(1<<16) - 1<<15)
	case 2:
		return int32(g.r.Uint32())
	case 3:
		return g.r.Uint64()
	case 4:
		return uint32(g.r.Uint32())
	case 5:
		return []int64{math.MaxInt64, math.MinInt64, 0, -1, 1}[g.r.IntN(5)]
	case 6:
		return g.r.IntN(2000) - 1000
	default:
		return int64(g.r.Uint64())
	}
}

func (g *gen) float64() float64 {
	switch g.r.IntN(8) {
	case 0:
		return math.Float64frombits(g.r.Uint64())
	case 1:
		return []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1),
			math.MaxFloat64, math.SmallestNonzeroFloat64, -math.MaxFloat64, 5e-324, 2.2250738585072014e-308}[g.r.IntN(10)]
	case 2:
		return math.Pow(10, float64(g.r.IntN(60)-30)) * float64(1+g.r.IntN(9))
	case 3:
		return float64(g.r.Int64N(1<<53)) * []float64{1, -1, 0.5, 1e-3}[g.r.IntN(4)]
	case 4:
		f, _ := strconv.ParseFloat(fmt.Sprintf("%d.%de%d", g.r.IntN(1000), g.r.IntN(1000), g.r.IntN(40)-20), 64)
		return f
	default:
		return g.r.NormFloat64() * math.Pow(10, float64(g.r.IntN(40)-20))
	}
}

func (g *gen) float32() float32 {
	switch g.r.IntN(4) {
	case 0:
		return math.Float32frombits(g.r.Uint32())
	case 1:
		return []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)),
			math.MaxFloat32, math.SmallestNonzeroFloat32, 1e6, 999999, 1e-4, 1e-5, 123456.7}[g.r.IntN(11)]
	default:
		return float32(g.r.NormFloat64() * math.Pow(10, float64(g.r.IntN(20)-10)))
	}
}

func (g *gen) numeric() pgjson.Numeric {
	if !g.bad && g.r.IntN(40) == 0 {
		g.bad = true
		bads := []string{"", "1e", ".", "e5", "1 2", "abc", "+nan", "1e+-5", "--1", "1e99999999999", "0e-16384", "1.2.3", "infinit"}
		return pgjson.Numeric(bads[g.r.IntN(len(bads))])
	}
	if g.r.IntN(10) == 0 {
		s := []string{"NaN", "nan", "Infinity", "-Infinity", "+inf", "-INF", " inf ", "0", "-0", "-0.000", "00012.3400", ".5", "5.", "-.5e-3", "1E+3", "0e131073"}[g.r.IntN(16)]
		if g.major == 13 && strings.Contains(strings.ToLower(s), "inf") {
			// 13's numeric has no infinity: the text is invalid there.
			if g.bad {
				s = "NaN"
			}
			g.bad = true
		}
		return pgjson.Numeric(s)
	}
	var b strings.Builder
	if g.r.IntN(6) == 0 {
		b.WriteString([]string{" ", "\t", "\n "}[g.r.IntN(3)])
	}
	b.WriteString([]string{"", "", "-", "+"}[g.r.IntN(4)])
	digits := func(n int) {
		for i := 0; i < n; i++ {
			b.WriteByte(byte('0' + g.r.IntN(10)))
		}
	}
	intN, fracN := g.r.IntN(25), g.r.IntN(25)
	if intN+fracN == 0 {
		intN = 1
	}
	digits(intN)
	if fracN > 0 || g.r.IntN(5) == 0 {
		b.WriteByte('.')
		digits(fracN)
	}
	if g.r.IntN(3) == 0 {
		b.WriteString([]string{"e", "E", "e+", "e-", "E-"}[g.r.IntN(5)])
		b.WriteString(strconv.Itoa(g.r.IntN(60)))
	}
	if g.r.IntN(8) == 0 {
		b.WriteString(" ")
	}
	return pgjson.Numeric(b.String())
}

// Instants across timestamptz's whole range, often with nanoseconds that
// PostgreSQL must round, and on exact half microseconds.
func (g *gen) time() time.Time {
	var t time.Time
	switch g.r.IntN(5) {
	case 0: // anywhere in range
		lo, hi := time.Date(-4713, 11, 24, 0, 0, 0, 0, time.UTC).Unix(), time.Date(294276, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
		t = time.Unix(lo+g.r.Int64N(hi-lo), 0)
	case 1: // around year 0 and the 4/5-digit year boundary
		t = time.Date([]int{0, 1, -1, 9999, 10000, -4713, -4714}[g.r.IntN(7)], time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), 0, time.UTC)
	default: // around now
		t = time.Unix(1764097300+g.r.Int64N(1<<27)-1<<26, 0)
	}
	switch g.r.IntN(4) {
	case 0:
	case 1:
		t = t.Add(time.Duration(g.r.IntN(1e6)) * time.Microsecond)
	case 2:
		t = t.Add(time.Duration(g.r.IntN(1e6))*time.Microsecond + 500) // exact half
	default:
		t = t.Add(time.Duration(g.r.IntN(1e9)))
	}
	if t.Before(time.Date(-4713, 11, 24, 0, 0, 1, 0, time.UTC)) || t.After(time.Date(294276, 12, 31, 23, 59, 59, 0, time.UTC)) {
		if g.bad { // one refused value per object: the order of errors is not under test
			t = time.Unix(1764097300, 0)
		}
		g.bad = true
	}
	return t.In(time.FixedZone("X", 3600*(g.r.IntN(5)-2)))
}

// raw returns json text PostgreSQL accepts (rarely one it refuses).
func (g *gen) raw() json.RawMessage {
	if !g.bad && g.r.IntN(25) == 0 {
		g.bad = true
		bads := []string{"", "{", "[1,]", "{'a':1}", "01", "NaN", `"\x"`, "\"a\tb\"", `{"a" 1}`, "tru", "1.", "-", `"\u12"`, `"\ud800"`, `"\udc00"`, `"\u0000"`, `["\ud800\ud800\udc00"]`, "[1] [2]", `{"a":1e99999999999}`, `{"a":1e-16384}`}
		return json.RawMessage(bads[g.r.IntN(len(bads))])
	}
	var b strings.Builder
	b.WriteString(g.ws())
	g.rawValue(&b, 0)
	b.WriteString(g.ws())
	return json.RawMessage(b.String())
}

func (g *gen) ws() string {
	if g.r.IntN(3) > 0 {
		return ""
	}
	return []string{" ", "\n", "\t", "\r\n  ", "  "}[g.r.IntN(5)]
}

var rawStrings = []string{`""`, `"a"`, `"\/"`, `"\u00e9"`, `"\u00E9x"`, `"\ud83d\ude00"`, `"\u001f"`, `"\u007f"`, `"\b\f\n\r\t\"\\"`,
	`"é"`, "\"\u2028\"", `"<&>"`, `"\u2028"`, `"\u0041"`, `"\uFFFF"`, `"a\u0020b"`}
var rawNumbers = []string{"0", "-0", "0.0", "-0.0", "1", "-1", "1.50", "1e3", "1E+3", "1e-7", "-2.5E-3", "123456789012345678901234567890",
	"0.000001", "1e21", "1.0e1", "10e-1", "5e-324", "1e308", "0e5", "12.3400e2"}

func (g *gen) rawValue(b *strings.Builder, depth int) {
	k := g.r.IntN(8)
	if depth >= 3 && k >= 6 {
		k = g.r.IntN(6)
	}
	switch k {
	case 0:
		b.WriteString([]string{"true", "false", "null"}[g.r.IntN(3)])
	case 1, 2:
		b.WriteString(rawNumbers[g.r.IntN(len(rawNumbers))])
	case 3, 4, 5:
		s := rawStrings[g.r.IntN(len(rawStrings))]
		for g.latin1 && !latin1Only(s) {
			s = rawStrings[g.r.IntN(len(rawStrings))]
		}
		b.WriteString(s)
	case 6:
		b.WriteString("[" + g.ws())
		n := g.r.IntN(4)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(g.ws() + "," + g.ws())
			}
			g.rawValue(b, depth+1)
		}
		b.WriteString(g.ws() + "]")
	default:
		b.WriteString("{" + g.ws())
		n := g.r.IntN(4)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(g.ws() + "," + g.ws())
			}
			b.WriteString([]string{`"a"`, `"b"`, `"aa"`, `""`, `"\u0061"`, `"é"`, `"\n"`}[g.r.IntN(7)])
			b.WriteString(g.ws() + ":" + g.ws())
			g.rawValue(b, depth+1)
		}
		b.WriteString(g.ws() + "}")
	}
}
