package auth

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

// JWKSPath is where JWKS documents are conventionally served (RFC 8414's
// well-known URI as Supabase, Auth0 and others use it).
const JWKSPath = "/.well-known/jwks.json"

// DefaultJWKSMaxAge is the Cache-Control max-age of JWKSHandler.
const DefaultJWKSMaxAge = 5 * time.Minute

// JWKSOption changes a JWKSHandler.
type JWKSOption func(*jwksConfig)

type jwksConfig struct{ maxAge time.Duration }

// WithJWKSMaxAge sets the Cache-Control max-age (default DefaultJWKSMaxAge,
// whole seconds, 0 for no-cache). A verifier may keep the document that
// long, so Add a new key at least that long before Rotate makes it current.
func WithJWKSMaxAge(d time.Duration) JWKSOption { return func(c *jwksConfig) { c.maxAge = d } }

// JWKSHandler serves ks.PublicJWKS() to GET and HEAD (mount it at
// JWKSPath): the current and retired public keys, each with kid, alg and
// "use":"sig", never a private or HMAC key, read from ks at each request so
// that a rotation shows at once. The document is valid verbatim as
// PostgREST's jwt-secret (and postgrest.WithJWTSecret). Responses carry
// Cache-Control: public, max-age and an ETag (If-None-Match gets 304);
// other methods get 405 with Allow.
func JWKSHandler(ks *KeySet, opts ...JWKSOption) http.Handler {
	cfg := jwksConfig{maxAge: DefaultJWKSMaxAge}
	for _, o := range opts {
		o(&cfg)
	}
	cacheControl := "no-cache"
	if s := int64(cfg.maxAge / time.Second); s > 0 {
		cacheControl = "public, max-age=" + strconv.FormatInt(s, 10)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		st := ks.state.Load() // never written: no copy needed
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", cacheControl)
		h.Set("ETag", st.etag)
		h.Set("X-Content-Type-Options", "nosniff")
		// ServeContent answers If-None-Match, HEAD and Range.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(st.jwks))
	})
}
