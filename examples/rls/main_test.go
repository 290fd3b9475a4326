package main

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/examples/mint"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestProgram runs the program on a fresh database of every PostgreSQL major
// and checks what it reports, line by line: first with a superuser
// DATABASE_URL alone, then again (everything already in place) with requests
// on their own AUTHENTICATOR_URL login, as in production.
func TestProgram(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		db := c.NewDatabase(t, "UTF8")
		authenticatorURL := ""
		for run := 1; run <= 2; run++ {
			var out strings.Builder
			if err := runProgram(t, db.ConnString, authenticatorURL, &out); err != nil {
				t.Fatalf("run %d: %v\n%s", run, err, out.String())
			}
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(got) != len(wantProgram) {
				t.Fatalf("run %d printed %d lines, want %d:\n%s", run, len(got), len(wantProgram), out.String())
			}
			for i := range got {
				if got[i] != wantProgram[i] {
					t.Errorf("run %d line %d:\n got %s\nwant %s", run, i+1, got[i], wantProgram[i])
				}
			}
			// Let authenticator log in (trust authentication in the test
			// cluster; a password in production).
			if _, err := db.Pool.Exec(context.Background(), "ALTER ROLE authenticator LOGIN"); err != nil {
				t.Fatal(err)
			}
			authenticatorURL = withUser(db.ConnString, "authenticator")
		}
	})
}

// withUser is the connection string cs logging in as user.
func withUser(cs, user string) string {
	if u, err := url.Parse(cs); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.User = url.User(user)
		return u.String()
	}
	return cs + " user=" + user // keyword/value form: the last setting wins
}

func runProgram(t *testing.T, databaseURL, authenticatorURL string, out *strings.Builder) error {
	t.Helper()
	return run(context.Background(), databaseURL, authenticatorURL, out)
}

// wantProgram is what the program prints; each line is a claim about the
// policies: alice and bob see their own notes and the public one, anonymous
// only the public one; bob's own insert works, inserting as alice violates
// the policy (403), and anonymous may not insert at all (401, as PostgREST).
var wantProgram = []string{
	`alice@example.com GET  /notes → 200 [{"id":1,"owner":"alice@example.com","body":"alice's diary","public":false},{"id":2,"owner":"alice@example.com","body":"alice's cake recipe","public":true}]`,
	`bob@example.com   GET  /notes → 200 [{"id":2,"owner":"alice@example.com","body":"alice's cake recipe","public":true},{"id":3,"owner":"bob@example.com","body":"bob's passwords","public":false}]`,
	`anonymous         GET  /notes → 200 [{"id":2,"owner":"alice@example.com","body":"alice's cake recipe","public":true}]`,
	`bob@example.com   POST /notes {"body":"bob's todo list"} → 201 {"id":4,"owner":"bob@example.com","body":"bob's todo list","public":false}`,
	`bob@example.com   POST /notes {"body":"forged","owner":"alice@example.com"} → 403 {"code":"42501","details":null,"hint":null,"message":"new row violates row-level security policy for table \"notes\""}`,
	`anonymous         POST /notes {"body":"graffiti","public":true} → 401 {"code":"42501","details":null,"hint":null,"message":"permission denied for table notes"}`,
	`bob@example.com   GET  /notes → 200 [{"id":2,"owner":"alice@example.com","body":"alice's cake recipe","public":true},{"id":3,"owner":"bob@example.com","body":"bob's passwords","public":false},{"id":4,"owner":"bob@example.com","body":"bob's todo list","public":false}]`,
}

// TestRoleHandOff: the token's role is what the transaction runs as, and a
// validly signed token cannot name a role the authenticator may not become.
func TestRoleHandOff(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := context.Background()
		db := c.NewDatabase(t, "UTF8")
		if err := setup(ctx, db.Pool); err != nil {
			t.Fatal(err)
		}
		var superuser string
		if err := db.Pool.QueryRow(ctx, "SELECT current_user").Scan(&superuser); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, "ALTER ROLE authenticator LOGIN"); err != nil {
			t.Fatal(err)
		}
		for _, authenticatorURL := range []string{"", withUser(db.ConnString, "authenticator")} {
			if _, err := db.Pool.Exec(ctx, "TRUNCATE rls_demo.notes RESTART IDENTITY"); err != nil {
				t.Fatal(err)
			}
			requests, err := authenticatorPool(ctx, db.ConnString, authenticatorURL)
			if err != nil {
				t.Fatal(err)
			}
			checkRoleHandOff(t, requests, superuser)
			requests.Close()
		}
	})
}

func checkRoleHandOff(t *testing.T, requests *pgxpool.Pool, superuser string) {
	t.Helper()
	ctx := context.Background()
	const secret = "a-test-secret-of-at-least-32-characters"
	h, err := newHandler(secret, requests)
	if err != nil {
		t.Fatal(err)
	}
	do := func(role, method, body string) (int, string) {
		req := httptest.NewRequest(method, "/notes", strings.NewReader(body))
		token, err := mint.New(secret, role, "carol@example.com", time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, strings.TrimSpace(rec.Body.String())
	}
	for _, tc := range []struct {
		role, method, body string
		status             int
		resp               string
	}{
		{"webuser", "GET", "", 200, `[]`},
		{"webuser", "POST", `{"body":"x'); drop table users; --"}`, 201,
			`{"id":1,"owner":"carol@example.com","body":"x'); drop table users; --","public":false}`},
		{"webuser", "GET", "", 200, `[{"id":1,"owner":"carol@example.com","body":"x'); drop table users; --","public":false}]`},
		{"webuser", "POST", `not json`, 400, `{"code":"PGRST102","details":null,"hint":null,"message":"Empty or invalid json"}`},
		// A token whose role is db-anon-role is an anonymous request.
		{"anon", "GET", "", 200, `[]`},
		{"anon", "POST", `{"body":"y"}`, 401, `{"code":"42501","details":null,"hint":null,"message":"permission denied for table notes"}`},
		// Signed by the right secret, but not a role the authenticator
		// was granted: the switch fails, nothing runs.
		{superuser, "GET", "", 403, `{"code":"42501","details":null,"hint":null,"message":"permission denied to set role \"` + superuser + `\""}`},
		{"nosuchrole", "GET", "", 401, `{"code":"22023","details":null,"hint":null,"message":"role \"nosuchrole\" does not exist"}`},
	} {
		status, resp := do(tc.role, tc.method, tc.body)
		if status != tc.status || resp != tc.resp {
			t.Errorf("%s %s %s:\n got %d %s\nwant %d %s", tc.role, tc.method, tc.body, status, resp, tc.status, tc.resp)
		}
	}
	// None of it changed the authenticator's session: the role switch
	// was transaction-local.
	var role string
	if err := requests.QueryRow(ctx, "SELECT current_user").Scan(&role); err != nil || role != "authenticator" {
		t.Errorf("session role after requests: %q (%v)", role, err)
	}
}
