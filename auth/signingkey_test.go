package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

var asymAlgs = []string{"ES256", "ES384", "EdDSA", "RS256"}

// testKeys caches one generated key per algorithm (RSA generation is slow).
var testKeys = sync.OnceValue(func() map[string]*SigningKey {
	m := map[string]*SigningKey{}
	for _, alg := range asymAlgs {
		k, err := GenerateSigningKey(alg, "kid-"+alg)
		if err != nil {
			panic(err)
		}
		m[alg] = k
	}
	return m
})

// keyService returns a Service on a MemStore with one user, signing with ks.
func keyService(t *testing.T, ks *KeySet, now func() time.Time) *Service {
	t.Helper()
	svc, err := NewService(NewMemStore("web_user"), "", WithSigningKeys(ks), WithClock(now))
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(testCtx(t), "k@example.com", "pw", "web_user"))
	return svc
}

// pgrstVerify authenticates token as PostgREST would with jwtSecret.
func pgrstVerify(t *testing.T, jwtSecret, token string, now time.Time) (string, *postgrest.APIError) {
	t.Helper()
	a, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret(jwtSecret), postgrest.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	id, apiErr := a.AuthenticateToken(token, true)
	return id.Role(), apiErr
}

// TestSigningKeysRoundTrip signs logins with every algorithm and verifies
// them with the set's public JWKS as PostgREST's jwt-secret, and with
// golang-jwt given only the public key.
func TestSigningKeysRoundTrip(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, alg := range asymAlgs {
		t.Run(alg, func(t *testing.T) {
			k := testKeys()[alg]
			ks, err := NewKeySet(k)
			require.NoError(t, err)
			svc := keyService(t, ks, func() time.Time { return now })
			tok, err := svc.Login(testCtx(t), "k@example.com", "pw")
			require.NoError(t, err)
			parts := strings.Split(tok, ".")
			require.Len(t, parts, 3)
			hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
			assert.Equal(t, `{"alg":"`+alg+`","kid":"kid-`+alg+`","typ":"JWT"}`, string(hdr))
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			assert.Equal(t, `{"role":"web_user","email":"k@example.com","exp":1893557045}`, string(payload))

			role, apiErr := pgrstVerify(t, string(ks.PublicJWKS()), tok, now)
			require.Nil(t, apiErr)
			assert.Equal(t, "web_user", role)

			pub := (*k.priv).Public()
			parsed, err := gjwt.Parse(tok, func(*gjwt.Token) (any, error) { return pub, nil },
				gjwt.WithValidMethods([]string{alg}), gjwt.WithTimeFunc(func() time.Time { return now }))
			require.NoError(t, err)
			assert.True(t, parsed.Valid)

			// A flipped signature byte is refused.
			bad := tok[:len(tok)-3] + flip(tok[len(tok)-3]) + tok[len(tok)-2:]
			_, apiErr = pgrstVerify(t, string(ks.PublicJWKS()), bad, now)
			require.NotNil(t, apiErr)
		})
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// TestHMACSigningKeyIsPgjwt: a Service on a key set whose current key is
// the HMAC secret mints the very token a Service on the secret mints (which
// TestLoginMatchesSQL proves equal to SQL login()'s), and the same as SQL
// login() itself on a live server.
func TestHMACSigningKeyIsPgjwt(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 500000000, time.UTC)
	clk := func() time.Time { return at }
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		hk, err := NewHMACSigningKey(testSecret, alg)
		require.NoError(t, err)
		ks, err := NewKeySet(hk)
		require.NoError(t, err)
		svc := keyService(t, ks, clk)
		plain, err := NewService(NewMemStore("web_user"), testSecret, WithAlgorithm(alg), WithClock(clk))
		require.NoError(t, err)
		require.NoError(t, plain.SignUp(testCtx(t), "k@example.com", "pw", "web_user"))
		a, err := svc.Login(testCtx(t), "k@example.com", "pw")
		require.NoError(t, err)
		b, err := plain.Login(testCtx(t), "k@example.com", "pw")
		require.NoError(t, err)
		assert.Equal(t, b, a, alg)
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		store, err := NewPGStore(ctx, l.Pool)
		require.NoError(t, err)
		hk, err := NewHMACSigningKey(testSecret, "HS256")
		require.NoError(t, err)
		ks, err := NewKeySet(hk, testKeys()["ES256"])
		require.NoError(t, err)
		var clk clock
		svc, err := NewService(store, "", WithSigningKeys(ks), WithClock(clk.now))
		require.NoError(t, err)
		require.NoError(t, svc.SignUp(ctx, "sql@example.com", "pw", l.WebUser))
		want, now, err := sqlLogin(ctx, l, "sql@example.com", "pw", "")
		require.NoError(t, err)
		clk.set(now)
		got, err := svc.Login(ctx, "sql@example.com", "pw")
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
}

// TestKeySetRotation: after a rotation new tokens carry the new kid, old
// ones still verify while their key is retired, and none after Remove.
func TestKeySetRotation(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	hk, err := NewHMACSigningKey(testSecret, "HS256")
	require.NoError(t, err)
	ks, err := NewKeySet(hk)
	require.NoError(t, err)
	svc := keyService(t, ks, func() time.Time { return now })
	login := func() string {
		tok, err := svc.Login(testCtx(t), "k@example.com", "pw")
		require.NoError(t, err)
		return tok
	}
	sqlTok := login() // what SQL login() gives: HS256, no kid
	assert.Equal(t, `{"keys":[]}`, string(ks.PublicJWKS()), "an HMAC key is never published")
	require.NoError(t, ks.Rotate(testKeys()["ES256"]))
	esTok := login()
	require.NoError(t, ks.Rotate(testKeys()["EdDSA"]))
	edTok := login()
	assert.Equal(t, uint64(2), ks.Generation())
	assert.Contains(t, kidOf(t, esTok), "kid-ES256")
	assert.Contains(t, kidOf(t, edTok), "kid-EdDSA")

	// Step 2 of the migration: PostgREST's jwt-secret holds all of them.
	for _, tok := range []string{sqlTok, esTok, edTok} {
		_, apiErr := pgrstVerify(t, ks.JWTSecret(), tok, now)
		require.Nil(t, apiErr, tok)
	}
	// The published JWKS carries the public keys only, newest first.
	var doc struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal(ks.PublicJWKS(), &doc))
	require.Len(t, doc.Keys, 2)
	assert.Equal(t, "kid-EdDSA", doc.Keys[0]["kid"])
	assert.Equal(t, "kid-ES256", doc.Keys[1]["kid"])

	require.Error(t, ks.Remove("kid-EdDSA"), "the current key")
	require.Error(t, ks.Remove("nope"))
	require.NoError(t, ks.Remove("kid-ES256"))
	require.NoError(t, ks.Remove(""))
	_, apiErr := pgrstVerify(t, ks.JWTSecret(), esTok, now)
	require.NotNil(t, apiErr, "a removed key's token")
	assert.Equal(t, "No suitable key or wrong key type", apiErr.Message)
	_, apiErr = pgrstVerify(t, ks.JWTSecret(), sqlTok, now)
	require.NotNil(t, apiErr, "a removed HMAC key's token")
	_, apiErr = pgrstVerify(t, ks.JWTSecret(), edTok, now)
	require.Nil(t, apiErr)

	require.NoError(t, ks.Rotate(testKeys()["EdDSA"]), "the current key again: no change but the generation")
	twin, err := GenerateSigningKey("ES256", "kid-EdDSA")
	require.NoError(t, err)
	require.Error(t, ks.Rotate(twin), "two keys with one kid")
	require.Error(t, ks.Add(twin), "two keys with one kid")
	require.Error(t, ks.Set(nil))
}

func kidOf(t *testing.T, tok string) string {
	hdr, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	require.NoError(t, err)
	return string(hdr)
}

// TestKeySetRotateRace logs in while rotating: every token verifies under
// the set it was signed in (run with -race).
func TestKeySetRotateRace(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ks, err := NewKeySet(testKeys()["ES256"])
	require.NoError(t, err)
	svc := keyService(t, ks, func() time.Time { return now })
	secret := string(func() []byte {
		all, err := NewKeySet(testKeys()["ES256"], testKeys()["EdDSA"])
		require.NoError(t, err)
		return all.PublicJWKS()
	}())
	a, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret(secret), postgrest.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			next := testKeys()[[]string{"EdDSA", "ES256"}[i%2]]
			if err := ks.Set(next); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			for range 50 {
				tok, err := svc.Login(t.Context(), "k@example.com", "pw")
				if err != nil {
					t.Error(err)
					return
				}
				if _, apiErr := a.AuthenticateToken(tok, true); apiErr != nil {
					t.Error(apiErr)
					return
				}
			}
		})
	}
	time.Sleep(10 * time.Millisecond)
	close(stop)
	wg.Wait()
}

// TestParseSigningKey reads every PEM and JWK shape, and the JWK a key
// writes gives back the same key.
func TestParseSigningKey(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	rk := (*testKeys()["RS256"].priv).(*rsa.PrivateKey)
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	pkcs8 := func(k any) []byte { return must2(x509.MarshalPKCS8PrivateKey(k)) }
	for _, c := range []struct {
		name, alg string
		data      []byte
	}{
		{"PKCS8 EC", "ES256", pemOf("PRIVATE KEY", pkcs8(ec))},
		{"SEC1 EC", "ES256", pemOf("EC PRIVATE KEY", must2(x509.MarshalECPrivateKey(ec)))},
		{"PKCS8 Ed25519", "EdDSA", pemOf("PRIVATE KEY", pkcs8(ed))},
		{"PKCS8 RSA", "RS256", pemOf("PRIVATE KEY", pkcs8(rk))},
		{"PKCS1 RSA", "RS256", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk))},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseSigningKey(c.data)
			require.NoError(t, err)
			assert.Equal(t, c.alg, k.Alg())
			assert.NotEmpty(t, k.Kid(), "the thumbprint")
		})
	}
	for _, alg := range asymAlgs {
		t.Run("JWK "+alg, func(t *testing.T) {
			k := testKeys()[alg]
			priv, err := k.PrivateJWK()
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "k.jwk")
			require.NoError(t, os.WriteFile(path, priv, 0o600))
			back, err := LoadSigningKey(path)
			require.NoError(t, err)
			assert.Equal(t, k.Alg(), back.Alg())
			assert.Equal(t, k.Kid(), back.Kid())
			tok, err := back.Sign([]byte(`{"role":"r"}`))
			require.NoError(t, err)
			ks, err := NewKeySet(k)
			require.NoError(t, err)
			role, apiErr := pgrstVerify(t, string(ks.PublicJWKS()), tok, time.Now())
			require.Nil(t, apiErr)
			assert.Equal(t, "r", role)
		})
	}
	hk, err := NewHMACSigningKey(testSecret, "HS384")
	require.NoError(t, err)
	oct, err := hk.PrivateJWK()
	require.NoError(t, err)
	back, err := ParseSigningKey(oct)
	require.NoError(t, err)
	assert.True(t, back.IsSymmetric())
	assert.Equal(t, "HS384", back.Alg())
}

// TestSigningKeyRefusals: bad keys are refused with ErrSigningKey and
// messages that quote no key material.
func TestSigningKeyRefusals(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	require.NoError(t, err)
	ec := (*testKeys()["ES256"].priv).(*ecdsa.PrivateKey)
	pubJWK, _ := testKeys()["ES256"].PublicJWK()
	privJWK, err := testKeys()["ES256"].PrivateJWK()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(privJWK, &m))
	secretD := m["d"].(string)
	m["alg"] = "ES384"
	wrongAlg, _ := json.Marshal(m)
	m["alg"], m["use"] = "ES256", "enc"
	encUse, _ := json.Marshal(m)
	m["use"] = "sig"
	m["d"] = secretD[:10]
	shortD, _ := json.Marshal(m)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must2(x509.MarshalPKIXPublicKey(ec.Public()))})
	for name, f := range map[string]func() (*SigningKey, error){
		"RSA 1024":        func() (*SigningKey, error) { return NewSigningKey(small, "", "") },
		"P-521":           func() (*SigningKey, error) { return NewSigningKey(p521, "", "") },
		"alg mismatch":    func() (*SigningKey, error) { return NewSigningKey(ec, "EdDSA", "") },
		"RS384":           func() (*SigningKey, error) { return GenerateSigningKey("RS384", "") },
		"HS256 short":     func() (*SigningKey, error) { return NewHMACSigningKey("short", "HS256") },
		"HMAC alg":        func() (*SigningKey, error) { return NewHMACSigningKey(testSecret, "ES256") },
		"public JWK":      func() (*SigningKey, error) { return ParseSigningKey(pubJWK) },
		"public PEM":      func() (*SigningKey, error) { return ParseSigningKey(pubPEM) },
		"JWK wrong alg":   func() (*SigningKey, error) { return ParseSigningKey(wrongAlg) },
		"JWK use enc":     func() (*SigningKey, error) { return ParseSigningKey(encUse) },
		"JWK short d":     func() (*SigningKey, error) { return ParseSigningKey(shortD) },
		"garbage":         func() (*SigningKey, error) { return ParseSigningKey([]byte("hello")) },
		"broken JSON":     func() (*SigningKey, error) { return ParseSigningKey([]byte(`{"kty":"EC","d":"` + secretD)) },
		"oct without alg": func() (*SigningKey, error) { return ParseSigningKey([]byte(`{"kty":"oct","k":"` + secretD + `"}`)) },
		"missing file":    func() (*SigningKey, error) { return LoadSigningKey(filepath.Join(t.TempDir(), "none")) },
	} {
		t.Run(name, func(t *testing.T) {
			k, err := f()
			require.Error(t, err)
			assert.Nil(t, k)
			assert.ErrorIs(t, err, ErrSigningKey)
			assert.NotContains(t, err.Error(), secretD[:10])
		})
	}
}

func must2[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSigningKeyRedacted: printing keys, sets and Services shows no key
// material.
func TestSigningKeyRedacted(t *testing.T) {
	k := testKeys()["EdDSA"]
	priv, err := k.PrivateJWK()
	require.NoError(t, err)
	var m map[string]string
	require.NoError(t, json.Unmarshal(priv, &m))
	d := m["d"]
	hk, err := NewHMACSigningKey(testSecret, "HS256")
	require.NoError(t, err)
	ks, err := NewKeySet(k, hk)
	require.NoError(t, err)
	svc, err := NewService(NewMemStore(), "", WithSigningKeys(ks))
	require.NoError(t, err)
	type holder struct {
		K  *SigningKey
		S  *KeySet
		V  *Service
		KV SigningKey
	}
	var sb strings.Builder
	for _, v := range []any{k, hk, ks, svc, holder{k, ks, svc, *k}, *k} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&sb, verb+"\n", v)
		}
	}
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("k", "key", k, "hmac", hk)
	out := sb.String()
	assert.NotContains(t, out, d)
	assert.NotContains(t, out, testSecret)
	assert.NotContains(t, out, base64.RawURLEncoding.EncodeToString([]byte(testSecret)))
	assert.NotContains(t, out, fmt.Sprintf("%x", []byte((*k.priv).(ed25519.PrivateKey))))
}

// TestNewServiceKeysRefuses: a secret or WithAlgorithm beside
// WithSigningKeys is a mistake, refused.
func TestNewServiceKeysRefuses(t *testing.T) {
	ks, err := NewKeySet(testKeys()["ES256"])
	require.NoError(t, err)
	_, err = NewService(NewMemStore(), testSecret, WithSigningKeys(ks))
	require.Error(t, err)
	_, err = NewService(NewMemStore(), "", WithSigningKeys(ks), WithAlgorithm("HS256"))
	require.Error(t, err)
	_, err = NewService(NewMemStore(), "")
	require.True(t, errors.Is(err, ErrShortSecret))
}
