package postgrest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkRemoteJWKS: the middleware with a remote JWKS against the same
// keys given statically, with the token cache on (the hot path: one atomic
// load more per request) and off (a verification per request).
func BenchmarkRemoteJWKS(b *testing.B) {
	k := newKidKey(b, "bench")
	doc := jwksOf(b, k)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		_, _ = w.Write([]byte(doc))
	}))
	defer srv.Close()
	token := k.token(b, "web_user")
	for _, cache := range []struct {
		name string
		max  int
	}{{"cached", 1000}, {"uncached", 0}} {
		static, err := NewAuthenticator(WithJWTSecret(doc), WithJWTCacheMaxEntries(cache.max))
		if err != nil {
			b.Fatal(err)
		}
		remote, err := NewAuthenticator(WithRemoteJWKS(srv.URL), WithJWTCacheMaxEntries(cache.max))
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name string
			a    *Authenticator
		}{{"static", static}, {"remote", remote}} {
			h := c.a.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			b.Run(cache.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				w := httptest.NewRecorder()
				for b.Loop() {
					h.ServeHTTP(w, req)
					if w.Code != 200 {
						b.Fatal(w.Code, w.Body.String())
					}
				}
			})
		}
		_ = remote.Close()
	}
}
