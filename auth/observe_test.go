package auth

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func postLogin(t *testing.T, svc *Service, body string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/rpc/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	NewLoginHandler(svc).ServeHTTP(rec, req)
	return rec.Code
}

// TestServiceStatsKnownSequence runs a known sequence of calls and checks
// every counter and gauge.
func TestServiceStatsKnownSequence(t *testing.T) {
	svc, err := NewService(NewMemStore("web"), testSecret, WithHashConcurrency(1), WithHashQueue(1),
		WithMaxPasswordLength(64))
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, svc.SignUp(ctx, "alice@example.com", "right", "web")) // op 1
	_, err = svc.Login(ctx, "alice@example.com", "right")                    // op 2: success
	require.NoError(t, err)
	_, err = svc.Login(ctx, "alice@example.com", "wrong") // op 3: invalid
	require.ErrorIs(t, err, ErrInvalidPassword)
	_, err = svc.Login(ctx, "bob@example.com", "right") // op 4: invalid (unknown user)
	require.ErrorIs(t, err, ErrInvalidPassword)
	_, err = svc.Login(ctx, "alice@example.com", strings.Repeat("x", 65)) // error, no hashing
	require.ErrorIs(t, err, ErrPasswordTooLong)
	assert.Equal(t, 200, postLogin(t, svc, `{"email":"alice@example.com","pass":"right"}`)) // op 5: success
	assert.Equal(t, 403, postLogin(t, svc, `{"email":"alice@example.com","pass":null}`))    // op 6: invalid (NULL)
	_, err = svc.UserRole(ctx, "alice@example.com", "right")                                // op 7: not a login
	require.NoError(t, err)

	st := svc.Stats()
	assert.Equal(t, [3]uint64{2, 3, 1}, [3]uint64{st.LoginSuccesses, st.LoginInvalidCredentials, st.LoginErrors})
	assert.Equal(t, uint64(7), st.HashOps)
	assert.Positive(t, st.HashTime)
	assert.Zero(t, st.HashWaits+st.HashQueueFull)
	assert.Zero(t, st.HashQueueDepth)
	assert.Zero(t, st.HashInFlight)

	// Saturation: the one slot held, one login waits, the next is refused.
	require.NoError(t, svc.acquire(ctx))
	held := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := svc.Login(context.Background(), "alice@example.com", "right")
		done <- err
	}()
	waitQueued(t, svc, 1)
	_, err = svc.Login(ctx, "alice@example.com", "right")
	require.ErrorIs(t, err, ErrHashQueueFull)
	st = svc.Stats()
	assert.Equal(t, int64(1), st.HashQueueDepth)
	assert.Equal(t, 1, st.HashInFlight)
	assert.Equal(t, uint64(1), st.HashQueueFull)
	assert.Equal(t, uint64(1), st.HashWaits)
	time.Sleep(20 * time.Millisecond)
	svc.releaseSince(held) // op 8
	require.NoError(t, <-done)

	st = svc.Stats()
	assert.Equal(t, [3]uint64{3, 3, 2}, [3]uint64{st.LoginSuccesses, st.LoginInvalidCredentials, st.LoginErrors})
	assert.Equal(t, uint64(9), st.HashOps) // the waiting login: op 9
	assert.Equal(t, uint64(1), st.HashWaits)
	assert.GreaterOrEqual(t, st.HashWaitTime, 20*time.Millisecond)
	assert.GreaterOrEqual(t, st.HashTime, 20*time.Millisecond)
	assert.Zero(t, st.HashQueueDepth)
	assert.Zero(t, st.HashInFlight)
}

// TestServiceLogsNeverLeak sends known passwords, a known secret, and the
// tokens and hashes they make through every logging path, as text and as
// JSON, and looks for them in the records.
func TestServiceLogsNeverLeak(t *testing.T) {
	const (
		pass    = "hunter2-LEAKCANARY-pass"
		newPass = "correct-horse-LEAKCANARY"
	)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var h slog.Handler = slog.NewTextHandler(&buf, opts)
			if format == "json" {
				h = slog.NewJSONHandler(&buf, opts)
			}
			store := NewMemStore("web")
			svc, err := NewService(store, testSecret, WithLogger(slog.New(h)), WithHashConcurrency(1),
				WithHashQueue(0), WithMaxPasswordLength(64))
			require.NoError(t, err)
			ctx := t.Context()
			require.NoError(t, svc.SignUp(ctx, "alice@example.com", pass, "web"))
			token, err := svc.Login(ctx, "alice@example.com", pass)
			require.NoError(t, err)
			_, err = svc.Login(ctx, "alice@example.com", newPass) // wrong password
			require.ErrorIs(t, err, ErrInvalidPassword)
			_, err = svc.Login(ctx, pass, pass) // the password typed as the email
			require.ErrorIs(t, err, ErrInvalidPassword)
			_, err = svc.Login(ctx, "alice@example.com", pass+strings.Repeat(pass, 3)) // too long
			require.Error(t, err)
			_, err = svc.Login(ctx, "alice@example.com", pass+"\xff") // invalid UTF-8: 22021
			require.Error(t, err)
			_, err = svc.Login(ctx, pass+"\xff", pass) // the same in the email
			require.Error(t, err)
			require.NoError(t, svc.ChangePassword(ctx, "alice@example.com", pass, newPass))
			assert.Equal(t, 200, postLogin(t, svc, `{"email":"alice@example.com","pass":"`+newPass+`"}`))
			assert.Equal(t, 403, postLogin(t, svc, `{"email":"`+newPass+`","pass":null}`))
			assert.Equal(t, 403, postLogin(t, svc, `{"email":"alice@example.com","pass":"`+pass+`"}`))
			// Saturation: the slot held and no queue.
			require.NoError(t, svc.acquire(ctx))
			_, err = svc.Login(ctx, "alice@example.com", newPass)
			require.ErrorIs(t, err, ErrHashQueueFull)
			assert.Equal(t, 503, postLogin(t, svc, `{"email":"alice@example.com","pass":"`+newPass+`"}`))
			svc.releaseSince(time.Now())
			u, err := store.LookupUser(ctx, "alice@example.com")
			require.NoError(t, err)

			out := buf.String()
			for _, want := range []string{"auth: login", "auth: login failed", "auth: login error", "auth: hashing queue full",
				"alice@example.com", "28P01", "22021", "22001", "53000"} {
				assert.Contains(t, out, want)
			}
			assert.Equal(t, 1, strings.Count(out, "hashing queue full"), "at most one a second")
			secrets := []string{pass, newPass, testSecret, u.Hash, u.Hash[7:], svc.dummy, token}
			secrets = append(secrets, strings.Split(token, ".")...)
			for _, s := range secrets {
				assert.NotContains(t, out, s)
			}
			assert.NotContains(t, out, "LEAKCANARY")
			// Never which of unknown user and wrong password.
			assert.NotContains(t, strings.ToLower(out), "unknown")
			assert.NotContains(t, strings.ToLower(out), "not found")
		})
	}
}
