package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// printVerbs are the fmt verbs a caller may print a value with.
var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// leakForms are the spellings in which secret bytes could show up in
// printed output: as text, hex (either case), base64 (four alphabets), and
// as fmt renders a []byte with %v/%d and %#v. Prefixes suffice and still
// catch a partial dump.
func leakForms(secret []byte) []string {
	head := secret[:min(len(secret), 9)]
	forms := []string{
		string(secret),
		hex.EncodeToString(head), strings.ToUpper(hex.EncodeToString(head)),
		base64.StdEncoding.EncodeToString(head), base64.URLEncoding.EncodeToString(head),
		strings.Trim(fmt.Sprint(secret[:min(len(secret), 4)]), "[]"),
		strings.Trim(fmt.Sprintf("%#v", secret[:min(len(secret), 4)]), "[]byte{}"),
	}
	if len(secret) >= 12 {
		forms = append(forms, base64.StdEncoding.EncodeToString(secret[3:12]), base64.RawURLEncoding.EncodeToString(secret[3:12]))
	}
	return forms
}

// bigForms are the spellings of a private key number: decimal, hex and
// base64url (as a JWK writes it).
func bigForms(n *big.Int) []string {
	return []string{n.String()[:24], n.Text(16)[:24], base64.RawURLEncoding.EncodeToString(n.Bytes())[:24]}
}

// assertRedacted prints v with every verb and through slog's text and JSON
// handlers (unless noJSON), and fails if any output contains one of the
// forbidden strings.
func assertRedacted(t *testing.T, name string, v any, noJSON bool, forbidden []string) {
	t.Helper()
	outputs := map[string]string{}
	for _, verb := range printVerbs {
		outputs[verb] = fmt.Sprintf(verb, v)
	}
	for hname, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		if noJSON && hname == "slog JSON" {
			continue
		}
		var buf bytes.Buffer
		log := slog.New(newHandler(&buf))
		log.Info("value", "v", v)
		log.Info("any", slog.Any("v", v))
		log.Info("group", slog.Group("g", "v", v))
		outputs[hname] = buf.String()
	}
	for how, out := range outputs {
		for _, f := range forbidden {
			if strings.Contains(out, f) {
				t.Errorf("%s printed with %s shows %q:\n%s", name, how, f, out)
			}
		}
	}
}

// fakeDB is a DB whose connection data includes a password, as a pool's
// configuration does.
type fakeDB struct{ password string }

func (*fakeDB) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, nil
}
func (*fakeDB) QueryRow(context.Context, string, ...any) pgx.Row { return nil }

// TestNothingPrintsSecrets: no value this package returns prints the JWT
// secret, an HMAC key, a password hash or private key numbers, whatever
// the verb and also through slog; the printed form still says what is
// configured.
func TestNothingPrintsSecrets(t *testing.T) {
	ctx := context.Background()
	const secret = "a-printing-test-secret-0123456789abcdef"
	const dbPassword = "database-password-in-the-pool-config"
	hmacKey := []byte("an HMAC key for the printing test, 40 B!")
	k := keys(t)

	st := NewMemStore("webuser")
	require.NoError(t, st.CreateUser(ctx, "alice@example.com", "alice's password", "webuser"))
	u, err := st.LookupUser(ctx, "alice@example.com")
	require.NoError(t, err)
	svc, err := NewService(st, secret)
	require.NoError(t, err)
	plain, err := NewAuthenticator(WithJWTSecret(secret), WithDBAnonRole("anon"))
	require.NoError(t, err)
	// A JWKS with an HMAC key and private RSA and EC JWKs: verification
	// keeps only public halves, and no HMAC byte may print.
	jwks := `{"keys":[` + jwkJSON(t, hmacKey, "hmac", "HS512") + `,` + jwkJSON(t, k.rsa, "rsa", "") + `,` +
		jwkJSON(t, k.ec["ES256"], "", "") + `,` + jwkJSON(t, k.ed, "ed", "") + `,{"kty":"XYZ"}]}`
	multi, err := NewAuthenticator(WithJWTSecret(jwks))
	require.NoError(t, err)
	mw, err := NewMiddleware(WithJWTSecret(secret))
	require.NoError(t, err)
	login := NewLoginHandler(svc)
	pg := &PGStore{db: &fakeDB{password: dbPassword}}

	forbidden := append(leakForms([]byte(secret)), leakForms(hmacKey)...)
	forbidden = append(forbidden, u.Hash, u.Hash[7:29], dbPassword, "alice's password")
	forbidden = append(forbidden, bigForms(k.rsa.D)...)
	forbidden = append(forbidden, bigForms(k.rsa.Primes[0])...)
	forbidden = append(forbidden, bigForms(k.ec["ES256"].D)...)
	forbidden = append(forbidden, leakForms(k.ed.Seed())...)

	values := []struct {
		name string
		v    any
	}{
		{"*Service", svc},
		{"*Authenticator (plain secret)", plain},
		{"*Authenticator (JWKS)", multi},
		{"key set", multi.keys},
		{"one HMAC key", multi.keys[0]},
		{"middleware", mw},
		{"login handler", login},
		{"*MemStore", st},
		{"*PGStore", pg},
		{"User", u},
		{"[]User", []User{u}},
		{"map of Users", map[string]User{u.Email: u}},
		{"*User", &u},
		// Inside a caller's struct, in unexported fields: fmt reflects there
		// and calls no methods; the secrets sit behind pointers it does not
		// follow. (%s even makes fmt dereference the first pointer.)
		{"caller's struct", struct {
			svc   *Service
			a     *Authenticator
			h     http.Handler
			store Store
			pg    *PGStore
			keys  []verificationKey
		}{svc, multi, login, st, pg, multi.keys}},
		{"caller's exported fields", struct {
			Svc  *Service
			User User
		}{svc, u}},
	}
	// A User inside a slice, map or struct reaches slog's JSON handler
	// through encoding/json, which shows the exported Hash field (a User
	// logged by itself is redacted by its LogValue).
	noJSON := map[string]bool{"[]User": true, "map of Users": true, "caller's exported fields": true}
	for _, c := range values {
		assertRedacted(t, c.name, c.v, noJSON[c.name], forbidden)
	}

	// Still useful: what is configured shows.
	assert.Equal(t, `auth.Service{alg: HS256, secret: [REDACTED 39 bytes], token lifetime: 1h0m0s, extra claims: [], store: *auth.MemStore}`, fmt.Sprint(svc))
	assert.Equal(t, `auth.Authenticator{keys: [{oct [REDACTED 39 bytes], alg HS256}], jwt-aud: "", jwt-role-claim-key: "$.role", db-anon-role: "anon", cache: true}`, fmt.Sprintf("%+v", plain))
	assert.Equal(t, `auth.Authenticator{keys: [{oct [REDACTED 40 bytes], alg HS512, kid "hmac"} {RSA 2048 bits, kid "rsa"} {EC P-256} {OKP Ed25519, kid "ed"} {unsupported}], jwt-aud: "", jwt-role-claim-key: "$.role", db-anon-role: "", cache: true}`, multi.String())
	assert.Equal(t, `auth.User{Email: "alice@example.com", Role: "webuser", Hash: [REDACTED 60 bytes]}`, fmt.Sprintf("%#v", u))
	assert.Equal(t, `auth.MemStore{users: 1, roles: ["webuser"]}`, fmt.Sprintf("%v", st))
	assert.Equal(t, `auth.PGStore{db: *auth.fakeDB}`, fmt.Sprintf("%s", pg))
	assert.Contains(t, fmt.Sprint(login), `auth.loginHandler{schema: "public", service: auth.Service{alg: HS256`)
	assert.Equal(t, `"auth.User{Email: \"alice@example.com\", Role: \"webuser\", Hash: [REDACTED 60 bytes]}"`, fmt.Sprintf("%q", u))

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("ready", "svc", svc, "auth", plain, "user", u)
	assert.Contains(t, buf.String(), `"svc":{"alg":"HS256","secret":"[REDACTED 39 bytes]","token_lifetime":3600000000000,"extra_claims":[],"store":"*auth.MemStore"}`)
	assert.Contains(t, buf.String(), `"user":{"email":"alice@example.com","role":"webuser","hash":"[REDACTED 60 bytes]"}`)
	assert.Contains(t, buf.String(), `"keys":["{oct [REDACTED 39 bytes], alg HS256}"]`)

	// Zero and nil values print without panicking.
	for _, v := range []any{&Service{}, &Authenticator{}, (*Service)(nil), (*Authenticator)(nil), (*MemStore)(nil), User{}, verificationKey{}} {
		assert.NotPanics(t, func() { _ = fmt.Sprintf("%v %+v %#v %s", v, v, v, v) })
	}
	// Public key numbers are no secret, but are not printed either.
	assert.NotContains(t, multi.String(), k.rsa.N.String()[:20])
}
