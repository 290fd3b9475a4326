package rolepath

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decodeJSON decodes one JSON text with numbers as json.Number, as the
// middleware's claims reader does.
func decodeJSON(tb testing.TB, data []byte) any {
	tb.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	require.NoError(tb, d.Decode(&v), "%s", data)
	return v
}

// all evaluates the whole query: every node it selects, in order.
func (rp *Path) all(root any) []any {
	nodes := []any{root}
	for _, s := range rp.segs {
		var next []any
		for _, n := range nodes {
			next = s.apply(n, root, next)
		}
		nodes = next
	}
	return nodes
}

// canonical renders decoded JSON for comparison: numbers keep their text,
// object members are sorted.
func canonical(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	return string(b)
}

func requireRefused(t *testing.T, key string) {
	t.Helper()
	var err error
	require.NotPanics(t, func() { _, err = Parse(key) })
	require.ErrorIs(t, err, ErrInvalid)
	require.True(t, strings.HasPrefix(err.Error(), "failed to parse role-claim-key value ("+key+"): "), "%v", err)
}
