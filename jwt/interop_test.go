package jwt_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/pgjwt-go/pgjwt/jwt"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

var hsMethods = map[string]*gojwt.SigningMethodHMAC{
	"HS256": gojwt.SigningMethodHS256,
	"HS384": gojwt.SigningMethodHS384,
	"HS512": gojwt.SigningMethodHS512,
}

// pgjwt's tokens verify with golang-jwt, for all three algorithms and odd
// (but object) payload layouts.
func TestGolangJWTVerifiesSign(t *testing.T) {
	now := time.Now()
	exp := now.Add(time.Hour).Unix()
	payloads := []string{
		`{"role":"web_anon","exp":` + itoa(exp) + `}`,
		` { "role" : "a<b&c>" ,"exp":` + itoa(exp) + ` } `,
		`{"role":"x","role":"y","exp":` + itoa(exp) + `,"nested":{"a":[1,2,{"b":null}]}}`,
		`{"emoji":"😀\u00e9","exp":` + itoa(exp) + `}`,
	}
	secret := "reallyreallyreallyreallyverysafe"
	for alg, method := range hsMethods {
		for _, p := range payloads {
			tok, err := jwt.Sign(json.RawMessage(p), secret, alg)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := gojwt.Parse(tok, func(*gojwt.Token) (any, error) { return []byte(secret), nil },
				gojwt.WithValidMethods([]string{method.Alg()}), gojwt.WithExpirationRequired())
			if err != nil || !parsed.Valid {
				t.Errorf("golang-jwt rejects %s token over %s: %v", alg, p, err)
			}
		}
	}
}

// golang-jwt's HS tokens verify with Verify.
func TestVerifyAcceptsGolangJWT(t *testing.T) {
	now := time.Now()
	secret := "another-secret-of-32-characters!"
	claims := []gojwt.Claims{
		gojwt.MapClaims{"role": "web_anon", "exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix()},
		gojwt.RegisteredClaims{Subject: "42", Audience: gojwt.ClaimStrings{"x"}, ExpiresAt: gojwt.NewNumericDate(now.Add(time.Minute))},
		gojwt.MapClaims{"html": "<script>&", "exp": float64(now.Add(time.Hour).Unix()) + 0.5},
	}
	for alg, method := range hsMethods {
		for _, c := range claims {
			tok, err := gojwt.NewWithClaims(method, c).SignedString([]byte(secret))
			if err != nil {
				t.Fatal(err)
			}
			res, err := jwt.VerifyAt(tok, secret, alg, now)
			if err != nil || res.Valid != jwt.Valid {
				t.Errorf("Verify(golang-jwt %s token %s) = %v, %v", alg, tok, res.Valid, err)
			}
			// Expired according to both.
			if res, err := jwt.VerifyAt(tok, secret, alg, now.Add(2*time.Hour)); err != nil || res.Valid != jwt.Invalid {
				t.Errorf("Verify(golang-jwt %s token) two hours later = %v, %v", alg, res.Valid, err)
			}
			if res, _ := jwt.VerifyAt(tok, secret+"x", alg, now); res.Valid != jwt.Invalid {
				t.Errorf("wrong secret accepted")
			}
		}
	}
}

// loginClaims is an ordered struct with the fields of the seed's login()
// payload, in row_to_json's column order.
type loginClaims struct {
	Role  string `json:"role"`
	Email string `json:"email"`
	Exp   int64  `json:"exp"`
}

func (loginClaims) GetExpirationTime() (*gojwt.NumericDate, error) { return nil, nil }
func (loginClaims) GetIssuedAt() (*gojwt.NumericDate, error)       { return nil, nil }
func (loginClaims) GetNotBefore() (*gojwt.NumericDate, error)      { return nil, nil }
func (loginClaims) GetIssuer() (string, error)                     { return "", nil }
func (loginClaims) GetSubject() (string, error)                    { return "", nil }
func (loginClaims) GetAudience() (gojwt.ClaimStrings, error)       { return nil, nil }

// When golang-jwt's bytes coincide with pgjwt's: an ordered struct whose
// json.Marshal text is what row_to_json prints (compact, declared order),
// with no character encoding/json escapes differently (<, >, &, U+2028,
// U+2029). Then SignedString and sign(row_to_json(r), ...) agree byte for
// byte. With those characters, or with MapClaims (sorted keys), or with
// json_build_object / jsonb layouts, they cannot.
func TestGolangJWTBytesCoincide(t *testing.T) {
	secret := "reallyreallyreallyreallyverysafe"
	sameAs := func(c loginClaims) (golang, pg string) {
		t.Helper()
		g, err := gojwt.NewWithClaims(gojwt.SigningMethodHS256, c).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		payload, err := pgjson.RowToJSON(pgjson.Object{{Key: "role", Value: c.Role}, {Key: "email", Value: c.Email}, {Key: "exp", Value: c.Exp}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := jwt.Sign(payload, secret, "HS256")
		if err != nil {
			t.Fatal(err)
		}
		return g, p
	}
	if g, p := sameAs(loginClaims{"webuser", "foo@bar.com", 1795636901}); g != p {
		t.Errorf("ordered struct, plain text: golang-jwt %s\n pgjwt %s", g, p)
	}
	for _, odd := range []string{"a<b", "x&y", "1>0", "line\u2028sep"} {
		g, p := sameAs(loginClaims{"webuser", odd, 1795636901})
		if g == p {
			t.Errorf("%q: golang-jwt's HTML escaping should make the tokens differ", odd)
		}
		// Still, each side accepts the other's token.
		for _, tok := range []string{g, p} {
			if res, err := jwt.VerifyAt(tok, secret, "HS256", time.Unix(1795636900, 0)); err != nil || res.Valid != jwt.Valid {
				t.Errorf("Verify(%s) = %v, %v", tok, res.Valid, err)
			}
		}
	}
	// MapClaims sort their keys: {"email":...,"exp":...,"role":...}.
	g, err := gojwt.NewWithClaims(gojwt.SigningMethodHS256, gojwt.MapClaims{"role": "webuser", "email": "foo@bar.com", "exp": 1795636901}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	if _, p := sameAs(loginClaims{"webuser", "foo@bar.com", 1795636901}); g == p {
		t.Error("MapClaims should sort keys and differ from row_to_json's order")
	}
	res, _ := jwt.VerifyAt(g, secret, "HS256", time.Unix(1795636900, 0))
	if !strings.HasPrefix(string(res.Payload), `{"email":`) {
		t.Errorf("MapClaims payload %s, want sorted keys", res.Payload)
	}
}

// Tokens pgjwt accepts that golang-jwt refuses, and the reverse: their
// parsers differ at the edges, never on ordinary HS tokens.
func TestParserDifferences(t *testing.T) {
	secret := "s"
	tok, _ := jwt.Sign(json.RawMessage(`{"a":1}`), secret, "HS256")
	key := func(*gojwt.Token) (any, error) { return []byte(secret), nil }
	now := time.Now()
	// A fourth segment: pgjwt ignores it, golang-jwt calls it malformed.
	if res, err := jwt.VerifyAt(tok+".extra", secret, "HS256", now); err != nil || res.Valid != jwt.Valid {
		t.Errorf("pgjwt should ignore a fourth segment: %v %v", res.Valid, err)
	}
	if _, err := gojwt.Parse(tok+".extra", key); err == nil {
		t.Error("golang-jwt should refuse four segments")
	}
	// A non-object payload: pgjwt signs and verifies it, golang-jwt cannot
	// decode it into claims.
	arr, _ := jwt.Sign(json.RawMessage(`[1,2]`), secret, "HS256")
	if res, err := jwt.VerifyAt(arr, secret, "HS256", now); err != nil || res.Valid != jwt.Valid {
		t.Errorf("pgjwt array payload: %v %v", res.Valid, err)
	}
	if _, err := gojwt.Parse(arr, key); err == nil {
		t.Error("golang-jwt should refuse an array payload")
	}
	// The header's alg: pgjwt never reads it (the algorithm argument rules);
	// golang-jwt trusts it (hence WithValidMethods).
	none := "eyJhbGciOiJub25lIn0.e30."
	if res, _ := jwt.VerifyAt(none, secret, "HS256", now); res.Valid != jwt.Invalid {
		t.Errorf("alg none must not verify: %v", res.Valid)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
