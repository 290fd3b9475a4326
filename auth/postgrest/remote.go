package postgrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/httprc/v3"
)

// A remote JWKS: the keys come from a URL (Supabase's
// https://<project>.supabase.co/auth/v1/.well-known/jwks.json, Auth0,
// Keycloak, Google, or auth.JWKSHandler) and follow its rotations.
//
// Fetching, scheduling and caching are github.com/lestrrat-go/httprc/v3's,
// the engine of lestrrat-go/jwx's jwk.Cache: it refreshes when the
// response's Cache-Control max-age or Expires says (clamped to a minimum
// and maximum interval), keeps the last good document when a fetch fails,
// and serialises fetches in its own goroutines. The fetched bytes are read
// by this package's own JWKS parser (a transformer in httprc's terms), so
// PostgREST's rules apply to them exactly as to a jwt-secret: kid matching,
// alg and kty checks, the strict JSON checks. jwx's jwk.Cache would parse
// with jwx's rules instead, and MicahParks/keyfunc's jwkset refreshes at a
// fixed interval, without the caching headers.

// RemoteOption configures WithRemoteJWKS.
type RemoteOption func(*remoteConfig)

type remoteConfig struct {
	url          string
	minRefresh   time.Duration
	maxRefresh   time.Duration
	startTimeout time.Duration
	client       *http.Client
	maxBody      int64
	startCtx     context.Context
}

// Defaults of WithRemoteJWKS.
const (
	DefaultJWKSMinRefresh   = 5 * time.Minute
	DefaultJWKSMaxRefresh   = 24 * time.Hour
	DefaultJWKSStartTimeout = 10 * time.Second
	maxJWKSBody             = 1 << 20
)

// WithRemoteJWKS takes the keys from the JWKS at rawURL (https, or http for
// a local address) instead of jwt-secret, which PostgREST cannot do
// (PostgREST issue #1130). NewAuthenticator fetches it first and fails when
// that fetch fails or times out (WithJWKSStartTimeout) or the document is
// not a valid, non-empty JWKS; then the document is refreshed in the
// background as its Cache-Control max-age (or Expires) says, within
// WithJWKSRefreshInterval's bounds. A token whose kid no key has triggers
// one refresh (a provider may just have rotated), at most one per minimum
// interval however many unknown kids arrive, so a flood of random kids
// cannot make the Authenticator flood the provider. When a refresh fails,
// or fetches something invalid, the last good keys stay in use.
//
// Safe defaults beyond PostgREST's jwt-secret rules: a fetched document
// that holds an HMAC (oct) key is refused, as a JWKS is public and anyone
// could sign with such a key; documents over 1 MiB are refused. Call Close
// to stop the background refresh.
func WithRemoteJWKS(rawURL string, opts ...RemoteOption) Option {
	rc := &remoteConfig{url: rawURL, minRefresh: DefaultJWKSMinRefresh, maxRefresh: DefaultJWKSMaxRefresh,
		startTimeout: DefaultJWKSStartTimeout, maxBody: maxJWKSBody}
	for _, o := range opts {
		o(rc)
	}
	return func(c *config) { c.remote = rc }
}

// WithJWKSRefreshInterval bounds the refresh interval: never more often
// than min (also the limit of unknown-kid refreshes), never less often than
// max, whatever the caching headers say.
func WithJWKSRefreshInterval(min, max time.Duration) RemoteOption {
	return func(c *remoteConfig) { c.minRefresh, c.maxRefresh = min, max }
}

// WithJWKSStartTimeout bounds the first fetch, and each unknown-kid
// refresh a request waits for.
func WithJWKSStartTimeout(d time.Duration) RemoteOption {
	return func(c *remoteConfig) { c.startTimeout = d }
}

// WithJWKSStartContext makes the first fetch end with ctx too (say the
// server's start-up context); NewAuthenticator then fails with its error.
func WithJWKSStartContext(ctx context.Context) RemoteOption {
	return func(c *remoteConfig) { c.startCtx = ctx }
}

// WithJWKSHTTPClient fetches with client (default: one with a 10-second
// timeout).
func WithJWKSHTTPClient(client *http.Client) RemoteOption {
	return func(c *remoteConfig) { c.client = client }
}

// remoteJWKS is a running remote key source.
type remoteJWKS struct {
	url     string
	source  string   // url without credentials, query or fragment, for logs
	secrets []string // the forms of url that may carry credentials or a query
	ctrl    httprc.Controller
	min     time.Duration
	timeout time.Duration
	lastKid atomic.Int64 // UnixNano of the last unknown-kid refresh (or of the start)
	lastErr atomic.Pointer[error]
}

// errorSink keeps httprc's last error, for start-up failures.
type errorSink struct {
	r      *remoteJWKS
	a      *Authenticator
	onFail func()
}

func (s errorSink) Put(ctx context.Context, err error) {
	err = s.r.scrub(err)
	s.r.lastErr.Store(&err)
	s.a.keyRefreshed(ctx, s.r.source, 0, err)
	if s.onFail != nil {
		s.onFail()
	}
}

// jwksTransformer parses a fetched document with the jwt-secret rules and
// publishes its keys; an error keeps the previous keys (httprc stores
// nothing).
type jwksTransformer struct {
	a      *Authenticator
	max    int64
	source string
}

func (t jwksTransformer) Transform(ctx context.Context, res *http.Response) (*keyState, error) {
	body, err := io.ReadAll(io.LimitReader(res.Body, t.max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > t.max {
		return nil, fmt.Errorf("%w: the JWKS is over %d bytes", ErrInvalidJWK, t.max)
	}
	keys, err := parseJSONSecret(body, true)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrInvalidJWK, err)
	case len(keys) == 0:
		return nil, fmt.Errorf("%w: the JWKS has no keys", ErrInvalidJWK)
	}
	for i, k := range keys {
		if k.kty == ktyOct {
			return nil, fmt.Errorf("%w: %s is an HMAC (oct) key, which a public JWKS must not hold", ErrInvalidJWK, keyLabel(i, k.kid, k.hasKid))
		}
	}
	t.a.keyRefreshed(ctx, t.source, len(keys), nil)
	return t.a.storeKeys(keys), nil
}

// startRemote fetches the JWKS for the first time and starts the refresh.
func (a *Authenticator) startRemote(rc *remoteConfig) error {
	u, err := url.Parse(rc.url)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// Not quoted: the text may hold a password or an API key.
		return errors.New("postgrest: WithRemoteJWKS: not an http(s) URL")
	}
	if rc.minRefresh <= 0 || rc.maxRefresh < rc.minRefresh || rc.startTimeout <= 0 {
		return errors.New("postgrest: WithRemoteJWKS: want 0 < min refresh ≤ max refresh and a positive start timeout")
	}
	client := rc.client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	r := &remoteJWKS{url: rc.url, source: u.Scheme + "://" + u.Host + u.Path, min: rc.minRefresh, timeout: rc.startTimeout,
		secrets: urlForms(rc.url, u)}
	parent := rc.startCtx
	if parent == nil {
		parent = context.Background()
	}
	startCtx, cancel := context.WithTimeout(parent, rc.startTimeout)
	defer cancel()
	var started atomic.Bool
	sink := errorSink{r: r, a: a, onFail: func() {
		if !started.Load() {
			cancel() // the first fetch failed: no need to wait for the timeout
		}
	}}
	ctrl, err := httprc.NewClient(httprc.WithErrorSink(sink), httprc.WithWorkers(1)).Start(context.Background())
	if err != nil {
		return fmt.Errorf("postgrest: WithRemoteJWKS: %w", err)
	}
	res, err := httprc.NewResource[*keyState](rc.url, jwksTransformer{a: a, max: rc.maxBody, source: r.source},
		httprc.WithHTTPClient(client), httprc.WithMinInterval(rc.minRefresh), httprc.WithMaxInterval(rc.maxRefresh))
	if err == nil {
		err = ctrl.Add(startCtx, res)
	}
	started.Store(true)
	if err != nil {
		_ = ctrl.Shutdown(time.Second)
		if last := r.lastErr.Load(); last != nil {
			err = *last
		} else if ctxErr := startCtx.Err(); ctxErr != nil {
			err = ctxErr
		}
		return fmt.Errorf("postgrest: WithRemoteJWKS %s: %w", r.source, r.scrub(err))
	}
	r.ctrl = ctrl
	r.lastKid.Store(time.Now().UnixNano())
	a.remote = r
	return nil
}

// urlForms are the ways raw may be quoted in an error: as given, as
// url.URL prints it, with the password as url.Redacted and as net/http
// masks it, and without the user.
func urlForms(raw string, u *url.URL) []string {
	forms := []string{raw, u.String(), u.Redacted()}
	if u.User != nil {
		masked, bare := *u, *u
		masked.User = url.UserPassword(u.User.Username(), "***")
		bare.User = nil
		forms = append(forms, masked.String(), bare.String())
	}
	// Longest first, so that a form never leaves part of a longer one.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return forms
}

// scrub replaces the URL in err's text (net/http and httprc quote it, query
// and all) with source, which has no credentials, query or fragment: the
// error goes into logs and into NewAuthenticator's error. The original
// stays reachable through errors.Is/As, never through printing.
func (r *remoteJWKS) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range r.secrets {
		if s != r.source {
			msg = strings.ReplaceAll(msg, s, r.source)
		}
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// refreshForKid refetches the JWKS for a token with an unknown kid, unless
// a refresh for a kid ran within the minimum interval or is running; it
// returns the keys after a refresh, nil when none ran.
func (r *remoteJWKS) refreshForKid(a *Authenticator) *keyState {
	now := time.Now().UnixNano()
	last := r.lastKid.Load()
	if now-last < int64(r.min) || !r.lastKid.CompareAndSwap(last, now) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	if err := r.ctrl.Refresh(ctx, r.url); err != nil {
		// httprc returns this one's error instead of giving it to the sink.
		a.keyRefreshed(ctx, r.source, 0, r.scrub(err))
		return nil // the last good keys stay
	}
	return a.keys.Load()
}

// Close stops the background refresh of WithRemoteJWKS (the keys last
// fetched stay in use); without a remote JWKS it does nothing.
func (a *Authenticator) Close() error {
	if a.remote == nil {
		return nil
	}
	return a.remote.ctrl.Shutdown(5 * time.Second)
}
