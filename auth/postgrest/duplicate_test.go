package postgrest

import (
	"fmt"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDuplicateMembersFirstWins: PostgREST v13+ reads the JWT header and
// claims with aeson ≥ 2.2, whose decoder keeps the first of duplicate
// member names. Every member the middleware acts on is tried with its
// duplicates in both orders; the claims handed on are re-encoded, so the
// later duplicates disappear, nested ones too.
func TestDuplicateMembersFirstWins(t *testing.T) {
	now := testNow.Unix()
	past, future := now-3600, now+3600
	jwks := `{"keys":[` + jwkJSON(t, []byte(specSecret), "k1", "") + `]}`
	hsJWKS := func(header string) string {
		return mint(t, header, `{"role":"r"}`, jwt.SigningMethodHS256, []byte(specSecret))
	}
	type dupCase struct {
		name    string
		cfg     map[string]string
		token   string
		role    string // "" when an error is expected
		claims  string
		errCode string
		errMsg  string
	}
	cases := []dupCase{
		{name: "role a,b", token: hs256(t, `{"role":"a","role":"b"}`), role: "a", claims: `{"role":"a"}`},
		{name: "role b,a", token: hs256(t, `{"role":"b","role":"a"}`), role: "b", claims: `{"role":"b"}`},
		{name: "exp past,future", token: hs256(t, fmt.Sprintf(`{"role":"r","exp":%d,"exp":%d}`, past, future)), errCode: "PGRST303", errMsg: "JWT expired"},
		{name: "exp future,past", token: hs256(t, fmt.Sprintf(`{"role":"r","exp":%d,"exp":%d}`, future, past)), role: "r",
			claims: fmt.Sprintf(`{"exp":%d,"role":"r"}`, future)},
		{name: "exp string,number", token: hs256(t, fmt.Sprintf(`{"role":"r","exp":"x","exp":%d}`, future)), errCode: "PGRST303", errMsg: "The JWT 'exp' claim must be a number"},
		{name: "nbf future,past", token: hs256(t, fmt.Sprintf(`{"role":"r","nbf":%d,"nbf":%d}`, future, past)), errCode: "PGRST303", errMsg: "JWT not yet valid"},
		{name: "nbf past,future", token: hs256(t, fmt.Sprintf(`{"role":"r","nbf":%d,"nbf":%d}`, past, future)), role: "r",
			claims: fmt.Sprintf(`{"nbf":%d,"role":"r"}`, past)},
		{name: "iat future,past", token: hs256(t, fmt.Sprintf(`{"role":"r","iat":%d,"iat":%d}`, future, past)), errCode: "PGRST303", errMsg: "JWT issued at future"},
		{name: "iat past,future", token: hs256(t, fmt.Sprintf(`{"role":"r","iat":%d,"iat":%d}`, past, future)), role: "r",
			claims: fmt.Sprintf(`{"iat":%d,"role":"r"}`, past)},
		{name: "aud other,ours", cfg: map[string]string{"jwt-aud": "youraudience"}, token: hs256(t, `{"role":"r","aud":"other","aud":"youraudience"}`),
			errCode: "PGRST303", errMsg: "JWT not in audience"},
		{name: "aud ours,other", cfg: map[string]string{"jwt-aud": "youraudience"}, token: hs256(t, `{"role":"r","aud":"youraudience","aud":"other"}`),
			role: "r", claims: `{"aud":"youraudience","role":"r"}`},
		{name: "aud array,object", cfg: map[string]string{"jwt-aud": "youraudience"}, token: hs256(t, `{"role":"r","aud":["youraudience"],"aud":{}}`),
			role: "r", claims: `{"aud":["youraudience"],"role":"r"}`},
		{name: "role path inner a,b", cfg: map[string]string{"jwt-role-claim-key": ".app.role"}, token: hs256(t, `{"app":{"role":"a","role":"b"}}`),
			role: "a", claims: `{"app":{"role":"a"},"role":"a"}`},
		{name: "role path inner b,a", cfg: map[string]string{"jwt-role-claim-key": ".app.role"}, token: hs256(t, `{"app":{"role":"b","role":"a"}}`),
			role: "b", claims: `{"app":{"role":"b"},"role":"b"}`},
		{name: "role path outer a,b", cfg: map[string]string{"jwt-role-claim-key": "$.app.role"}, token: hs256(t, `{"app":{"role":"a"},"app":{"role":"b"}}`),
			role: "a", claims: `{"app":{"role":"a"},"role":"a"}`},
		{name: "role path outer b,a", cfg: map[string]string{"jwt-role-claim-key": "$.app.role"}, token: hs256(t, `{"app":{"role":"b"},"app":{"role":"a"}}`),
			role: "b", claims: `{"app":{"role":"b"},"role":"b"}`},
		{name: "role path outer object,string", cfg: map[string]string{"jwt-role-claim-key": "$.app.role"}, token: hs256(t, `{"app":{"role":"a"},"app":"x"}`),
			role: "a", claims: `{"app":{"role":"a"},"role":"a"}`},
		{name: "nested duplicates dropped from claims", token: hs256(t, `{"role":"a","x":{"k":1,"k":2,"l":[{"m":true,"m":false}]},"x":null}`),
			role: "a", claims: `{"role":"a","x":{"k":1,"l":[{"m":true}]}}`},

		// Header members, signed with the spec secret (HS256).
		{name: "alg none,HS256", token: hsJWKS(`{"alg":"none","alg":"HS256"}`), errCode: "PGRST301", errMsg: "Wrong or unsupported encoding algorithm"},
		{name: "alg HS256,none", token: hsJWKS(`{"alg":"HS256","alg":"none"}`), role: "r", claims: `{"role":"r"}`},
		{name: "alg RS256,HS256", token: hsJWKS(`{"alg":"RS256","alg":"HS256"}`), errCode: "PGRST301", errMsg: "No suitable key or wrong key type"},
		{name: "alg HS256,RS256", token: hsJWKS(`{"alg":"HS256","alg":"RS256"}`), role: "r", claims: `{"role":"r"}`},
		{name: "alg PS256,HS256", token: hsJWKS(`{"alg":"PS256","alg":"HS256"}`), errCode: "PGRST301", errMsg: "JWT cryptographic operation failed"},
		{name: "alg HS256,PS256", token: hsJWKS(`{"alg":"HS256","alg":"PS256"}`), role: "r", claims: `{"role":"r"}`},
		{name: "kid k1,k2", cfg: map[string]string{"jwt-secret": jwks}, token: hsJWKS(`{"alg":"HS256","kid":"k1","kid":"k2"}`), role: "r", claims: `{"role":"r"}`},
		{name: "kid k2,k1", cfg: map[string]string{"jwt-secret": jwks}, token: hsJWKS(`{"alg":"HS256","kid":"k2","kid":"k1"}`),
			errCode: "PGRST301", errMsg: "No suitable key or wrong key type"},
		{name: "kid number,string", cfg: map[string]string{"jwt-secret": jwks}, token: hsJWKS(`{"alg":"HS256","kid":1,"kid":"k1"}`),
			errCode: "PGRST301", errMsg: "JWT cryptographic operation failed"},
		{name: "kid string,number", cfg: map[string]string{"jwt-secret": jwks}, token: hsJWKS(`{"alg":"HS256","kid":"k1","kid":1}`), role: "r", claims: `{"role":"r"}`},
		{name: "typ number,string", token: hsJWKS(`{"alg":"HS256","typ":1,"typ":"JWT"}`), errCode: "PGRST301", errMsg: "JWT cryptographic operation failed"},
		{name: "typ string,number", token: hsJWKS(`{"alg":"HS256","typ":"JWT","typ":1}`), role: "r", claims: `{"role":"r"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := NewAuthenticator(optionsFor(t, c.cfg)...)
			require.NoError(t, err)
			id, apiErr := a.AuthenticateToken(c.token, true)
			if c.role == "" {
				require.NotNil(t, apiErr, "accepted as role %q", id.Role())
				assert.Equal(t, c.errCode, apiErr.Code)
				assert.Equal(t, c.errMsg, apiErr.Message)
				return
			}
			require.Nil(t, apiErr)
			assert.Equal(t, c.role, id.Role())
			assert.Equal(t, c.claims, id.Claims())
		})
	}
}
