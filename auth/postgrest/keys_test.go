package postgrest

import (
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestJWTSecretShapes: how jwt-secret text becomes keys (spec §1.2).
func TestJWTSecretShapes(t *testing.T) {
	oct := "c2VjcmV0LWtleS1mb3ItdGhlLXNoYXBlcy10ZXN0LTEyMzQ" // "secret-key-for-the-shapes-test-1234"
	octKey := []byte("secret-key-for-the-shapes-test-1234")
	cases := []struct {
		name, secret string
		keys         int
		kty          keyType
		alg          string
		unsafe       bool // WithUnsafeJSONSecretAsHMAC: PostgREST's fallback
	}{
		{"plain", strings.Repeat("s", 32), 1, ktyOct, "HS256", false},
		{"jwk oct", `{"kty":"oct","k":"` + oct + `"}`, 1, ktyOct, "", false},
		{"jwk with ignored x5c and key_ops", `{"kty":"oct","k":"` + oct + `","key_ops":["verify"],"x5c":["not base64!"]}`, 1, ktyOct, "", false},
		{"jwks", `{"keys":[{"kty":"oct","k":"` + oct + `","alg":"HS512"},{"kty":"oct","k":"` + oct + `"}]}`, 2, ktyOct, "HS512", false},
		{"unknown kty kept", `{"keys":[{"kty":"XYZ"}]}`, 1, ktyUnsupported, "", false},
		{"Ed448 kept unusable", `{"keys":[{"kty":"OKP","crv":"Ed448","x":"AAAA"}]}`, 1, ktyUnsupported, "", false},
		{"empty JWKS upstream", `{"keys":[]}`, 0, ktyUnsupported, "", true},
		// Not a JWKS ("KEYS"), not a JWK (no kty): PostgREST takes the JSON
		// text for a plain secret.
		{"KEYS is a plain secret upstream", `{"KEYS":[{"kty":"oct","k":"` + oct + `"}]}`, 1, ktyOct, "HS256", true},
		{"malformed RSA JWKS is a plain secret upstream", `{"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]}`, 1, ktyOct, "HS256", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keys, err := parseJWTSecret(c.secret, false, c.unsafe)
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != c.keys || c.keys > 0 && (keys[0].kty != c.kty || keys[0].alg != c.alg) {
				t.Fatalf("got %+v", keys)
			}
		})
	}
	// use "enc" and a foreign alg never match.
	for _, secret := range []string{
		`{"kty":"oct","k":"` + oct + `","use":"enc"}`,
		`{"kty":"oct","k":"` + oct + `","alg":"A128KW"}`,
		`{"keys":[{"kty":"XYZ"}]}`,
	} {
		a, err := NewAuthenticator(WithJWTSecret(secret))
		if err != nil {
			t.Fatal(err)
		}
		tok := mint(t, `{"alg":"HS256"}`, `{"role":"r"}`, jwt.SigningMethodHS256, octKey)
		if _, e := a.AuthenticateToken(tok, true); e == nil || e.Details == nil || *e.Details != detailNoKey {
			t.Errorf("%s: %+v", secret, e)
		}
	}
	// A short JSON that is no JWK is a broken JWK, and upstream a short
	// plain secret: refused either way.
	if _, err := parseJWTSecret(`{"kty":"oct"}`, false, false); !errors.Is(err, ErrInvalidJWK) {
		t.Errorf("short non-JWK: %v", err)
	}
	if _, err := parseJWTSecret(`{"kty":"oct"}`, false, true); !errors.Is(err, ErrShortSecret) {
		t.Errorf("short non-JWK, upstream: %v", err)
	}
}

func TestLooksLikeJWK(t *testing.T) {
	for in, want := range map[string]bool{
		`{"kty":"oct"}`: true, " \n[": true, "\v{": true, "{\xff": false, // not UTF-8: a binary secret
		"": false, "  ": false, "secret{": false, "reallyreallyreallyreallyverysafe": false,
	} {
		if got := LooksLikeJWK(in); got != want {
			t.Errorf("LooksLikeJWK(%q) = %v", in, got)
		}
		if got := LooksLikeJWK([]byte(in)); got != want {
			t.Errorf("LooksLikeJWK([]byte(%q)) = %v", in, got)
		}
	}
}
