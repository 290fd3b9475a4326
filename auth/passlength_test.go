package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
