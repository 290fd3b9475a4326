package auth

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
	}{
		{"plain", strings.Repeat("s", 32), 1, ktyOct, "HS256"},
		{"jwk oct", `{"kty":"oct","k":"` + oct + `"}`, 1, ktyOct, ""},
		{"jwk with ignored x5c and key_ops", `{"kty":"oct","k":"` + oct + `","key_ops":["verify"],"x5c":["not base64!"]}`, 1, ktyOct, ""},
		{"jwks", `{"keys":[{"kty":"oct","k":"` + oct + `","alg":"HS512"},{"kty":"oct","k":"` + oct + `"}]}`, 2, ktyOct, "HS512"},
		{"unknown kty kept", `{"keys":[{"kty":"XYZ"}]}`, 1, ktyUnsupported, ""},
		{"Ed448 kept unusable", `{"keys":[{"kty":"OKP","crv":"Ed448","x":"AAAA"}]}`, 1, ktyUnsupported, ""},
		// Not a JWKS ("KEYS"), not a JWK (no kty): the JSON text is a plain secret.
		{"KEYS is a plain secret", `{"KEYS":[{"kty":"oct","k":"` + oct + `"}]}`, 1, ktyOct, "HS256"},
		{"malformed RSA JWKS is a plain secret", `{"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]}`, 1, ktyOct, "HS256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keys, err := parseJWTSecret(c.secret, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != c.keys || keys[0].kty != c.kty || keys[0].alg != c.alg {
				t.Fatalf("got %d keys, first %+v", len(keys), keys[0])
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
	// A short JSON that is no JWK is a short plain secret: refused.
	if _, err := parseJWTSecret(`{"kty":"oct"}`, false); !errors.Is(err, ErrShortSecret) {
		t.Errorf("short non-JWK: %v", err)
	}
}
