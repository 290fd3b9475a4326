package jwt

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameOutcome fails unless two errors are both nil or have the same text
// and SQLSTATE.
func sameOutcome(t *testing.T, what string, want, got error) {
	t.Helper()
	if want == nil || got == nil {
		require.Equal(t, want, got, what)
		return
	}
	require.Equal(t, want.Error(), got.Error(), what)
	var a, b interface{ SQLState() string }
	require.ErrorAs(t, want, &a, what)
	require.ErrorAs(t, got, &b, what)
	require.Equal(t, a.SQLState(), b.SQLState(), what)
}

// checkSigner compares a Signer for (secret, alg) with Sign and VerifyAt:
// NewSigner fails as Sign fails for a valid payload, and otherwise every
// result and error is the same.
func checkSigner(t *testing.T, secret, alg string, payloads, tokens []string, now time.Time) {
	t.Helper()
	s, err := NewSigner(secret, alg)
	if err != nil {
		_, want := Sign(json.RawMessage(`{}`), secret, alg)
		require.Error(t, want)
		sameOutcome(t, fmt.Sprintf("NewSigner(%q, %q)", secret, alg), want, err)
		return
	}
	assert.Equal(t, alg, s.Algorithm())
	for _, p := range payloads {
		want, wantErr := Sign(json.RawMessage(p), secret, alg)
		got, err := s.Sign(json.RawMessage(p))
		sameOutcome(t, fmt.Sprintf("Sign(%q, %q, %s)", p, secret, alg), wantErr, err)
		require.Equal(t, want, got)
		if err == nil {
			tokens = append(tokens, got, got[:len(got)-1]+"A")
		}
	}
	for _, tok := range tokens {
		want, wantErr := VerifyAt(tok, secret, alg, now)
		got, err := s.VerifyAt(tok, now)
		sameOutcome(t, fmt.Sprintf("VerifyAt(%q, %q, %s)", tok, secret, alg), wantErr, err)
		require.Equal(t, want, got, "VerifyAt(%q, %q, %s)", tok, secret, alg)
	}
}

// TestSignerMatchesSignVerify: for the vectors' payloads, tokens, secrets
// and algorithms (every combination), a Signer gives what Sign and
// VerifyAt give.
func TestSignerMatchesSignVerify(t *testing.T) {
	b, err := os.ReadFile("testdata/edge_cases.json")
	require.NoError(t, err)
	var f struct{ Cases []edgeCase }
	require.NoError(t, json.Unmarshal(b, &f))
	secrets := map[string]bool{"": true, "a\x00b": true, benchSecret: true}
	algs := map[string]bool{"HS256": true, "HS384": true, "HS512": true, "hs256": true, "": true}
	var payloads, tokens []string
	arg := func(c edgeCase, i int) (string, bool) {
		if len(c.Args) > i && c.Args[i] != nil {
			return *c.Args[i], true
		}
		return "", false
	}
	for _, c := range f.Cases {
		if c.Func != "sign" && c.Func != "verify" {
			continue
		}
		if a, ok := arg(c, 0); ok {
			if c.Func == "sign" {
				payloads = append(payloads, a)
			} else {
				tokens = append(tokens, a)
			}
		}
		if a, ok := arg(c, 1); ok {
			secrets[a] = true
		}
		if a, ok := arg(c, 2); ok {
			algs[a] = true
		}
	}
	tokens = append(tokens, "", ".", "..", "a.b", benchToken, benchToken+".extra", "\xff.a.b", strings.Repeat("x", 300))
	payloads = append(payloads, benchPayload, `{"exp":1}`, `[1,2]`, `"\u00e9"`, "{\"a\":\"\xff\"}", `{`, ` {"a" : 1 } `)
	require.NotEmpty(t, payloads)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for secret := range secrets {
		for alg := range algs {
			checkSigner(t, secret, alg, payloads, tokens, now)
		}
	}
}

// FuzzSigner: a Signer agrees with Sign and VerifyAt on any payload,
// token, secret and algorithm.
func FuzzSigner(f *testing.F) {
	f.Add(benchPayload, benchToken, benchSecret, "HS256")
	f.Add(`{"nbf":2,"exp":1}`, "a.b", "", "HS512")
	f.Add("\xff", "x..y", "s\x00", "HS384")
	f.Fuzz(func(t *testing.T, payload, token, secret, alg string) {
		checkSigner(t, secret, alg, []string{payload}, []string{token}, benchAt)
	})
}

// TestSignerRedacts: printing a Signer never shows its secret.
func TestSignerRedacts(t *testing.T) {
	s, err := NewSigner("top secret value that is long enough", "HS384")
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, s)
		assert.NotContains(t, out, "top secret", verb)
		assert.Contains(t, out, "HS384", verb)
	}
	out := fmt.Sprintf("%+v", struct{ S *Signer }{s})
	assert.NotContains(t, out, "top secret")
}

// TestSignerAllocations: one allocation per token signed or verified, as
// the BENCHMARKS.md target says.
func TestSignerAllocations(t *testing.T) {
	s, err := NewSigner(benchSecret, "HS256")
	require.NoError(t, err)
	payload := json.RawMessage(benchPayload)
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { _, _ = s.Sign(payload) }), 1.0)
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { _, _ = s.VerifyAt(benchToken, benchAt) }), 1.0)
}
