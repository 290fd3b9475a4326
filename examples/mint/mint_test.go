package mint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/examples/mint"
)

// secret is the test's jwt-secret: PostgREST wants at least 32 bytes.
const secret = "a-test-secret-of-at-least-32-characters"

// todos stands for the application handler under test: it needs a logged-in
// "webuser" and greets them by the email claim.
func todos(w http.ResponseWriter, r *http.Request) {
	role, _ := postgrest.RoleFrom(r.Context())
	if role != "webuser" {
		http.Error(w, "webusers only, not "+role, http.StatusForbidden)
		return
	}
	claims, _ := postgrest.ClaimsFrom(r.Context()) // the text request.jwt.claims would hold
	var c struct{ Email string }
	if err := json.Unmarshal([]byte(claims), &c); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "todos of %s", c.Email)
}

// newServer is the application's routing with PostgREST's authentication in
// front, configured as the PostgREST in production is.
func newServer(t *testing.T) http.Handler {
	t.Helper()
	authenticate, err := postgrest.NewMiddleware(postgrest.WithJWTSecret(secret), postgrest.WithAnonRole("anon"))
	if err != nil {
		t.Fatal(err)
	}
	return authenticate(http.HandlerFunc(todos))
}

// get sends GET /todos with the token through the handler, in memory.
func get(h http.Handler, token string) (int, string) {
	req := httptest.NewRequest("GET", "/todos", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestHandlerWithMintedTokens(t *testing.T) {
	h := newServer(t)
	for _, tc := range []struct {
		name   string
		token  string
		status int
		body   string // a prefix of the body
	}{
		{"logged in", mint.Token(t, secret, "webuser", "alice@example.com", time.Hour),
			200, "todos of alice@example.com"},
		// PostgREST allows 30 seconds of clock skew on exp.
		{"expired 10s ago, within the skew", mint.Token(t, secret, "webuser", "alice@example.com", -10*time.Second),
			200, "todos of alice@example.com"},
		{"expired", mint.Token(t, secret, "webuser", "alice@example.com", -time.Minute),
			401, `{"code":"PGRST303","details":null,"hint":null,"message":"JWT expired"}`},
		{"signed with another secret", mint.Token(t, "another-secret-of-at-least-32-characters", "webuser", "alice@example.com", time.Hour),
			401, `{"code":"PGRST301",`},
		{"a role the handler refuses", mint.Token(t, secret, "admin", "mallory@example.com", time.Hour),
			403, "webusers only, not admin"},
		{"no token: db-anon-role", "", 403, "webusers only, not anon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(h, tc.token)
			if status != tc.status || !strings.HasPrefix(body, tc.body) {
				t.Errorf("got %d %s, want %d %s", status, body, tc.status, tc.body)
			}
		})
	}
}

// TestClaimsAsPostgRESTSeesThem: the handler gets the claims exactly as
// PostgREST would set request.jwt.claims for row-level security.
func TestClaimsAsPostgRESTSeesThem(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	token, err := mint.New(secret, "webuser", "a<b>&c@example.com", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	authenticate, err := postgrest.NewMiddleware(postgrest.WithJWTSecret(secret),
		postgrest.WithClock(func() time.Time { return now })) // verify at the minting instant
	if err != nil {
		t.Fatal(err)
	}
	var id postgrest.Identity
	var ok bool
	h := authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { id, ok = postgrest.IdentityFrom(r.Context()) }))
	if status, body := get(h, token); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	const wantClaims = `{"email":"a<b>&c@example.com","exp":1795611600,"role":"webuser"}`
	if !ok || id.Role() != "webuser" || id.Claims() != wantClaims || !id.Authenticated() {
		t.Errorf("identity %s %s %v (%v), want webuser %s true", id.Role(), id.Claims(), id.Authenticated(), ok, wantClaims)
	}
}

// TestSameAsServiceLogin: the minted token is the one auth.Service.Login
// (whose tokens the auth package proves equal to the SQL login()'s) returns
// at the same instant, including at half seconds, where ::integer rounds up.
func TestSameAsServiceLogin(t *testing.T) {
	ctx := context.Background()
	store := auth.NewMemStore("webuser")
	if err := store.CreateUser(ctx, "bob@example.com", "bob-pass", "webuser"); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{
		time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 12, 0, 0, 499_999_000, time.UTC),
		time.Date(2026, 11, 25, 12, 0, 0, 500_000_000, time.UTC),
		time.Now(),
	} {
		svc, err := auth.NewService(store, secret, auth.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		want, err := svc.Login(ctx, "bob@example.com", "bob-pass")
		if err != nil {
			t.Fatal(err)
		}
		got, err := mint.New(secret, "webuser", "bob@example.com", now, time.Hour)
		if err != nil || got != want {
			t.Errorf("at %v: minted %s (%v), Login %s", now, got, err, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name  string
		email string
		ttl   time.Duration
		now   time.Time
	}{
		{"fractional ttl", "a@b.c", 1500 * time.Millisecond, now},
		{"exp beyond int4", "a@b.c", 0, time.Date(2038, 1, 19, 3, 14, 8, 0, time.UTC)},
		{"ttl beyond int4", "a@b.c", 100 * 365 * 24 * time.Hour, now},
		{"NUL in email", "a\x00@b.c", time.Hour, now},
		{"invalid UTF-8", "a\xff@b.c", time.Hour, now},
	} {
		if token, err := mint.New(secret, "webuser", tc.email, tc.now, tc.ttl); err == nil {
			t.Errorf("%s: minted %s, want an error", tc.name, token)
		}
	}
}
