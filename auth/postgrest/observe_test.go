package postgrest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func serveTok(t *testing.T, h http.Handler, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "/items", nil)
	if token != "-" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// TestStatsKnownSequence runs a known sequence of requests and checks every
// counter.
func TestStatsKnownSequence(t *testing.T) {
	a, err := NewAuthenticator(WithJWTSecret(specSecret), WithAnonRole(specAnon), WithJWTCacheMaxEntries(2),
		WithClock(func() time.Time { return testNow }))
	require.NoError(t, err)
	h := a.Middleware(okHandler)
	exp := testNow.Unix() + 3600
	tokA := hs256(t, `{"role":"a","exp":`+itoa(exp)+`}`)
	tokB := hs256(t, `{"role":"b","exp":`+itoa(exp)+`}`)
	tokC := hs256(t, `{"role":"c"}`)
	expired := hs256(t, `{"role":"a","exp":`+itoa(testNow.Unix()-3600)+`}`)
	forged := mint(t, `{"alg":"HS256","typ":"JWT"}`, `{"role":"a"}`, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)))

	steps := []struct {
		token string
		code  int
	}{
		{"-", 200},     // anonymous
		{tokA, 200},    // miss, put
		{tokA, 200},    // hit
		{tokB, 200},    // miss, put (cache full now)
		{tokC, 200},    // miss, put: one eviction
		{"a.b", 401},   // PGRST301, structure: no put
		{forged, 401},  // PGRST301, signature
		{expired, 401}, // PGRST303: put (eviction), then removed as expired
		{tokC, 200},    // hit or miss depending on SIEVE? tokC was put last and survives: hit
	}
	for i, s := range steps {
		assert.Equal(t, s.code, serveTok(t, h, s.token).Code, "step %d", i)
	}
	assert.Equal(t, Stats{
		CacheRequests: 8, CacheHits: 2, CacheEvictions: 2, CacheExpiredRemovals: 1, CacheEntries: 1,
		Accepted: 5, Anonymous: 1,
		Rejected: map[string]uint64{"PGRST300": 0, "PGRST301": 2, "PGRST302": 0, "PGRST303": 1},
	}, a.Stats())

	// PGRST302 twice: no token without db-anon-role, and a token without
	// a role claim; through AuthenticateToken too.
	b, err := NewAuthenticator(WithJWTSecret(specSecret))
	require.NoError(t, err)
	assert.Equal(t, 401, serveTok(t, b.Middleware(okHandler), "-").Code)
	_, e := b.AuthenticateToken(hs256(t, `{"sub":"no role"}`), true)
	require.NotNil(t, e)
	st := b.Stats()
	assert.Equal(t, map[string]uint64{"PGRST300": 0, "PGRST301": 0, "PGRST302": 2, "PGRST303": 0}, st.Rejected)
	assert.Equal(t, uint64(1), st.CacheRequests)
	assert.Zero(t, st.Accepted+st.Anonymous)
}

func TestStatsNoSecret(t *testing.T) {
	a, err := NewAuthenticator(WithAnonRole(specAnon))
	require.NoError(t, err)
	_, e := a.AuthenticateToken("x.y.z", true)
	require.NotNil(t, e)
	_, e = a.AuthenticateToken("", false)
	require.Nil(t, e)
	st := a.Stats()
	assert.Equal(t, uint64(1), st.Rejected["PGRST300"])
	assert.Equal(t, uint64(1), st.Anonymous)
	assert.Zero(t, st.CacheRequests)
}

func TestStatsConcurrent(t *testing.T) {
	a, err := NewAuthenticator(WithJWTSecret(specSecret), WithAnonRole(specAnon))
	require.NoError(t, err)
	tok := benchToken(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, e := a.AuthenticateToken(tok, true)
				assert.Nil(t, e)
			}
		})
	}
	wg.Wait()
	st := a.Stats()
	assert.Equal(t, uint64(800), st.Accepted)
	assert.Equal(t, uint64(800), st.CacheRequests)
	assert.GreaterOrEqual(t, st.CacheHits, uint64(792)) // at most one miss per goroutine
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var serverTiming = regexp.MustCompile(`^jwt;dur=[0-9]+\.[0-9]$`)

func TestServerTiming(t *testing.T) {
	on, err := NewAuthenticator(WithJWTSecret(specSecret), WithAnonRole(specAnon), WithServerTiming(true))
	require.NoError(t, err)
	off, err := NewAuthenticator(WithJWTSecret(specSecret), WithAnonRole(specAnon))
	require.NoError(t, err)
	tok := benchToken(t)
	for _, token := range []string{tok, tok, "-"} { // uncached, cached, anonymous
		w := serveTok(t, on.Middleware(okHandler), token)
		require.Equal(t, 200, w.Code)
		assert.Regexp(t, serverTiming, w.Header().Get("Server-Timing"))
		assert.Len(t, w.Header().Values("Server-Timing"), 1)
		w = serveTok(t, off.Middleware(okHandler), token)
		assert.Empty(t, w.Header().Values("Server-Timing"))
	}
	// Failures carry none, as in PostgREST.
	w := serveTok(t, on.Middleware(okHandler), "a.b")
	require.Equal(t, 401, w.Code)
	assert.Empty(t, w.Header().Values("Server-Timing"))
	// The wrapped handler may add its own metrics.
	w = serveTok(t, on.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Server-Timing", "app;dur=1.0")
	})), tok)
	assert.Len(t, w.Header().Values("Server-Timing"), 2)

	for d, want := range map[time.Duration]string{
		14940 * time.Microsecond: "jwt;dur=14.9", 2 * time.Millisecond: "jwt;dur=2.0",
		30 * time.Microsecond: "jwt;dur=0.0", 80 * time.Microsecond: "jwt;dur=0.1", 1500 * time.Millisecond: "jwt;dur=1500.0",
	} {
		h := http.Header{}
		setServerTiming(h, d)
		assert.Equal(t, want, h.Get("Server-Timing"), d)
	}
}

// leakPassword stands for a password or secret that must never be logged.
const leakPassword = "hunter2-LEAKCANARY-password"

// TestLogsNeverLeak logs every record the Authenticator makes, as text and
// as JSON, and looks for the secret, every token sent (and each of its
// three parts), and key material.
func TestLogsNeverLeak(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var handler slog.Handler
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			if format == "json" {
				handler = slog.NewJSONHandler(&buf, opts)
			} else {
				handler = slog.NewTextHandler(&buf, opts)
			}
			log := slog.New(handler)
			a, err := NewAuthenticator(WithJWTSecret(specSecret), WithLogger(log), WithServerTiming(true),
				WithClock(func() time.Time { return testNow }))
			require.NoError(t, err)
			h := a.Middleware(okHandler)
			exp := itoa(testNow.Unix() - 3600)
			tokens := []string{
				hs256(t, `{"role":"web","email":"`+leakPassword+`"}`),                                                 // accepted
				hs256(t, `{"role":"web","pass":"`+leakPassword+`","exp":`+exp+`}`),                                    // PGRST303
				hs256(t, `{"pass":"`+leakPassword+`"}`),                                                               // PGRST302 (no role, no anon)
				mint(t, `{"alg":"HS256"}`, `{"role":"x"}`, jwt.SigningMethodHS256, []byte(leakPassword+leakPassword)), // PGRST301
				leakPassword + "." + leakPassword + "." + leakPassword,                                                // PGRST301, garbage
				leakPassword, // PGRST301, one part
			}
			for _, tok := range tokens {
				serveTok(t, h, tok)
				a.AuthenticateToken(tok, true)
			}
			serveTok(t, h, "-") // PGRST302
			noSecret, err := NewAuthenticator(WithLogger(log))
			require.NoError(t, err)
			serveTok(t, noSecret.Middleware(okHandler), tokens[0]) // PGRST300
			a.keyRefreshed(context.Background(), "https://issuer.example/jwks.json", 2, nil)
			a.keyRefreshed(context.Background(), "https://issuer.example/jwks.json", 0, errors.New("HTTP 503"))

			out := buf.String()
			for _, code := range []string{"PGRST300", "PGRST301", "PGRST302", "PGRST303", "keys refreshed", "key refresh failed"} {
				assert.Contains(t, out, code)
			}
			assert.Equal(t, 2*5+1+1+2, strings.Count(out, "\n"), out) // five failing tokens twice, PGRST302, PGRST300, two refreshes
			secrets := []string{specSecret, leakPassword, b64(specSecret)}
			for _, tok := range tokens {
				secrets = append(secrets, tok)
				secrets = append(secrets, strings.Split(tok, ".")...)
			}
			for _, s := range secrets {
				if len(s) >= 8 {
					assert.NotContains(t, out, s)
				}
			}
		})
	}
}
