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
