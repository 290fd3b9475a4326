package auth

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// TestAccountFunctionsHostileNames installs signup() and change_password()
// under names that try to end the quoting, and uses them through the grants:
// anonymous sign-up, a password change as the users' role, and nothing else
// (the sentinel table survives; PUBLIC may not run them).
func TestAccountFunctionsHostileNames(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		var roles []string
		dropRolesLater(t, c, &roles)
		db := c.NewDatabase(t, "UTF8")
		_, err := db.Pool.Exec(ctx, "CREATE TABLE public.sentinel (x int)")
		require.NoError(t, err)
		for i, base := range []string{`$auth$`, `";DROP TABLE public.sentinel;--`, `';DROP TABLE public.sentinel;--`,
			`@user@ @user_lit@ @max_pass@`, "x\nDROP TABLE public.sentinel; --", `Ünïcødé ☃ 😀`} {
			private, exposed := base, fitName(base, " api")
			anon, authn, user := fitName(base, uniqueName(" anon")), fitName(base, uniqueName(" authn")), fitName(base, uniqueName(" user"))
			roles = append(roles, anon, authn, user)
			_, err := db.Pool.Exec(ctx, "CREATE SCHEMA "+sanitize(exposed))
			require.NoError(t, err, "%d %q", i, base)
			opts := []SchemaOption{WithPrivateSchema(private), WithExposedSchema(exposed), WithAnonRole(anon),
				WithAuthenticatorRole(authn), WithUserRole(user)}
			_, err = InstallSchema(ctx, db.Pool, opts...)
			require.NoError(t, err, "%d %q", i, base)
			_, err = InstallSchema(ctx, db.Pool, opts...)
			require.NoError(t, err, "%d %q: again", i, base)

			tx, err := db.Pool.Begin(ctx)
			require.NoError(t, err)
			t.Cleanup(func() { _ = tx.Rollback(ctx) }) // a failure must not leave the transaction holding locks
			run := func(role, claims, sql string) error {
				_, err := tx.Exec(ctx, "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", role, claims)
				require.NoError(t, err)
				_, err = tx.Exec(ctx, "SAVEPOINT s")
				require.NoError(t, err)
				_, err = tx.Exec(ctx, sql)
				if err != nil {
					_, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT s")
					require.NoError(t, rerr)
				}
				_, rerr := tx.Exec(ctx, "SET LOCAL ROLE NONE")
				require.NoError(t, rerr)
				return err
			}
			fn := sanitize(exposed)
			require.NoError(t, run(anon, "", "SELECT "+fn+".signup('a@b.c', 'pw')"), "%d %q", i, base)
			var got string
			require.NoError(t, tx.QueryRow(ctx, "SELECT role FROM "+sanitize(private)+".users WHERE email = 'a@b.c'").Scan(&got))
			require.Equal(t, user, got)
			require.NoError(t, run(user, `{"email":"a@b.c"}`, "SELECT "+fn+".change_password('pw', 'pw2')"), "%d %q", i, base)
			require.ErrorContains(t, run(anon, `{"email":"a@b.c"}`, "SELECT "+fn+".change_password('pw2', 'pw3')"), "permission denied")
			require.ErrorContains(t, run(user, "", "SELECT "+fn+".signup('b@b.c', 'pw')"), "permission denied")
			require.ErrorContains(t, run(authn, `{"email":"a@b.c"}`, "SELECT "+fn+".change_password('pw2', 'pw3')"), "permission denied",
				"the authenticator may switch to the users' role but does not inherit it")
			var ok bool
			require.NoError(t, tx.QueryRow(ctx, "SELECT "+sanitize(private)+".user_role('a@b.c', 'pw2') IS NOT NULL").Scan(&ok))
			require.True(t, ok)
			require.NoError(t, tx.Rollback(ctx))
		}
		var n int
		require.NoError(t, db.Pool.QueryRow(ctx, "SELECT count(*) FROM public.sentinel").Scan(&n))
	})
}

// TestInstallAccountFunctionsTwice: with WithUserRole, a second
// installation changes nothing either.
func TestInstallAccountFunctionsTwice(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8", WithUserRole(uniqueName("member")))
		var before, after string
		require.NoError(t, l.Pool.QueryRow(ctx, catalogSnapshot, l.Auth).Scan(&before))
		require.Contains(t, before, " signup(text,text) ")
		require.Contains(t, before, " change_password(text,text) ")
		_, err := InstallSchema(ctx, l.Pool, l.SchemaOptions...)
		require.NoError(t, err)
		require.NoError(t, l.Pool.QueryRow(ctx, catalogSnapshot, l.Auth).Scan(&after))
		require.Equal(t, before, after)
	})
}
