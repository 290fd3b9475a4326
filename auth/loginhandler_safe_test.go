package auth

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const bulkDisabled = `{"code":"PGRST102","details":null,"hint":null,"message":"Bulk login is disabled: send a single JSON object, not an array (the server allows arrays with auth.WithBulkLogin)"}`

// probeHandler is a login handler on a counting store with the user
// u@example.com (password pw), and a function that serves one request.
func probeHandler(t *testing.T, svcOpts []ServiceOption, opts ...LoginHandlerOption) (*probeStore, func(method, target, body string) *httptest.ResponseRecorder) {
	t.Helper()
	p := newProbeStore()
	svc, err := NewService(p, testSecret, svcOpts...)
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(t.Context(), "u@example.com", "pw", "web"))
	h := NewLoginHandler(svc, opts...)
	return p, func(method, target, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
		return rec
	}
}

const two = `[{"email":"u@example.com","pass":"pw"},{"email":"nobody@example.com","pass":"pw"}]`

// TestBulkLoginOffByDefault: an array body costs no lookup and no bcrypt
// run, and gets a 400 that says why and what turns bulk login on.
func TestBulkLoginOffByDefault(t *testing.T) {
	p, do := probeHandler(t, nil)
	for _, body := range []string{two, `[{"email":"u@example.com","pass":"pw"}]`, `[]`} {
		rec := do("POST", "/rpc/login", body)
		assert.Equal(t, 400, rec.Code, body)
		assert.Equal(t, bulkDisabled, rec.Body.String(), body)
		assert.Equal(t, "PostgREST; error=PGRST102", rec.Header().Get("Proxy-Status"))
	}
	assert.Zero(t, p.lookups.Load(), "no login may run for a refused array")
	// A single object still logs in.
	assert.Equal(t, 200, do("POST", "/rpc/login", `{"email":"u@example.com","pass":"pw"}`).Code)
}

// TestBulkLoginOption: WithBulkLogin(n) runs every element of an array of
// up to n objects, one hashing slot at a time (so even a single slot and no
// queue suffice); a longer array is refused before any hashing.
func TestBulkLoginOption(t *testing.T) {
	p, do := probeHandler(t, []ServiceOption{WithHashConcurrency(1), WithHashQueue(0)}, WithBulkLogin(3))

	rec := do("POST", "/rpc/login", `[{"email":"u@example.com","pass":"pw"},{"email":"u@example.com","pass":"pw"}]`)
	require.Equal(t, 200, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `{"token":"`)
	assert.Equal(t, int64(2), p.lookups.Load())

	// PostgREST's answer for a failing element stays.
	rec = do("POST", "/rpc/login", two)
	assert.Equal(t, 403, rec.Code)
	assert.Equal(t, int64(4), p.lookups.Load())

	p.lookups.Store(0)
	four := "[" + strings.Repeat(`{"email":"u@example.com","pass":"pw"},`, 3) + `{"email":"u@example.com","pass":"pw"}]`
	rec = do("POST", "/rpc/login", four)
	assert.Equal(t, 413, rec.Code)
	assert.Equal(t, `{"code":"PGRST102","details":null,"hint":null,"message":"Bulk login is limited to 3 objects per request, got 4"}`, rec.Body.String())
	// Over the cap even with keys that would not match: counted first.
	assert.Equal(t, 413, do("POST", "/rpc/login", `[1,2,3,4]`).Code)
	assert.Zero(t, p.lookups.Load(), "no login may run for an array over the cap")
}

// TestLoginGETOffByDefault: credentials in a query string get PostgREST's
// 405 with an Allow header and a hint, and no login runs; WithLoginGET(true)
// restores PostgREST's GET.
func TestLoginGETOffByDefault(t *testing.T) {
	p, do := probeHandler(t, nil)
	rec := do("GET", "/rpc/login?email=u%40example.com&pass=pw", "")
	assert.Equal(t, 405, rec.Code)
	assert.Equal(t, `{"code":"PGRST101","details":null,"hint":"Send the credentials in a POST body: in a URL they end up in logs and browser history","message":"Cannot use the GET method on RPC"}`, rec.Body.String())
	assert.Equal(t, "OPTIONS,POST", rec.Header().Get("Allow"))
	rec = do("HEAD", "/rpc/login?email=u%40example.com&pass=pw", "")
	assert.Equal(t, 405, rec.Code)
	assert.Equal(t, "OPTIONS,POST", rec.Header().Get("Allow"))
	rec = do("PUT", "/rpc/login", "{}")
	assert.Equal(t, 405, rec.Code)
	assert.Equal(t, "OPTIONS,POST", rec.Header().Get("Allow"))
	assert.Zero(t, p.lookups.Load())

	p, do = probeHandler(t, nil, WithLoginGET(true))
	assert.Equal(t, 200, do("GET", "/rpc/login?email=u%40example.com&pass=pw", "").Code)
	assert.Equal(t, int64(1), p.lookups.Load())
	assert.Equal(t, "OPTIONS,GET,HEAD,POST", do("DELETE", "/rpc/login", "").Header().Get("Allow"))
}
