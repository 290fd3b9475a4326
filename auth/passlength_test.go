package auth

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// TestMaxPasswordLength: a password over the limit is refused before any
// lookup or hashing, on every path that takes one; at the limit, and with
// the limit off, the SQL's any-length behaviour holds.
func TestMaxPasswordLength(t *testing.T) {
	ctx := t.Context()
	atLimit := strings.Repeat("p", DefaultMaxPasswordLength)
	over := atLimit + "p"

	p, serve := probeHandler(t, nil)
	rec := serve("POST", "/rpc/login", `{"email":"u@example.com","pass":"`+over+`"}`)
	assert.Equal(t, 400, rec.Code)
	assert.JSONEq(t, `{"code":"22001","details":"The password has 1025 bytes; at most 1024 are allowed.","hint":null,"message":"password is too long"}`, rec.Body.String())
	rec = serve("POST", "/rpc/login", `{"email":"nobody@example.com","pass":"`+over+`"}`)
	assert.Equal(t, 400, rec.Code, "the same answer for an unknown user")
	assert.Zero(t, p.lookups.Load(), "no lookup (and so no hashing) for a password over the limit")

	rec = serve("POST", "/rpc/login", `{"email":"u@example.com","pass":"`+atLimit+`"}`)
	assert.Equal(t, 403, rec.Code, "at the limit the password is checked (and wrong)")
	assert.EqualValues(t, 1, p.lookups.Load())

	svc, err := NewService(NewMemStore("web"), testSecret)
	require.NoError(t, err)
	require.ErrorIs(t, svc.SignUp(ctx, "a@example.com", over, "web"), ErrPasswordTooLong)
	_, err = svc.Login(ctx, "a@example.com", "x")
	require.ErrorIs(t, err, ErrInvalidPassword, "the refused sign-up left no user")
	require.NoError(t, svc.SignUp(ctx, "a@example.com", atLimit, "web"))
	_, err = svc.Login(ctx, "a@example.com", atLimit)
	require.NoError(t, err)
	assert.ErrorIs(t, svc.SetPassword(ctx, "a@example.com", over), ErrPasswordTooLong)
	assert.ErrorIs(t, svc.ChangePassword(ctx, "a@example.com", atLimit, over), ErrPasswordTooLong)
	assert.ErrorIs(t, svc.ChangePassword(ctx, "a@example.com", over, "new"), ErrPasswordTooLong)
	_, err = svc.Login(ctx, "a@example.com", atLimit)
	assert.NoError(t, err, "the refused changes kept the password")

	// 0: any length, as in SQL.
	huge := strings.Repeat("h", 64<<10)
	svc, err = NewService(NewMemStore("web"), testSecret, WithMaxPasswordLength(0))
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(ctx, "b@example.com", huge, "web"))
	_, err = svc.Login(ctx, "b@example.com", huge)
	assert.NoError(t, err)

	_, err = NewService(NewMemStore("web"), testSecret, WithMaxPasswordLength(-1))
	assert.ErrorContains(t, err, "max password length -1")
}

// TestMaxPasswordLengthLatin1: the limit counts bytes of the database
// encoding, as the SQL signup() and change_password() count them with
// octet_length: through a UTF8 client of a LATIN1 database, 600 "é" (1,200
// bytes of UTF-8, 600 of LATIN1) pass both, 1,025 fail both with the same
// answer.
func TestMaxPasswordLengthLatin1(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		member := uniqueName("member")
		l := newLoginDB(t, c, "LATIN1", WithUserRole(member))
		pool := l.UTF8Pool(t)
		store, err := NewPGStore(ctx, pool)
		require.NoError(t, err)
		svc, err := NewService(store, testSecret)
		require.NoError(t, err)
		for i, n := range []int{600, DefaultMaxPasswordLength, DefaultMaxPasswordLength + 1} {
			pass := strings.Repeat("é", n)
			sqlEmail, goEmail := fmt.Sprintf("sql%d@example.com", i), fmt.Sprintf("go%d@example.com", i)
			_, sqlErr := pool.Exec(ctx, "SELECT public.signup($1, $2)", sqlEmail, pass)
			goErr := svc.SignUp(ctx, goEmail, pass, member)
			if n <= DefaultMaxPasswordLength {
				require.NoError(t, sqlErr, "%d characters", n)
				require.NoError(t, goErr, "%d characters", n)
				_, err := svc.Login(ctx, sqlEmail, pass)
				require.NoError(t, err)
				continue
			}
			var pgErr *pgconn.PgError
			require.ErrorAs(t, sqlErr, &pgErr)
			require.ErrorIs(t, goErr, ErrPasswordTooLong)
			var goSQL *sqlerr.Error
			require.ErrorAs(t, goErr, &goSQL)
			assert.Equal(t, pgErr.Code, goSQL.SQLState())
			assert.Equal(t, pgErr.Message, goSQL.Message)
			assert.Equal(t, pgErr.Detail, goSQL.Detail)
		}
	})
}
