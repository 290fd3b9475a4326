package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// catalogSnapshot lists every object the installer owns, with its full
// definition, OID and privileges, and the rows of the users table: two
// equal snapshots mean nothing was created, replaced by something else,
// regranted differently or rewritten.
const catalogSnapshot = `
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT 'fn ' || p.oid || ' ' || p.oid::regprocedure::text || ' ' || pg_get_functiondef(p.oid) || ' ' || coalesce(p.proacl::text, '') AS x
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname IN ('basic_auth', 'public') AND p.prokind = 'f'
  UNION ALL SELECT 'trigger ' || t.oid || ' ' || pg_get_triggerdef(t.oid)
    FROM pg_trigger t WHERE tgrelid = 'basic_auth.users'::regclass
  UNION ALL SELECT 'constraint ' || oid || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE conrelid = 'basic_auth.users'::regclass
  UNION ALL SELECT 'type ' || oid || ' ' || typname FROM pg_type WHERE typnamespace = 'basic_auth'::regnamespace
  UNION ALL SELECT 'schema ' || oid || ' ' || nspname || ' ' || coalesce(nspacl::text, '')
    FROM pg_namespace WHERE nspname IN ('basic_auth', 'public')
  UNION ALL SELECT 'table ' || 'basic_auth.users'::regclass::oid
  UNION ALL SELECT 'user ' || email || ' ' || pass || ' ' || role FROM basic_auth.users
  UNION ALL SELECT 'member ' || roleid::regrole || ' ' || member::regrole FROM pg_auth_members
   WHERE member = (SELECT oid FROM pg_roles WHERE rolname = $1)
) s`

func TestInstallSchemaLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		if !l.Installation.CompatSign || l.Installation.SignSchema != "basic_auth" {
			t.Fatalf("installation %+v: want the compat sign() in basic_auth (no pgjwt extension here)", l.Installation)
		}
		if _, err := l.Pool.Exec(ctx, "INSERT INTO basic_auth.users VALUES ('alice@example.com', 'secret', $1)", l.WebUser); err != nil {
			t.Fatal(err)
		}

		// SQL login() works, also for the anonymous role through the grants.
		var token string
		if err := l.Pool.QueryRow(ctx, "SELECT (public.login('alice@example.com', 'secret')).token").Scan(&token); err != nil {
			t.Fatal(err)
		}
		if strings.Count(token, ".") != 2 || !strings.HasPrefix(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.") {
			t.Fatalf("token %q", token)
		}
		tx, err := l.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "SET LOCAL ROLE "+quoteIdent(l.Auth)); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "SET LOCAL ROLE "+quoteIdent(l.Anon)); err != nil {
			t.Fatalf("authenticator cannot become anon: %v", err)
		}
		var anonToken string
		if err := tx.QueryRow(ctx, "SELECT (public.login('alice@example.com', 'secret')).token").Scan(&anonToken); err != nil {
			t.Fatalf("login as anon: %v", err)
		}
		_, err = tx.Exec(ctx, "SELECT count(*) FROM basic_auth.users")
		if code, _, _ := pgtest.ErrorOf(err); code != "42501" {
			t.Fatalf("anon reads basic_auth.users: %v, want 42501", err)
		}
		_ = tx.Rollback(ctx)

		// The errors of the issue, with PostgreSQL's own texts.
		for _, tc := range []struct {
			sql, code, msg string
		}{
			{"INSERT INTO basic_auth.users VALUES ('bob@example.com', 'x', 'no_such_role_xyz')", "23503", "unknown database role: no_such_role_xyz"},
			{"INSERT INTO basic_auth.users VALUES ('bob', 'x', '" + l.WebUser + "')", "23514", `new row for relation "users" violates check constraint "users_email_check"`},
			{"INSERT INTO basic_auth.users VALUES ('alice@example.com', 'x', '" + l.WebUser + "')", "23505", `duplicate key value violates unique constraint "users_pkey"`},
			{"SELECT public.login('alice@example.com', 'wrong')", "28P01", "invalid user or password"},
			{"SELECT public.login('nobody@example.com', 'secret')", "28P01", "invalid user or password"},
		} {
			_, err := l.Pool.Exec(ctx, tc.sql)
			code, msg, _ := pgtest.ErrorOf(err)
			if code != tc.code || msg != tc.msg {
				t.Errorf("%s: got %s %q, want %s %q", tc.sql, code, msg, tc.code, tc.msg)
			}
		}

		// The hashing trigger: bcrypt cost 6 on insert; an update that
		// keeps pass keeps the hash; a new password is hashed again.
		var h1, h2, h3 string
		q := "SELECT pass FROM basic_auth.users WHERE email = 'alice@example.com'"
		_ = l.Pool.QueryRow(ctx, q).Scan(&h1)
		if _, err := l.Pool.Exec(ctx, "UPDATE basic_auth.users SET role = role WHERE email = 'alice@example.com'"); err != nil {
			t.Fatal(err)
		}
		_ = l.Pool.QueryRow(ctx, q).Scan(&h2)
		if _, err := l.Pool.Exec(ctx, "UPDATE basic_auth.users SET pass = 'other' WHERE email = 'alice@example.com'"); err != nil {
			t.Fatal(err)
		}
		_ = l.Pool.QueryRow(ctx, q).Scan(&h3)
		if !strings.HasPrefix(h1, "$2a$06$") || h1 != h2 || h3 == h1 || !strings.HasPrefix(h3, "$2a$06$") {
			t.Fatalf("hashes %q %q %q", h1, h2, h3)
		}

		// Installing again is a no-op.
		var before, after string
		if err := l.Pool.QueryRow(ctx, catalogSnapshot, l.Auth).Scan(&before); err != nil {
			t.Fatal(err)
		}
		if _, err := InstallSchema(ctx, l.Pool, l.SchemaOptions...); err != nil {
			t.Fatal(err)
		}
		if err := l.Pool.QueryRow(ctx, catalogSnapshot, l.Auth).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if before != after {
			t.Fatalf("second install changed the catalog:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		if !strings.Contains(before, "trigger ") || !strings.Contains(before, "member ") {
			t.Fatalf("snapshot misses objects:\n%s", before)
		}
	})
}

// TestInstallSchemaNames installs under awkward names: identifiers that need
// quoting, a non-default exposed schema and sign schema.
func TestInstallSchemaNames(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		db := c.NewDatabase(t, "UTF8")
		if _, err := db.Pool.Exec(ctx, `CREATE SCHEMA "Api v1"`); err != nil {
			t.Fatal(err)
		}
		priv, sign := `Private "auth"`, "jwt's"
		anon := uniqueName(`anon "q"`)
		inst, err := InstallSchema(ctx, db.Pool, WithPrivateSchema(priv), WithExposedSchema("Api v1"),
			WithSignSchema(sign), WithAnonRole(anon), WithAuthenticatorRole(uniqueName("Authn")),
			WithLoginLifetime(300e9))
		if err != nil {
			t.Fatal(err)
		}
		if inst.SignSchema != sign {
			t.Fatalf("sign schema %q", inst.SignSchema)
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO "Private ""auth""".users VALUES ('a@b.c', 'pw', 'pg_monitor')`); err != nil {
			t.Fatal(err)
		}
		// One connection, so that the session setting is seen.
		conn, err := db.Pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Release()
		if _, err := conn.Exec(ctx, `SET app.jwt_secret = 'reallyreallyreallyreallyverysafe'`); err != nil {
			t.Fatal(err)
		}
		var exp, now int64
		err = conn.QueryRow(ctx, `SELECT (convert_from("jwt's".url_decode(split_part(t.token, '.', 2)), 'utf8')::json->>'exp')::bigint,
			extract(epoch from now())::integer FROM "Api v1".login('a@b.c', 'pw') AS t`).Scan(&exp, &now)
		if err != nil {
			t.Fatal(err)
		}
		if exp != now+300 {
			t.Fatalf("exp %d, now %d: want a 300 s lifetime", exp, now)
		}
	})
}

func TestInstallSchemaRefusesBadNames(t *testing.T) {
	for _, tc := range []struct {
		opt  SchemaOption
		want error
		msg  string
	}{
		{WithPrivateSchema(""), ErrInvalidName, `auth: private schema name (WithPrivateSchema) "" is empty`},
		{WithExposedSchema("a\x00b"), ErrInvalidName, `auth: exposed schema name (WithExposedSchema) "a\x00b" contains a NUL byte`},
		{WithAnonRole(strings.Repeat("x", 64)), ErrNameTooLong, `auth: anonymous role name (WithAnonRole) "` + strings.Repeat("x", 64) +
			`" is 64 bytes long; PostgreSQL would silently truncate it to 63`},
		{WithAuthenticatorRole("\xff"), ErrInvalidName, `auth: authenticator role name (WithAuthenticatorRole) "\xff" is not valid UTF-8`},
		{WithSignSchema(strings.Repeat("é", 32)), ErrNameTooLong, `auth: sign schema name (WithSignSchema) "` + strings.Repeat("é", 32) +
			`" is 64 bytes long; PostgreSQL would silently truncate it to 63`},
		{WithLoginLifetime(1500e6), nil, ""}, {WithLoginLifetime(0), nil, ""},
	} {
		_, err := InstallSchema(t.Context(), nil, tc.opt)
		if err == nil {
			t.Errorf("option accepted")
			continue
		}
		if tc.want != nil {
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, tc.msg, err.Error())
		}
	}
}

// TestInstallSchemaConcurrently: installations racing in one database (the
// advisory lock) and in two databases of one cluster creating the same
// cluster-wide roles (the duplicate handling) all succeed.
func TestInstallSchemaConcurrently(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		dbs := []*pgtest.DB{c.NewDatabase(t, "UTF8"), c.NewDatabase(t, "UTF8")}
		opts := []SchemaOption{WithAnonRole(uniqueName("anon")), WithAuthenticatorRole(uniqueName("authn"))}
		errs := make(chan error, 6)
		for i := range 6 {
			go func() {
				_, err := InstallSchema(ctx, dbs[i%2].Pool, opts...)
				errs <- err
			}()
		}
		for range 6 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
}
