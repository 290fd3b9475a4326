// Package mint shows how to mint PostgREST tokens offline, in Go tests: no
// database, no login round trip, yet the very token the SQL login() of
// PostgREST's "SQL User Management" recipe would return.
//
// Copy Token into your own test helpers, then test handlers behind the auth
// middleware with net/http/httptest:
//
//	token := mint.Token(t, secret, "webuser", "alice@example.com", time.Hour)
//	req := httptest.NewRequest("GET", "/todos", nil)
//	req.Header.Set("Authorization", "Bearer "+token)
//
// mint_test.go is the recipe: a handler behind postgrest.NewMiddleware receiving
// the role and claims, and the expired, wrong-secret and wrong-role cases.
// Run it with
//
//	go test ./examples/mint
//
// (with PostgreSQL installed, it also proves the tokens equal the SQL
// login()'s on every major it finds).
package mint

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/jwt"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// New returns the token the SQL login() returns at the instant now for a user
// with this role and email when its tokens live ttl (the recipe's 60*60 is
// one hour): sign(row_to_json(r), secret) of the row
//
//	role, email, extract(epoch from now())::integer + ttl AS exp
//
// A negative ttl mints a token that has already expired.
func New(secret, role, email string, now time.Time, ttl time.Duration) (string, error) {
	if ttl%time.Second != 0 {
		return "", fmt.Errorf("mint: ttl %v: login() adds whole seconds", ttl)
	}
	issued, err := pgjson.EpochSeconds(now) // rounds half away from zero, as ::integer does
	if err != nil {
		return "", err
	}
	exp := issued + int64(ttl/time.Second)
	if exp < math.MinInt32 || exp > math.MaxInt32 {
		return "", fmt.Errorf("mint: exp %d: integer out of range in SQL", exp)
	}
	// row_to_json's text, member for member: encoding/json would escape
	// <, > and & and so sign other bytes than PostgreSQL does.
	payload, err := pgjson.RowToJSON(pgjson.Object{
		{Key: "role", Value: role},
		{Key: "email", Value: email},
		{Key: "exp", Value: exp},
	})
	if err != nil {
		return "", err
	}
	return jwt.Sign(payload, secret, "HS256")
}

// Token is New for tests: issued now, failing the test on bad input.
func Token(tb testing.TB, secret, role, email string, ttl time.Duration) string {
	tb.Helper()
	token, err := New(secret, role, email, time.Now(), ttl)
	if err != nil {
		tb.Fatal(err)
	}
	return token
}
