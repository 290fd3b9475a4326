package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// server is one in-process run of the program.
type server struct {
	base string // http://127.0.0.1:port

	mu  sync.Mutex
	out strings.Builder // everything run printed
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// start runs the program on 127.0.0.1:0 with args and env and waits until it
// listens; the test's end stops it (as SIGINT would) and checks it stopped
// cleanly.
func start(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &server{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), lookup(env), pw)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	up := make(chan string, 1)
	read := make(chan struct{}) // closed once every printed line is in s.out
	go func() {
		defer close(read)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				up <- m[1]
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case s.base = <-up:
	case err := <-done:
		cancel()
		t.Fatalf("run returned before listening: %v\n%s", err, s.output())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("server did not start:\n%s", s.output())
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		// The pipe hands "stopped" to the scanner before run returns, but
		// the scanner may not have stored it yet.
		<-read
		if !strings.Contains(s.output(), "stopped") {
			t.Errorf("no graceful stop:\n%s", s.output())
		}
	})
	return s
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// call sends a request and returns the status, the body and the response.
func call(t *testing.T, method, url, token, body string) (int, string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp
}

func login(t *testing.T, base, email, pass string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "pass": pass})
	status, resp, _ := call(t, "POST", base+"/rpc/login", "", string(body))
	if status != 200 {
		t.Fatalf("login %s: %d %s", email, status, resp)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(resp), &tok); err != nil || tok.Token == "" {
		t.Fatalf("login %s: body %s (%v)", email, resp, err)
	}
	return tok.Token
}

type meBody struct {
	Role   string
	Claims struct {
		Role, Email string
		Exp         int64
	}
}

func getMe(t *testing.T, base, token string) meBody {
	t.Helper()
	status, body, _ := call(t, "GET", base+"/me", token, "")
	if status != 200 {
		t.Fatalf("/me: %d %s", status, body)
	}
	var me meBody
	if err := json.Unmarshal([]byte(body), &me); err != nil {
		t.Fatalf("/me body %s: %v", body, err)
	}
	return me
}

// checkEndpoints is the walk through the API every configuration must pass.
func checkEndpoints(t *testing.T, base, email, pass, role string) {
	t.Helper()
	before := time.Now().Unix()
	token := login(t, base, email, pass)
	me := getMe(t, base, token)
	if me.Role != role || me.Claims.Role != role || me.Claims.Email != email {
		t.Errorf("/me = %+v, want role %s, email %s", me, role, email)
	}
	// exp is the seed's now + 1 hour (rounded to a whole second).
	if me.Claims.Exp < before+3600 || me.Claims.Exp > time.Now().Unix()+3601 {
		t.Errorf("exp %d not an hour from now", me.Claims.Exp)
	}

	status, body, _ := call(t, "POST", base+"/rpc/login", "", `{"email":"`+email+`","pass":"wrong"}`)
	if want := `{"code":"28P01","details":null,"hint":null,"message":"invalid user or password"}`; status != 403 || body != want {
		t.Errorf("bad password: %d %s, want 403 %s", status, body, want)
	}

	// No token: the anonymous role, as PostgREST's db-anon-role.
	status, body, _ = call(t, "GET", base+"/me", "", "")
	if status != 200 || body != `{"role":"anon","claims":{"role":"anon"}}`+"\n" {
		t.Errorf("/me without token: %d %s", status, body)
	}
	// A token with a broken signature: PostgREST's 401.
	bad := token[:len(token)-2] + flip(token[len(token)-2:])
	status, body, resp := call(t, "GET", base+"/me", bad, "")
	if status != 401 || !strings.HasPrefix(body, `{"code":"PGRST301",`) {
		t.Errorf("bad token: %d %s, want 401 PGRST301", status, body)
	}
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, `Bearer error="invalid_token"`) {
		t.Errorf("bad token: WWW-Authenticate %q", got)
	}
	// PostgREST refuses a login that carries a bad token, too.
	if status, _, _ := call(t, "POST", base+"/rpc/login", bad, `{"email":"x@y.z","pass":"p"}`); status != 401 {
		t.Errorf("login with a bad token: %d, want 401", status)
	}

	if status, body, _ := call(t, "GET", base+"/healthz", "", ""); status != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", status, body)
	}
}

// flip changes the last two characters of a signature into others of the
// base64url alphabet.
func flip(s string) string {
	if s == "AA" {
		return "BA"
	}
	return "AA"
}

func TestDemoUser(t *testing.T) {
	s := start(t, nil)
	out := s.output()
	m := regexp.MustCompile(`demo user: (\S+), password (\S+), role (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "secret: random") {
		t.Fatalf("no demo user or random secret announced:\n%s", out)
	}
	checkEndpoints(t, s.base, m[1], m[2], m[3])
}

// TestPrintedCurlLines runs the lines the program prints, as a newcomer
// pastes them, in sh with the real curl.
func TestPrintedCurlLines(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	s := start(t, nil)
	var script []string
	for _, line := range strings.Split(s.output(), "\n") {
		if strings.HasPrefix(line, "  TOKEN=") || strings.HasPrefix(line, "  curl ") {
			script = append(script, strings.TrimSpace(line))
		}
	}
	if len(script) != 2 {
		t.Fatalf("want 2 curl lines in:\n%s", s.output())
	}
	out, err := exec.Command("sh", "-c", strings.Join(script, "\n")).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !regexp.MustCompile(`^\{"role":"webuser","claims":\{"email":"demo@example.com","exp":\d+,"role":"webuser"\}\}\n$`).Match(out) {
		t.Errorf("printed curl lines gave %q", out)
	}
}

func TestSeededUsersAndSecretFile(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	secret := "a-secret-of-at-least-32-characters-long"
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, nil, "-secret-file", secretFile,
		"-user", "alice@example.com:pass:with:colons:webuser", "-user", "bob@example.com:bobpass:admin")
	if out := s.output(); strings.Contains(out, "demo user") || strings.Contains(out, "secret: random") || strings.Contains(out, secret) {
		t.Errorf("seeded start-up printed a demo user, a random secret or the secret:\n%s", out)
	}
	if out := s.output(); !strings.Contains(out, `-d '{"email":"alice@example.com","pass":"<password>"}'`) {
		t.Errorf("no login line with a password placeholder:\n%s", out)
	}
	checkEndpoints(t, s.base, "alice@example.com", "pass:with:colons", "webuser")
	checkEndpoints(t, s.base, "bob@example.com", "bobpass", "admin")

	// The same secret from the environment: a token of this server is
	// accepted by another one, as after a restart.
	token := login(t, s.base, "alice@example.com", "pass:with:colons")
	other := start(t, map[string]string{"PGJWT_SECRET": secret}, "-user", "carol@example.com:x:webuser")
	if me := getMe(t, other.base, token); me.Claims.Email != "alice@example.com" {
		t.Errorf("restart: /me = %+v", me)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"user without role", nil, []string{"-user", "a@b.c:pass"}, "want email:password:role"},
		{"empty password", nil, []string{"-user", "a@b.c::r"}, "none of them empty"},
		{"short secret", map[string]string{"PGJWT_SECRET": "short"}, nil, "at least 32"},
		{"empty secret", map[string]string{"PGJWT_SECRET": ""}, nil, "set but empty"},
		{"file secret", map[string]string{"PGJWT_SECRET": "@/etc/passwd"}, nil, "file name"},
		{"install without database", nil, []string{"-install"}, "-install needs $DATABASE_URL"},
		{"missing secret file", nil, []string{"-secret-file", "/nonexistent/secret"}, "no such file"},
		{"stray argument", nil, []string{"serve"}, `unexpected argument "serve"`},
		{"bad email", nil, []string{"-user", "nobody:pass:webuser"}, "users_email_check"},
		{"hash cost too low", nil, []string{"-hash-cost", "3"}, "-hash-cost 3: want 4 to 31"},
		{"hash cost too high", nil, []string{"-hash-cost", "32"}, "-hash-cost 32: want 4 to 31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, tc.args...), lookup(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if err := run(context.Background(), []string{"-h"}, lookup(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// TestPostgreSQL runs the server on DATABASE_URL, as in production, on every
// PostgreSQL major: -install creates the schema and stores a random secret,
// users come from -user and from SQL, and tokens of the SQL login() and of
// the server are accepted alike.
func TestPostgreSQL(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		db := c.NewDatabase(t, "UTF8")
		ctx := context.Background()
		if _, err := db.Pool.Exec(ctx, `DO $$ BEGIN CREATE ROLE webuser NOLOGIN;
			EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"DATABASE_URL": db.ConnString}

		s := start(t, env, "-install", "-user", "alice@example.com:alice-pass:webuser")
		out := s.output()
		for _, want := range []string{"installed:", "secret: random, stored as the database's app.jwt_secret", "store: PostgreSQL"} {
			if !strings.Contains(out, want) {
				t.Errorf("start-up output lacks %q:\n%s", want, out)
			}
		}
		checkEndpoints(t, s.base, "alice@example.com", "alice-pass", "webuser")

		// A user made in SQL logs in through the server; the SQL login()
		// (on a new session, which sees the stored app.jwt_secret) mints a
		// token the server accepts.
		conn, err := pgx.Connect(ctx, db.ConnString)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `INSERT INTO basic_auth.users (email, pass, role) VALUES ('sql@example.com', 'sql-pass', 'webuser')`); err != nil {
			t.Fatal(err)
		}
		checkEndpoints(t, s.base, "sql@example.com", "sql-pass", "webuser")
		var sqlToken string
		if err := conn.QueryRow(ctx, `SELECT token FROM login('alice@example.com', 'alice-pass')`).Scan(&sqlToken); err != nil {
			t.Fatal(err)
		}
		if me := getMe(t, s.base, sqlToken); me.Role != "webuser" || me.Claims.Email != "alice@example.com" {
			t.Errorf("/me with the SQL login()'s token: %+v", me)
		}

		// A restart without -install reads the stored secret: old tokens
		// stay valid, the -user that exists is left alone.
		token := login(t, s.base, "alice@example.com", "alice-pass")
		again := start(t, env, "-user", "alice@example.com:other-pass:webuser")
		if out := again.output(); !strings.Contains(out, "secret: the database's app.jwt_secret") || !strings.Contains(out, "exists, left unchanged") {
			t.Errorf("restart output:\n%s", out)
		}
		getMe(t, again.base, token)
		login(t, again.base, "alice@example.com", "alice-pass")

		// A different secret in the environment is refused: the two
		// logins would mint tokens the other side rejects.
		env["PGJWT_SECRET"] = "another-secret-of-at-least-32-characters"
		err = run(ctx, []string{"-addr", "127.0.0.1:0"}, lookup(env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "differs from the database's app.jwt_secret") {
			t.Errorf("conflicting secret: %v", err)
		}
	})
}

// TestPostgreSQLWithoutSchema: a database without the users table is a
// clear start-up error that says how to install it, not a server whose
// /healthz says ok and whose every login answers 404 "relation
// "basic_auth.users" does not exist".
func TestPostgreSQLWithoutSchema(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		db := c.NewDatabase(t, "UTF8")
		var out strings.Builder
		env := map[string]string{"DATABASE_URL": db.ConnString, "PGJWT_SECRET": "a-secret-of-at-least-32-characters!"}
		// Should it start, it serves until this ends.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := run(ctx, []string{"-addr", "127.0.0.1:0"}, lookup(env), &out)
		if !errors.Is(err, auth.ErrSchemaNotInstalled) {
			t.Fatalf("err = %v, want ErrSchemaNotInstalled; output:\n%s", err, out.String())
		}
		for _, want := range []string{`relation "basic_auth.users" does not exist`, "auth.InstallSchema", "-install"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
		if strings.Contains(out.String(), "store: PostgreSQL") {
			t.Errorf("started anyway:\n%s", out.String())
		}
	})
}

// TestPostgreSQLWithoutSecret: a database without app.jwt_secret and no
// -install is a clear start-up error, not a server whose logins fail.
func TestPostgreSQLWithoutSecret(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		db := c.NewDatabase(t, "UTF8")
		if _, err := auth.InstallSchema(context.Background(), db.Pool); err != nil {
			t.Fatal(err)
		}
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, lookup(map[string]string{"DATABASE_URL": db.ConnString}), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "no app.jwt_secret") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestHashCost: -hash-cost is the cost of the users it makes (the memory
// store hashes at it) and of the Service's policy, so a user made at cost 6
// elsewhere would be rehashed; the default stays gen_salt('bf')'s 6.
func TestHashCost(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{{nil, "$2a$06$"}, {[]string{"-hash-cost", "7"}, "$2a$07$"}} {
		cfg, err := parseConfig(append([]string{"-user", "a@example.com:pw:webuser"}, tc.args...), lookup(nil), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		mem := auth.NewMemStore("webuser")
		if err := mem.SetHashPolicy(cfg.hashPolicy()); err != nil {
			t.Fatal(err)
		}
		if err := mem.CreateUser(context.Background(), "a@example.com", "pw", "webuser"); err != nil {
			t.Fatal(err)
		}
		u, err := mem.LookupUser(context.Background(), "a@example.com")
		if err != nil || !strings.HasPrefix(u.Hash, tc.want) {
			t.Errorf("%v: hash %.7s…, %v; want %s", tc.args, u.Hash, err, tc.want)
		}
	}
}
