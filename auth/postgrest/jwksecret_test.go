package postgrest

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withoutMember returns the JWK text jwk minus its member name.
func withoutMember(t testing.TB, jwk, name string) string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(jwk), &m))
	delete(m, name)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// withMember returns the JWK text jwk with member name set to the JSON value.
func withMember(t testing.TB, jwk, name, value string) string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(jwk), &m))
	m[name] = json.RawMessage(value)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// TestJSONSecretMustBeUsableJWK: a jwt-secret that looks like JSON is a JWK
// or a JWKS, or NewAuthenticator refuses it with ErrInvalidJWK and says what
// is wrong; it never becomes a plain HMAC secret by default.
func TestJSONSecretMustBeUsableJWK(t *testing.T) {
	k := keys(t)
	rsaJWK := jwkJSON(t, &k.rsa.PublicKey, "k0", "")
	ecJWK := jwkJSON(t, &k.ec["ES256"].PublicKey, "", "")
	octJWK := `{"kty":"oct","kid":"hmac","k":"c2VjcmV0LWtleS1mb3ItdGhlLXNoYXBlcy10ZXN0LTEyMzQ"}`
	brokenJWKS := `{"keys":[` + rsaJWK + `,` + withoutMember(t, jwkJSON(t, &k.rsa.PublicKey, "k1", ""), "e") + `]}`
	cases := []struct {
		name, secret string
		base64       bool
		want         string // in the message, after "…usable JWK or JWKS: "
	}{
		{"RSA without e", withoutMember(t, rsaJWK, "e"), false, `RSA key: missing member "e"`},
		{"RSA e not a string", withMember(t, rsaJWK, "e", `65537`), false, `RSA key: member "e" is not a string`},
		{"RSA bad base64 n", withMember(t, rsaJWK, "n", `"!!"`), false, `RSA key: member "n" is not unpadded base64url: illegal base64 data at input byte 0`},
		{"oct padded base64 k", withMember(t, octJWK, "k", `"AAAA=="`), false, `oct key: member "k" is not unpadded base64url`},
		{"RSA e zero", withMember(t, rsaJWK, "e", `"AA"`), false, `RSA key: invalid RSA key, bad e value`},
		{"EC unknown curve", withMember(t, ecJWK, "crv", `"P256"`), false, `EC key: unknown curve "P256"`},
		{"EC without crv", withoutMember(t, ecJWK, "crv"), false, `EC key: missing member "crv"`},
		{"EC without x", withoutMember(t, ecJWK, "x"), false, `EC key: missing member "x"`},
		{"EC point off the curve", withMember(t, ecJWK, "x", `"`+base64.RawURLEncoding.EncodeToString(make([]byte, 32))+`"`), false, `EC key: invalid EC key, X/Y are not on declared curve`},
		{"OKP without x", `{"kty":"OKP","crv":"Ed25519"}`, false, `OKP key: missing member "x"`},
		{"OKP without crv", `{"kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, false, `OKP key: missing member "crv"`},
		{"oct without k", withoutMember(t, octJWK, "k"), false, `oct key: missing member "k"`},
		{"oct with empty k", withMember(t, octJWK, "k", `""`), false, `oct key: member "k" is empty`},
		{"RSA with empty n", withMember(t, rsaJWK, "n", `""`), false, `RSA key: member "n" is empty`},
		{"kid not a string", withMember(t, octJWK, "kid", `7`), false, `member "kid" is not a string`},
		{"kty not a string", withMember(t, octJWK, "kty", `1`), false, `member "kty" is not a string`},
		{"JWKS with one good and one broken key", brokenJWKS, false, `keys[1] (kid "k1"): RSA key: missing member "e"`},
		{"JWKS key not an object", `{"keys":[` + octJWK + `,"a string in place of a key"]}`, false, `keys[1]: not a JSON object`},
		{"JWKS key without kty", `{"keys":[{"k":"c2VjcmV0LWtleS1mb3ItdGhlLXNoYXBlcy10ZXN0LTEyMzQ"}]}`, false, `keys[0]: missing member "kty"`},
		{"keys not an array", `{"keys":` + octJWK + `}`, false, `member "keys" is not an array`},
		{"keys null", `{"keys":null,"padding":"to be at least 32 bytes long"}`, false, `member "keys" is not an array`},
		{"empty keys", `{"keys":[]}`, false, `the JWKS has no keys`},
		{"neither JWK nor JWKS", `{"foo":1,"bar":"padding padding padding"}`, false, `neither a JWKS (no member "keys") nor a JWK (no member "kty")`},
		{"KEYS in capitals", `{"KEYS":[` + octJWK + `]}`, false, `neither a JWKS`},
		{"garbage after {", `{this is not JSON but a long secret text}`, false, `not valid JSON (syntax error at byte 2)`},
		{"truncated JWKS", brokenJWKS[:len(brokenJWKS)-3], false, `not valid JSON`},
		{"whitespace before {", " \t\r\n  " + withoutMember(t, rsaJWK, "e"), false, `RSA key: missing member "e"`},
		{"JSON array of keys", `[` + rsaJWK + `]`, false, `a JSON array, not a JWKS`},
		{"short JSON", `{"kty":"oct"}`, false, `oct key: missing member "k"`},
		{"oct key of 31 bytes", withMember(t, octJWK, "k", `"`+strings.Repeat("A", 42)+`"`), false, `oct key: 31 bytes long; an HMAC key needs at least 32`},
		{"short oct key in a JWKS", `{"keys":[` + octJWK + `,{"kty":"oct","k":"c2hvcnQ"}]}`, false, `keys[1]: oct key: 5 bytes long`},
		{"base64 of a broken JWKS", base64.StdEncoding.EncodeToString([]byte(brokenJWKS)), true, `keys[1] (kid "k1"): RSA key: missing member "e"`},
		{"URL-safe base64 of garbage JSON", base64.URLEncoding.EncodeToString([]byte(`  {"kty":"RSA","n":"just some text ~~~"}`)), true, `RSA key: `},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := []Option{WithJWTSecret(c.secret), WithJWTSecretIsBase64(c.base64)}
			a, err := NewAuthenticator(opts...)
			require.ErrorIs(t, err, ErrInvalidJWK)
			assert.Nil(t, a)
			assert.NotErrorIs(t, err, ErrShortSecret)
			assert.Contains(t, err.Error(), "jwt-secret: the JWT secret looks like JSON but is not a usable JWK or JWKS: "+c.want)
			// The message names members, never their values.
			assert.NotContains(t, err.Error(), "c2VjcmV0")
			assert.NotContains(t, err.Error(), "this is not JSON")
			_, err = NewMiddleware(opts...)
			assert.ErrorIs(t, err, ErrInvalidJWK)
		})
	}

	t.Run("from a file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "jwks.json")
		require.NoError(t, os.WriteFile(path, []byte(brokenJWKS+"\n"), 0o600))
		_, err := NewAuthenticator(WithJWTSecret("@" + path))
		require.ErrorIs(t, err, ErrInvalidJWK)
		assert.Contains(t, err.Error(), `keys[1] (kid "k1")`)
	})
}

// TestJSONSecretKeepsValidShapes: what stays as it was. Plain secrets that
// merely contain braces, a binary base64 secret whose first byte is '{',
// and valid keys that can never verify (kept, as PostgREST keeps them).
func TestJSONSecretKeepsValidShapes(t *testing.T) {
	binary := append([]byte{'{', 0xff, 0xfe}, []byte(strings.Repeat("x", 29))...)
	for _, c := range []struct {
		name, secret string
		base64       bool
		n            int
		kty          keyType
	}{
		{"braces inside a plain secret", "secret-with-{braces}-inside-it-0123", false, 1, ktyOct},
		{"binary secret starting with {", base64.StdEncoding.EncodeToString(binary), true, 1, ktyOct},
		{"registered curve Go lacks", `{"keys":[{"kty":"EC","crv":"secp256k1","x":"AAAA","y":"AAAA"}]}`, false, 1, ktyUnsupported},
		{"Ed448", `{"kty":"OKP","crv":"Ed448","x":"AAAA"}`, false, 1, ktyUnsupported},
		{"unknown kty", `{"keys":[{"kty":"XYZ"},{"kty":"oct","k":"` + strings.Repeat("A", 43) + `"}]}`, false, 2, ktyUnsupported},
		{"encryption key", `{"kty":"oct","k":"AAAA","use":"enc"}`, false, 1, ktyOct},
	} {
		t.Run(c.name, func(t *testing.T) {
			keys, err := parseJWTSecret(c.secret, c.base64, false)
			require.NoError(t, err)
			require.Len(t, keys, c.n)
			assert.Equal(t, c.kty, keys[0].kty)
		})
	}
}

// TestBrokenJWKSIsNoHMACSecret is the attack: a JWKS is public, and one
// key of it lacks "e". PostgREST would use the JWKS text as an HMAC secret,
// so anyone could sign an HS256 token with the text and pick the role.
// By default the configuration is refused; only WithUnsafeJSONSecretAsHMAC
// brings PostgREST's behaviour (and the hole) back.
func TestBrokenJWKSIsNoHMACSecret(t *testing.T) {
	k := keys(t)
	jwks := `{"keys":[` + withoutMember(t, jwkJSON(t, &k.rsa.PublicKey, "2026-01", "RS256"), "e") + `]}`
	forged := mint(t, `{"alg":"HS256","typ":"JWT"}`, `{"role":"postgres"}`, jwt.SigningMethodHS256, []byte(jwks))

	_, err := NewMiddleware(WithJWTSecret(jwks), WithAnonRole("anon"))
	require.ErrorIs(t, err, ErrInvalidJWK)
	assert.Contains(t, err.Error(), `keys[0] (kid "2026-01"): RSA key: missing member "e"`)

	a, err := NewAuthenticator(WithJWTSecret(jwks), WithAnonRole("anon"), WithUnsafeJSONSecretAsHMAC(true))
	require.NoError(t, err)
	id, apiErr := a.AuthenticateToken(forged, true)
	require.Nil(t, apiErr)
	assert.Equal(t, "postgres", id.Role(), "the unsafe option restores PostgREST's fallback")

	// The option changes nothing for valid configurations.
	for _, secret := range []string{specSecret, jwkJSON(t, &k.rsa.PublicKey, "", "")} {
		a, err := NewAuthenticator(WithJWTSecret(secret), WithUnsafeJSONSecretAsHMAC(true))
		require.NoError(t, err)
		_, apiErr := a.AuthenticateToken(forged, true)
		assert.NotNil(t, apiErr)
	}
	// "k":"" is an empty HMAC key to go-jose (and golang-jwt verifies with
	// it): a token signed with no key at all. Refused by default.
	emptyOct := `{"keys":[{"kty":"oct","k":""}]}`
	forgedEmpty := mint(t, `{"alg":"HS256"}`, `{"role":"postgres"}`, jwt.SigningMethodHS256, []byte{})
	_, err = NewAuthenticator(WithJWTSecret(emptyOct))
	require.ErrorIs(t, err, ErrInvalidJWK)
	a, err = NewAuthenticator(WithJWTSecret(emptyOct), WithUnsafeJSONSecretAsHMAC(true))
	require.NoError(t, err)
	id, apiErr = a.AuthenticateToken(forgedEmpty, true)
	require.Nil(t, apiErr, "upstream reading keeps the empty key")
	assert.Equal(t, "postgres", id.Role())

	// Empty JWKS: refused by default, PostgREST's "no key matches" with the option.
	_, err = NewAuthenticator(WithJWTSecret(`{"keys":[]}`))
	require.ErrorIs(t, err, ErrInvalidJWK)
	a, err = NewAuthenticator(WithJWTSecret(`{"keys":[]}`), WithUnsafeJSONSecretAsHMAC(true))
	require.NoError(t, err)
	_, apiErr = a.AuthenticateToken(forged, true)
	require.NotNil(t, apiErr)
	assert.Equal(t, detailNoKey, *apiErr.Details)
}
