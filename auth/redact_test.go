package auth

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/redacttest"
)

// fakeDB is a DB whose connection data includes a password, as a pool's
// configuration does.
type fakeDB struct{ password string }

func (*fakeDB) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, nil
}
func (*fakeDB) QueryRow(context.Context, string, ...any) pgx.Row { return nil }

// TestNothingPrintsSecrets: no value this package returns prints the JWT
// secret, a password hash or the database password, whatever the verb and
// also through slog; the printed form still says what is configured. (The
// Authenticator's keys: auth/postgrest's test of the same name.)
func TestNothingPrintsSecrets(t *testing.T) {
	ctx := context.Background()
	const secret = "a-printing-test-secret-0123456789abcdef"
	const dbPassword = "database-password-in-the-pool-config"

	st := NewMemStore("webuser")
	require.NoError(t, st.CreateUser(ctx, "alice@example.com", "alice's password", "webuser"))
	u, err := st.LookupUser(ctx, "alice@example.com")
	require.NoError(t, err)
	svc, err := NewService(st, secret)
	require.NoError(t, err)
	login := NewLoginHandler(svc)
	pg := &PGStore{db: &fakeDB{password: dbPassword}}

	forbidden := append(redacttest.LeakForms([]byte(secret)), u.Hash, u.Hash[7:29], dbPassword, "alice's password")

	values := []struct {
		name string
		v    any
	}{
		{"*Service", svc},
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
			h     http.Handler
			store Store
			pg    *PGStore
		}{svc, login, st, pg}},
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
		redacttest.AssertRedacted(t, c.name, c.v, noJSON[c.name], forbidden)
	}

	// Still useful: what is configured shows.
	assert.Equal(t, `auth.Service{alg: HS256, secret: [REDACTED 39 bytes], token lifetime: 1h0m0s, extra claims: [], store: *auth.MemStore}`, fmt.Sprint(svc))
	assert.Equal(t, `auth.User{Email: "alice@example.com", Role: "webuser", Hash: [REDACTED 60 bytes]}`, fmt.Sprintf("%#v", u))
	assert.Equal(t, `auth.MemStore{users: 1, roles: ["webuser"]}`, fmt.Sprintf("%v", st))
	assert.Equal(t, `auth.PGStore{db: *auth.fakeDB}`, fmt.Sprintf("%s", pg))
	assert.Contains(t, fmt.Sprint(login), `auth.loginHandler{schema: "public", service: auth.Service{alg: HS256`)
	assert.Equal(t, `"auth.User{Email: \"alice@example.com\", Role: \"webuser\", Hash: [REDACTED 60 bytes]}"`, fmt.Sprintf("%q", u))

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("ready", "svc", svc, "user", u)
	assert.Contains(t, buf.String(), `"svc":{"alg":"HS256","secret":"[REDACTED 39 bytes]","token_lifetime":3600000000000,"extra_claims":[],"store":"*auth.MemStore"}`)
	assert.Contains(t, buf.String(), `"user":{"email":"alice@example.com","role":"webuser","hash":"[REDACTED 60 bytes]"}`)

	// Zero and nil values print without panicking.
	for _, v := range []any{&Service{}, (*Service)(nil), (*MemStore)(nil), User{}} {
		assert.NotPanics(t, func() { _ = fmt.Sprintf("%v %+v %#v %s", v, v, v, v) })
	}
}
