package jwt

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

var floatAtoms = []string{
	"", " ", "\t", "\n", "\v", "\f", "\r", "\u00a0", "+", "-", "--", "0", "1", "7", "9", "00", "123456789",
	".", "..", ".5", "5.", "e", "E", "e5", "e+", "e-", "e308", "e309", "e-308", "e-320", "e-324", "e-400", "E99999999999999999999",
	"x", "X", "0x", "0X", "0x1", "0xA", "0xf", "0x.8", "0x1p4", "0x1P-2", "p", "p+", "p-1074", "p-1075", "p1024", "p1023", "0x1.fffffffffffffp1023", "0x1p-1074", "0x1p-1076",
	"inf", "INF", "Infinity", "infinit", "infinityx", "nan", "NaN", "nAn", "nan(", "nan()", "nan(123)", "nan(abc_X)", "nan(1 2)", ")", "(",
	"1_000", "1,5", "75z", "z", "é", "٣", "1e", "9999999999999999999999999", "0.000000000000000000000000001",
	"4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623159e308",
	"99999999999", "1700000000", "1e11", "9224318016000", "-210866803200",
	"-0", "+0", "007", "-000000000000000", "999999999999999", "9999999999999999", "-999999999999999", "+4102444800",
}

// genFloatText glues a few atoms together (numbers, signs, spaces, junk), or
// spells a random double in one of the forms strtod reads.
func genFloatText(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		f := math.Float64frombits(r.Uint64())
		if r.IntN(2) == 0 {
			f = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(40)-20))
		}
		spell := strconv.FormatFloat(f, pick(r, []byte{'g', 'e', 'f', 'x', 'E', 'X'}), r.IntN(25)-1, 64)
		return pick(r, jsonSpaces) + spell + pick(r, []string{"", "", " ", "\v", "x"})
	}
	var b strings.Builder
	for n := 1 + r.IntN(4); n > 0; n-- {
		b.WriteString(pick(r, floatAtoms))
	}
	return b.String()
}

func TestTryCastDoubleMatchesServer(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	inputs := append([]string{}, floatAtoms...)
	n := 6000
	if testing.Short() {
		n = 1500
	}
	for len(inputs) < n {
		if s := genFloatText(r); pgText(s) {
			inputs = append(inputs, s)
		}
	}
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		pool := oracle(t, db)
		var in []string
		for _, s := range inputs {
			if db.Encoding == "UTF8" || isASCII(s) {
				in = append(in, s)
			}
		}
		rows, err := pool.Query(ctx(t), "select "+oracleSchema+".try_cast_double(x) from unnest($1::text[]) with ordinality u(x, i) order by i", in)
		if err != nil {
			t.Fatal(err)
		}
		var got []*float64
		for rows.Next() {
			var v *float64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		if rows.Err() != nil || len(got) != len(in) {
			t.Fatalf("%v, %d rows for %d inputs", rows.Err(), len(got), len(in))
		}
		nulls, fails := 0, 0
		for i, s := range in {
			v, ok := TryCastDouble(s)
			want := got[i]
			if want == nil {
				nulls++
			}
			if ok != (want != nil) || ok && !(math.Float64bits(v) == math.Float64bits(*want) || math.IsNaN(v) && math.IsNaN(*want)) {
				fails++
				w := "NULL"
				if want != nil {
					w = strconvG(*want)
				}
				t.Errorf("TryCastDouble(%q) = %v, %v; server %s", s, v, ok, w)
				if fails > 20 {
					t.FailNow()
				}
			}
		}
		t.Logf("%d texts, %d NULL", len(in), nulls)
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
