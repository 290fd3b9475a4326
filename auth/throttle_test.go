package auth

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestMemThrottleRecovers(t *testing.T) {
	m, err := NewMemThrottle(Limit{Every: 10 * time.Second, Burst: 3}, 0)
	require.NoError(t, err)
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	m.now = clk.now
	take := func() (bool, time.Duration) {
		ok, wait, err := m.Take(t.Context(), "alice@example.com")
		require.NoError(t, err)
		return ok, wait
	}
	for i := range 3 {
		ok, _ := take()
		require.True(t, ok, "attempt %d", i+1)
	}
	ok, wait := take()
	require.False(t, ok)
	assert.Equal(t, 10*time.Second, wait)
	clk.advance(4 * time.Second)
	ok, wait = take() // refused attempts spend nothing
	require.False(t, ok)
	assert.Equal(t, 6*time.Second, wait)
	clk.advance(6 * time.Second)
	ok, _ = take()
	require.True(t, ok, "one attempt back after Every")
	ok, _ = take()
	require.False(t, ok)
	clk.advance(time.Hour)
	for range 3 {
		ok, _ := take()
		require.True(t, ok, "a full bucket after a long pause")
	}
	ok, _ = take()
	require.False(t, ok, "but never more than Burst")
	// Other keys have buckets of their own.
	ok, _, _ = m.Take(t.Context(), "bob@example.com")
	require.True(t, ok)
}

// TestMemThrottleBounded: a flood of 100,000 distinct keys leaves at most
// maxKeys of them in memory, and the most recent key still throttled.
func TestMemThrottleBounded(t *testing.T) {
	m, err := NewMemThrottle(Limit{Every: time.Minute, Burst: 1}, 1000)
	require.NoError(t, err)
	for i := range 100_000 {
		ok, _, err := m.Take(t.Context(), "user"+strconv.Itoa(i)+"@example.com")
		require.NoError(t, err)
		require.True(t, ok)
	}
	assert.Equal(t, 1000, m.Len())
	assert.Len(t, m.keys, 1000)
	ok, _, _ := m.Take(t.Context(), "user99999@example.com")
	assert.False(t, ok, "a recent key is still remembered")
	ok, _, _ = m.Take(t.Context(), "user0@example.com")
	assert.True(t, ok, "the oldest key was evicted")
}

func TestLimitValidate(t *testing.T) {
	_, err := NewMemThrottle(Limit{Every: 0, Burst: 1}, 0)
	require.Error(t, err)
	_, err = NewMemThrottle(Limit{Every: time.Second, Burst: 0}, 0)
	require.Error(t, err)
	_, err = NewMemThrottle(Limit{Every: time.Second, Burst: 1}, -1)
	require.Error(t, err)
	_, err = NewPGThrottle(nil, "x", Limit{Every: time.Second, Burst: 1})
	require.Error(t, err)
}

// TestLoginThrottle: per account and per address, the handler answers 429
// PT429 with Retry-After after the burst, before any hashing, and recovers
// when the bucket refills; X-Forwarded-For counts only when trusted.
func TestLoginThrottle(t *testing.T) {
	svc, err := NewService(NewMemStore("web"), testSecret)
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(t.Context(), "u@example.com", "pw", "web"))
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	account, err := NewMemThrottle(Limit{Every: time.Minute, Burst: 2}, 0)
	require.NoError(t, err)
	address, err := NewMemThrottle(Limit{Every: 30 * time.Second, Burst: 4}, 0)
	require.NoError(t, err)
	account.now, address.now = clk.now, clk.now
	h := NewLoginHandler(svc, WithAccountThrottle(account), WithAddressThrottle(address))
	login := func(email, pass, remote string, xff ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/rpc/login", strings.NewReader(`{"email":"`+email+`","pass":"`+pass+`"}`))
		req.RemoteAddr = remote
		for _, v := range xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const tooMany = `{"code":"PT429","details":null,"hint":null,"message":"too many login attempts"}`
	assert.Equal(t, 403, login("u@example.com", "guess1", "192.0.2.1:1000").Code)
	assert.Equal(t, 403, login("u@example.com", "guess2", "192.0.2.2:1000").Code)
	rec := login("u@example.com", "pw", "192.0.2.3:1000") // even the right password: the account is out of attempts
	assert.Equal(t, 429, rec.Code)
	assert.Equal(t, tooMany, rec.Body.String())
	assert.Equal(t, "60", rec.Header().Get("Retry-After"))
	assert.Equal(t, "PostgREST; error=PT429", rec.Header().Get("Proxy-Status"))
	clk.advance(time.Minute)
	assert.Equal(t, 200, login("u@example.com", "pw", "192.0.2.3:1000").Code, "recovered")

	// One address, many accounts: the address limit (4) stops it; a forged
	// X-Forwarded-For changes nothing by default.
	clk.advance(time.Hour)
	for i := range 4 {
		assert.Equal(t, 403, login(fmt.Sprintf("x%d@example.com", i), "x", "198.51.100.7:1", fmt.Sprintf("203.0.113.%d", i)).Code)
	}
	rec = login("x9@example.com", "x", "198.51.100.7:2", "203.0.113.99")
	assert.Equal(t, 429, rec.Code)
	assert.Equal(t, "30", rec.Header().Get("Retry-After"))
	// IPv6: one /64 is one client.
	for i := range 4 {
		assert.Equal(t, 403, login(fmt.Sprintf("y%d@example.com", i), "x", fmt.Sprintf("[2001:db8:1:2::%x]:1", i+1)).Code)
	}
	assert.Equal(t, 429, login("y9@example.com", "x", "[2001:db8:1:2:ffff::1]:1").Code)
	assert.Equal(t, 403, login("y9@example.com", "x", "[2001:db8:1:3::1]:1").Code)

	// Trusted: the address the one proxy appended counts, not the client's
	// own first entry, nor the proxy's connection.
	h = NewLoginHandler(svc, WithAddressThrottle(address), WithForwardedFor(1))
	for i := range 4 {
		assert.Equal(t, 403, login(fmt.Sprintf("z%d@example.com", i), "x", "10.0.0.1:1", "1.2.3.4", "203.0.113.50").Code)
	}
	assert.Equal(t, 429, login("z9@example.com", "x", "10.0.0.1:1", "5.6.7.8, 203.0.113.50").Code)
	assert.Equal(t, 403, login("z9@example.com", "x", "10.0.0.1:1", "203.0.113.51").Code)
}

// TestPGThrottleLive: two Services with their handlers, on one database,
// share the limits: the attempts of one count for the other, exactly also
// under concurrency, and the limit recovers.
func TestPGThrottleLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		require.NoError(t, InstallThrottleSchema(ctx, l.Pool, ""))
		require.NoError(t, InstallThrottleSchema(ctx, l.Pool, ""), "installing again is fine")
		_, err := l.Pool.Exec(ctx, "INSERT INTO basic_auth.users VALUES ('u@example.com', 'pw', $1)", l.WebUser)
		require.NoError(t, err)
		limit := Limit{Every: 2 * time.Second, Burst: 3}
		var handlers []*httptest.Server
		var throttles []*PGThrottle
		for range 2 {
			store, err := NewPGStore(ctx, l.Pool)
			require.NoError(t, err)
			svc, err := NewService(store, testSecret)
			require.NoError(t, err)
			th, err := NewPGThrottle(l.Pool, "login-account", limit)
			require.NoError(t, err)
			throttles = append(throttles, th)
			srv := httptest.NewServer(NewLoginHandler(svc, WithAccountThrottle(th)))
			t.Cleanup(srv.Close)
			handlers = append(handlers, srv)
		}
		login := func(i int, pass string) (int, string) {
			resp, err := handlers[i%2].Client().Post(handlers[i%2].URL+"/rpc/login", "application/json",
				strings.NewReader(`{"email":"u@example.com","pass":"`+pass+`"}`))
			require.NoError(t, err)
			resp.Body.Close()
			return resp.StatusCode, resp.Header.Get("Retry-After")
		}
		for i := range 3 {
			code, _ := login(i, "wrong")
			require.Equal(t, 403, code, "attempt %d", i+1)
		}
		code, retry := login(3, "pw")
		require.Equal(t, 429, code, "the fourth attempt, on either replica")
		require.Equal(t, "2", retry)
		code, _ = login(4, "pw")
		require.Equal(t, 429, code)
		time.Sleep(2100 * time.Millisecond)
		code, _ = login(5, "pw")
		require.Equal(t, 200, code, "recovered after Every")
		code, _ = login(6, "pw")
		require.Equal(t, 429, code)

		// Concurrent attempts from both replicas on a fresh key: exactly
		// Burst pass.
		var allowed atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := throttles[i%2].Take(ctx, "concurrent@example.com")
				assert.NoError(t, err)
				if ok {
					allowed.Add(1)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(3), allowed.Load())

		// Other scopes count apart; Prune removes refilled keys only.
		other, err := NewPGThrottle(l.Pool, "login-address", Limit{Every: time.Millisecond, Burst: 1})
		require.NoError(t, err)
		ok, _, err := other.Take(ctx, "u@example.com")
		require.NoError(t, err)
		require.True(t, ok)
		time.Sleep(10 * time.Millisecond)
		n, err := other.Prune(context.Background())
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		var rows int
		require.NoError(t, l.Pool.QueryRow(ctx, "SELECT count(*) FROM basic_auth.throttle").Scan(&rows))
		assert.Equal(t, 2, rows, "the account scope's keys stay")
	})
}
