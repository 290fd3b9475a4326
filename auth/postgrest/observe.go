package postgrest

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of an Authenticator's counters, all counted since
// NewAuthenticator. Read it with Authenticator.Stats at any time (it is
// cheap and safe for concurrent use) and export it to the metrics system of
// your choice; examples/login serves it in the Prometheus text format.
//
// The three cache counters mean what PostgREST's admin-server metrics of the
// same names mean: CacheRequests is pgrst_jwt_cache_requests_total (lookups:
// every request that carries a token, when a secret is set and the cache is
// on), CacheHits pgrst_jwt_cache_hits_total, CacheEvictions
// pgrst_jwt_cache_evictions_total (entries dropped to make room).
type Stats struct {
	CacheRequests  uint64 // token cache lookups
	CacheHits      uint64 // lookups that found the token
	CacheEvictions uint64 // entries evicted (SIEVE) because the cache was full
	// CacheExpiredRemovals counts entries dropped because their token
	// expired, which this package does and PostgREST does not (its entries
	// stay until evicted); not part of CacheEvictions.
	CacheExpiredRemovals uint64
	CacheEntries         int // tokens in the cache now (a gauge)

	// Accepted counts requests that passed with a token, Anonymous those
	// without a token that ran as db-anon-role.
	Accepted  uint64
	Anonymous uint64
	// Rejected counts refused requests by PostgREST error code: PGRST300
	// (no secret), PGRST301 (decoding or signature), PGRST302 (no token and
	// no db-anon-role, or a token without a role claim and no db-anon-role),
	// PGRST303 (claims: exp, nbf, iat, aud). Every code is present, zeros
	// included.
	Rejected map[string]uint64

	// KeyRefreshes and KeyRefreshFailures count reloads of the key set
	// (remote JWKS), successful or not.
	KeyRefreshes       uint64
	KeyRefreshFailures uint64
}

// outcome indexes the Authenticator's verification counters.
type outcome uint8

const (
	outAccepted outcome = iota
	outAnonymous
	outPGRST300
	outPGRST301
	outPGRST302
	outPGRST303
	numOutcomes
)

var rejectCodes = [numOutcomes]string{outPGRST300: "PGRST300", outPGRST301: "PGRST301",
	outPGRST302: "PGRST302", outPGRST303: "PGRST303"}

// counters are the Authenticator's; each is one atomic add on its path, no
// lock. The padding keeps them off the cache line of the token cache's lock.
type counters struct {
	_               [64]byte
	outcomes        [numOutcomes]atomic.Uint64
	cacheMisses     atomic.Uint64 // requests = hits + misses: one add per lookup
	cacheHits       atomic.Uint64
	cacheEvictions  atomic.Uint64
	cacheExpired    atomic.Uint64
	keyRefreshes    atomic.Uint64
	keyRefreshFails atomic.Uint64
	_               [64]byte
}

func outcomeOf(e *APIError) outcome {
	switch e.Code {
	case "PGRST300":
		return outPGRST300
	case "PGRST301":
		return outPGRST301
	case "PGRST302":
		return outPGRST302
	default:
		return outPGRST303
	}
}

// Stats returns the counters now. The fields are read one by one, so under
// load a snapshot may be a request ahead in one field (CacheHits counted,
// Accepted not yet); each counter on its own never goes back.
func (a *Authenticator) Stats() Stats {
	c := &a.counters
	misses := c.cacheMisses.Load()
	hits := c.cacheHits.Load()
	s := Stats{
		CacheRequests:        hits + misses,
		CacheHits:            hits,
		CacheEvictions:       c.cacheEvictions.Load(),
		CacheExpiredRemovals: c.cacheExpired.Load(),
		Accepted:             c.outcomes[outAccepted].Load(),
		Anonymous:            c.outcomes[outAnonymous].Load(),
		Rejected:             make(map[string]uint64, 4),
		KeyRefreshes:         c.keyRefreshes.Load(),
		KeyRefreshFailures:   c.keyRefreshFails.Load(),
	}
	for o := outPGRST300; o < numOutcomes; o++ {
		s.Rejected[rejectCodes[o]] = c.outcomes[o].Load()
	}
	if a.cache != nil {
		s.CacheEntries = a.cache.len()
	}
	return s
}

// WithLogger logs through l (nil, the default: no logging at all, at no
// cost). Records, each with a fixed message and attributes (never a token,
// claim value, secret or key):
//
//   - "postgrest: authentication failed" at Info for PGRST301, PGRST302 and
//     PGRST303 (client errors: expired and forged tokens are routine), at
//     Warn for PGRST300 (the server lacks a secret: a configuration error);
//     attributes code, status and message (PostgREST's message, e.g. "JWT
//     expired"). The middleware logs with the request's context, so a
//     handler that adds request attributes from the context sees them.
//   - "postgrest: keys refreshed" at Info (attributes source, keys) and
//     "postgrest: key refresh failed" at Warn (source, error), when a
//     remote key set is reloaded.
//
// Successful authentications are not logged (they are counted in Stats):
// an access log is the application's business.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithServerTiming(true) is PostgREST's server-timing-enabled: responses of
// requests that pass the middleware carry "Server-Timing: jwt;dur=D", D the
// time authentication took in milliseconds with one decimal (as PostgREST
// renders it, e.g. "jwt;dur=0.1"). It is added to the headers before the
// wrapped handler runs, which may add its own metrics (Header().Add). As in
// PostgREST, failures answered by the middleware carry no Server-Timing.
// Off by default: the header tells clients how long verification took.
// PostgREST documents milliseconds; its releases before the fix of #3227
// (2024) rendered microseconds, and #4522 reports v14 values still off by a
// factor: this package sends the measured milliseconds.
func WithServerTiming(on bool) Option {
	return func(c *config) { c.serverTiming = on }
}

// logFailure logs a refused request (a.log is non-nil).
func (a *Authenticator) logFailure(ctx context.Context, e *APIError) {
	level := slog.LevelInfo
	if e.Code == "PGRST300" {
		level = slog.LevelWarn
	}
	if !a.log.Enabled(ctx, level) {
		return
	}
	a.log.LogAttrs(ctx, level, "postgrest: authentication failed",
		slog.String("code", e.Code), slog.Int("status", e.Status), slog.String("message", e.Message))
}

// keyRefreshed is the hook for a remote key set's reloads: it counts the
// refresh and logs it (source must say where the keys came from without
// credentials, e.g. a URL without user info or query). keys is the number
// of keys now in use; err is the reason a refresh failed (its text must not
// hold key material).
func (a *Authenticator) keyRefreshed(ctx context.Context, source string, keys int, err error) {
	if err != nil {
		a.counters.keyRefreshFails.Add(1)
		if a.log != nil {
			a.log.LogAttrs(ctx, slog.LevelWarn, "postgrest: key refresh failed",
				slog.String("source", source), slog.String("error", err.Error()))
		}
		return
	}
	a.counters.keyRefreshes.Add(1)
	if a.log != nil {
		a.log.LogAttrs(ctx, slog.LevelInfo, "postgrest: keys refreshed",
			slog.String("source", source), slog.Int("keys", keys))
	}
}

// setServerTiming adds PostgREST's Server-Timing metric for d.
func setServerTiming(h http.Header, d time.Duration) {
	var buf [32]byte
	b := append(buf[:0], "jwt;dur="...)
	b = strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'f', 1, 64)
	h.Add("Server-Timing", string(b))
}
