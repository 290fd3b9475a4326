package rolepath

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// decodeClaims decodes a JSON object the way the middleware hands claims
// over: numbers as json.Number.
func decodeClaims(data []byte) (map[string]any, bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil || m == nil || d.More() {
		return nil, false
	}
	return m, true
}

// FuzzRoleClaimKey: any jwt-role-claim-key either fails to compile with
// PostgREST's start-up message or evaluates on any claims without panicking.
func FuzzRoleClaimKey(f *testing.F) {
	sample := []byte(`{"role":"r","a":[1,"x",{"b":null}],"y":{"z":[true]},"https://x":[{"value":"v"}]}`)
	for _, k := range []string{"$.role", ".role", `$["https://x"][0].value`, `."https://x".roles[0]`, `$..a[?search(@, "^x") && !(@ == 1)]`,
		`$.a[1:-1:2]`, `$.a[1::9007199254740991]`, `$.a[::-9007199254740991]`, `.r[?(@ ^== "a")]`, `$[?length(@.x) >= count($.y[*])]`, `$.a[?value(@.b) == null]`, "$", ".", "$[", `$.a[?match(@, "(")]`,
		`$.a[?match(match(@, 'a'), 'b')]`, `$.a[?length(search(@, 'x')) == 1]`, `$.a[?@ == 1e400]`} {
		f.Add(k, sample)
	}
	// Every compliance vector, on its document when that is an object and
	// on the sample claims.
	for _, vf := range loadVectors(f) {
		for _, v := range vf.Tests {
			if v.Document != nil && bytes.HasPrefix(bytes.TrimSpace(v.Document), []byte("{")) {
				f.Add(v.Selector, []byte(v.Document))
			}
			f.Add(v.Selector, sample)
		}
	}
	f.Fuzz(func(t *testing.T, key string, claims []byte) {
		rp, err := Parse(key)
		if err != nil {
			want := "failed to parse role-claim-key value (" + key + ")"
			if !strings.HasPrefix(err.Error(), want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %q", err)
			}
			return
		}
		if rp.String() != key {
			t.Fatalf("String() = %q", rp.String())
		}
		if m, ok := decodeClaims(claims); ok {
			rp.First(m)
		}
	})
}
