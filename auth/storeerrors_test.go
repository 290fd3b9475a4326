package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// errorShape is what a client or a log sees of an error: the PostgREST
// response FromDBError makes of it, body and status.
func errorShape(err error) string {
	if err == nil {
		return "ok"
	}
	e := postgrest.FromDBError(err, false)
	return fmt.Sprintf("%d %s", e.Status, e.Body(postgrest.Verbose))
}

// everything renders every field of err and of the PostgreSQL errors inside
// it, the ones a logger dumping the struct would show.
func everything(err error) string {
	s := fmt.Sprintf("%v | %+v | %#v", err, err, err)
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		s += fmt.Sprintf(" | %#v", *pg)
	}
	var se *sqlerr.Error
	if errors.As(err, &se) {
		s += fmt.Sprintf(" | %#v", *se)
	}
	return s + " | " + errorShape(err)
}

// TestStoreErrorParity: the same call gives the same error through both
// stores (status, SQLSTATE, message, details and hint, as FromDBError shows
// them), and no error shows a password hash.
func TestStoreErrorParity(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		pg, err := NewPGStore(ctx, l.Pool)
		require.NoError(t, err)
		mem := NewMemStore(l.WebUser)
		for i, st := range storeBehaviour() {
			pgErr := runStoreStep(ctx, pg, st, l.WebUser)
			memErr := runStoreStep(ctx, mem, st, l.WebUser)
			assert.Equal(t, errorShape(pgErr), errorShape(memErr), "step %d %s %q: PGStore, then MemStore", i, st.op, st.email)
			for _, err := range []error{pgErr, memErr} {
				assert.NotContains(t, everything(err), "$2a$", "step %d %s %q", i, st.op, st.email)
			}
		}
	})
}

// TestPGStoreErrorsCarryNoSecrets provokes every kind of failure a sign-up
// or password change can meet, with the server sending all it can: bind
// parameters in the error context (log_parameter_max_length_on_error), the
// failing row in DETAIL, a trigger's failed statement in the context too. No
// field of the error may hold the password or its hash; SQLSTATE and
// message stay PostgreSQL's.
func TestPGStoreErrorsCarryNoSecrets(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		// A trigger after encrypt_pass (triggers fire by name) that fails
		// on request, with the hash in the failing row or in its query.
		_, err := l.Pool.Exec(ctx, `CREATE FUNCTION basic_auth.zz_fail() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				CASE current_setting('test.fail', true)
				WHEN 'notnull' THEN new.role = NULL;
				WHEN 'dynamic' THEN EXECUTE format('SELECT 1/0 FROM (SELECT %L, %L) AS s', new.pass, new.email);
				ELSE NULL;
				END CASE;
				RETURN new;
			END $$;
			CREATE TRIGGER zz_fail BEFORE INSERT OR UPDATE ON basic_auth.users
				FOR EACH ROW EXECUTE FUNCTION basic_auth.zz_fail()`)
		require.NoError(t, err)
		conn, err := pgx.Connect(ctx, l.ConnString)
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close(context.Background()) })
		_, err = conn.Exec(ctx, "SET log_parameter_max_length_on_error = -1")
		require.NoError(t, err)
		s, err := NewPGStore(ctx, conn)
		require.NoError(t, err)

		const pass = "correct horse battery staple"
		require.NoError(t, s.CreateUser(ctx, "alice@example.com", pass, l.WebUser))
		u, err := s.LookupUser(ctx, "alice@example.com")
		require.NoError(t, err)

		fail := func(mode string) {
			_, err := conn.Exec(ctx, "SELECT set_config('test.fail', $1, false)", mode)
			require.NoError(t, err)
		}
		notNull := `null value in column "role" of relation "users" violates not-null constraint`
		for _, tc := range []struct {
			name, mode, code, msg string
			call                  func() error
		}{
			{"check", "", "23514", `new row for relation "users" violates check constraint "users_email_check"`,
				func() error { return s.CreateUser(ctx, "bad-email", pass, l.WebUser) }},
			{"role", "", "23503", "unknown database role: no_such_role",
				func() error { return s.CreateUser(ctx, "bob@example.com", pass, "no_such_role") }},
			{"duplicate", "", "23505", `duplicate key value violates unique constraint "users_pkey"`,
				func() error { return s.CreateUser(ctx, "alice@example.com", pass, l.WebUser) }},
			{"not-null insert", "notnull", "23502", notNull,
				func() error { return s.CreateUser(ctx, "carol@example.com", pass, l.WebUser) }},
			{"not-null update", "notnull", "23502", notNull,
				func() error { return s.SetPassword(ctx, "alice@example.com", pass+"!") }},
			{"trigger query insert", "dynamic", "22012", "division by zero",
				func() error { return s.CreateUser(ctx, "dave@example.com", pass, l.WebUser) }},
			{"trigger query update", "dynamic", "22012", "division by zero",
				func() error { return s.SetPassword(ctx, "alice@example.com", pass+"!") }},
			{"trigger query keeping the hash", "dynamic", "22012", "division by zero",
				func() error { return s.SetPassword(ctx, "alice@example.com", u.Hash) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fail(tc.mode)
				defer fail("")
				err := tc.call()
				code, msg, ok := pgtest.ErrorOf(err)
				require.True(t, ok, "%v", err)
				assert.Equal(t, tc.code, code)
				assert.Equal(t, tc.msg, msg)
				all := everything(err)
				for _, secret := range []string{pass, "$2a$", u.Hash} {
					assert.NotContains(t, all, secret)
				}
			})
		}
	})
}
