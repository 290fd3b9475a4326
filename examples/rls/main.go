// Command rls shows the database hand-off: requests authenticated by the
// PostgREST-compatible middleware run their queries inside a pgx transaction
// that postgrest.SetRequestContext has switched to the token's role, with
// request.jwt.claims set, so that PostgreSQL's row-level security policies,
// the very ones PostgREST relies on, decide what each user sees.
//
// It installs the login schema and a notes table whose policy reads
// current_setting('request.jwt.claims', true)::json->>'email', signs up
// alice and bob, logs them in, and asks GET /notes as each of them and
// anonymously, then tries writes that the policies refuse:
//
//	DATABASE_URL=postgres://postgres@localhost/mydb go run ./examples/rls
//
// It prints each request and its answer (abridged here):
//
//	alice@example.com GET  /notes → 200 [{"id":1,…"alice's diary"…},{"id":2,…"alice's cake recipe","public":true}]
//	bob@example.com   GET  /notes → 200 [{"id":2,…"alice's cake recipe","public":true},{"id":3,…"bob's passwords"…}]
//	anonymous         GET  /notes → 200 [{"id":2,…"alice's cake recipe","public":true}]
//	bob@example.com   POST /notes {"body":"forged","owner":"alice@example.com"} → 403 {"code":"42501",…}
//
// DATABASE_URL needs the rights to create roles, schemas and pgcrypto. It
// creates the roles anon, authenticator and webuser and the schemas
// basic_auth and rls_demo, and empties rls_demo.notes on every run. Requests
// run on a second connection that logs in as authenticator, as PostgREST's
// does: AUTHENTICATOR_URL (give the role LOGIN and a password first), or,
// when DATABASE_URL is a superuser, that connection with SET SESSION
// AUTHORIZATION authenticator.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/auth/postgrest"
)

func main() {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "rls: set DATABASE_URL to a PostgreSQL database (see go doc ./examples/rls)")
		os.Exit(2)
	}
	if err := run(context.Background(), url, os.Getenv("AUTHENTICATOR_URL"), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rls:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, databaseURL, authenticatorURL string, out io.Writer) error {
	// Set-up, as the database's owner.
	admin, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := setup(ctx, admin); err != nil {
		return err
	}
	_, err = admin.Exec(ctx, `TRUNCATE rls_demo.notes RESTART IDENTITY;
		INSERT INTO rls_demo.notes (owner, body, public) VALUES
		  ('alice@example.com', 'alice''s diary', false),
		  ('alice@example.com', 'alice''s cake recipe', true),
		  ('bob@example.com', 'bob''s passwords', false)`, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return err
	}

	// Two users, and the tokens the login would give them.
	store, err := auth.NewPGStore(ctx, admin)
	if err != nil {
		return err
	}
	secret := rand.Text() + rand.Text() // tokens of this run only
	svc, err := auth.NewService(store, secret)
	if err != nil {
		return err
	}
	tokens := map[string]string{}
	for _, email := range []string{"alice@example.com", "bob@example.com"} {
		pass := email + "-pass"
		err := svc.SignUp(ctx, email, pass, "webuser")
		if errors.Is(err, auth.ErrDuplicateEmail) { // signed up by an earlier run
			err = svc.SetPassword(ctx, email, pass)
		}
		if err != nil {
			return err
		}
		if tokens[email], err = svc.Login(ctx, email, pass); err != nil {
			return err
		}
	}

	requests, err := authenticatorPool(ctx, databaseURL, authenticatorURL)
	if err != nil {
		return err
	}
	defer requests.Close()

	handler, err := newHandler(secret, requests)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(handler) // a real HTTP server on a loopback port
	defer srv.Close()

	show := func(who, method, body string) {
		status, resp := send(srv.URL+"/notes", method, tokens[who], body)
		if who == "" {
			who = "anonymous"
		}
		fmt.Fprintf(out, "%-17s %-4s /notes %s→ %d %s\n", who, method, spaced(body), status, strings.TrimSpace(resp))
	}
	show("alice@example.com", "GET", "")
	show("bob@example.com", "GET", "")
	show("", "GET", "")
	show("bob@example.com", "POST", `{"body":"bob's todo list"}`)
	show("bob@example.com", "POST", `{"body":"forged","owner":"alice@example.com"}`)
	show("", "POST", `{"body":"graffiti","public":true}`)
	show("bob@example.com", "GET", "")
	return nil
}

// authenticatorPool connects for requests, which run as PostgREST's
// "authenticator": a NOINHERIT role that has no privileges of its own and can
// become anon and webuser, nothing else. In production that is a login of its
// own (AUTHENTICATOR_URL). Without one, a superuser DATABASE_URL turns each
// connection into an authenticator session. SET ROLE would not do: which
// roles SET ROLE may take is decided by the session user, and that would stay
// the superuser, able to become any role a token names.
func authenticatorPool(ctx context.Context, databaseURL, authenticatorURL string) (*pgxpool.Pool, error) {
	if authenticatorURL != "" {
		return pgxpool.New(ctx, authenticatorURL)
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if _, err := c.Exec(ctx, "SET SESSION AUTHORIZATION authenticator"); err != nil {
			return fmt.Errorf("%w (without AUTHENTICATOR_URL, DATABASE_URL must be a superuser)", err)
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx) // connect now, so that a refusal shows here
	}
	return pool, err
}

// spaced is s and a space, or nothing for an empty s.
func spaced(s string) string {
	if s == "" {
		return ""
	}
	return s + " "
}

// newHandler mounts the notes behind PostgREST's authentication.
func newHandler(secret string, requests *pgxpool.Pool) (http.Handler, error) {
	authenticate, err := postgrest.NewMiddleware(postgrest.WithJWTSecret(secret), postgrest.WithAnonRole("anon"))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/notes", authenticate(notesHandler{db: requests}))
	return mux, nil
}

func send(url, method, token, body string) (int, string) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
