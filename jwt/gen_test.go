package jwt

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Generators of test inputs: valid and broken JSON texts in odd layouts,
// secrets, algorithm names, base64 texts, claim values and tokens.

var jsonSpaces = []string{"", "", "", " ", "  ", "\t", "\n", "\r\n", " \t "}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

var jsonStrings = []string{
	`""`, `"a"`, `"role"`, `"exp"`, `"nbf"`, `"é"`, `"€uro"`, `"日本"`, `"😀"`, `"\u00e9"`, `"\u20AC"`,
	`"\ud83d\ude00"`, `"\n\t\"\\\/\b\f\r"`, `"a<b>&c"`, "\"\u2028\"", `"\u0041"`, `"tab\tx"`,
	`"\u0000"`, `"\ud800"`, `"\udc00"`, `"\ud800\ud800"`, `"\ud800x"`, `"\ud800\n"`, `"\x"`, `"\u12"`,
	`"\u12g4"`, `"abc`, "\"ctl\x01\"", `"\é"`, `"\u0031"`, `"\u0065xp"`,
}

var jsonNumbers = []string{
	"0", "1", "-1", "12", "1.5", "-0", "1e3", "1E+3", "1e-3", "12345678901234567890123",
	"1e400", "-1e400", "0.000001", "99999999999", "1700000000", "01", "1.", "-", ".5", "+1", "1.e3",
	"1e", "0x10", "1_000", "NaN", "Infinity", "2.5e-5",
}

// genJSON returns a JSON text, mostly valid; depth bounds nesting.
func genJSON(r *rand.Rand, depth int) string {
	sp := func() string { return pick(r, jsonSpaces) }
	switch k := r.IntN(10); {
	case k < 3 && depth > 0:
		n := r.IntN(4)
		var b strings.Builder
		b.WriteString("{" + sp())
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(sp() + "," + sp())
			}
			b.WriteString(pick(r, jsonStrings) + sp() + ":" + sp() + genJSON(r, depth-1))
		}
		b.WriteString(sp() + "}")
		return b.String()
	case k < 5 && depth > 0:
		n := r.IntN(4)
		var b strings.Builder
		b.WriteString("[" + sp())
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(sp() + "," + sp())
			}
			b.WriteString(genJSON(r, depth-1))
		}
		b.WriteString(sp() + "]")
		return b.String()
	case k < 7:
		return pick(r, jsonStrings)
	case k < 9:
		return pick(r, jsonNumbers)
	}
	return pick(r, []string{"true", "false", "null", "tru", "nul", "True", "falsey"})
}

// mutateJSON breaks or decorates a JSON text now and then.
func mutateJSON(r *rand.Rand, s string) string {
	switch r.IntN(12) {
	case 0:
		if len(s) > 0 {
			return s[:r.IntN(len(s))]
		}
	case 1:
		i := r.IntN(len(s) + 1)
		return s[:i] + pick(r, []string{",", "}", "]", ":", "{", "[", `"`, "\\", "x", "\x00", "\xff", "\v", "\f", "é", "\ufeff", "1"}) + s[i:]
	case 2:
		return pick(r, jsonSpaces) + s + pick(r, jsonSpaces)
	case 3:
		return s + " " + genJSON(r, 1)
	}
	return s
}

var secrets = []string{
	"", "s", "secret", "sécret", "日本語の秘密", "reallyreallyreallyreallyverysafe",
	strings.Repeat("k", 64), strings.Repeat("k", 65), strings.Repeat("κ", 70), strings.Repeat("x", 129), strings.Repeat("y", 200),
	"with space", "tab\tand\nnewline", "quote'\"\\",
}

var algorithms = []string{"HS256", "HS384", "HS512", "HS256", "HS384", "HS512", "hs256", "HS256 ", "", "none", "RS256", "sha256", "HS5122"}

// genSecret returns a secret of the list or a random one.
func genSecret(r *rand.Rand) string {
	if r.IntN(3) > 0 {
		return pick(r, secrets)
	}
	n := r.IntN(150)
	b := make([]rune, n)
	for i := range b {
		b[i] = rune(1 + r.IntN(0x7f))
		if r.IntN(10) == 0 {
			b[i] = rune(0xa0 + r.IntN(0x2000))
		}
	}
	return string(b)
}

func describe(s string) string { return fmt.Sprintf("%q", s) }

// pgText reports whether s can be a text value of a UTF8 database.
func pgText(s string) bool { return utf8.ValidString(s) && !strings.Contains(s, "\x00") }

func strconvG(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
