package postgrest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/redacttest"
)

// bigForms are the spellings of a private key number: decimal, hex and
// base64url (as a JWK writes it).
func bigForms(n *big.Int) []string {
	return []string{n.String()[:24], n.Text(16)[:24], base64.RawURLEncoding.EncodeToString(n.Bytes())[:24]}
}

// TestNothingPrintsSecrets: no value this package returns prints the JWT
// secret, an HMAC key or private key numbers, whatever the verb and also
// through slog; the printed form still says what is configured.
func TestNothingPrintsSecrets(t *testing.T) {
	const secret = "a-printing-test-secret-0123456789abcdef"
	hmacKey := []byte("an HMAC key for the printing test, 40 B!")
	k := keys(t)

	plain, err := NewAuthenticator(WithJWTSecret(secret), WithAnonRole("anon"))
	require.NoError(t, err)
	// A JWKS with an HMAC key and private RSA and EC JWKs: verification
	// keeps only public halves, and no HMAC byte may print.
	jwks := `{"keys":[` + jwkJSON(t, hmacKey, "hmac", "HS512") + `,` + jwkJSON(t, k.rsa, "rsa", "") + `,` +
		jwkJSON(t, k.ec["ES256"], "", "") + `,` + jwkJSON(t, k.ed, "ed", "") + `,{"kty":"XYZ"}]}`
	multi, err := NewAuthenticator(WithJWTSecret(jwks))
	require.NoError(t, err)
	mw, err := NewMiddleware(WithJWTSecret(secret))
	require.NoError(t, err)

	forbidden := append(redacttest.LeakForms([]byte(secret)), redacttest.LeakForms(hmacKey)...)
	forbidden = append(forbidden, bigForms(k.rsa.D)...)
	forbidden = append(forbidden, bigForms(k.rsa.Primes[0])...)
	forbidden = append(forbidden, bigForms(k.ec["ES256"].D)...)
	forbidden = append(forbidden, redacttest.LeakForms(k.ed.Seed())...)

	values := []struct {
		name string
		v    any
	}{
		{"*Authenticator (plain secret)", plain},
		{"*Authenticator (JWKS)", multi},
		{"key set", multi.keys.Load().keys},
		{"one HMAC key", multi.keys.Load().keys[0]},
		{"middleware", mw},
		// Inside a caller's struct, in unexported fields: fmt reflects there
		// and calls no methods; the secrets sit behind pointers it does not
		// follow. (%s even makes fmt dereference the first pointer.)
		{"caller's struct", struct {
			a    *Authenticator
			h    func(http.Handler) http.Handler
			keys []verificationKey
		}{multi, mw, multi.keys.Load().keys}},
	}
	for _, c := range values {
		redacttest.AssertRedacted(t, c.name, c.v, false, forbidden)
	}

	// Still useful: what is configured shows.
	assert.Equal(t, `postgrest.Authenticator{keys: [{oct [REDACTED 39 bytes], alg HS256}], jwt-aud: "", jwt-role-claim-key: "$.role", db-anon-role: "anon", cache: true}`, fmt.Sprintf("%+v", plain))
	assert.Equal(t, `postgrest.Authenticator{keys: [{oct [REDACTED 40 bytes], alg HS512, kid "hmac"} {RSA 2048 bits, kid "rsa"} {EC P-256} {OKP Ed25519, kid "ed"} {unsupported}], jwt-aud: "", jwt-role-claim-key: "$.role", db-anon-role: "", cache: true}`, multi.String())

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("ready", "auth", plain)
	assert.Contains(t, buf.String(), `"keys":["{oct [REDACTED 39 bytes], alg HS256}"]`)

	// Zero and nil values print without panicking.
	for _, v := range []any{&Authenticator{}, (*Authenticator)(nil), verificationKey{}} {
		assert.NotPanics(t, func() { _ = fmt.Sprintf("%v %+v %#v %s", v, v, v, v) })
	}
	// Public key numbers are no secret, but are not printed either.
	assert.NotContains(t, multi.String(), k.rsa.N.String()[:20])
}
