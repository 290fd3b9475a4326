package mint_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/examples/mint"
)

// Mint the token login() would return at noon, and send it through the
// middleware to a handler, verifying at that same instant.
func Example() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	token, err := mint.New("a-test-secret-of-at-least-32-characters", "webuser", "alice@example.com", now, time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Println(token)

	authenticate, err := postgrest.NewMiddleware(
		postgrest.WithJWTSecret("a-test-secret-of-at-least-32-characters"),
		postgrest.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	h := authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		role, _ := postgrest.RoleFrom(r.Context())
		claims, _ := postgrest.ClaimsFrom(r.Context())
		fmt.Fprintln(w, role, claims)
	}))
	req := httptest.NewRequest("GET", "/todos", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body)
	// Output:
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoid2VidXNlciIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJleHAiOjE3OTU2MTE2MDB9.s1ANOUpmOMCRO1OToE-MXiEhIlRogQlFuLo7kAENXT0
	// 200 webuser {"email":"alice@example.com","exp":1795611600,"role":"webuser"}
}
