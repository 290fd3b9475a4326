package postgrest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/jwt"
)

// The PostgREST test suite's secret and its "author token"
// ({"role":"postgrest_test_author"}, HS256).
const (
	exampleSecret = "reallyreallyreallyreallyverysafe"
	exampleToken  = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoicG9zdGdyZXN0X3Rlc3RfYXV0aG9yIn0.Xod-F15qsGL0WhdOCr2j3DdKuTw9QJERVgoFD3vGaWA"
)

// Configure the middleware with PostgREST's settings and read the role and
// claims in the handler. A request without a token runs as db-anon-role.
func ExampleNewMiddleware() {
	mw, err := postgrest.NewMiddleware(
		postgrest.WithJWTSecret(exampleSecret),
		postgrest.WithAnonRole("web_anon"),
	)
	if err != nil {
		panic(err) // PostgREST would refuse to start
	}
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		role, _ := postgrest.RoleFrom(r.Context())
		claims, _ := postgrest.ClaimsFrom(r.Context())
		fmt.Fprintf(w, "role=%s claims=%s", role, claims)
	}))

	for _, authz := range []string{"Bearer " + exampleToken, ""} {
		req := httptest.NewRequest("GET", "/todos", nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body)
	}
	// Output:
	// 200 role=postgrest_test_author claims={"role":"postgrest_test_author"}
	// 200 role=web_anon claims={"role":"web_anon"}
}

// Failures are answered exactly as PostgREST answers them.
func ExampleNewMiddleware_failure() {
	mw, _ := postgrest.NewMiddleware(postgrest.WithJWTSecret(exampleSecret), postgrest.WithAnonRole("web_anon"))
	h := mw(http.NotFoundHandler())
	req := httptest.NewRequest("GET", "/todos", nil)
	req.Header.Set("Authorization", "Bearer "+exampleToken[:40])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Println(rec.Header().Get("WWW-Authenticate"))
	fmt.Println(rec.Header().Get("Proxy-Status"))
	fmt.Println(rec.Body)
	// Output:
	// 401
	// Bearer error="invalid_token", error_description="Expected 3 parts in JWT; got 2"
	// PostgREST; error=PGRST301
	// {"code":"PGRST301","details":null,"hint":null,"message":"Expected 3 parts in JWT; got 2"}
}

// A configuration PostgREST refuses to start with is an error at
// construction: here a plain secret under 32 bytes.
func ExampleNewAuthenticator_shortSecret() {
	_, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret("short_secret"))
	fmt.Println(err)
	// Output:
	// jwt-secret: the JWT secret must be at least 32 bytes long (got 12)
}

// Keys can be a JWK or a JWKS; a token's kid must then match a key's kid.
// The role can come from anywhere in the claims through an RFC 9535 path.
func ExampleWithJWTRoleClaimKey() {
	a, err := postgrest.NewAuthenticator(
		postgrest.WithJWTSecret(`{"keys":[{"kty":"oct","kid":"2026-1","k":"cmVhbGx5cmVhbGx5cmVhbGx5cmVhbGx5dmVyeXNhZmU"}]}`),
		postgrest.WithJWTRoleClaimKey(`$.realm_access.roles[?search(@, "^app_")]`),
		postgrest.WithClock(func() time.Time { return time.Unix(1_700_000_000, 0) }),
	)
	if err != nil {
		panic(err)
	}
	// header {"alg":"HS384","kid":"2026-1"},
	// claims {"realm_access":{"roles":["offline","app_editor"]}}
	token := "eyJhbGciOiJIUzM4NCIsImtpZCI6IjIwMjYtMSJ9." +
		"eyJyZWFsbV9hY2Nlc3MiOnsicm9sZXMiOlsib2ZmbGluZSIsImFwcF9lZGl0b3IiXX19." +
		exampleHS384Signature
	id, apiErr := a.AuthenticateToken(token, true)
	if apiErr != nil {
		fmt.Println(apiErr)
		return
	}
	fmt.Println(id.Role(), id.Claims())
	// Output:
	// app_editor {"realm_access":{"roles":["offline","app_editor"]},"role":"app_editor"}
}

// A database error after the hand-off gets PostgREST's status: 42501 is 401
// (with a Bearer challenge) for the anonymous role and 403 for a user.
func ExampleFromDBError() {
	err := fmt.Errorf("query: %w", permissionDenied{})
	for _, authenticated := range []bool{false, true} {
		e := postgrest.FromDBError(err, authenticated)
		fmt.Println(e.Status, e.WWWAuthenticate, string(e.Body(postgrest.Verbose)))
	}
	// Output:
	// 401 Bearer {"code":"42501","details":null,"hint":null,"message":"permission denied for table todos"}
	// 403  {"code":"42501","details":null,"hint":null,"message":"permission denied for table todos"}
}

const exampleHS384Signature = "9qPkvllVLedYrQLUeEB1wVmE5RhYNzeVtInCtGNsaBDUvKOD9NwITWVtYNlJJ4RM"

// permissionDenied stands for any error with a SQLSTATE, such as pgx's.
type permissionDenied struct{}

func (permissionDenied) Error() string    { return "permission denied for table todos" }
func (permissionDenied) SQLState() string { return "42501" }

// Behind the middleware, run each request in a transaction that first hands
// the role and claims to PostgreSQL, so that row-level-security policies such
// as
//
//	create policy own_rows on todos
//	  using (owner = current_setting('request.jwt.claims', true)::json->>'email');
//
// see what they would see behind PostgREST. The pool logs in as a NOINHERIT
// "authenticator" role that is granted the anonymous and user roles.
func ExampleSetRequestContext() {
	var pool *pgxpool.Pool // pgxpool.New(ctx, "postgres://authenticator@.../app")
	todos := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, _ := postgrest.IdentityFrom(ctx)
		tx, err := pool.Begin(ctx)
		if err != nil {
			postgrest.FromDBError(err, id.Authenticated()).Respond(w, postgrest.Verbose)
			return
		}
		defer tx.Rollback(ctx)
		if err := postgrest.SetRequestContext(ctx, tx, id, r); err != nil {
			var apiErr *postgrest.APIError
			if errors.As(err, &apiErr) {
				apiErr.Respond(w, postgrest.Verbose) // e.g. 401 for an unknown role
			} else {
				http.Error(w, "server misconfigured", http.StatusInternalServerError)
			}
			return
		}
		var body string
		err = tx.QueryRow(ctx, `select coalesce(json_agg(t), '[]')::text from todos t`).Scan(&body)
		if err != nil {
			postgrest.FromDBError(err, id.Authenticated()).Respond(w, postgrest.Verbose) // 401/403 for 42501
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, body)
	})
	mw, err := postgrest.NewMiddleware(postgrest.WithJWTSecret(exampleSecret), postgrest.WithAnonRole("web_anon"))
	if err != nil {
		panic(err)
	}
	http.Handle("/todos", mw(todos))
}

// A token minted with jwt.Sign (the token SQL sign() returns for the same
// payload and secret) passes the middleware until 30 seconds after its exp,
// PostgREST's skew. The second request is answered from the token cache, the
// third is not: exp is checked on every request, cached or not.
func ExampleWithClock() {
	now := time.Unix(1_900_000_000, 0)
	mw, err := postgrest.NewMiddleware(
		postgrest.WithJWTSecret(exampleSecret),
		postgrest.WithAnonRole("web_anon"),
		postgrest.WithClock(func() time.Time { return now }),
	)
	if err != nil {
		panic(err)
	}
	token, err := jwt.Sign(json.RawMessage(`{"role":"web_user","email":"alice@example.com","exp":1900000060}`),
		exampleSecret, "HS256")
	if err != nil {
		panic(err)
	}
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := postgrest.IdentityFrom(r.Context())
		fmt.Fprintf(w, "%s %s", id.Role(), id.Claims())
	}))
	for _, later := range []time.Duration{0, 90 * time.Second, 91 * time.Second} {
		now = time.Unix(1_900_000_000, 0).Add(later)
		req := httptest.NewRequest("GET", "/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(later, rec.Code, rec.Body)
	}
	// Output:
	// 0s 200 web_user {"email":"alice@example.com","exp":1900000060,"role":"web_user"}
	// 1m30s 200 web_user {"email":"alice@example.com","exp":1900000060,"role":"web_user"}
	// 1m31s 401 {"code":"PGRST303","details":null,"hint":null,"message":"JWT expired"}
}
