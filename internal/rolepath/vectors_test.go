package rolepath

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// vectorFile is one testdata/rfc9535-*.json file: RFC 9535 cases written
// as facts (selector, document, result), in the spirit of the JSONPath
// compliance test suite.
type vectorFile struct {
	Description string   `json:"description"`
	Tests       []vector `json:"tests"`
}

type vector struct {
	Name     string          `json:"name"`
	Selector string          `json:"selector"`
	Document json.RawMessage `json:"document"`
	Result   json.RawMessage `json:"result"`
	// Invalid: RFC 9535 says the selector is not a valid query.
	Invalid bool `json:"invalid_selector"`
	// Unsupported: valid RFC 9535, outside the subset this package accepts;
	// Parse must refuse it cleanly.
	Unsupported string `json:"unsupported"`
	Note        string `json:"note"`
}

func loadVectors(tb testing.TB) map[string]vectorFile {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "rfc9535-*.json"))
	require.NoError(tb, err)
	require.NotEmpty(tb, files)
	out := make(map[string]vectorFile, len(files))
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(tb, err)
		var vf vectorFile
		d := json.NewDecoder(bytes.NewReader(data))
		d.DisallowUnknownFields()
		require.NoError(tb, d.Decode(&vf), name)
		out[filepath.Base(name)] = vf
	}
	return out
}

func TestRFC9535Vectors(t *testing.T) {
	for file, vf := range loadVectors(t) {
		t.Run(strings.TrimSuffix(file, ".json"), func(t *testing.T) {
			var valid, invalid, unsupported int
			for _, v := range vf.Tests {
				t.Run(v.Name, func(t *testing.T) {
					switch {
					case v.Invalid || v.Unsupported != "":
						require.Nil(t, v.Document, "a refused selector has no document")
						requireRefused(t, v.Selector)
						return
					}
					require.NotNil(t, v.Document)
					require.NotNil(t, v.Result)
					var p *Path
					var err error
					require.NotPanics(t, func() { p, err = Parse(v.Selector) })
					require.NoError(t, err)
					doc := decodeJSON(t, v.Document)
					want, ok := decodeJSON(t, v.Result).([]any)
					require.True(t, ok, "result is not an array")
					var got []any
					require.NotPanics(t, func() { got = p.all(doc) })
					if got == nil {
						got = []any{}
					}
					require.Equal(t, canonical(t, want), canonical(t, got))
					// On an object (a claims set), First is the first of
					// those nodes.
					if claims, isObject := doc.(map[string]any); isObject {
						first, found := p.First(claims)
						require.Equal(t, len(want) > 0, found)
						if found {
							require.Equal(t, canonical(t, want[0]), canonical(t, first))
						}
					}
				})
				switch {
				case v.Invalid:
					invalid++
				case v.Unsupported != "":
					unsupported++
				default:
					valid++
				}
			}
			t.Logf("%s: %d vectors (%d with results, %d invalid, %d outside the subset)", file, len(vf.Tests), valid, invalid, unsupported)
		})
	}
}
