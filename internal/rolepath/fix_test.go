package rolepath

import (
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
