package postgrest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/jwt"
)

// TestIdentityNotShared: the Authenticator shares one Identity between the
// requests of a cached token and one between all anonymous requests. A
// handler that overwrites everything it is handed (with the zero Identity,
// or with another token's) must not change what the next request sees,
// also with concurrent requests (run with -race).
func TestIdentityNotShared(t *testing.T) {
	a, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret(exampleSecret), postgrest.WithAnonRole("web_anon"))
	if err != nil {
		t.Fatal(err)
	}
	token, err := jwt.Sign([]byte(`{"role":"webuser","email":"a@x","aud":["a","b"],"org":{"ids":[1,2]}}`), exampleSecret, "HS256")
	if err != nil {
		t.Fatal(err)
	}
	admin, apiErr := a.AuthenticateToken(exampleToken, true)
	if apiErr != nil {
		t.Fatal(apiErr)
	}
	// overwrite is the worst a handler can do to the identities it is handed.
	overwrite := func(ids ...*postgrest.Identity) {
		for _, id := range ids {
			*id = admin
		}
		for _, id := range ids {
			*id = postgrest.Identity{}
		}
	}
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := postgrest.IdentityFrom(r.Context())
		fmt.Fprintf(w, "%s|%s|%v", id.Role(), id.Claims(), id.Authenticated())
		got, _ := a.Authenticate(r)
		token, hasToken := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		again, _ := a.AuthenticateToken(token, hasToken)
		overwrite(&id, &got, &again)
	}))
	cases := []struct{ name, authz, want string }{
		{"cached token", "Bearer " + token, `webuser|{"aud":["a","b"],"email":"a@x","org":{"ids":[1,2]},"role":"webuser"}|true`},
		{"anonymous", "", `web_anon|{"role":"web_anon"}|false`},
	}
	serve := func(authz string) string {
		req := httptest.NewRequest("GET", "/", nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i := range 2 {
				if got := serve(c.authz); got != c.want {
					t.Errorf("request %d saw %s, want %s", i+1, got, c.want)
				}
			}
		})
	}
	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 50 {
					c := cases[(g+i)%len(cases)]
					if got := serve(c.authz); got != c.want {
						t.Errorf("%s: saw %s, want %s", c.name, got, c.want)
						return
					}
				}
			})
		}
		wg.Wait()
	})
}

// TestIdentityIsImmutable checks the construction that makes sharing safe:
// Identity is handed out by value, has no exported field, and holds nothing
// through which a copy could reach shared memory (no pointer, map, slice,
// interface, channel or func). A new field of such a kind needs an accessor
// that copies, and this test updated with the reason.
func TestIdentityIsImmutable(t *testing.T) {
	typ := reflect.TypeFor[postgrest.Identity]()
	for f := range typ.Fields() {
		if f.IsExported() {
			t.Errorf("Identity.%s is exported: a handler could change it", f.Name)
		}
		switch f.Type.Kind() {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int64:
		default:
			t.Errorf("Identity.%s is a %s: copies of an Identity would share it", f.Name, f.Type)
		}
	}
	for name, fn := range map[string]any{
		"IdentityFrom":      postgrest.IdentityFrom,
		"Authenticate":      (*postgrest.Authenticator).Authenticate,
		"AuthenticateToken": (*postgrest.Authenticator).AuthenticateToken,
	} {
		if out := reflect.TypeOf(fn).Out(0); out != typ {
			t.Errorf("%s returns %s, want postgrest.Identity (a copy)", name, out)
		}
	}
}

// The zero Identity is no one: SetRequestContext refuses it before touching
// the transaction (as it refused a nil *Identity).
func TestSetRequestContextZeroIdentity(t *testing.T) {
	err := postgrest.SetRequestContext(context.Background(), nil, postgrest.Identity{}, httptest.NewRequest("GET", "/", nil))
	if err == nil || !strings.Contains(err.Error(), "needs the request and its Identity") {
		t.Fatalf("zero Identity: %v", err)
	}
}

// TestAPIErrorNotShared: the middleware's errors are shared values; a
// caller that writes through everything an error hands it (Details, Hint,
// Header) must not change what the next request, in this or another
// Authenticator, is told.
func TestAPIErrorNotShared(t *testing.T) {
	other, err := jwt.Sign([]byte(`{"role":"webuser"}`), strings.Repeat("x", 32), "HS256")
	if err != nil {
		t.Fatal(err)
	}
	newAuth := func() *postgrest.Authenticator {
		a, err := postgrest.NewAuthenticator(postgrest.WithJWTSecret(exampleSecret))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := newAuth(), newAuth()
	_, first := a.AuthenticateToken(other, true) // PGRST301, wrong key: has details
	if first == nil || first.Details == nil {
		t.Fatalf("want an error with details, got %+v", first)
	}
	want := string(first.Body(postgrest.Verbose))
	*first.Details = "MUTATED"
	if first.Hint != nil {
		*first.Hint = "MUTATED"
	}
	if first.Header == nil {
		first.Header = http.Header{}
	}
	first.Header.Set("X-Mutated", "1")
	for _, auth := range []*postgrest.Authenticator{a, b} {
		_, again := auth.AuthenticateToken(other, true)
		if got := string(again.Body(postgrest.Verbose)); got != want {
			t.Errorf("after a caller changed its error: %s, want %s", got, want)
		}
		if again.Header.Get("X-Mutated") != "" {
			t.Error("a caller's header reached another error")
		}
	}
}
