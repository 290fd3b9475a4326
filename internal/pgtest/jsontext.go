package pgtest

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// JSONText returns a random json text for the cross-checks of PostgreSQL's
// json grammar: json in odd layouts, broken about half the time (cut short,
// a byte inserted or dropped, junk after it), made of the pieces the
// server's lexer treats specially: escapes (\u0000, lone and paired
// surrogates, characters beyond LATIN1, malformed ones), numbers PostgreSQL
// refuses (01, 1., -, NaN) and near-words (tru, nul). The text is always
// valid UTF-8 without NUL; with latin1 its characters are all in ISO 8859-1
// (escapes may still name any character).
func JSONText(r *rand.Rand, latin1 bool) string {
	g := jsonGen{r: r, latin1: latin1}
	s := g.space() + g.value(3) + g.space()
	if r.IntN(2) == 0 {
		s = g.mutate(s)
		if r.IntN(4) == 0 {
			s = g.mutate(s)
		}
	}
	return s
}

type jsonGen struct {
	r      *rand.Rand
	latin1 bool
}

var (
	jsonSpaces = []string{"", "", "", " ", "  ", "\t", "\n", "\r\n", " \t "}
	jsonTexts  = []string{
		`""`, `"a"`, `"role"`, `"exp"`, `"é"`, `"€uro"`, `"日本"`, `"😀"`, `"\u00e9"`, `"\u00E9x"`, `"\u20AC"`,
		`"\u00ff"`, `"\u0100"`, `"\u007f"`, `"\u0080"`, `"\u0041"`, `"\u0031"`, `"\u0065xp"`, `"\uFFFF"`,
		`"\ud83d\ude00"`, `"\uDBFF\uDFFF"`, `"\n\t\"\\\/\b\f\r"`, `"a<b>&c"`, "\"\u2028\"", "\"del\x7f\"",
		`"a\\u0000"`,
	}
	badTexts = []string{
		`"\u0000"`, `"\ud800"`, `"\udc00"`, `"\ud800\ud800"`, `"\ud800x"`, `"\ud800\n"`,
		`"\ud800\u0041"`, `"\ud800\u0000"`, `"\ud83d\ude00\u0000"`, `"\udc00\ud800"`,
		`"\x"`, `"\u12"`, `"\u12g4"`, `"\u"`, `"\U0041"`, `"\é"`, `"\€x"`, `"\'"`, `"abc`, `"ab\`,
		"\"ctl\x01\"", "\"tab\tx\"", "\"nl\nx\"", "\"\x1f\"", "\"\\ud800\x01\"",
	}
	jsonNumbers = []string{
		"0", "1", "-1", "12", "1.5", "-0", "1e3", "1E+3", "1e-3", "12345678901234567890123", "1e400",
		"-1e400", "0.000001", "1700000000", "2.5e-5", "0.0e-0", "-0.5E+3",
	}
	badNumbers = []string{
		"01", "-01", "1.", "-", ".5", "+1", "1.e3", "1e", "1e+", "--1", "-+1", "1.5.5", "1e5x", "0x10",
		"1_000", "1é",
	}
	jsonWords = []string{"true", "false", "null"}
	badWords  = []string{"tru", "nul", "True", "falsey", "NaN", "Infinity", "x", "_a", "é", "\ufeff", "null_"}
	jsonJunk  = []string{",", "}", "]", ":", "{", "[", `"`, `\`, "x", "é", "€", "1", "'", ";", "/", "*", "#",
		" ", "\v", "\f", "\x01", "\u00a0", "😀", "-", ".", "e"}
)

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// piece returns one of good, or now and then of bad, that the text may
// hold.
func (g *jsonGen) piece(good, bad []string) string {
	xs := good
	if bad != nil && g.r.IntN(8) == 0 {
		xs = bad
	}
	for {
		s := pick(g.r, xs)
		if !g.latin1 || latin1Text(s) {
			return s
		}
	}
}

func latin1Text(s string) bool {
	for _, c := range s {
		if c > 0xff {
			return false
		}
	}
	return true
}

func (g *jsonGen) space() string { return pick(g.r, jsonSpaces) }

func (g *jsonGen) value(depth int) string {
	switch k := g.r.IntN(10); {
	case k < 3 && depth > 0:
		var b strings.Builder
		b.WriteString("{" + g.space())
		for i, n := 0, g.r.IntN(4); i < n; i++ {
			if i > 0 {
				b.WriteString(g.space() + "," + g.space())
			}
			b.WriteString(g.piece(jsonTexts, badTexts) + g.space() + ":" + g.space() + g.value(depth-1))
		}
		b.WriteString(g.space() + "}")
		return b.String()
	case k < 5 && depth > 0:
		var b strings.Builder
		b.WriteString("[" + g.space())
		for i, n := 0, g.r.IntN(4); i < n; i++ {
			if i > 0 {
				b.WriteString(g.space() + "," + g.space())
			}
			b.WriteString(g.value(depth - 1))
		}
		b.WriteString(g.space() + "]")
		return b.String()
	case k < 7:
		return g.piece(jsonTexts, badTexts)
	case k < 9:
		return g.piece(jsonNumbers, badNumbers)
	}
	return g.piece(jsonWords, badWords)
}

// mutate breaks s at a character boundary.
func (g *jsonGen) mutate(s string) string {
	at := func() int { // a random character boundary
		i := g.r.IntN(len(s) + 1)
		for i < len(s) && !utf8.RuneStart(s[i]) {
			i++
		}
		return i
	}
	switch g.r.IntN(5) {
	case 0:
		return s[:at()]
	case 1:
		i := at()
		return s[:i] + g.piece(jsonJunk, nil) + s[i:]
	case 2:
		i := at()
		if i == len(s) {
			return s
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		return s[:i] + s[i+n:]
	case 3:
		return s + g.space() + g.value(1)
	}
	return g.space() + s + g.piece(jsonJunk, nil)
}
