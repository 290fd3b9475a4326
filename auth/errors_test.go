package auth

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/crypt"
	"github.com/pgjwt-go/pgjwt/jwt"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
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

// TestOneVocabulary: the same PostgreSQL condition has the same name in
// every package that returns it, and errors.Is matches across them; other
// conditions with the same SQLSTATE stay apart.
func TestOneVocabulary(t *testing.T) {
	_, nul := crypt.Crypt("a\x00b", "$1$salt")
	_, badJWT := jwt.Sign([]byte("\xff"), "secret", "HS256")
	_, badPG := pgjson.RowToJSON(pgjson.Object{{Key: "k", Value: "\xff"}})
	_, badLogin := NewMemStore("web").LookupUser(context.Background(), "\xff")
	for name, err := range map[string]error{"crypt": nul, "jwt": badJWT, "pgjson": badPG, "auth": badLogin} {
		require.Error(t, err, name)
		for _, target := range []error{crypt.ErrInvalidEncoding, jwt.ErrInvalidEncoding, pgjson.ErrInvalidEncoding, ErrInvalidEncoding} {
			assert.ErrorIs(t, err, target, "%s: %v", name, err)
		}
		assert.NotErrorIs(t, err, jwt.ErrInvalidJSON, name)
	}

	_, jsonJWT := jwt.Sign([]byte(`{"a":}`), "secret", "HS256")
	_, jsonPG := pgjson.RowToJSON(pgjson.Object{{Key: "k", Value: json.RawMessage(`{"a":}`)}})
	for _, err := range []error{jsonJWT, jsonPG} {
		assert.ErrorIs(t, err, jwt.ErrInvalidJSON)
		assert.ErrorIs(t, err, pgjson.ErrInvalidJSON)
	}
	assert.NotErrorIs(t, crypt.ErrInvalidSalt, jwt.ErrBase64End, "both 22023, other conditions")
}
