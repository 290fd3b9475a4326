package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/auth"
)

// The login of the seed, on the in-memory store: sign up, log in, fail.
func ExampleService_Login() {
	ctx := context.Background()
	at := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC) // the "now()" of the login
	svc, err := auth.NewService(auth.NewMemStore("web_user"), "reallyreallyreallyreallyverysafe",
		auth.WithClock(func() time.Time { return at }))
	if err != nil {
		panic(err)
	}
	if err := svc.SignUp(ctx, "alice@example.com", "correct horse", "web_user"); err != nil {
		panic(err)
	}
	token, err := svc.Login(ctx, "alice@example.com", "correct horse")
	fmt.Println(token, err)

	_, err = svc.Login(ctx, "alice@example.com", "wrong")
	fmt.Println(err, errors.Is(err, auth.ErrInvalidPassword))
	_, err = svc.Login(ctx, "mallory@example.com", "correct horse")
	fmt.Println(err)
	err = svc.SignUp(ctx, "bob@example.com", "pw", "admin")
	fmt.Println(err)
	// Output:
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoid2ViX3VzZXIiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZXhwIjoxODkzNTAyODAwfQ.ePXyXiFRwNB3xGBjA8wmoWqDEG_H4YrL3i3vHM1FbYs <nil>
	// auth: invalid user or password true
	// auth: invalid user or password
	// auth: unknown database role: admin
}

// The PostgREST endpoint: POST /rpc/login with a JSON body.
func ExampleNewLoginHandler() {
	at := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	svc, err := auth.NewService(auth.NewMemStore("web_user"), "reallyreallyreallyreallyverysafe",
		auth.WithClock(func() time.Time { return at }))
	if err != nil {
		panic(err)
	}
	if err := svc.SignUp(context.Background(), "alice@example.com", "correct horse", "web_user"); err != nil {
		panic(err)
	}
	h := auth.NewLoginHandler(svc)
	for _, body := range []string{
		`{"email":"alice@example.com","pass":"correct horse"}`,
		`{"email":"alice@example.com","pass":"wrong"}`,
		`{"email":"alice@example.com"`,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/rpc/login", strings.NewReader(body)))
		fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	// Output:
	// 200 application/json; charset=utf-8 {"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoid2ViX3VzZXIiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIiwiZXhwIjoxODkzNTAyODAwfQ.ePXyXiFRwNB3xGBjA8wmoWqDEG_H4YrL3i3vHM1FbYs"}
	// 403 application/json; charset=utf-8 {"code":"28P01","details":null,"hint":null,"message":"invalid user or password"}
	// 400 application/json; charset=utf-8 {"code":"PGRST102","details":null,"hint":null,"message":"Empty or invalid json"}
}

// With PostgreSQL: install the schema once, then log in through Go with the
// users (and the secret) the SQL login() uses.
func ExampleInstallSchema() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	// Once, as the database owner; then, outside the program:
	//   ALTER DATABASE mydb SET "app.jwt_secret" TO '<32 or more bytes>';
	if _, err := auth.InstallSchema(ctx, pool); err != nil {
		panic(err)
	}
	store, err := auth.NewPGStore(ctx, pool)
	if err != nil {
		panic(err)
	}
	secret, err := store.Secret(ctx)
	if err != nil {
		panic(err)
	}
	svc, err := auth.NewService(store, secret)
	if err != nil {
		panic(err)
	}
	token, err := svc.Login(ctx, "alice@example.com", "correct horse")
	fmt.Println(token, err)
}
