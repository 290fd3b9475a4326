package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// TestNewPGStoreNeedsSchema: NewPGStore refuses a database whose users table
// is missing, incomplete or unusable, with an error that says what is
// missing and how to install it, instead of a store whose every call fails.
func TestNewPGStoreNeedsSchema(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		check := func(t *testing.T, db DB, code, msg string, opts ...PGStoreOption) {
			t.Helper()
			s, err := NewPGStore(ctx, db, opts...)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, ErrSchemaNotInstalled)
			gotCode, gotMsg, _ := pgtest.ErrorOf(err)
			assert.Equal(t, code, gotCode)
			assert.Equal(t, msg, gotMsg)
			assert.Contains(t, err.Error(), "auth.InstallSchema")
			assert.Contains(t, err.Error(), msg)
			t.Logf("%v", err)
		}
		t.Run("empty database", func(t *testing.T) {
			db := c.NewDatabase(t, "UTF8")
			check(t, db.Pool, "42P01", `relation "basic_auth.users" does not exist`)
		})
		l := newLoginDB(t, c, "UTF8")
		t.Run("other schema", func(t *testing.T) {
			check(t, l.Pool, "42P01", `relation "Other Schema.users" does not exist`, WithUsersSchema("Other Schema"))
		})
		t.Run("installed", func(t *testing.T) {
			_, err := NewPGStore(ctx, l.Pool)
			require.NoError(t, err)
		})
		t.Run("installed elsewhere", func(t *testing.T) {
			o := newLoginDB(t, c, "UTF8", WithPrivateSchema("Other Schema"))
			_, err := NewPGStore(ctx, o.Pool, WithUsersSchema("Other Schema"))
			require.NoError(t, err)
		})
		broken := func(t *testing.T, sql string) *pgtest.DB {
			l := newLoginDB(t, c, "UTF8")
			_, err := l.Pool.Exec(ctx, sql)
			require.NoError(t, err)
			return l.DB
		}
		t.Run("missing column", func(t *testing.T) {
			db := broken(t, "ALTER TABLE basic_auth.users DROP COLUMN role")
			check(t, db.Pool, "42703", `column "role" of relation "users" does not exist`)
		})
		t.Run("own table without pass", func(t *testing.T) {
			db := c.NewDatabase(t, "UTF8")
			_, err := db.Pool.Exec(ctx, "CREATE SCHEMA basic_auth; CREATE TABLE basic_auth.users (email text PRIMARY KEY, role name)")
			require.NoError(t, err)
			check(t, db.Pool, "42703", `column "pass" of relation "users" does not exist`)
		})
		t.Run("column of another type", func(t *testing.T) {
			db := broken(t, "ALTER TABLE basic_auth.users DROP COLUMN pass, ADD COLUMN pass integer")
			check(t, db.Pool, "42804", `column "pass" of relation "users" is of type integer, not a string type`)
		})
		t.Run("no hashing trigger", func(t *testing.T) {
			db := broken(t, "DROP TRIGGER encrypt_pass ON basic_auth.users")
			check(t, db.Pool, "42704", `trigger "encrypt_pass" for table "users" does not exist`)
		})
		t.Run("role trigger disabled", func(t *testing.T) {
			db := broken(t, "ALTER TABLE basic_auth.users DISABLE TRIGGER ensure_user_role_exists")
			check(t, db.Pool, "55000", `trigger "ensure_user_role_exists" for table "users" is disabled`)
		})
		t.Run("a view", func(t *testing.T) {
			db := broken(t, "ALTER TABLE basic_auth.users RENAME TO users_t; CREATE VIEW basic_auth.users AS SELECT * FROM basic_auth.users_t")
			check(t, db.Pool, "42809", `"users" is not a table`)
		})
		t.Run("not readable", func(t *testing.T) {
			role := uniqueName("noread")
			_, err := l.Pool.Exec(ctx, "CREATE ROLE "+quoteIdent(role))
			require.NoError(t, err)
			conn, err := pgx.Connect(ctx, l.ConnString)
			require.NoError(t, err)
			t.Cleanup(func() { conn.Close(context.Background()) })
			_, err = conn.Exec(ctx, "SET ROLE "+quoteIdent(role))
			require.NoError(t, err)
			// Each grant moves the error on, as the server's own for the
			// lookup moves on.
			for _, step := range []struct{ msg, grant string }{
				{"permission denied for schema basic_auth", "GRANT USAGE ON SCHEMA basic_auth TO %s"},
				{"permission denied for table users", "GRANT SELECT (email, pass) ON basic_auth.users TO %s"},
				{"permission denied for table users", "GRANT SELECT (role) ON basic_auth.users TO %s"},
			} {
				_, err = NewPGStore(ctx, conn)
				require.Error(t, err)
				code, msg, _ := pgtest.ErrorOf(err)
				assert.Equal(t, "42501 "+step.msg, code+" "+msg)
				assert.Contains(t, err.Error(), "GRANT USAGE ON SCHEMA")
				assert.False(t, errors.Is(err, ErrSchemaNotInstalled))
				t.Logf("%v", err)
				_, err = conn.Exec(ctx, "SELECT pass, role FROM basic_auth.users WHERE email = $1", "x")
				code, msg, _ = pgtest.ErrorOf(err)
				assert.Equal(t, "42501 "+step.msg, code+" "+msg, "the server's error")
				_, err = l.Pool.Exec(ctx, fmt.Sprintf(step.grant, quoteIdent(role)))
				require.NoError(t, err)
			}
			_, err = NewPGStore(ctx, conn)
			require.NoError(t, err)
		})
	})
}

// TestNewPGStoreRefusesBadSchemaName: WithUsersSchema follows InstallSchema's
// rule for names, before the store sends anything to the server (so no
// database is needed): a name PostgreSQL would truncate, or cannot hold.
func TestNewPGStoreRefusesBadSchemaName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want error
	}{
		{"", ErrInvalidName},
		{"basic\x00auth", ErrInvalidName},
		{"\xff", ErrInvalidName},
		{strings.Repeat("s", 64), ErrNameTooLong},
	} {
		s, err := NewPGStore(context.Background(), nil, WithUsersSchema(tc.name))
		require.ErrorIs(t, err, tc.want, "%q", tc.name)
		assert.Nil(t, s)
		assert.Contains(t, err.Error(), "WithUsersSchema")
	}
}
