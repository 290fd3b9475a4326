package auth

import (
	"testing"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
)

// BenchmarkAsymmetric compares signing and verifying ES256 and EdDSA login
// tokens here (SigningKey.Sign; postgrest.Authenticator with its token
// cache off, so every call verifies) with golang-jwt doing the same.
func BenchmarkAsymmetric(b *testing.B) {
	payload := []byte(`{"role":"web_user","email":"k@example.com","exp":4102444800}`)
	claims := gjwt.MapClaims{"role": "web_user", "email": "k@example.com", "exp": 4102444800}
	for _, alg := range []string{"ES256", "EdDSA"} {
		k := testKeys()[alg]
		priv := *k.priv
		method := asymmetricAlgs[alg]
		b.Run(alg+"/sign/pgjwt", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Sign(payload); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(alg+"/sign/golang-jwt", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tok := gjwt.NewWithClaims(method, claims)
				tok.Header["kid"] = k.kid
				if _, err := tok.SignedString(priv); err != nil {
					b.Fatal(err)
				}
			}
		})
		token, err := k.Sign(payload)
		if err != nil {
			b.Fatal(err)
		}
		ks, err := NewKeySet(k)
		if err != nil {
			b.Fatal(err)
		}
		a, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret(string(ks.PublicJWKS())), postgrest.WithJWTCacheMaxEntries(0))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(alg+"/verify/pgjwt", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, apiErr := a.AuthenticateToken(token, true); apiErr != nil {
					b.Fatal(apiErr)
				}
			}
		})
		pub := priv.Public()
		parser := gjwt.NewParser(gjwt.WithValidMethods([]string{alg}), gjwt.WithTimeFunc(time.Now))
		b.Run(alg+"/verify/golang-jwt", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parser.Parse(token, func(*gjwt.Token) (any, error) { return pub, nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
