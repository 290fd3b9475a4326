package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// loginUsers are created half through SQL, half through Go, with emails
// that exercise row_to_json's escaping and passwords beyond ASCII.
var loginUsers = []struct{ email, pass string }{
	{"alice@example.com", "secret"},
	{`"quoted"@example.com`, "pässwörd"},
	{`back\slash@example.com`, "ñ"},
	{"tab\there@example.com", ""},
	{"new\nline@example.com", strings.Repeat("long", 30)},
	{"<html>&amp;@example.com", "<>&"},
	{"ctl\x01\x1f\x7f@example.com", "x"},
	{"ümlaut@exämple.com", "ÿ"},
	{"sep\u2028\u2029@example.com", "z"},
	{"slash/@example.com", " "},
}

// clock is a settable clock for WithClock.
type clock struct{ t atomic.Pointer[time.Time] }

func (c *clock) set(t time.Time) { c.t.Store(&t) }
func (c *clock) now() time.Time  { return *c.t.Load() }

// sqlLogin calls the SQL login() and reads now() in the same transaction, so
// that the Go side can be given the very instant login() saw. A non-empty
// secret replaces app.jwt_secret for the transaction.
func sqlLogin(ctx context.Context, l *loginDB, email, pass, secret string) (token string, now time.Time, err error) {
	err = pgx.BeginFunc(ctx, l.Pool, func(tx pgx.Tx) error {
		if secret != "" {
			if _, err := tx.Exec(ctx, "SELECT set_config('app.jwt_secret', $1, true)", secret); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, "SELECT now(), (public.login($1, $2)).token", email, pass).Scan(&now, &token)
	})
	return token, now, err
}

// TestLoginMatchesSQL proves that Service.Login returns the token of the SQL
// login() byte for byte, for users created in SQL and in Go, in UTF8 and
// LATIN1 databases (with the database's own and with a UTF8 client
// encoding), with the database's and a non-ASCII secret; and that
// failures carry the same SQLSTATE and message.
func TestLoginMatchesSQL(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, v := range []struct{ enc, client string }{{"UTF8", ""}, {"LATIN1", ""}, {"LATIN1", "UTF8"}} {
			name := v.enc
			if v.client != "" {
				name += "/client_" + v.client
			}
			t.Run(name, func(t *testing.T) {
				ctx := testCtx(t)
				l := newLoginDB(t, c, v.enc)
				if v.client != "" {
					cfg, err := pgxpool.ParseConfig(l.ConnString)
					if err != nil {
						t.Fatal(err)
					}
					cfg.ConnConfig.RuntimeParams["client_encoding"] = v.client
					if l.Pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(l.Pool.Close)
				}
				store, err := NewPGStore(ctx, l.Pool)
				if err != nil {
					t.Fatal(err)
				}
				secret, err := store.Secret(ctx)
				if err != nil || secret != testSecret {
					t.Fatalf("secret %q, %v", secret, err)
				}
				var clk clock
				svc, err := NewService(store, secret, WithClock(clk.now))
				if err != nil {
					t.Fatal(err)
				}
				const otherSecret = "another secret with ñ and é, 32+ bytes"
				svc2, err := NewService(store, otherSecret, WithClock(clk.now))
				if err != nil {
					t.Fatal(err)
				}
				unstorable := map[string]bool{}
				for i, u := range loginUsers {
					if i%2 == 0 {
						_, err = l.Pool.Exec(ctx, "INSERT INTO basic_auth.users VALUES ($1, $2, $3)", u.email, u.pass, l.WebUser)
					} else {
						err = svc.SignUp(ctx, u.email, u.pass, l.WebUser)
					}
					if v.client == "UTF8" && strings.ContainsFunc(u.email, func(r rune) bool { return r > 0xff }) {
						// Not a LATIN1 character: refused on the way in.
						if code, _, _ := pgtest.ErrorOf(err); code != "22P05" {
							t.Fatalf("%q: %v, want 22P05", u.email, err)
						}
						unstorable[u.email] = true
						continue
					}
					if err != nil {
						t.Fatalf("%q: %v", u.email, err)
					}
				}
				compared := 0
				for i, u := range loginUsers {
					if unstorable[u.email] {
						continue
					}
					services := []struct {
						svc    *Service
						secret string
					}{{svc, ""}, {svc2, otherSecret}}
					if pgtest.Trimmed() && i%3 != 0 {
						services = services[:1] // the second secret for a few users only
					}
					for _, sv := range services {
						want, now, err := sqlLogin(ctx, l, u.email, u.pass, sv.secret)
						if err != nil {
							t.Fatalf("SQL login %q: %v", u.email, err)
						}
						clk.set(now)
						got, err := sv.svc.Login(ctx, u.email, u.pass)
						if err != nil {
							t.Fatalf("Go login %q: %v", u.email, err)
						}
						if got != want {
							t.Errorf("%q at %v:\n Go  %s\n SQL %s", u.email, now, got, want)
						}
						compared++
					}
				}

				// Failures: the same SQLSTATE and message as SQL login().
				failures := []struct{ email, pass string }{
					{"alice@example.com", "wrong"},
					{"nobody@example.com", "secret"},
					{"", ""},
					{"alice@example.com", "secret\x00"},
					{"alice@example.com\xff", "secret"},
					{"alice@example.com", "€uro"}, // not in LATIN1
					{"€@example.com", "x"},
				}
				if pgtest.Trimmed() {
					failures = failures[:5]
				}
				for _, f := range failures {
					_, _, sqlErr := sqlLogin(ctx, l, f.email, f.pass, "")
					_, goErr := svc.Login(ctx, f.email, f.pass)
					wc, wm, wok := pgtest.ErrorOf(sqlErr)
					gc, gm, gok := pgtest.ErrorOf(goErr)
					if !wok && !gok && sqlErr == nil && goErr == nil {
						continue // both succeed (UTF8 and €)
					}
					if !wok || !gok || wc != gc || wm != gm {
						t.Errorf("%q/%q: Go %v, SQL %v", f.email, f.pass, goErr, sqlErr)
					}
					compared++
				}
				t.Logf("%d tokens and errors compared", compared)
			})
		}
	})
}

// TestLoginOptionsMatchSQL: a login() whose row has more columns and another
// lifetime gives the token of a Service with WithClaims and
// WithTokenLifetime.
func TestLoginOptionsMatchSQL(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		store, err := NewPGStore(ctx, l.Pool)
		if err != nil {
			t.Fatal(err)
		}
		var clk clock
		svc, err := NewService(store, testSecret, WithClock(clk.now), WithTokenLifetime(5*time.Minute),
			WithClaims(pgjson.Member{Key: "aud", Value: "my app"}, pgjson.Member{Key: "n", Value: 42},
				pgjson.Member{Key: "ok", Value: true}, pgjson.Member{Key: "scopes", Value: []string{"a", "b\"c"}}),
			WithAlgorithm("HS512"))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SignUp(ctx, "opt@example.com", "pw", l.WebUser); err != nil {
			t.Fatal(err)
		}
		var want string
		var now time.Time
		err = l.Pool.QueryRow(ctx, `SELECT now(), basic_auth.sign(row_to_json(r), current_setting('app.jwt_secret'), 'HS512')
			FROM (SELECT basic_auth.user_role('opt@example.com', 'pw') AS role, 'opt@example.com'::text AS email,
			             extract(epoch FROM now())::integer + 300 AS exp, 'my app'::text AS aud, 42 AS n, true AS ok,
			             ARRAY['a', 'b"c'] AS scopes) AS r`).Scan(&now, &want)
		if err != nil {
			t.Fatal(err)
		}
		clk.set(now)
		got, err := svc.Login(ctx, "opt@example.com", "pw")
		if err != nil || got != want {
			t.Fatalf("Go %s (%v)\nSQL %s", got, err, want)
		}
	})
}

// TestServiceMemStore runs the Service on the in-memory store: sign-up,
// login, role, password change, deletion, and the one error for unknown
// users and wrong passwords.
func TestServiceMemStore(t *testing.T) {
	ctx := testCtx(t)
	at := time.Date(2030, 1, 2, 3, 4, 5, 500000000, time.UTC)
	svc, err := NewService(NewMemStore("web_user"), testSecret, WithClock(func() time.Time { return at }))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SignUp(ctx, "m@example.com", "pw", "web_user"); err != nil {
		t.Fatal(err)
	}
	if err := svc.SignUp(ctx, "m@example.com", "pw", "web_user"); !errors.Is(err, ErrDuplicateEmail) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := svc.SignUp(ctx, "n@example.com", "pw", "admin"); !errors.Is(err, ErrUnknownRole) || err.Error() != "auth: unknown database role: admin" {
		t.Fatalf("unknown role: %v", err)
	}
	tok, err := svc.Login(ctx, "m@example.com", "pw")
	if err != nil {
		t.Fatal(err)
	}
	// 2030-01-02T03:04:05.5Z rounds up: 1893553446, +3600.
	const want = `{"role":"web_user","email":"m@example.com","exp":1893557046}`
	if p := strings.Split(tok, ".")[1]; p != base64.RawURLEncoding.EncodeToString([]byte(want)) {
		t.Fatalf("payload %s, want %s", p, want)
	}
	if role, err := svc.UserRole(ctx, "m@example.com", "pw"); err != nil || role != "web_user" {
		t.Fatalf("UserRole %q %v", role, err)
	}
	for _, bad := range [][2]string{{"m@example.com", "PW"}, {"x@example.com", "pw"}} {
		_, err := svc.Login(ctx, bad[0], bad[1])
		if !errors.Is(err, ErrInvalidPassword) || err.Error() != "auth: invalid user or password" {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	if err := svc.ChangePassword(ctx, "m@example.com", "wrong", "new"); !errors.Is(err, ErrInvalidPassword) {
		t.Fatalf("change with a wrong old password: %v", err)
	}
	if err := svc.ChangePassword(ctx, "m@example.com", "pw", "new"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, "m@example.com", "pw"); !errors.Is(err, ErrInvalidPassword) {
		t.Fatalf("old password still works: %v", err)
	}
	if _, err := svc.Login(ctx, "m@example.com", "new"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteUser(ctx, "m@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, "m@example.com", "new"); !errors.Is(err, ErrInvalidPassword) {
		t.Fatalf("deleted user logs in: %v", err)
	}
}

// TestServiceWaitsHonourContext: with every hashing slot taken, a login
// waits, and gives up when its context ends.
func TestServiceWaitsHonourContext(t *testing.T) {
	svc, err := NewService(NewMemStore("r"), testSecret, WithHashConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SignUp(t.Context(), "a@b.c", "pw", "r"); err != nil {
		t.Fatal(err)
	}
	if err := svc.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := svc.Login(ctx, "a@b.c", "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("login with all slots taken: %v", err)
	}
	if err := svc.SignUp(ctx, "b@b.c", "pw", "r"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sign-up with all slots taken: %v", err)
	}
	svc.releaseSince(time.Now())
	if _, err := svc.Login(t.Context(), "a@b.c", "pw"); err != nil {
		t.Fatalf("login after release: %v", err)
	}
}

func TestNewServiceRefuses(t *testing.T) {
	m := NewMemStore()
	for name, f := range map[string]func() (*Service, error){
		"nil store":     func() (*Service, error) { return NewService(nil, testSecret) },
		"short secret":  func() (*Service, error) { return NewService(m, "short") },
		"NUL in secret": func() (*Service, error) { return NewService(m, testSecret+"\x00") },
		"fraction":      func() (*Service, error) { return NewService(m, testSecret, WithTokenLifetime(1500*time.Millisecond)) },
		"zero lifetime": func() (*Service, error) { return NewService(m, testSecret, WithTokenLifetime(0)) },
		"concurrency":   func() (*Service, error) { return NewService(m, testSecret, WithHashConcurrency(0)) },
		"algorithm":     func() (*Service, error) { return NewService(m, testSecret, WithAlgorithm("RS256")) },
		"claim exp": func() (*Service, error) {
			return NewService(m, testSecret, WithClaims(pgjson.Member{Key: "exp", Value: 1}))
		},
		"claim map": func() (*Service, error) {
			return NewService(m, testSecret, WithClaims(pgjson.Member{Key: "m", Value: map[string]int{}}))
		},
		"dummy cost":     func() (*Service, error) { return NewService(m, testSecret, WithDummyHashCost(3)) },
		"nil clock":      func() (*Service, error) { return NewService(m, testSecret, WithClock(nil)) },
		"2038 overflows": func() (*Service, error) { return nil, loginAt(m, time.Date(2038, 1, 19, 2, 14, 8, 0, time.UTC)) },
	} {
		if _, err := f(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestNewServiceSecretLength: NewService counts bytes, as the middleware
// and PostgREST do, and says so.
func TestNewServiceSecretLength(t *testing.T) {
	m := NewMemStore()
	for _, c := range []struct {
		secret string
		want   string // "" when accepted
	}{
		{"short", "auth: NewService: the JWT secret must be at least 32 bytes long (got 5)"},
		{strings.Repeat("x", 31), "auth: NewService: the JWT secret must be at least 32 bytes long (got 31)"},
		{strings.Repeat("é", 15) + "x", "auth: NewService: the JWT secret must be at least 32 bytes long (got 31)"},
		{strings.Repeat("x", 32), ""},
		{strings.Repeat("é", 16), ""}, // 16 characters, 32 bytes
	} {
		_, err := NewService(m, c.secret)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.secret, err)
		case c.want != "" && (err == nil || err.Error() != c.want || !errors.Is(err, ErrShortSecret)):
			t.Errorf("%q: %v, want %q matching ErrShortSecret", c.secret, err, c.want)
		}
		// The middleware draws the line at the same place.
		if _, merr := postgrest.NewAuthenticator(postgrest.WithJWTSecret(c.secret)); errors.Is(merr, ErrShortSecret) != (c.want != "") {
			t.Errorf("%q: middleware %v", c.secret, merr)
		}
	}
}

// loginAt logs a fresh user in at instant at.
func loginAt(m *MemStore, at time.Time) error {
	m.roles["r"] = true
	svc, err := NewService(m, testSecret, WithClock(func() time.Time { return at }))
	if err != nil {
		return err
	}
	if err := svc.SignUp(context.Background(), "late@b.c", "pw", "r"); err != nil {
		return err
	}
	_, err = svc.Login(context.Background(), "late@b.c", "pw")
	return err
}
