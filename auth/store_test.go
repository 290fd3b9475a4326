package auth

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/crypt"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// storeStep is one call in the behaviour table, with what PostgreSQL says.
type storeStep struct {
	op          string // create, setpw, delete, lookup
	email, pass string
	role        string // "" means the test's web user role
	code, msg   string // "" for success
}

// storeBehaviour runs against both stores in order; %R stands for the test's
// role. It covers every rule of basic_auth.users the stores must share.
func storeBehaviour() []storeStep {
	long := strings.Repeat("x", 70)
	return []storeStep{
		{op: "create", email: "alice@example.com", pass: "secret"},
		{op: "create", email: "alice@example.com", pass: "other", code: "23505", msg: `duplicate key value violates unique constraint "users_pkey"`},
		{op: "create", email: "bob@example.com", pass: "x", role: "no_such_role", code: "23503", msg: "unknown database role: no_such_role"},
		{op: "create", email: "bob", pass: "x", code: "23514", msg: `new row for relation "users" violates check constraint "users_email_check"`},
		// The check constraint fires before the role trigger, the primary
		// key before the role trigger too.
		{op: "create", email: "bob", pass: "x", role: "no_such_role", code: "23514", msg: `new row for relation "users" violates check constraint "users_email_check"`},
		{op: "create", email: "alice@example.com", pass: "x", role: "no_such_role", code: "23505", msg: `duplicate key value violates unique constraint "users_pkey"`},
		// The email pattern: "." matches newlines, ^ and $ anchor at the
		// string's ends only, the letters' case is irrelevant.
		{op: "create", email: "a\n@b.c", pass: "x"},
		{op: "create", email: "a@b.c\n", pass: "x"},
		{op: "create", email: "\n@\n.\n", pass: "x"},
		{op: "create", email: "A@B.C", pass: "x"},
		{op: "create", email: "a@b..", pass: "x"},
		{op: "create", email: "ä@ö.ü", pass: "x"},
		{op: "create", email: "@@b.c", pass: "x"},
		{op: "create", email: "@b.c", pass: "x", code: "23514", msg: `new row for relation "users" violates check constraint "users_email_check"`},
		{op: "create", email: "a@.c", pass: "x", code: "23514", msg: `new row for relation "users" violates check constraint "users_email_check"`},
		{op: "create", email: "a@b.", pass: "x", code: "23514", msg: `new row for relation "users" violates check constraint "users_email_check"`},
		{op: "create", email: "a@bc", pass: "x", code: "23514", msg: `new row for relation "users" violates check constraint "users_email_check"`},
		{op: "create", email: "", pass: "x", code: "23514", msg: `new row for relation "users" violates check constraint "users_email_check"`},
		// The password check applies to the hash, so any length passes.
		{op: "create", email: "long@pass.word", pass: strings.Repeat("p", 600)},
		{op: "create", email: "empty@pass.word", pass: ""},
		// Emails of new users have at most MaxEmailLength characters,
		// checked before the email's pattern.
		{op: "create", email: strings.Repeat("é", MaxEmailLength-4) + "@b.c", pass: "x"},
		{op: "create", email: strings.Repeat("é", MaxEmailLength-3) + "@b.c", pass: "x", code: "22001", msg: "value too long for type character varying(512)"},
		{op: "create", email: strings.Repeat("x", 3000), pass: "x", code: "22001", msg: "value too long for type character varying(512)"},
		// Roles are names: cut to 63 bytes (at a character boundary)
		// before the trigger looks them up.
		{op: "create", email: "r1@x.y", pass: "x", role: "%R" + long, code: "23503", msg: "unknown database role: %R" + long[:63-len("webuser_")-10]},
		{op: "create", email: "r2@x.y", pass: "x", role: "%R" + strings.Repeat("é", 30), code: "23503", msg: "unknown database role: %R" + strings.Repeat("é", 22)},
		// Text the server refuses at the door, first bad parameter first.
		{op: "create", email: "nul@x.y", pass: "a\x00b", code: "22021", msg: `invalid byte sequence for encoding "UTF8": 0x00`},
		{op: "create", email: "\xff@x.y", pass: "a\x00b", code: "22021", msg: `invalid byte sequence for encoding "UTF8": 0xff`},
		{op: "create", email: "\xe2\x28\xa1@x.y", pass: "x", code: "22021", msg: `invalid byte sequence for encoding "UTF8": 0xe2 0x28 0xa1`},
		{op: "create", email: "bad@x.y", pass: "x", role: "r\xc3", code: "22021", msg: `invalid byte sequence for encoding "UTF8": 0xc3`},
		{op: "create", email: "bad@x.y", pass: "\xed\xa0\x80", code: "22021", msg: `invalid byte sequence for encoding "UTF8": 0xed 0xa0 0x80`},
		{op: "lookup", email: "alice@example.com", pass: "secret"},
		{op: "lookup", email: "long@pass.word", pass: strings.Repeat("p", 600)},
		{op: "lookup", email: "nobody@example.com", code: "P0002", msg: "user not found"},
		{op: "lookup", email: "x\x00", code: "22021", msg: `invalid byte sequence for encoding "UTF8": 0x00`},
		{op: "setpw", email: "alice@example.com", pass: "new secret"},
		{op: "lookup", email: "alice@example.com", pass: "new secret"},
		// Setting the stored hash as the password keeps the hash, hence
		// the old password (the trigger's "new.pass <> old.pass").
		{op: "setpw-hash", email: "alice@example.com"},
		{op: "lookup", email: "alice@example.com", pass: "new secret"},
		{op: "setpw", email: "nobody@example.com", pass: "x", code: "P0002", msg: "user not found"},
		{op: "setpw", email: "alice@example.com", pass: "\x00", code: "22021", msg: `invalid byte sequence for encoding "UTF8": 0x00`},
		{op: "delete", email: "nobody@example.com", code: "P0002", msg: "user not found"},
		{op: "delete", email: "alice@example.com"},
		{op: "lookup", email: "alice@example.com", code: "P0002", msg: "user not found"},
		{op: "create", email: "alice@example.com", pass: "again"},
		{op: "lookup", email: "alice@example.com", pass: "again"},
	}
}

// runStoreStep performs one step; for lookups with a pass it checks that
// the stored hash verifies it (and is a fresh bcrypt cost-6 hash).
func runStoreStep(ctx context.Context, s Store, st storeStep, role string) error {
	r := strings.ReplaceAll(st.role, "%R", role)
	if st.role == "" {
		r = role
	}
	switch st.op {
	case "create":
		return s.CreateUser(ctx, st.email, st.pass, r)
	case "setpw":
		return s.SetPassword(ctx, st.email, st.pass)
	case "setpw-hash":
		u, err := s.LookupUser(ctx, st.email)
		if err != nil {
			return err
		}
		if err := s.SetPassword(ctx, st.email, u.Hash); err != nil {
			return err
		}
		v, err := s.LookupUser(ctx, st.email)
		if err != nil {
			return err
		}
		if v.Hash != u.Hash {
			return fmt.Errorf("hash changed from %q to %q", u.Hash, v.Hash)
		}
		return nil
	case "delete":
		return s.DeleteUser(ctx, st.email)
	case "lookup":
		u, err := s.LookupUser(ctx, st.email)
		if err != nil {
			return err
		}
		if u.Role != role || u.Email != st.email || !strings.HasPrefix(u.Hash, "$2a$06$") {
			return fmt.Errorf("lookup: %+v", u)
		}
		ok, err := crypt.Verify(st.pass, u.Hash)
		if err != nil || !ok {
			return fmt.Errorf("lookup: hash %q does not verify %q: %v", u.Hash, st.pass, err)
		}
		return nil
	}
	return fmt.Errorf("unknown op %q", st.op)
}

func checkStoreSteps(t *testing.T, s Store, role string) {
	ctx := testCtx(t)
	for i, st := range storeBehaviour() {
		err := runStoreStep(ctx, s, st, role)
		want := strings.ReplaceAll(st.msg, "%R", role)
		if st.code == "" {
			if err != nil {
				t.Errorf("step %d %s %q: %v", i, st.op, st.email, err)
			}
			continue
		}
		code, msg, ok := pgtest.ErrorOf(err)
		if !ok || code != st.code || msg != want {
			t.Errorf("step %d %s %q: got %s %q (%v), want %s %q", i, st.op, st.email, code, msg, err, st.code, want)
		}
		if !errors.As(err, new(interface{ SQLState() string })) {
			t.Errorf("step %d: %T has no SQLState", i, err)
		}
	}
}

// TestStoreBehaviour runs the one behaviour table against the PostgreSQL
// store (the oracle: the server's own triggers and checks) on 15 and 18 and
// against the in-memory store, with the role name of the live test.
func TestStoreBehaviour(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		l := newLoginDB(t, c, "UTF8")
		pg, err := NewPGStore(testCtx(t), l.Pool)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("PGStore", func(t *testing.T) { checkStoreSteps(t, pg, l.WebUser) })
		t.Run("MemStore", func(t *testing.T) { checkStoreSteps(t, NewMemStore(l.WebUser), l.WebUser) })
	})
}

// TestEmailCheckLive compares emailMatches with the users table's check as
// the server evaluates it, on edge cases and random strings over an
// alphabet of the characters that matter.
func TestEmailCheckLive(t *testing.T) {
	cases := []string{"", "a", "@", ".", "a@b.c", "a@b.c.", "@a.b", "a@.b", "a@b.", "ab@c.de", "a@@b.c",
		"a@b@c.d", "\n@\n.\n", "a@b\n.c", "a\r@b.c", ".@.", "a.b@c", "a@b", "é@é.é", "a @ b . c", "\t@\t.\t"}
	rng := rand.New(rand.NewPCG(5, 23))
	alphabet := []string{"a", "@", ".", "\n", "é", " ", "Z", "\r", "€"}
	n := 4000
	if testing.Short() {
		n = 500
	}
	part := func(max int) string {
		var b strings.Builder
		for range rng.IntN(max + 1) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range n {
		cases = append(cases, part(8))
		// Near misses and hits of the pattern's shape.
		cases = append(cases, part(2)+"@"+part(2)+"."+part(2))
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		rows, err := c.UTF8.Pool.Query(testCtx(t), `SELECT s ~* e'^.+@.+\\..+$' FROM unnest($1::text[]) WITH ORDINALITY AS u(s, i) ORDER BY i`, cases)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		i, matches := 0, 0
		for rows.Next() {
			var want bool
			if err := rows.Scan(&want); err != nil {
				t.Fatal(err)
			}
			if got := emailMatches(cases[i]); got != want {
				t.Errorf("%q: Go %v, PostgreSQL %v", cases[i], got, want)
			}
			if want {
				matches++
			}
			i++
		}
		if err := rows.Err(); err != nil || i != len(cases) {
			t.Fatalf("%d rows of %d: %v", i, len(cases), err)
		}
		t.Logf("%d strings, %d match", i, matches)
	})
}

// TestConcurrentSignUps: 100 sign-ups with one email at once give one row
// and 99 clean 23505 errors, in both stores.
func TestConcurrentSignUps(t *testing.T) {
	run := func(t *testing.T, s Store, role string, count func() int) {
		ctx := testCtx(t)
		const n = 100
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = s.CreateUser(ctx, "race@example.com", fmt.Sprint("pw", i), role) })
		}
		wg.Wait()
		ok, dup := 0, 0
		for _, err := range errs {
			code, msg, _ := pgtest.ErrorOf(err)
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrDuplicateEmail) && code == "23505" &&
				msg == `duplicate key value violates unique constraint "users_pkey"`:
				dup++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || dup != n-1 || count() != 1 {
			t.Fatalf("%d successes, %d duplicates, %d rows", ok, dup, count())
		}
	}
	t.Run("MemStore", func(t *testing.T) {
		m := NewMemStore("web")
		run(t, m, "web", func() int { return len(m.users) })
	})
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		l := newLoginDB(t, c, "UTF8")
		pg, err := NewPGStore(testCtx(t), l.Pool)
		if err != nil {
			t.Fatal(err)
		}
		run(t, pg, l.WebUser, func() int {
			var n int
			if err := l.Pool.QueryRow(testCtx(t), "SELECT count(*) FROM basic_auth.users").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		})
	})
}

// TestSecretUnset: without app.jwt_secret, PGStore.Secret fails with the
// SQLSTATE and message the SQL login() fails with (ErrNoSecret); with an
// empty one both go on, and NewService refuses the empty secret.
func TestSecretUnset(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		if _, err := l.Pool.Exec(ctx, "INSERT INTO basic_auth.users VALUES ('a@b.c', 'pw', $1)", l.WebUser); err != nil {
			t.Fatal(err)
		}
		if _, err := l.DB.Pool.Exec(ctx, "ALTER DATABASE "+quoteIdent(l.Name)+" RESET app.jwt_secret"); err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.Connect(ctx, l.ConnString) // a session that starts without the setting
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })

		_, sqlErr := conn.Exec(ctx, "SELECT public.login('a@b.c', 'pw')")
		wantCode, wantMsg, _ := pgtest.ErrorOf(sqlErr)
		t.Logf("%s: SQL login() without app.jwt_secret: %s %s", c, wantCode, wantMsg)
		if wantCode == "" || wantMsg != ErrNoSecret.Message || wantCode != ErrNoSecret.Code {
			t.Fatalf("SQL login(): %v; ErrNoSecret says %s %s", sqlErr, ErrNoSecret.Code, ErrNoSecret.Message)
		}
		store, err := NewPGStore(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		_, err = store.Secret(ctx)
		if code, msg, _ := pgtest.ErrorOf(err); !errors.Is(err, ErrNoSecret) || code != wantCode || msg != wantMsg {
			t.Errorf("Secret: %v (%s %s), want ErrNoSecret as %s %s", err, code, msg, wantCode, wantMsg)
		}

		// Defined but empty: login() signs with it, Secret returns it.
		if _, err := conn.Exec(ctx, "SELECT set_config('app.jwt_secret', '', false)"); err != nil {
			t.Fatal(err)
		}
		var token string
		if err := conn.QueryRow(ctx, "SELECT (public.login('a@b.c', 'pw')).token").Scan(&token); err != nil || token == "" {
			t.Fatalf("SQL login() with an empty secret: %q, %v", token, err)
		}
		secret, err := store.Secret(ctx)
		if err != nil || secret != "" {
			t.Fatalf("Secret with an empty setting: %q, %v", secret, err)
		}
		if _, err := NewService(store, secret); !errors.Is(err, ErrShortSecret) {
			t.Errorf("NewService with an empty secret: %v, want ErrShortSecret", err)
		}
	})
}
