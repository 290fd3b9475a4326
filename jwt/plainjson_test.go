package jwt

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkScanPlain holds scanPlain to its contract on in: whenever it says
// ok, the full parser accepts in with no deferred failure and gathers the
// same claims, and ascii means valid UTF-8. It reports whether the fast
// path took the text.
func checkScanPlain(t *testing.T, in []byte) bool {
	t.Helper()
	f, ascii, ok := scanPlain(in)
	if !ok {
		return false
	}
	if err := validateJSON(in); err != nil {
		t.Fatalf("scanPlain(%q) ok, json check: %v", in, err)
	}
	full, err := scanPayload(in)
	if err != nil || full.escapeErr != nil {
		t.Fatalf("scanPlain(%q) ok, full scan: %v, %v", in, err, full.escapeErr)
	}
	for i := range full.claims {
		g, w := f.claims[i], full.claims[i]
		if g.kind != w.kind || !bytes.Equal(g.raw, w.raw) {
			t.Fatalf("scanPlain(%q) claim %d = %v %q, full parse %v %q", in, i, g.kind, g.raw, w.kind, w.raw)
		}
	}
	if ascii {
		if err := checkBytes(in); err != nil || bytes.ContainsFunc(in, func(r rune) bool { return r >= 0x80 }) {
			t.Fatalf("scanPlain(%q) says ASCII: %v", in, err)
		}
	}
	return true
}

// plainStrings are escape-free strings, so that the generated texts reach
// the fast path often.
var plainStrings = []string{`""`, `"exp"`, `"nbf"`, `"role"`, `"é"`, `"日本"`, `"a b"`, `"expx"`, `"nb"`, `"EXP"`}

func TestScanPlainMatchesParser(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	n := 60000
	if testing.Short() {
		n = 10000
	}
	taken := 0
	for i := 0; i < n; i++ {
		s := genJSON(r, 3)
		if r.IntN(2) == 0 {
			// Swap the escaped strings for plain ones now and then.
			for _, js := range jsonStrings {
				if strings.Contains(s, js) && r.IntN(2) == 0 {
					s = strings.ReplaceAll(s, js, pick(r, plainStrings))
				}
			}
		}
		s = mutateJSON(r, s)
		if checkScanPlain(t, []byte(s)) {
			taken++
		}
	}
	// The fast path must carry a good share of the valid texts, or it is
	// not a fast path at all.
	if taken < n/5 {
		t.Errorf("fast path took %d of %d texts", taken, n)
	}
}

// The payloads tokens carry take the fast path (and agree with the parser).
func TestScanPlainTakes(t *testing.T) {
	for _, s := range []string{
		benchPayload,
		`{"role" : "webuser", "exp" : 1700000000, "nbf" : "1600000000"}`, // json_build_object's layout
		"{\n  \"sub\": \"zoë\",\n  \"roles\": [\"a\", \"b\", []],\n  \"exp\": 1.5e9, \"meta\": {\"x\": null, \"y\": true, \"z\": false}\n}",
		`{"exp":{"a":1},"exp":-0.5E+3}`, `[]`, `{}`, ` "text" `, `-12`, `null`, `[{"exp":1}]`,
		strings.Repeat("[", 64) + strings.Repeat("]", 64),
	} {
		if !checkScanPlain(t, []byte(s)) {
			t.Errorf("scanPlain(%q) fell back", s)
		}
	}
	for _, s := range []string{
		``, ` `, `{"a":"\n"}`, `{"a":1,}`, `[1,]`, `01`, `1.`, `-`, `1e`, `truex`, `{"a" 1}`, `{"a":1]`, `[1}`,
		"\"\x00\"", "\"\x01\"", `{"a":1}x`, `nul`, "\xff", `{"exp":1e}`, `"abc`,
		strings.Repeat("[", 65) + strings.Repeat("]", 65),
	} {
		if _, _, ok := scanPlain([]byte(s)); ok {
			t.Errorf("scanPlain(%q) ok, want fallback", s)
		}
	}
	// Non-ASCII in a string is left to the caller's UTF-8 check.
	if _, ascii, ok := scanPlain([]byte(`"é` + "\xff\"")); !ok || ascii {
		t.Errorf("scanPlain of a non-ASCII string: ok %v, ascii %v", ok, ascii)
	}
}

func FuzzScanPlain(f *testing.F) {
	for _, s := range edgeStrings(f, "sign", 0) {
		f.Add(s)
	}
	for _, s := range plainStrings {
		f.Add(`{` + s + `:` + s + `,"exp":12}`)
	}
	f.Add(benchPayload)
	f.Add(`{"nbf" : [1, {"exp": 2}], "exp" : "3"}`)
	f.Fuzz(func(t *testing.T, s string) { checkScanPlain(t, []byte(s)) })
}

func BenchmarkScanPayload(b *testing.B) {
	in := []byte(benchPayload)
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			if _, _, ok := scanPlain(in); !ok {
				b.Fatal("fell back")
			}
		}
	})
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			if _, err := scanPayload(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
