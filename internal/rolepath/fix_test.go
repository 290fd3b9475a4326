package rolepath

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// sampleTokens are claims the fix tests evaluate on; arrays of strings reach
// every filter.
var sampleTokens = []string{
	`{"roles":["author","other"],"tags":["a",1,{"b":"c"}]}`,
}

// TestTestResultsAreNotValues: match() and search() are tests (RFC 9535
// LogicalType); as an argument where a value is needed they are refused when
// the key is parsed. They were accepted and then panicked (nil operand) on
// every token that reached the filter.
func TestTestResultsAreNotValues(t *testing.T) {
	for _, key := range []string{
		`$.roles[?match(match(@, 'a'), 'b')]`,
		`$.roles[?search(search(@, 'a'), 'b')]`,
		`$.roles[?match(search(@, 'a'), 'b')]`,
		`$.roles[?length(match(@, 'a')) == 1]`,
		`$.roles[?length(search(@, 'a')) == 1]`,
		`$.roles[?value(@) == length(match(@, 'x'))]`,
	} {
		t.Run(key, func(t *testing.T) {
			for _, claims := range sampleTokens {
				m, ok := decodeClaims([]byte(claims))
				require.True(t, ok)
				require.NotPanics(t, func() {
					if p, err := Parse(key); err == nil {
						p.First(m)
					}
				})
			}
			requireRefused(t, key)
		})
	}
}

// TestComparedQueriesAreSingular: RFC 9535 compares only singular queries
// (names and indexes) and passes only those to length(), match() and
// search(); aeson-jsonpath, PostgREST's parser, reads nothing else as a
// comparable. A query such as @.* was accepted and compared as "nothing"
// whenever it selected more than one node.
func TestComparedQueriesAreSingular(t *testing.T) {
	for _, key := range []string{
		`$.tags[?@.* == "c"]`,
		`$.tags[?@[*] == "c"]`,
		`$.tags[?@..b == "c"]`,
		`$.tags[?@[0:1] == "c"]`,
		`$.tags[?@['b','b'] == "c"]`,
		`$.tags[?@[?@] == "c"]`,
		`$.tags[?"c" != $.tags[*]]`,
		`$.tags[?length(@.*) == 1]`,
		`$.roles[?match(@.*, 'a')]`,
		`$.roles[?search($..roles, 'a')]`,
	} {
		t.Run(key, func(t *testing.T) { requireRefused(t, key) })
	}
	// Singular queries, and any query in an existence test, count() or
	// value(), stay accepted.
	for _, key := range []string{
		`$.tags[?@.b == "c"]`, `$.tags[?@['b'] == "c"]`, `$.tags[?@[0] == "c"]`, `$.tags[?@[-1] == "c"]`,
		`$.tags[?$.roles[0] == "author"]`, `$.tags[?@ == $]`, `$.tags[?@.*]`, `$.tags[?count(@.*) == 1]`,
		`$.tags[?value(@..b) == "c"]`, `$.roles[?length(@) == 6]`, `$.roles[?match($.roles[0], 'a.*')]`,
	} {
		_, err := Parse(key)
		require.NoError(t, err, key)
	}
}

// TestIntegersInIJSONRange: RFC 9535 indexes and slice bounds lie in
// [-(2^53)+1, (2^53)-1]; aeson-jsonpath refuses the rest too. Up to int64
// they were accepted.
func TestIntegersInIJSONRange(t *testing.T) {
	for _, key := range []string{
		"$.roles[9007199254740992]", "$.roles[-9007199254740992]", "$.roles[9223372036854775807]",
		"$.roles[9007199254740992:]", "$.roles[:-9007199254740992]", "$.roles[::9007199254740992]",
		"$.roles[::-9223372036854775808]", "$.roles[?@[9007199254740992] == 1]",
	} {
		t.Run(key, func(t *testing.T) { requireRefused(t, key) })
	}
	for _, key := range []string{"$.roles[9007199254740991]", "$.roles[-9007199254740991]", "$.roles[-9007199254740991:9007199254740991:-9007199254740991]"} {
		_, err := Parse(key)
		require.NoError(t, err, key)
	}
}

// TestSurrogateEscapesPair: in RFC 9535 strings (and aeson-jsonpath's) a
// \u escape of a surrogate must be a high one followed by a low one; alone
// they were taken as U+FFFD, so `$['\uD800']` named "\uFFFD".
func TestSurrogateEscapesPair(t *testing.T) {
	for _, key := range []string{
		`$['\uD800']`, `$["\udbff"]`, `$['\uDC00']`, `$['\uD800\uD800']`, `$['\uDC00\uDC00']`,
		`$['\uD800\u0041']`, `$['\uD83Dx']`, `$['\uDE00\uD83D']`, `$['\uD83D\uDE']`, `$[?@ == '\uD800']`,
	} {
		t.Run(key, func(t *testing.T) { requireRefused(t, key) })
	}
	m := map[string]any{"\U0001F600": "grin", "\uFFFD": "replacement", "\uD7FF\uE000": "edges", "\x00": "nul"}
	for key, want := range map[string]string{
		`$['\uD83D\uDE00']`: "grin", `$["\ud83d\ude00"]`: "grin", `$['\uFFFD']`: "replacement",
		`$['\uD7FF\uE000']`: "edges", `$['\u0000']`: "nul",
	} {
		p, err := Parse(key)
		require.NoError(t, err, key)
		got, found := p.First(m)
		require.True(t, found, key)
		require.Equal(t, want, got, key)
	}
}

// TestNumbersCompareExactly: PostgREST compares numbers as aeson's
// Scientific values, exactly, and RFC 9535 by value; through float64
// 9007199254740993 equalled 9007199254740992, 1e400 equalled 1e401 (both
// +Inf) and 1e-400 equalled 0.
func TestNumbersCompareExactly(t *testing.T) {
	m, ok := decodeClaims([]byte(`{"n":[9007199254740992,9007199254740993,1e400,1e401,1e-400,0,-0.0,1.0000000000000001,-5e-1]}`))
	require.True(t, ok)
	for key, want := range map[string]string{
		`$.n[?@ == 9007199254740993]`:    "9007199254740993",
		`$.n[?@ > 9007199254740992]`:     "9007199254740993",
		`$.n[?@ == 10e400]`:              "1e401",
		`$.n[?@ >= 1e401]`:               "1e401",
		`$.n[?@ > 0 && @ < 1e-399]`:      "1e-400",
		`$.n[?@ == 1.00000000000000010]`: "1.0000000000000001",
		`$.n[?@ < 0]`:                    "-5e-1",
		`$.n[?@ == -0.5]`:                "-5e-1",
		`$.n[?@ == 0 && @ != 0.0]`:       "",
		`$.n[?@ == -0]`:                  "0",
		`$.n[?@ == $.n[5] && @ != 0]`:    "",
	} {
		t.Run(key, func(t *testing.T) {
			p, err := Parse(key)
			require.NoError(t, err)
			got, found := p.First(m)
			if want == "" {
				require.False(t, found, "%v", got)
				return
			}
			require.True(t, found)
			require.Equal(t, want, string(got.(json.Number)))
		})
	}
}

// TestCompareNumbersAgainstRat checks compareNumbers against math/big on
// number texts with every JSON spelling: signs, zeros, fractions, exponents.
func TestCompareNumbersAgainstRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 9535))
	gen := func() string {
		var b strings.Builder
		if rng.IntN(3) == 0 {
			b.WriteByte('-')
		}
		if rng.IntN(4) == 0 {
			b.WriteByte('0')
		} else {
			b.WriteString(strconv.Itoa(1 + rng.IntN(999)))
			for range rng.IntN(3) {
				b.WriteByte('0')
			}
		}
		if rng.IntN(2) == 0 {
			b.WriteByte('.')
			for range 1 + rng.IntN(4) {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		if rng.IntN(2) == 0 {
			b.WriteString([]string{"e", "E", "e+", "e-", "E-0"}[rng.IntN(5)])
			b.WriteString(strconv.Itoa(rng.IntN(30)))
		}
		return b.String()
	}
	for range 20000 {
		a, b := gen(), gen()
		ra, ok1 := new(big.Rat).SetString(a)
		rb, ok2 := new(big.Rat).SetString(b)
		require.True(t, ok1 && ok2, "%s %s", a, b)
		require.Equal(t, ra.Cmp(rb), compareNumbers(json.Number(a), json.Number(b)), "%s vs %s", a, b)
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1e99999999999999999999", "1e99999999999999999998", 0}, // saturated: beyond any real claim
		{"1e99999999999999999999", "1e400", 1},
		{"1e-99999999999999999999", "0", 1},
		{"-1e-99999999999999999999", "0", -1},
		{"0e99999999999999999999", "-0", 0},
		{"100e-2", "1", 0},
		{"0.000", "-0e7", 0},
	} {
		require.Equal(t, c.want, compareNumbers(json.Number(c.a), json.Number(c.b)), "%s vs %s", c.a, c.b)
	}
}

// TestRegexpDot: in I-Regexp (RFC 9485, used by RFC 9535's match() and
// search()) "." matches any character but \n and \r; Go's "." matched \r.
// Dots inside classes, escaped or quoted stay literal.
func TestRegexpDot(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{".", "\r", false}, {".", "\n", false}, {".", "\u2028", true}, {".", "x", true},
		{"a.*b", "a\rb", false}, {"a.*b", "a\u0085b", true},
		{"a[.]b", "a.b", true}, {"a[.]b", "axb", false}, {"a[^.]b", "a\rb", true},
		{"a[].]b", "a]b", true}, {"a[^].]b", "a\rb", true}, {"a[[:alpha:].]b", "a.b", true}, {"a[[:alpha:].]b", "a\rb", false},
		{`a\.b`, "a.b", true}, {`a\.b`, "axb", false}, {`a\\.b`, `a\xb`, true}, {`a\\.b`, "a\\\rb", false},
		{`\Q.\E`, ".", true}, {`\Q.\E`, "x", false},
		{`(?s).`, "\n", false}, {`\x{2E}`, ".", true}, {`[\r]`, "\r", true}, {`\r`, "\r", true},
	} {
		for _, fn := range []string{"match", "search"} {
			key := "$[?" + fn + "(@, " + strconv.Quote(c.pattern) + ")]"
			p, err := Parse(key)
			require.NoError(t, err, key)
			_, found := p.First(map[string]any{"v": c.s})
			require.Equal(t, c.want, found, "%s on %q", key, c.s)
		}
	}
}
