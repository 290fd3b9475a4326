package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/jwt"
)

// TestSigningKey: with -key, logins are signed with the key (its alg and
// kid), /.well-known/jwks.json serves the public key, which verifies them
// verbatim as a PostgREST jwt-secret, and tokens of the secret (SQL
// login()'s) still pass /me.
func TestSigningKey(t *testing.T) {
	dir := t.TempDir()
	k, err := auth.GenerateSigningKey("ES256", "login-1")
	require.NoError(t, err)
	priv, err := k.PrivateJWK()
	require.NoError(t, err)
	keyFile := filepath.Join(dir, "login.jwk")
	require.NoError(t, os.WriteFile(keyFile, priv, 0o600))
	secret := "a-secret-of-at-least-32-characters-long"
	s := start(t, map[string]string{"PGJWT_SECRET": secret}, "-key", keyFile, "-user", "alice@example.com:pw:webuser")
	assert.Contains(t, s.output(), `signing: ES256, kid "login-1"`)
	assert.NotContains(t, s.output(), secret)

	token := login(t, s.base, "alice@example.com", "pw")
	hdr, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	require.NoError(t, err)
	assert.Equal(t, `{"alg":"ES256","kid":"login-1","typ":"JWT"}`, string(hdr))
	assert.Equal(t, "webuser", getMe(t, s.base, token).Role)

	status, jwks, resp := call(t, "GET", s.base+auth.JWKSPath, "", "")
	require.Equal(t, 200, status)
	assert.Equal(t, "public, max-age=300", resp.Header.Get("Cache-Control"))
	assert.NotContains(t, jwks, `"d"`)
	assert.NotContains(t, jwks, `"oct"`)
	a, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret(jwks))
	require.NoError(t, err)
	id, apiErr := a.AuthenticateToken(token, true)
	require.Nil(t, apiErr)
	assert.Equal(t, "webuser", id.Role())

	// An HS256 token of the secret, as SQL login() mints it: still accepted.
	hs, err := jwt.Sign([]byte(`{"role":"webuser","email":"sql@example.com","exp":4102444800}`), secret, "HS256")
	require.NoError(t, err)
	assert.Equal(t, "sql@example.com", getMe(t, s.base, hs).Claims.Email)

	// -key wants a private key.
	pubFile := filepath.Join(dir, "pub.json")
	require.NoError(t, os.WriteFile(pubFile, []byte(jwks), 0o600))
	_, err = parseConfig([]string{"-key", pubFile}, lookup(nil), &strings.Builder{})
	require.ErrorIs(t, err, auth.ErrSigningKey)
}
