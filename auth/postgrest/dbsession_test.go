package postgrest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt"
)

// rlsFixture is a database laid out like PostgREST's tutorial: an
// authenticator that logs in, an anonymous role, a user role under a
// row-level-security policy reading request.jwt.claims, a role granted to the
// authenticator but without table privileges, and one not granted at all.
type rlsFixture struct {
	authn, anon, web, nogrant, stranger string
	conn                                *pgx.Conn // logged in as authn
	connString                          string    // the database, as a superuser
	mw                                  func(http.Handler) http.Handler
}

const rlsSecret = "a-secret-of-at-least-32-bytes-for-hs256!"

func newRLSFixture(t *testing.T, c *pgtest.Cluster, encoding string) *rlsFixture {
	t.Helper()
	ctx := context.Background()
	sfx := fmt.Sprintf("%d_%d_%d", os.Getpid(), c.Major, rand.IntN(1_000_000))
	f := &rlsFixture{authn: "authn_" + sfx, anon: "anon_" + sfx, web: "web_" + sfx, nogrant: "nogrant_" + sfx, stranger: "stranger_" + sfx}
	admin := c.UTF8.Pool
	// Roles are cluster-wide: unique names, created before the database so
	// that their cleanup runs after the database is dropped.
	mustExec(t, admin, fmt.Sprintf(`create role %[1]s login noinherit;
		create role %[2]s nologin; create role %[3]s nologin; create role %[4]s nologin; create role %[5]s nologin;
		grant %[2]s, %[3]s, %[4]s to %[1]s`, f.authn, f.anon, f.web, f.nogrant, f.stranger))
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), fmt.Sprintf("drop role if exists %s, %s, %s, %s, %s",
			f.authn, f.anon, f.web, f.nogrant, f.stranger))
	})
	db := c.NewDatabase(t, encoding)
	compat, err := jwt.CompatSQL("public")
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db.Pool, compat)
	mustExec(t, db.Pool, fmt.Sprintf(`
		create table users(email text primary key, pass text not null, role name not null);
		insert into users values
			('alice@x', crypt('alice-pw', gen_salt('md5')), '%[3]s'),
			('bob@x', crypt('bob-pw', gen_salt('md5')), '%[3]s'),
			('mallory@x', crypt('m-pw', gen_salt('md5')), '%[4]s'),
			('eve@x', crypt('e-pw', gen_salt('md5')), '%[5]s');
		create function login(email text, pass text, out token text) language plpgsql security definer as $$
		declare r record;
		begin
			select u.role, u.email into r from users u where u.email = login.email and u.pass = crypt(login.pass, u.pass);
			if not found then
				raise invalid_password using message = 'invalid user or password';
			end if;
			token := sign(json_build_object('role', r.role, 'email', r.email,
				'exp', extract(epoch from now())::integer + 300), '%[6]s');
		end $$;
		revoke execute on function login(text, text) from public;
		grant execute on function login(text, text) to %[2]s;
		create table todos(id serial primary key, owner text not null, body text not null);
		alter table todos enable row level security;
		create policy own_rows on todos to %[3]s
			using (owner = current_setting('request.jwt.claims', true)::json->>'email');
		grant select on todos to %[3]s;
		insert into todos(owner, body) values ('alice@x', 'a1'), ('bob@x', 'b1'), ('alice@x', 'a2');
		create table notes(id int, body text);
		grant select on notes to %[2]s, %[3]s;
		insert into notes values (1, 'public note');
		create function raise_it(kind text) returns text language plpgsql as $$
		begin
			if kind = 'pt' then
				raise sqlstate 'PT401' using message = 'Unauthorized';
			elsif kind = 'pgrst' then
				raise sqlstate 'PGRST' using message = '{"code":"123","message":"Payment Required","details":"Quota exceeded"}',
					detail = '{"status":402,"headers":{"X-Powered-By":"Nerd Rage"}}';
			elsif kind = 'p0001' then
				raise exception 'Disabled ID --> 3' using hint = 'Please contact administrator';
			elsif kind = '42501' then
				raise insufficient_privilege using message = 'not for you';
			end if;
			return 'ok';
		end $$;
		grant usage on schema public to %[2]s, %[3]s, %[4]s`,
		f.authn, f.anon, f.web, f.nogrant, f.stranger, rlsSecret))
	f.connString = db.ConnString
	cfg, err := pgx.ParseConfig(db.ConnString)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User = f.authn
	cfg.RuntimeParams["client_encoding"] = "UTF8"
	if f.conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		t.Fatalf("connect as authenticator: %v", err)
	}
	t.Cleanup(func() { f.conn.Close(context.Background()) })
	if f.mw, err = NewMiddleware(WithJWTSecret(rlsSecret), WithAnonRole(f.anon)); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustExec(t *testing.T, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, sql string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

// routes answers like a tiny PostgREST: each path runs one query as the
// request's role and returns its single text result.
var routes = map[string]struct {
	sql  string
	args func(r *http.Request) []any
}{
	"/todos": {sql: `select coalesce(json_agg(body order by id), '[]')::text from todos`},
	"/notes": {sql: `select coalesce(json_agg(body order by id), '[]')::text from notes`},
	"/rpc/login": {sql: `select json_build_object('token', token)::text from login($1, $2)`,
		args: func(r *http.Request) []any { return []any{r.URL.Query().Get("email"), r.URL.Query().Get("pass")} }},
	"/rpc/raise_it": {sql: `select to_json(raise_it($1))::text`,
		args: func(r *http.Request) []any { return []any{r.URL.Query().Get("kind")} }},
	"/whoami": {sql: `select json_build_object('user', current_user,
			'claims', current_setting('request.jwt.claims', true),
			'method', current_setting('request.method', true),
			'path', current_setting('request.path', true),
			'headers', current_setting('request.headers', true)::json,
			'cookies', current_setting('request.cookies', true)::json)::text`},
}

func (f *rlsFixture) handler() http.Handler {
	return f.mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, _ := IdentityFrom(ctx)
		route, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		tx, err := f.conn.Begin(ctx)
		if err != nil {
			FromDBError(err, id.Authenticated()).Respond(w, Verbose)
			return
		}
		defer tx.Rollback(ctx)
		if err := SetRequestContext(ctx, tx, id, r); err != nil {
			err.(*APIError).Respond(w, Verbose)
			return
		}
		var args []any
		if route.args != nil {
			args = route.args(r)
		}
		var out string
		if err := tx.QueryRow(ctx, route.sql, args...).Scan(&out); err != nil {
			FromDBError(err, id.Authenticated()).Respond(w, Verbose)
			return
		}
		if err := tx.Commit(ctx); err != nil {
			FromDBError(err, id.Authenticated()).Respond(w, Verbose)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(out))
	}))
}

func (f *rlsFixture) do(t *testing.T, method, target, token string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.handler().ServeHTTP(rec, req)
	return rec
}

func (f *rlsFixture) login(t *testing.T, email, pass string) string {
	t.Helper()
	rec := f.do(t, "POST", "/rpc/login?email="+email+"&pass="+pass, "")
	if rec.Code != 200 {
		t.Fatalf("login %s: %d %s", email, rec.Code, rec.Body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Token == "" {
		t.Fatalf("login %s: %s", email, rec.Body)
	}
	return out.Token
}

func expectResponse(t *testing.T, rec *httptest.ResponseRecorder, status int, body, www string) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status %d, want %d (%s)", rec.Code, status, rec.Body)
	}
	if body != "" && rec.Body.String() != body {
		t.Errorf("body\n got %s\nwant %s", rec.Body, body)
	}
	if got := rec.Header().Get("WWW-Authenticate"); got != www {
		t.Errorf("WWW-Authenticate %q, want %q", got, www)
	}
}

// TestRLSHandOff proves on every live PostgreSQL major that the middleware
// plus SetRequestContext make a row-level-security policy see what it sees
// behind PostgREST, with tokens minted by a SQL login() through pgjwt-style
// sign(), and that role problems get PostgREST's statuses.
func TestRLSHandOff(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		f := newRLSFixture(t, c, "UTF8")
		alice := f.login(t, "alice@x", "alice-pw")
		bob := f.login(t, "bob@x", "bob-pw")
		mallory := f.login(t, "mallory@x", "m-pw")
		eve := f.login(t, "eve@x", "e-pw")

		t.Run("users see their own rows", func(t *testing.T) {
			expectResponse(t, f.do(t, "GET", "/todos", alice), 200, `["a1", "a2"]`, "")
			expectResponse(t, f.do(t, "GET", "/todos", bob), 200, `["b1"]`, "")
		})
		t.Run("anonymous sees what anon may", func(t *testing.T) {
			expectResponse(t, f.do(t, "GET", "/notes", ""), 200, `["public note"]`, "")
			// Spec case 1: 42501 as the anonymous role is 401 with a challenge.
			expectResponse(t, f.do(t, "GET", "/todos", ""), 401,
				`{"code":"42501","details":null,"hint":null,"message":"permission denied for table todos"}`, "Bearer")
		})
		t.Run("authenticated role without grants is 403", func(t *testing.T) {
			// Spec case 2.
			expectResponse(t, f.do(t, "GET", "/todos", mallory), 403,
				`{"code":"42501","details":null,"hint":null,"message":"permission denied for table todos"}`, "")
		})
		t.Run("role not granted to the authenticator is 403", func(t *testing.T) {
			rec := f.do(t, "GET", "/notes", eve)
			expectResponse(t, rec, 403,
				fmt.Sprintf(`{"code":"42501","details":null,"hint":null,"message":"permission denied to set role \"%s\""}`, f.stranger), "")
		})
		t.Run("unknown role is 401", func(t *testing.T) {
			// Spec case 25 (and §4.3's other 22023 rows).
			for _, role := range []string{"not existing", "", "NONE", strings.ToUpper(f.web)} {
				tok := mint(t, `{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"role":%q}`, role), jwtHS256, []byte(rlsSecret))
				msg, _ := json.Marshal(fmt.Sprintf("role %q does not exist", role))
				expectResponse(t, f.do(t, "GET", "/notes", tok), 401,
					`{"code":"22023","details":null,"hint":null,"message":`+string(msg)+`}`, "Bearer")
			}
			tok := mint(t, `{"alg":"HS256"}`, `{"role":["a","b"]}`, jwtHS256, []byte(rlsSecret))
			expectResponse(t, f.do(t, "GET", "/notes", tok), 401,
				`{"code":"22023","details":null,"hint":null,"message":"role \"[\"a\",\"b\"]\" does not exist"}`, "Bearer")
		})
		t.Run("role none runs as the authenticator", func(t *testing.T) {
			tok := mint(t, `{"alg":"HS256"}`, `{"role":"none"}`, jwtHS256, []byte(rlsSecret))
			rec := f.do(t, "GET", "/whoami", tok)
			var who struct{ User string }
			if err := json.Unmarshal(rec.Body.Bytes(), &who); err != nil || who.User != f.authn {
				t.Errorf("%d %s, want user %s", rec.Code, rec.Body, f.authn)
			}
		})
		t.Run("wrong password is 403", func(t *testing.T) {
			// Spec §6: invalid_password raised by login() is 403, no challenge.
			expectResponse(t, f.do(t, "POST", "/rpc/login?email=alice@x&pass=nope", ""), 403,
				`{"code":"28P01","details":null,"hint":null,"message":"invalid user or password"}`, "")
		})
		t.Run("settings as PostgREST sets them", func(t *testing.T) {
			rec := f.do(t, "POST", "/whoami?select=x", alice, "Cookie", "sid=abc; theme=dark=1", "Cookie", "ignored=1",
				"X-Dup", "first", "X-Dup", "second")
			var who struct {
				User, Claims, Method, Path string
				Headers, Cookies           map[string]string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &who); err != nil {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			var claims map[string]any
			if err := json.Unmarshal([]byte(who.Claims), &claims); err != nil {
				t.Fatal(err)
			}
			if who.User != f.web || claims["email"] != "alice@x" || claims["role"] != f.web || !strings.HasPrefix(who.Claims, `{"email":"alice@x","exp":`) {
				t.Errorf("user %s claims %s", who.User, who.Claims)
			}
			if who.Method != "POST" || who.Path != "/whoami" {
				t.Errorf("method %q path %q", who.Method, who.Path)
			}
			if who.Headers["authorization"] != "Bearer "+alice || who.Headers["x-dup"] != "second" || who.Headers["host"] != "example.com" {
				t.Errorf("headers %v", who.Headers)
			}
			if _, hasCookie := who.Headers["cookie"]; hasCookie {
				t.Errorf("cookie header leaked into request.headers")
			}
			if len(who.Cookies) != 2 || who.Cookies["sid"] != "abc" || who.Cookies["theme"] != "dark=1" {
				t.Errorf("cookies %v", who.Cookies)
			}
			// Spec case 51: without a token the claims hold the anonymous role.
			rec = f.do(t, "GET", "/whoami", "")
			if err := json.Unmarshal(rec.Body.Bytes(), &who); err != nil {
				t.Fatal(err)
			}
			if who.Claims != fmt.Sprintf(`{"role":"%s"}`, f.anon) || who.User != f.anon {
				t.Errorf("anonymous claims %s user %s", who.Claims, who.User)
			}
		})
		t.Run("every algorithm family through one JWKS", func(t *testing.T) {
			// The same RLS result whatever signed alice's claims: a JWKS of
			// oct, RSA, EC and OKP keys, with and without kid.
			k := keys(t)
			oct := []byte("an HMAC key for the JWKS, at least as long as needed")
			jwks := `{"keys":[` + strings.Join([]string{
				jwkJSON(t, oct, "", ""),
				jwkJSON(t, &k.rsa.PublicKey, "rsa-1", ""),
				jwkJSON(t, &k.ec["ES256"].PublicKey, "", "ES256"),
				jwkJSON(t, &k.ec["ES384"].PublicKey, "ec-384", ""),
				jwkJSON(t, &k.ec["ES512"].PublicKey, "ec-521", "ES512"),
				jwkJSON(t, k.ed.Public(), "ed-1", "EdDSA"),
			}, ",") + `]}`
			mw, err := NewMiddleware(WithJWTSecret(jwks), WithAnonRole(f.anon))
			if err != nil {
				t.Fatal(err)
			}
			saved := f.mw
			f.mw = mw
			defer func() { f.mw = saved }()
			claims := fmt.Sprintf(`{"role":"%s","email":"alice@x"}`, f.web)
			for _, c := range []struct {
				header string
				method gojwt.SigningMethod
				key    any
			}{
				{`{"alg":"HS256"}`, gojwt.SigningMethodHS256, oct},
				{`{"alg":"HS384"}`, gojwt.SigningMethodHS384, oct},
				{`{"alg":"HS512"}`, gojwt.SigningMethodHS512, oct},
				{`{"alg":"RS256","kid":"rsa-1"}`, gojwt.SigningMethodRS256, k.rsa},
				{`{"alg":"RS384"}`, gojwt.SigningMethodRS384, k.rsa},
				{`{"alg":"RS512","kid":"rsa-1"}`, gojwt.SigningMethodRS512, k.rsa},
				{`{"alg":"ES256"}`, gojwt.SigningMethodES256, k.ec["ES256"]},
				{`{"alg":"ES384","kid":"ec-384"}`, gojwt.SigningMethodES384, k.ec["ES384"]},
				{`{"alg":"ES512"}`, gojwt.SigningMethodES512, k.ec["ES512"]},
				{`{"alg":"EdDSA","kid":"ed-1"}`, gojwt.SigningMethodEdDSA, k.ed},
			} {
				tok := mint(t, c.header, claims, c.method, c.key)
				rec := f.do(t, "GET", "/todos", tok)
				if rec.Code != 200 || rec.Body.String() != `["a1", "a2"]` {
					t.Errorf("%s: %d %s", c.header, rec.Code, rec.Body)
				}
			}
			// The SQL login's HS256 token is not signed by any of these keys.
			expectResponse(t, f.do(t, "GET", "/todos", alice), 401,
				`{"code":"PGRST301","details":"None of the keys was able to decode the JWT","hint":null,"message":"No suitable key or wrong key type"}`,
				wwwAuth("No suitable key or wrong key type"))
		})
		t.Run("errors raised by functions", func(t *testing.T) {
			// Spec §4.4/§6: PTnnn sets the status, PGRST the whole response,
			// P0001 is 400 with the hint, 42501 is 401 as anon, 403 as a user.
			expectResponse(t, f.do(t, "POST", "/rpc/raise_it?kind=pt", alice), 401,
				`{"code":"PT401","details":null,"hint":null,"message":"Unauthorized"}`, "Bearer")
			rec := f.do(t, "POST", "/rpc/raise_it?kind=pgrst", alice)
			expectResponse(t, rec, 402, `{"code":"123","details":"Quota exceeded","hint":null,"message":"Payment Required"}`, "")
			if rec.Header().Get("X-Powered-By") != "Nerd Rage" || rec.Header().Get("Proxy-Status") != "PostgREST; error=123" {
				t.Errorf("PGRST headers %v", rec.Header())
			}
			expectResponse(t, f.do(t, "POST", "/rpc/raise_it?kind=p0001", alice), 400,
				`{"code":"P0001","details":null,"hint":"Please contact administrator","message":"Disabled ID --> 3"}`, "")
			expectResponse(t, f.do(t, "POST", "/rpc/raise_it?kind=42501", ""), 401,
				`{"code":"42501","details":null,"hint":null,"message":"not for you"}`, "Bearer")
			expectResponse(t, f.do(t, "POST", "/rpc/raise_it?kind=42501", alice), 403,
				`{"code":"42501","details":null,"hint":null,"message":"not for you"}`, "")
			expectResponse(t, f.do(t, "POST", "/rpc/raise_it?kind=none", alice), 200, `"ok"`, "")
		})
		t.Run("expired SQL token", func(t *testing.T) {
			var tok string
			err := f.conn.QueryRow(context.Background(), `select sign(json_build_object('role', $1::text, 'email', 'alice@x',
				'exp', extract(epoch from now())::integer - 35), $2)`, f.web, rlsSecret).Scan(&tok)
			if err != nil {
				// sign() is executable by PUBLIC; the authenticator may call it.
				t.Fatal(err)
			}
			expectResponse(t, f.do(t, "GET", "/todos", tok), 401,
				`{"code":"PGRST303","details":null,"hint":null,"message":"JWT expired"}`, wwwAuth("JWT expired"))
		})
	})
}

var jwtHS256 = gojwt.SigningMethodHS256

// TestRLSHandOffLatin1: in a LATIN1 database the claims arrive converted;
// a character LATIN1 lacks makes set_config fail with 22P05, which PostgREST
// (and FromDBError) answer with 400.
func TestRLSHandOffLatin1(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		f := newRLSFixture(t, c, "LATIN1")
		alice := f.login(t, "alice@x", "alice-pw")
		expectResponse(t, f.do(t, "GET", "/todos", alice), 200, `["a1", "a2"]`, "")
		tok := mint(t, `{"alg":"HS256"}`, fmt.Sprintf(`{"role":"%s","email":"jos\u00e9@x","n":"\u00ff"}`, f.web), jwtHS256, []byte(rlsSecret))
		rec := f.do(t, "GET", "/whoami", tok)
		var who struct{ Claims string }
		if err := json.Unmarshal(rec.Body.Bytes(), &who); err != nil {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if want := fmt.Sprintf(`{"email":"josé@x","n":"ÿ","role":"%s"}`, f.web); who.Claims != want {
			t.Errorf("claims %s, want %s", who.Claims, want)
		}
		tok = mint(t, `{"alg":"HS256"}`, fmt.Sprintf(`{"role":"%s","email":"\u20ac@x"}`, f.web), jwtHS256, []byte(rlsSecret))
		rec = f.do(t, "GET", "/todos", tok)
		var env struct{ Code, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || rec.Code != 400 || env.Code != "22P05" {
			t.Errorf("euro sign in LATIN1: %d %s", rec.Code, rec.Body)
		}
		t.Logf("%s: %s", c, rec.Body)

		// Under client_encoding LATIN1 the hand-off refuses to run.
		if _, err := f.conn.Exec(context.Background(), "set client_encoding = 'LATIN1'"); err != nil {
			t.Fatal(err)
		}
		tx, err := f.conn.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(context.Background())
		id := Identity{role: f.web, claims: `{"role":"x"}`}
		if err := SetRequestContext(context.Background(), tx, id, httptest.NewRequest("GET", "/", nil)); !errors.Is(err, ErrClientEncoding) {
			t.Errorf("client_encoding LATIN1: %v", err)
		}
	})
}

// TestSetRequestContextSessionRole: with a SET ROLE in effect the hand-off
// refuses to run (ErrSessionRole) and sets nothing, because PostgreSQL would
// check the switch against the session user. The test first shows on each
// major why: a superuser session that did SET ROLE authenticator can still
// become a role never granted to the authenticator.
func TestSetRequestContextSessionRole(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		f := newRLSFixture(t, c, "UTF8")
		ctx := context.Background()
		connect := func(t *testing.T, user, setup string) *pgx.Conn {
			t.Helper()
			cfg, err := pgx.ParseConfig(f.connString)
			if err != nil {
				t.Fatal(err)
			}
			if user != "" {
				cfg.User = user
			}
			cfg.RuntimeParams["client_encoding"] = "UTF8"
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close(context.Background()) })
			mustExec(t, conn, setup)
			return conn
		}
		req := httptest.NewRequest("GET", "/todos", nil)
		// handOff runs SetRequestContext as role in a new transaction and
		// reports its error and, unless the database failed, what the
		// transaction then runs as.
		handOff := func(t *testing.T, conn *pgx.Conn, role string) (err error, user, claims string) {
			t.Helper()
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			err = SetRequestContext(ctx, tx, Identity{role: role, claims: `{"role":"` + role + `"}`, authenticated: true}, req)
			if _, dbFailed := err.(*APIError); dbFailed {
				return err, "", "" // the transaction is aborted
			}
			if qerr := tx.QueryRow(ctx, `select current_user::text, coalesce(current_setting('request.jwt.claims', true), '')`).Scan(&user, &claims); qerr != nil {
				t.Fatal(qerr)
			}
			return err, user, claims
		}

		t.Run("the danger", func(t *testing.T) {
			conn := connect(t, "", "set role "+f.authn)
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			var user string
			if err := tx.QueryRow(ctx, `select set_config('role', $1, true), current_user::text`, f.stranger).Scan(nil, &user); err != nil || user != f.stranger {
				t.Fatalf("set local role %s under a session-level SET ROLE: %v, user %q (PostgreSQL changed: revisit ErrSessionRole)", f.stranger, err, user)
			}
		})
		t.Run("superuser session with SET ROLE", func(t *testing.T) {
			conn := connect(t, "", "set role "+f.authn)
			err, user, claims := handOff(t, conn, f.stranger)
			if !errors.Is(err, ErrSessionRole) || user != f.authn || claims != "" {
				t.Fatalf("err %v, user %q, claims %q; want ErrSessionRole, %s and nothing set", err, user, claims, f.authn)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("current_user %q", f.authn)) {
				t.Errorf("message does not name the roles: %v", err)
			}
		})
		t.Run("authenticator session with SET ROLE", func(t *testing.T) {
			conn := connect(t, f.authn, "set role "+f.anon)
			if err, user, claims := handOff(t, conn, f.web); !errors.Is(err, ErrSessionRole) || user != f.anon || claims != "" {
				t.Fatalf("err %v, user %q, claims %q", err, user, claims)
			}
		})
		t.Run("SET SESSION AUTHORIZATION is fine", func(t *testing.T) {
			conn := connect(t, "", "set session authorization "+f.authn)
			if err, user, claims := handOff(t, conn, f.web); err != nil || user != f.web || claims != `{"role":"`+f.web+`"}` {
				t.Fatalf("err %v, user %q, claims %q", err, user, claims)
			}
			err, _, _ := handOff(t, conn, f.stranger)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != "42501" {
				t.Fatalf("role not granted: %v; want 403 42501", err)
			}
		})
		t.Run("second hand-off in one transaction", func(t *testing.T) {
			tx, err := f.conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			id := Identity{role: f.web, claims: `{"role":"x"}`, authenticated: true}
			if err := SetRequestContext(ctx, tx, id, req); err != nil {
				t.Fatal(err)
			}
			if err := SetRequestContext(ctx, tx, id, req); !errors.Is(err, ErrSessionRole) {
				t.Fatalf("second call: %v, want ErrSessionRole", err)
			}
		})
	})
}
