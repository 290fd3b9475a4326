package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/jwt"
)

// TestMetrics scrapes /metrics after a known sequence of requests and checks
// the exact value of every counter that sequence determines.
func TestMetrics(t *testing.T) {
	const (
		secret = "metrics-test-secret-LEAKCANARY-0123456789"
		pass   = "s3cret-LEAKCANARY-pass"
	)
	s := start(t, map[string]string{envSecret: secret}, "-user", "alice@example.com:"+pass+":webuser", "-server-timing")

	token := login(t, s.base, "alice@example.com", pass) // anonymous request, login success
	status, _, _ := call(t, "POST", s.base+"/rpc/login", "", `{"email":"alice@example.com","pass":"wrong"}`)
	require.Equal(t, 403, status) // invalid credentials
	status, _, _ = call(t, "POST", s.base+"/rpc/login", "", `{"email":"bob@example.com","pass":"`+pass+`"}`)
	require.Equal(t, 403, status)                         // invalid credentials (unknown user)
	getMe(t, s.base, token)                               // cache miss, accepted
	_, _, resp := call(t, "GET", s.base+"/me", token, "") // cache hit, accepted
	assert.Regexp(t, `^jwt;dur=[0-9]+\.[0-9]$`, resp.Header.Get("Server-Timing"))
	status, _, resp = call(t, "GET", s.base+"/me", "a.b", "") // PGRST301
	require.Equal(t, 401, status)
	assert.Empty(t, resp.Header.Values("Server-Timing"))
	expired, err := jwt.Sign([]byte(`{"role":"webuser","exp":`+strconv.FormatInt(time.Now().Unix()-3600, 10)+`}`), secret, "HS256")
	require.NoError(t, err)
	status, _, _ = call(t, "GET", s.base+"/me", expired, "") // PGRST303, removed from the cache
	require.Equal(t, 401, status)
	status, _, _ = call(t, "GET", s.base+"/me", "", "") // anonymous
	require.Equal(t, 200, status)

	status, body, resp := call(t, "GET", s.base+"/metrics", "", "")
	require.Equal(t, 200, status)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	want := map[string]float64{
		"pgrst_jwt_cache_requests_total":                    4,
		"pgrst_jwt_cache_hits_total":                        1,
		"pgrst_jwt_cache_evictions_total":                   0,
		"pgjwt_jwt_cache_expired_removals_total":            1,
		"pgjwt_jwt_cache_entries":                           1,
		`pgjwt_jwt_requests_total{outcome="accepted"}`:      2,
		`pgjwt_jwt_requests_total{outcome="anonymous"}`:     4,
		`pgjwt_jwt_requests_total{outcome="PGRST300"}`:      0,
		`pgjwt_jwt_requests_total{outcome="PGRST301"}`:      1,
		`pgjwt_jwt_requests_total{outcome="PGRST302"}`:      0,
		`pgjwt_jwt_requests_total{outcome="PGRST303"}`:      1,
		`pgjwt_jwt_key_refreshes_total{result="ok"}`:        0,
		`pgjwt_jwt_key_refreshes_total{result="error"}`:     0,
		`pgjwt_logins_total{outcome="success"}`:             1,
		`pgjwt_logins_total{outcome="invalid_credentials"}`: 2,
		`pgjwt_logins_total{outcome="error"}`:               0,
		"pgjwt_hash_queue_depth":                            0,
		"pgjwt_hash_in_flight":                              0,
		"pgjwt_hash_queue_full_total":                       0,
		"pgjwt_hash_waits_total":                            0,
		"pgjwt_hash_wait_seconds_total":                     0,
		"pgjwt_hash_operations_total":                       4, // the user's sign-up and three logins
	}
	got := map[string]float64{}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		got[line[:i]] = v
	}
	hashSeconds := got["pgjwt_hash_seconds_total"]
	delete(got, "pgjwt_hash_seconds_total")
	assert.Equal(t, want, got)
	assert.Positive(t, hashSeconds)
	for _, typ := range []string{"# TYPE pgrst_jwt_cache_requests_total counter", "# TYPE pgjwt_hash_queue_depth gauge"} {
		assert.Contains(t, body, typ)
	}

	// The log has the logins and failures, and none of the secrets.
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.out.String()
	assert.Regexp(t, regexp.MustCompile(`msg="auth: login" outcome=success email=alice@example.com role=webuser`), out)
	assert.Equal(t, 2, strings.Count(out, `msg="auth: login failed"`))
	assert.Contains(t, out, "code=PGRST301")
	assert.Contains(t, out, "code=PGRST303")
	for _, secret := range append([]string{"LEAKCANARY", token, expired}, strings.Split(token, ".")...) {
		assert.NotContains(t, out, secret)
	}
}
