package auth

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// loginVector is one login token with everything that decides it, in
// testdata/login_tokens.json: language-neutral, so that other
// implementations can check themselves against the same file.
type loginVector struct {
	Name      string `json:"name"`
	Secret    string `json:"secret"`
	Now       string `json:"now"` // RFC 3339 with fraction: the login's now()
	Role      string `json:"role"`
	Email     string `json:"email"`
	Lifetime  int64  `json:"lifetime_seconds"`
	Algorithm string `json:"algorithm"`
	Token     string `json:"token"`
}

const loginVectorsFile = "testdata/login_tokens.json"

// loginVectorInputs are the cases: instants on both sides of the rounding of
// extract(epoch …)::integer (including sub-microsecond input, which
// timestamptz first rounds to the microsecond), before 1970, at the int4
// limit; texts that row_to_json escapes; a non-ASCII secret; other
// lifetimes and algorithms.
var loginVectorInputs = []loginVector{
	{Name: "whole second", Now: "2026-11-25T12:00:00Z"},
	{Name: "half second rounds up", Now: "2026-11-25T12:00:00.5Z"},
	{Name: "just below half", Now: "2026-11-25T12:00:00.499999Z"},
	{Name: "sub-microsecond rounds to half", Now: "2026-11-25T12:00:00.4999995Z"},
	{Name: "sub-microsecond below", Now: "2026-11-25T12:00:00.4999994Z"},
	{Name: "end of 1999", Now: "1999-12-31T23:59:59.5Z"},
	{Name: "epoch", Now: "1970-01-01T00:00:00Z"},
	{Name: "before 1970, half away from zero", Now: "1969-12-31T23:59:59.5Z"},
	{Name: "before 1970, just under half", Now: "1969-12-31T23:59:59.500001Z"},
	{Name: "exp at the int4 limit", Now: "2038-01-19T02:14:07Z"},
	{Name: "escapes", Now: "2026-11-25T12:00:00Z", Email: "\"q\"\\\t\n\r\b\f\x01\x1f\x7f</a>&'@x.y", Role: "Role \"quoted\""},
	{Name: "non-ASCII", Now: "2026-11-25T12:00:00Z", Email: "ümlaut@exämple.com\u2028\u2029😀", Role: "rôle"},
	{Name: "non-ASCII secret", Now: "2026-11-25T12:00:00Z", Secret: "sécret sécret sécret sécret sécret ✓"},
	{Name: "five minutes, HS512", Now: "2026-11-25T12:00:00.75Z", Lifetime: 300, Algorithm: "HS512"},
	{Name: "HS384", Now: "2026-11-25T12:00:00.25Z", Algorithm: "HS384"},
}

func completeVector(v loginVector) loginVector {
	if v.Secret == "" {
		v.Secret = testSecret
	}
	if v.Role == "" {
		v.Role = "web_user"
	}
	if v.Email == "" {
		v.Email = "alice@example.com"
	}
	if v.Lifetime == 0 {
		v.Lifetime = 3600
	}
	if v.Algorithm == "" {
		v.Algorithm = "HS256"
	}
	return v
}

func readLoginVectors(t *testing.T) []loginVector {
	t.Helper()
	b, err := os.ReadFile(loginVectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var vs []loginVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != len(loginVectorInputs) {
		t.Fatalf("%d vectors in %s, %d inputs: regenerate with PGJWT_UPDATE_VECTORS=1", len(vs), loginVectorsFile, len(loginVectorInputs))
	}
	return vs
}

// goToken is the Service's token for a vector.
func goToken(v loginVector, opts ...ServiceOption) (string, error) {
	now, err := time.Parse(time.RFC3339Nano, v.Now)
	if err != nil {
		return "", err
	}
	opts = append([]ServiceOption{WithClock(func() time.Time { return now }),
		WithTokenLifetime(time.Duration(v.Lifetime) * time.Second), WithAlgorithm(v.Algorithm)}, opts...)
	svc, err := NewService(NewMemStore(), v.Secret, opts...)
	if err != nil {
		return "", err
	}
	epoch, err := svc.epoch.EpochSeconds(now)
	if err != nil {
		return "", err
	}
	return svc.token(v.Role, v.Email, epoch)
}

// TestLoginVectors: the Service reproduces every token of the file, which
// TestLoginVectorsLive proves against the server.
func TestLoginVectors(t *testing.T) {
	for _, v := range readLoginVectors(t) {
		got, err := goToken(v)
		if err != nil || got != v.Token {
			t.Errorf("%s: %s (%v)\nwant %s", v.Name, got, err, v.Token)
		}
	}
}

// TestLoginVectorsLive computes each vector with login()'s own SQL
// expression on the server, now() replaced by the vector's instant, and
// compares with the file (PGJWT_UPDATE_VECTORS=1 rewrites the file from the
// server instead).
func TestLoginVectorsLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		var fromServer []loginVector
		for _, in := range loginVectorInputs {
			v := completeVector(in)
			err := l.Pool.QueryRow(ctx, `SELECT basic_auth.sign(row_to_json(r), $1, $6)
				FROM (SELECT $2::name AS role, $3::text AS email,
				             extract(epoch FROM $4::timestamptz)::integer + $5::integer AS exp) AS r`,
				v.Secret, v.Role, v.Email, v.Now, v.Lifetime, v.Algorithm).Scan(&v.Token)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			fromServer = append(fromServer, v)
		}
		// The Service told the server's major mints the server's token on
		// every major, 13's half-to-even seconds included.
		for _, v := range fromServer {
			if got, err := goToken(v, WithServerMajor(c.Major)); err != nil || got != v.Token {
				t.Errorf("PostgreSQL %d, %s: server %s, go %s (%v)", c.Major, v.Name, v.Token, got, err)
			}
		}
		if c.Major < 14 {
			return // the file holds the tokens of 14+
		}
		if os.Getenv("PGJWT_UPDATE_VECTORS") == "1" {
			b, err := json.MarshalIndent(fromServer, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(loginVectorsFile, append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		for i, v := range readLoginVectors(t) {
			if fromServer[i] != v {
				t.Errorf("%s: server gives %+v, file has %+v", v.Name, fromServer[i], v)
			}
		}
	})
}

// A Service on a PGStore mints the exp of its server's login(): on 13 a
// now() half a second past a whole second rounds to even. WithServerMajor
// may not contradict the server.
func TestLoginPGStoreFollowsServerMajor(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		const email, pass = "half@example.com", "half-second"
		if _, err := l.Pool.Exec(ctx, "INSERT INTO basic_auth.users VALUES ($1, $2, $3)", email, pass, l.WebUser); err != nil {
			t.Fatal(err)
		}
		store, err := NewPGStore(ctx, l.Pool)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []string{"2026-11-25T12:00:00.5Z", "2026-11-25T12:00:01.5Z", "1969-12-31T23:59:59.5Z", "1969-12-31T23:59:58.5Z", "2026-11-25T12:00:01.4999995Z"} {
			now, err := time.Parse(time.RFC3339Nano, at)
			if err != nil {
				t.Fatal(err)
			}
			svc, err := NewService(store, testSecret, WithClock(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.Login(ctx, email, pass)
			if err != nil {
				t.Fatal(err)
			}
			var want string
			if err := l.Pool.QueryRow(ctx, `SELECT basic_auth.sign(row_to_json(r), $1, 'HS256')
				FROM (SELECT role::name AS role, email::text AS email,
				             extract(epoch FROM $2::timestamptz)::integer + 3600 AS exp
				      FROM basic_auth.users WHERE email = $3) AS r`, testSecret, at, email).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("PostgreSQL %d, now %s: Login %s, server %s", c.Major, at, got, want)
			}
		}
		other := 13
		if c.Major == 13 {
			other = 14
		}
		if _, err := NewService(store, testSecret, WithServerMajor(other)); err == nil {
			t.Errorf("PostgreSQL %d: NewService accepted WithServerMajor(%d)", c.Major, other)
		}
		if _, err := NewService(store, testSecret, WithServerMajor(c.Major)); err != nil {
			t.Errorf("PostgreSQL %d: WithServerMajor(%d): %v", c.Major, c.Major, err)
		}
	})
}
