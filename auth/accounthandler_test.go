package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt"
)

// sqlRPC runs an exposed function as PostgREST would for a POST body:
// the JSON through json_to_recordset into the named parameters, as role,
// with request.jwt.claims set, in a transaction that is rolled back; the
// answer is PostgREST's (204 for void, FromDBError otherwise), rendered into
// a recorder so that headers and body can be compared.
func sqlRPC(ctx context.Context, t *testing.T, db *pgconn.PgConn, pool interface {
	Begin(context.Context) (pgx.Tx, error)
}, role, claims, fn string, params []string, body string, authenticated bool) *httptest.ResponseRecorder {
	t.Helper()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, "SET LOCAL ROLE "+quoteIdent(role))
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SELECT set_config('request.jwt.claims', $1, true)", claims)
	require.NoError(t, err)
	cols := make([]string, len(params))
	args := make([]string, len(params))
	for i, p := range params {
		cols[i], args[i] = p+" text", "a."+p
	}
	_, err = tx.Exec(ctx, "SELECT public."+fn+"("+strings.Join(args, ", ")+") FROM json_to_recordset(json_build_array($1::json)) AS a("+
		strings.Join(cols, ", ")+")", body)
	rec := httptest.NewRecorder()
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		postgrest.FromDBError(err, authenticated).Respond(rec, postgrest.Verbose)
	case err != nil:
		t.Fatal(err)
	default:
		rec.WriteHeader(http.StatusNoContent)
	}
	return rec
}

func sameAnswer(t *testing.T, what string, got, want *httptest.ResponseRecorder) {
	t.Helper()
	assert.Equal(t, want.Code, got.Code, "%s: status; body %s, want %s", what, got.Body, want.Body)
	assert.Equal(t, want.Body.String(), got.Body.String(), "%s: body", what)
	assert.Equal(t, want.Header(), got.Header(), "%s: headers", what)
}

// TestAccountHandlersLive: for the same requests, NewSignupHandler and
// NewChangePasswordHandler give exactly PostgREST's answer for the SQL
// signup() and change_password() that InstallSchema installs, status,
// headers and body, and the users they make log in through both, in UTF8
// and LATIN1 databases (where json_to_recordset refuses escapes of
// characters LATIN1 lacks, and the password limit counts LATIN1 bytes).
func TestAccountHandlersLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, enc := range []string{"UTF8", "LATIN1"} {
			t.Run(enc, func(t *testing.T) { accountHandlersLive(t, c, enc) })
		}
	})
}

func accountHandlersLive(t *testing.T, c *pgtest.Cluster, enc string) {
	{
		ctx := testCtx(t)
		member := uniqueName("member")
		l := newLoginDB(t, c, enc, WithUserRole(member))
		store, err := NewPGStore(ctx, l.Pool)
		require.NoError(t, err)
		svc, err := NewService(store, testSecret)
		require.NoError(t, err)
		mw, err := postgrest.NewMiddleware(postgrest.WithJWTSecret(testSecret), postgrest.WithAnonRole(l.Anon))
		require.NoError(t, err)

		// Each request goes to SQL first (rolled back), then to Go (kept),
		// so both see the same users.
		signup := mw(NewSignupHandler(svc, member))
		long := strings.Repeat("p", DefaultMaxPasswordLength+1)
		for _, body := range []string{
			`{"email":"escaped@example.com","pass":"\u00e9\u20ac"}`, // € is not LATIN1
			`{"email":"\u00e9@example.com","pass":"x"}`,
			`{"email":"new@example.com","pass":"pw1"}`,
			`{"email":"new@example.com","pass":"other"}`, // taken: 409
			`{"pass":"x","email":"no-at-sign"}`,          // check violation, no hash in the detail
			`{"email":12,"pass":"x"}`,
			`{"email":null,"pass":"x"}`,
			`{"email":"n@example.com","pass":null}`,
			`{"email":"long@example.com","pass":"` + long + `"}`,
			`{"email":"` + strings.Repeat("é", MaxEmailLength) + `@b.c","pass":"x"}`,
			`{"email":"\u0000@b.c","pass":"x"}`,
			`{"email":"a\ud800@b.c","pass":"x"}`,
			`{"email":"\ud83d\ude00@ex\u00e4mple.com","pass":"\u00e9\n"}`,
		} {
			want := sqlRPC(ctx, t, nil, l.Pool, l.Anon, `{"role":"`+l.Anon+`"}`, "signup", []string{"email", "pass"}, body, false)
			got := httptest.NewRecorder()
			signup.ServeHTTP(got, httptest.NewRequest("POST", "/rpc/signup", strings.NewReader(body)))
			sameAnswer(t, "signup "+body[:min(len(body), 60)], got, want)
		}
		// What Go signed up, SQL logs in, with the configured role.
		var role string
		require.NoError(t, l.Pool.QueryRow(ctx, "SELECT basic_auth.user_role('new@example.com', 'pw1')").Scan(&role))
		assert.Equal(t, member, role)
		if enc == "UTF8" { // LATIN1 has no 😀: both refused that sign-up
			_, err = svc.Login(ctx, "😀@exämple.com", "é\n")
			require.NoError(t, err)
		}

		// change_password, for the bearer of a token.
		other := uniqueName("other")
		_, err = l.Pool.Exec(ctx, "CREATE ROLE "+quoteIdent(other))
		require.NoError(t, err)
		epoch := time.Now().Unix()
		userToken, err := svc.token(member, "new@example.com", epoch)
		require.NoError(t, err)
		otherToken, err := svc.token(other, "new@example.com", epoch)
		require.NoError(t, err)
		noEmail, err := jwt.Sign([]byte(`{"role":"`+member+`"}`), testSecret, "HS256")
		require.NoError(t, err)
		var seen postgrest.Identity
		change := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen, _ = postgrest.IdentityFrom(r.Context())
			NewChangePasswordHandler(svc, member).ServeHTTP(w, r)
		}))
		for _, tc := range []struct{ token, body string }{
			{"", `{"pass":"pw1","new_pass":"pw2"}`},
			{otherToken, `{"pass":"pw1","new_pass":"pw2"}`},
			{noEmail, `{"pass":"pw1","new_pass":"pw2"}`},
			{userToken, `{"pass":"wrong","new_pass":"pw2"}`},
			{userToken, `{"pass":null,"new_pass":"pw2"}`},
			{userToken, `{"pass":"pw1","new_pass":null}`},
			{userToken, `{"pass":"pw1","new_pass":"` + long + `"}`},
			{userToken, `{"pass":"` + long + `","new_pass":"x"}`},
			{userToken, `{"new_pass":"pw2","pass":"pw1"}`},
			{userToken, `{"new_pass":"pw3","pass":"pw1"}`}, // the old password no longer works
		} {
			req := httptest.NewRequest("POST", "/rpc/change_password", strings.NewReader(tc.body))
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			// The identity the middleware makes is the one PostgREST hands
			// to the database.
			id, apiErr := mustAuthenticator(t, l.Anon).Authenticate(req)
			require.Nil(t, apiErr)
			want := sqlRPC(ctx, t, nil, l.Pool, id.Role(), id.Claims(), "change_password", []string{"pass", "new_pass"}, tc.body, id.Authenticated())
			got := httptest.NewRecorder()
			change.ServeHTTP(got, req)
			assert.Equal(t, id, seen)
			sameAnswer(t, "change_password "+tc.body[:min(len(tc.body), 60)], got, want)
		}
		var token string
		require.NoError(t, l.Pool.QueryRow(ctx, "SELECT (public.login('new@example.com', 'pw2')).token").Scan(&token))
		_, err = svc.Login(ctx, "new@example.com", "pw1")
		require.ErrorIs(t, err, ErrInvalidPassword)
	}
}

func mustAuthenticator(t *testing.T, anon string) *postgrest.Authenticator {
	a, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret(testSecret), postgrest.WithAnonRole(anon))
	require.NoError(t, err)
	return a
}

// TestAccountHandlers checks the answers PostgREST gives before any SQL
// runs, and that the role comes from the configuration only.
func TestAccountHandlers(t *testing.T) {
	store := NewMemStore("web", "admin")
	svc, err := NewService(store, testSecret)
	require.NoError(t, err)
	h := NewSignupHandler(svc, "web")
	for _, tc := range []struct {
		method, ct, body string
		status           int
		want             string
	}{
		{"POST", "", `{"email":"a@b.c","pass":"x"}`, 204, ""},
		{"POST", "", `{"email":"r@b.c","pass":"x","role":"admin"}`, 404,
			`{"code":"PGRST202","details":"Searched for the function public.signup with parameters email, pass, role or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.","hint":"Perhaps you meant to call the function public.signup(email, pass)","message":"Could not find the function public.signup(email, pass, role) in the schema cache"}`},
		{"POST", "application/x-www-form-urlencoded", "email=f%40b.c&pass=x", 204, ""},
		{"POST", "", `[{"email":"a@b.c","pass":"x"}]`, 400, `{"code":"PGRST102","details":null,"hint":null,"message":"Bulk calls are disabled: send a single JSON object, not an array"}`},
		{"POST", "", `{"email":`, 400, invalidJSON},
		{"GET", "", ``, 405, `{"code":"PGRST101","details":null,"hint":null,"message":"Cannot use the GET method on RPC"}`},
	} {
		req := httptest.NewRequest(tc.method, "/rpc/signup", strings.NewReader(tc.body))
		if tc.ct != "" {
			req.Header.Set("Content-Type", tc.ct)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, tc.status, rec.Code, tc.body)
		assert.Equal(t, tc.want, rec.Body.String(), tc.body)
	}
	u, err := store.LookupUser(t.Context(), "a@b.c")
	require.NoError(t, err)
	assert.Equal(t, "web", u.Role)
	_, err = store.LookupUser(t.Context(), "r@b.c")
	require.ErrorIs(t, err, ErrUserNotFound)

	// Without the middleware a request is anonymous: refused.
	rec := httptest.NewRecorder()
	NewChangePasswordHandler(svc, "web").ServeHTTP(rec, httptest.NewRequest("POST", "/rpc/change_password",
		strings.NewReader(`{"pass":"x","new_pass":"y"}`)))
	assert.Equal(t, 401, rec.Code)
	assert.Equal(t, "Bearer", rec.Header().Get("WWW-Authenticate"))
}
