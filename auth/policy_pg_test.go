package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/crypt"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// sqlLoginWorks calls the SQL login(); it reports whether a token came back.
func sqlLoginWorks(t *testing.T, l *loginDB, email, pass string) bool {
	t.Helper()
	var token string
	err := l.Pool.QueryRow(testCtx(t), "SELECT (public.login($1, $2)).token", email, pass).Scan(&token)
	if err != nil {
		code, _, _ := pgtest.ErrorOf(err)
		require.Equal(t, "28P01", code, "%v", err)
		return false
	}
	return token != ""
}

func storedHash(t *testing.T, l *loginDB, email string) string {
	t.Helper()
	var h string
	require.NoError(t, l.Pool.QueryRow(testCtx(t), "SELECT pass FROM basic_auth.users WHERE email = $1", email).Scan(&h))
	return h
}

// TestTriggerHashPolicyLive: the default installation keeps the seed's
// gen_salt('bf'); WithTriggerHashPolicy makes hashes made in SQL carry the
// policy's cost; a gen_salt the server refuses fails the installation.
func TestTriggerHashPolicyLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		var def string
		require.NoError(t, l.Pool.QueryRow(ctx, "SELECT pg_get_functiondef('basic_auth.encrypt_pass'::regproc)").Scan(&def))
		assert.Contains(t, def, `crypt(new.pass, "public".gen_salt('bf'));`)
		insert := "INSERT INTO basic_auth.users (email, pass, role) VALUES ($1, 'pw', $2)"
		_, err := l.Pool.Exec(ctx, insert, "six@b.c", l.WebUser)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(storedHash(t, l, "six@b.c"), "$2a$06$"))

		_, err = InstallSchema(ctx, l.Pool, append(l.SchemaOptions, WithTriggerHashPolicy(HashPolicy{Algorithm: "bf", Cost: 8}))...)
		require.NoError(t, err)
		_, err = l.Pool.Exec(ctx, insert, "eight@b.c", l.WebUser)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(storedHash(t, l, "eight@b.c"), "$2a$08$"), "SQL-made hashes have the installed cost")
		assert.True(t, strings.HasPrefix(storedHash(t, l, "six@b.c"), "$2a$06$"), "installing touches no row")
		assert.True(t, sqlLoginWorks(t, l, "eight@b.c", "pw"))

		sha := WithTriggerHashPolicy(HashPolicy{Algorithm: "sha512crypt", Cost: 2000})
		_, err = InstallSchema(ctx, l.Pool, append(l.SchemaOptions, sha)...)
		if c.Major < 18 {
			code, msg, _ := pgtest.ErrorOf(err)
			assert.Equal(t, "22023", code)
			assert.Equal(t, "gen_salt: Unknown salt algorithm", msg)
			_, err = l.Pool.Exec(ctx, insert, "still8@b.c", l.WebUser)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(storedHash(t, l, "still8@b.c"), "$2a$08$"), "a failed installation changes nothing")
			return
		}
		require.NoError(t, err)
		_, err = l.Pool.Exec(ctx, insert, "sha@b.c", l.WebUser)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(storedHash(t, l, "sha@b.c"), "$6$rounds=2000$"))
	})
}

// TestRehashLive: raising the cost on a live database (installer option
// and Service option) upgrades a user's hash at the next Go login, once;
// the SQL login() then takes the same password; migrated hashes are
// upgraded too.
func TestRehashLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		store, err := NewPGStore(ctx, l.Pool)
		require.NoError(t, err)
		require.NoError(t, store.CreateUser(ctx, "a@b.c", "pw", l.WebUser))
		old := storedHash(t, l, "a@b.c")
		require.True(t, strings.HasPrefix(old, "$2a$06$"))

		// Migrated users: hashes written past the trigger, as an import does.
		migrated := map[string]string{}
		for name, h := range migratedHashes {
			if name == "sha512crypt" && c.Major < 18 {
				continue
			}
			imported, err := crypt.ForVersion(c.Major).ImportHash(h)
			require.NoError(t, err)
			email := strings.ReplaceAll(strings.ReplaceAll(name, " ", ""), "$", "") + "@b.c"
			migrated[email] = imported
			require.NoError(t, pgx.BeginFunc(ctx, l.Pool, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, "ALTER TABLE basic_auth.users DISABLE TRIGGER encrypt_pass")
				if err == nil {
					_, err = tx.Exec(ctx, "INSERT INTO basic_auth.users (email, pass, role) VALUES ($1, $2, $3)", email, imported, l.WebUser)
				}
				if err == nil {
					_, err = tx.Exec(ctx, "ALTER TABLE basic_auth.users ENABLE TRIGGER encrypt_pass")
				}
				return err
			}))
			assert.True(t, sqlLoginWorks(t, l, email, policyPass), "%s imported works in SQL", name)
		}

		_, err = InstallSchema(ctx, l.Pool, append(l.SchemaOptions, WithTriggerHashPolicy(HashPolicy{Algorithm: "bf", Cost: 8}))...)
		require.NoError(t, err)
		var reports []error
		svc, err := NewService(store, testSecret, WithHashCost(8), WithRehashErrors(func(err error) { reports = append(reports, err) }))
		require.NoError(t, err)

		assert.False(t, loginWorks(t, svc, "a@b.c", "wrong"))
		assert.Equal(t, old, storedHash(t, l, "a@b.c"), "a failed login writes nothing")
		assert.True(t, loginWorks(t, svc, "a@b.c", "pw"))
		rehashed := storedHash(t, l, "a@b.c")
		assert.True(t, strings.HasPrefix(rehashed, "$2a$08$"), rehashed)
		assert.True(t, loginWorks(t, svc, "a@b.c", "pw"))
		assert.Equal(t, rehashed, storedHash(t, l, "a@b.c"), "the second login does not rehash")
		assert.True(t, sqlLoginWorks(t, l, "a@b.c", "pw"), "SQL login() takes the rehashed password")
		assert.False(t, sqlLoginWorks(t, l, "a@b.c", "wrong"))

		for email := range migrated {
			assert.True(t, loginWorks(t, svc, email, policyPass), email)
			h := storedHash(t, l, email)
			assert.True(t, strings.HasPrefix(h, "$2a$08$"), "%s: %s", email, h)
			assert.True(t, sqlLoginWorks(t, l, email, policyPass), email)
			assert.False(t, sqlLoginWorks(t, l, email, "wrong"), email)
		}
		assert.Empty(t, reports)
	})
}

// TestRehashConcurrentChangeWinsLive: a password change that is in flight
// while a login rehashes (the login read the old hash; the change holds the
// row) is what remains: the rehash's compare-and-swap matches nothing once
// the change commits. The test waits until the rehash's UPDATE is blocked
// on the change's row lock before committing the change.
func TestRehashConcurrentChangeWinsLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8", WithTriggerHashPolicy(HashPolicy{Algorithm: "bf", Cost: 7}))
		store, err := NewPGStore(ctx, l.Pool)
		require.NoError(t, err)
		require.NoError(t, store.CreateUser(ctx, "a@b.c", "old", l.WebUser))
		// A hash below the policy, as before a cost increase.
		weak, err := crypt.Crypt("old", "$2a$05$abcdefghijklmnopqrstuu")
		require.NoError(t, err)
		_, err = l.Pool.Exec(ctx, "ALTER TABLE basic_auth.users DISABLE TRIGGER encrypt_pass; "+
			"UPDATE basic_auth.users SET pass = "+quoteLiteral(weak)+"; ALTER TABLE basic_auth.users ENABLE TRIGGER encrypt_pass")
		require.NoError(t, err)
		var reports []error
		svc, err := NewService(store, testSecret, WithHashCost(7), WithRehashErrors(func(err error) { reports = append(reports, err) }))
		require.NoError(t, err)

		change, err := l.Pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = change.Rollback(ctx) }()
		_, err = change.Exec(ctx, "UPDATE basic_auth.users SET pass = 'new' WHERE email = 'a@b.c'")
		require.NoError(t, err)

		done := make(chan error, 1)
		go func() {
			_, err := svc.Login(ctx, "a@b.c", "old")
			done <- err
		}()
		waitForLockWait(t, l)
		require.NoError(t, change.Commit(ctx))
		select {
		case err := <-done:
			require.NoError(t, err, "the login read the old hash before the change: it succeeds")
		case <-time.After(time.Minute):
			t.Fatal("login did not finish")
		}
		assert.Empty(t, reports, "losing the race is not an error")
		assert.True(t, loginWorks(t, svc, "a@b.c", "new"))
		assert.False(t, loginWorks(t, svc, "a@b.c", "old"), "the rehash must not restore the old password")
		assert.True(t, sqlLoginWorks(t, l, "a@b.c", "new"))
		assert.False(t, sqlLoginWorks(t, l, "a@b.c", "old"))
		assert.True(t, strings.HasPrefix(storedHash(t, l, "a@b.c"), "$2a$07$"), "the change's hash, made by the trigger")
	})
}

// waitForLockWait waits until a session of l's database waits for a lock.
func waitForLockWait(t *testing.T, l *loginDB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(testCtx(t), 30*time.Second)
	defer cancel()
	for {
		var n int
		err := l.Pool.QueryRow(ctx, "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = pg_catalog.current_database() "+
			"AND wait_event_type = 'Lock' AND query LIKE 'UPDATE %'").Scan(&n)
		require.NoError(t, err)
		if n > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("the rehash never waited for the change's row lock")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
