package auth

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
)

// TestErrorNames: callers reach the fields through auth.Error, and the
// condition auth shares with auth/postgrest matches under either name.
func TestErrorNames(t *testing.T) {
	err := NewMemStore("web").CreateUser(context.Background(), "a@example.com", "pw", "nobody")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "23503", e.SQLState())
	assert.Equal(t, "unknown database role: nobody", e.Message)
	assert.ErrorIs(t, err, ErrUnknownRole)

	_, err = NewService(NewMemStore("web"), "short")
	assert.ErrorIs(t, err, ErrShortSecret)
	assert.ErrorIs(t, err, postgrest.ErrShortSecret)
	_, err = postgrest.NewAuthenticator(postgrest.WithJWTSecret("short"))
	assert.ErrorIs(t, err, ErrShortSecret)
}
