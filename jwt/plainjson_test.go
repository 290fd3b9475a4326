package jwt

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
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

// FuzzFastPathMatchesLexer holds Sign and Verify, which take the fast path
// for plain payloads, to the same checks done by the full lexer alone
// (internal/pgjsonlex, which the oracle tests hold to the server): the same
// token, or the same SQLSTATE, message and DETAIL; for Verify, the same
// verdict of a token whose signature is good.
func FuzzFastPathMatchesLexer(f *testing.F) {
	for _, s := range append(edgeStrings(f, "sign", 0), plainStrings...) {
		f.Add(s)
	}
	f.Add(benchPayload)
	f.Add(`{"nbf" : [1, {"exp": 2}], "exp" : "3"}`)
	f.Add(`{"exp":1,"exp":"\u0031e10", "nbf": 1e999}`)
	f.Add(strings.Repeat("[", 64) + strings.Repeat("]", 64))
	r := rand.New(rand.NewPCG(53, 54))
	for range 300 {
		f.Add(mutateJSON(r, genJSON(r, 3)))
	}
	at := time.Unix(1767225600, 0)
	f.Fuzz(func(t *testing.T, s string) {
		payload := []byte(s)
		// Sign: the payload's text input, then its cast to json.
		token, err := Sign(payload, "s", "HS256")
		want := checkBytes(payload)
		if want == nil {
			want = validateJSON(payload)
		}
		if want == nil {
			if err != nil || token != signValid(payload, algHS256, macs.get(algHS256, "s")) {
				t.Fatalf("Sign(%q) = %q, %v; the lexer accepts it", s, token, err)
			}
		} else if errorFields(err) != errorFields(want) {
			t.Fatalf("Sign(%q): %v\n fast path %q\n lexer     %q", s, err, errorFields(err), errorFields(want))
		}
		// Verify of a well-signed token: convert_from, ::json, ->> and the window.
		tok := signValid(payload, algHS256, macs.get(algHS256, "s"))
		res, err := VerifyAt(tok, "s", "HS256", at)
		var valid Validity
		want = checkBytes(payload)
		if want == nil {
			var c claimFinder
			if c, want = scanPayload(payload); want == nil {
				var in bool
				if in, want = window(&c, at); in {
					valid = Valid
				} else {
					valid = Invalid
				}
			}
		}
		if errorFields(err) != errorFields(want) || want == nil && res.Valid != valid {
			t.Fatalf("VerifyAt(token of %q) = %v, %v\n lexer %v, %v", s, res.Valid, errorFields(err), valid, errorFields(want))
		}
	})
}

// errorFields is what a caller sees of an error: SQLSTATE, message, DETAIL
// (all empty for nil).
func errorFields(err error) [3]string {
	if err == nil {
		return [3]string{}
	}
	e := err.(*Error)
	return [3]string{e.Code, e.Message, e.Detail}
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
