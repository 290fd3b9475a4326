package postgrest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kidKey is one EC key with its kid, for the rotation tests.
type kidKey struct {
	kid  string
	priv *ecdsa.PrivateKey
}

func newKidKey(t testing.TB, kid string) kidKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return kidKey{kid, k}
}

func (k kidKey) jwk(t testing.TB) string { return jwkJSON(t, &k.priv.PublicKey, k.kid, "ES256") }

func (k kidKey) token(t testing.TB, role string) string {
	return mint(t, `{"alg":"ES256","kid":"`+k.kid+`","typ":"JWT"}`, `{"role":"`+role+`"}`, jwt.SigningMethodES256, k.priv)
}

func jwksOf(t testing.TB, ks ...kidKey) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = k.jwk(t)
	}
	return `{"keys":[` + strings.Join(parts, ",") + `]}`
}

func authOK(t *testing.T, a *Authenticator, token, role string) {
	t.Helper()
	id, apiErr := a.AuthenticateToken(token, true)
	require.Nil(t, apiErr)
	assert.Equal(t, role, id.Role())
}

func authRefused(t *testing.T, a *Authenticator, token string) *APIError {
	t.Helper()
	_, apiErr := a.AuthenticateToken(token, true)
	require.NotNil(t, apiErr)
	return apiErr
}

// TestSetJWTSecret: after a swap, a cached token of a removed key is
// refused at once; a bad secret changes nothing.
func TestSetJWTSecret(t *testing.T) {
	ka, kb := newKidKey(t, "a"), newKidKey(t, "b")
	a, err := NewAuthenticator(WithJWTSecret(jwksOf(t, ka, kb)))
	require.NoError(t, err)
	ta, tb := ka.token(t, "ra"), kb.token(t, "rb")
	authOK(t, a, ta, "ra") // now cached
	authOK(t, a, tb, "rb")
	require.NoError(t, a.SetJWTSecret(jwksOf(t, kb)))
	apiErr := authRefused(t, a, ta)
	assert.Equal(t, "No suitable key or wrong key type", apiErr.Message)
	authOK(t, a, tb, "rb")
	require.ErrorIs(t, a.SetJWTSecret(`{"keys":[{"kty":"EC"}]}`), ErrInvalidJWK)
	require.Error(t, a.SetJWTSecret(""))
	authOK(t, a, tb, "rb")
	require.NoError(t, a.SetJWTSecret(jwksOf(t, ka)))
	authOK(t, a, ta, "ra")
	authRefused(t, a, tb)

	// No secret at first: PGRST300 until one is set.
	b, err := NewAuthenticator()
	require.NoError(t, err)
	assert.Equal(t, "PGRST300", authRefused(t, b, ta).Code)
	require.NoError(t, b.SetJWTSecret(jwksOf(t, ka)))
	authOK(t, b, ta, "ra")
}

// TestSetJWTSecretRace swaps keys while requests verify (run with -race):
// no race and no panic; and once the swapping is over, the answers are the
// last set's, though both tokens sit in the cache. (Two answers in a row
// may come from two sets while another goroutine swaps between them.)
func TestSetJWTSecretRace(t *testing.T) {
	ka, kb := newKidKey(t, "a"), newKidKey(t, "b")
	a, err := NewAuthenticator(WithJWTSecret(jwksOf(t, ka)), WithJWTCacheMaxEntries(10))
	require.NoError(t, err)
	ta, tb := ka.token(t, "ra"), kb.token(t, "rb")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				if (i+j)%50 == 0 {
					_ = a.SetJWTSecret(jwksOf(t, []kidKey{ka, kb}[j%2]))
				}
				_, _ = a.AuthenticateToken(ta, true)
				_, _ = a.AuthenticateToken(tb, true)
			}
		})
	}
	wg.Wait()
	for _, c := range []struct {
		set        kidKey
		okA, okB   bool
		name, want string
	}{{ka, true, false, "a", "ra"}, {kb, false, true, "b", "rb"}} {
		require.NoError(t, a.SetJWTSecret(jwksOf(t, c.set)))
		_, e1 := a.AuthenticateToken(ta, true)
		_, e2 := a.AuthenticateToken(tb, true)
		assert.Equal(t, c.okA, e1 == nil, "key set %s: token of a", c.name)
		assert.Equal(t, c.okB, e2 == nil, "key set %s: token of b", c.name)
	}
}

// jwksServer is a JWKS endpoint the tests rotate, break and count.
type jwksServer struct {
	*httptest.Server
	doc     atomic.Pointer[string]
	status  atomic.Int32
	maxAge  atomic.Int32
	delay   atomic.Int64
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T, doc string) *jwksServer {
	s := &jwksServer{}
	s.set(doc)
	s.status.Store(http.StatusOK)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		if d := s.delay.Load(); d > 0 {
			select {
			case <-time.After(time.Duration(d)):
			case <-r.Context().Done():
				return
			}
		}
		if ma := s.maxAge.Load(); ma > 0 {
			w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d", ma))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(s.status.Load()))
		_, _ = w.Write([]byte(*s.doc.Load()))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(doc string) { s.doc.Store(&doc) }

func remoteAuth(t *testing.T, s *jwksServer, opts ...RemoteOption) (*Authenticator, error) {
	a, err := NewAuthenticator(WithRemoteJWKS(s.URL, append([]RemoteOption{
		WithJWKSRefreshInterval(300*time.Millisecond, time.Hour), WithJWKSStartTimeout(2 * time.Second)}, opts...)...))
	if a != nil {
		t.Cleanup(func() { _ = a.Close() })
	}
	return a, err
}

// TestRemoteJWKSRotation: a new kid triggers one refresh; after it, a
// removed key's token is refused even though it was cached; a flood of
// unknown kids makes at most one fetch per interval; failed refreshes keep
// the last good keys.
func TestRemoteJWKSRotation(t *testing.T) {
	ka, kb, kc := newKidKey(t, "a"), newKidKey(t, "b"), newKidKey(t, "c")
	s := newJWKSServer(t, jwksOf(t, ka))
	a, err := remoteAuth(t, s)
	require.NoError(t, err)
	require.EqualValues(t, 1, s.fetches.Load())
	ta, tb, tc := ka.token(t, "ra"), kb.token(t, "rb"), kc.token(t, "rc")
	authOK(t, a, ta, "ra")

	// The provider rotates: b replaces a.
	s.set(jwksOf(t, kb))
	// Within the minimum interval an unknown kid fetches nothing.
	authRefused(t, a, tb)
	require.EqualValues(t, 1, s.fetches.Load())
	time.Sleep(350 * time.Millisecond)
	authOK(t, a, tb, "rb")
	require.EqualValues(t, 2, s.fetches.Load())
	assert.Equal(t, "No suitable key or wrong key type", authRefused(t, a, ta).Message, "a removed key's cached token")

	// A flood of random kids, in parallel: at most one fetch in the interval.
	time.Sleep(350 * time.Millisecond)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			authRefused(t, a, newKidKeyCached(t).tokenWithKid(t, fmt.Sprintf("random-%d", i)))
		})
	}
	wg.Wait()
	assert.EqualValues(t, 3, s.fetches.Load(), "one fetch for 200 unknown kids")

	// The provider fails, then serves garbage, an empty set, an HMAC key:
	// each refresh is made and refused, and b still verifies.
	for _, broken := range []func(){
		func() { s.status.Store(http.StatusInternalServerError) },
		func() { s.status.Store(http.StatusOK); s.set(`<html>oops</html>`) },
		func() { s.set(`{"keys":[]}`) },
		func() { s.set(`{"keys":[{"kty":"oct","k":"` + b64(specSecret) + `","kid":"c"}]}`) },
		func() { s.set(`{"keys":[` + kc.jwk(t) + `,{"kty":"EC","crv":"P256","x":"AA","y":"AA"}]}`) },
	} {
		broken()
		before := s.fetches.Load()
		time.Sleep(350 * time.Millisecond)
		authRefused(t, a, tc) // unknown kid: triggers the refresh
		require.Equal(t, before+1, s.fetches.Load())
		authOK(t, a, tb, "rb")
	}
	// Recovery.
	s.set(jwksOf(t, kb, kc))
	time.Sleep(350 * time.Millisecond)
	authOK(t, a, tc, "rc")
	authOK(t, a, tb, "rb")

	// Every fetch is counted as a refresh or a failure (Stats, and the log).
	st := a.Stats()
	assert.EqualValues(t, 5, st.KeyRefreshFailures, "the five broken documents")
	assert.EqualValues(t, s.fetches.Load()-5, st.KeyRefreshes)
}

var floodKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

type floodSigner struct{ priv *ecdsa.PrivateKey }

func newKidKeyCached(testing.TB) floodSigner { return floodSigner{floodKey()} }

func (f floodSigner) tokenWithKid(t testing.TB, kid string) string {
	return mint(t, `{"alg":"ES256","kid":"`+kid+`"}`, `{"role":"x"}`, jwt.SigningMethodES256, f.priv)
}

// TestRemoteJWKSCacheHeaders: the document is refetched as its max-age
// says, without any request.
func TestRemoteJWKSCacheHeaders(t *testing.T) {
	ka, kb := newKidKey(t, "a"), newKidKey(t, "b")
	s := newJWKSServer(t, jwksOf(t, ka))
	s.maxAge.Store(1)
	a, err := remoteAuth(t, s)
	require.NoError(t, err)
	s.set(jwksOf(t, kb))
	require.Eventually(t, func() bool { return s.fetches.Load() >= 2 }, 5*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool {
		_, e := a.AuthenticateToken(ka.token(t, "ra"), true)
		return e != nil
	}, 5*time.Second, 50*time.Millisecond, "the old key is gone after the timed refresh")
	authOK(t, a, kb.token(t, "rb"), "rb")
}

// TestRemoteJWKSStart: a start-up fetch that fails, times out or gets an
// invalid document is NewAuthenticator's error, quickly and without panic.
func TestRemoteJWKSStart(t *testing.T) {
	ka := newKidKey(t, "a")
	for name, c := range map[string]struct {
		setup func(*jwksServer)
		want  string
	}{
		"500":     {func(s *jwksServer) { s.status.Store(500) }, "status code=500"},
		"garbage": {func(s *jwksServer) { s.set("\x00garbage") }, "not valid JSON"},
		"empty":   {func(s *jwksServer) { s.set(`{"keys":[]}`) }, "no keys"},
		"oct":     {func(s *jwksServer) { s.set(`{"keys":[{"kty":"oct","k":"` + b64(specSecret) + `"}]}`) }, "HMAC"},
		"huge":    {func(s *jwksServer) { s.set(`{"keys":[` + strings.Repeat(" ", 2<<20) + `]}`) }, "over"},
		"slow":    {func(s *jwksServer) { s.delay.Store(int64(5 * time.Second)) }, "deadline"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newJWKSServer(t, jwksOf(t, ka))
			c.setup(s)
			start := time.Now()
			a, err := remoteAuth(t, s, WithJWKSStartTimeout(time.Second))
			require.Error(t, err)
			assert.Nil(t, a)
			assert.Contains(t, err.Error(), c.want)
			assert.Less(t, time.Since(start), 3*time.Second)
		})
	}
	_, err := NewAuthenticator(WithRemoteJWKS("ftp://x/jwks"))
	require.Error(t, err)
	_, err = NewAuthenticator(WithRemoteJWKS("http://127.0.0.1:1/jwks", WithJWKSStartTimeout(500*time.Millisecond)))
	require.Error(t, err)
	_, err = NewAuthenticator(WithJWTSecret(specSecret), WithRemoteJWKS("http://127.0.0.1:1/jwks"))
	require.Error(t, err)

	s := newJWKSServer(t, jwksOf(t, ka))
	a, err := remoteAuth(t, s)
	require.NoError(t, err)
	require.Error(t, a.SetJWTSecret(specSecret), "the keys come from the URL")
}

// TestRemoteJWKSURLSecretsNotShown: a JWKS URL with a password and an API
// key in its query appears in no error and no log line, only its scheme,
// host and path do; failures keep their errors.Is identity.
func TestRemoteJWKSURLSecretsNotShown(t *testing.T) {
	s := newJWKSServer(t, jwksOf(t, newKidKey(t, "a")))
	s.status.Store(500)
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	raw := "http://jwksuser:PASSWORDpw@" + u.Host + "/jwks?api_key=SECRETQUERY#FRAG"
	var logs bytes.Buffer
	_, err = NewAuthenticator(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		WithRemoteJWKS(raw, WithJWKSStartTimeout(time.Second)))
	require.Error(t, err)
	for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), logs.String()} {
		for _, secret := range []string{"PASSWORDpw", "SECRETQUERY", "FRAG", "jwksuser"} {
			assert.NotContains(t, out, secret)
		}
	}
	assert.Contains(t, err.Error(), "http://"+u.Host+"/jwks")
	assert.Contains(t, err.Error(), "status code=500")

	// An unknown kid's refresh failing is logged the same way.
	s.status.Store(200)
	logs.Reset()
	a, err := NewAuthenticator(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		WithRemoteJWKS(raw, WithJWKSRefreshInterval(time.Millisecond, time.Hour)))
	require.NoError(t, err)
	s.status.Store(500)
	time.Sleep(5 * time.Millisecond)
	kb := newKidKey(t, "b")
	t.Cleanup(func() { _ = a.Close() })
	_, apiErr := a.AuthenticateToken(kb.token(t, "x"), true)
	require.NotNil(t, apiErr)
	require.Contains(t, logs.String(), "key refresh failed")
	for _, secret := range []string{"PASSWORDpw", "SECRETQUERY", "FRAG", "jwksuser"} {
		assert.NotContains(t, logs.String(), secret)
	}

	_, err = NewAuthenticator(WithRemoteJWKS("ftp://user:PASSWORDpw@x/jwks?k=SECRETQUERY"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "PASSWORDpw")
	assert.NotContains(t, err.Error(), "SECRETQUERY")
}
