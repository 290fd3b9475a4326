package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/auth/postgrest"
)

// collector exports the snapshots of auth.Service.Stats and
// postgrest.Authenticator.Stats at scrape time: the libraries keep the only
// counters, so nothing is counted twice. The token cache metrics have
// PostgREST's names (its admin server's /metrics), the rest pgjwt_ names.
type collector struct {
	svc  *auth.Service
	auth *postgrest.Authenticator
}

var (
	descCacheRequests  = prometheus.NewDesc("pgrst_jwt_cache_requests_total", "The total number of JWT cache lookups.", nil, nil)
	descCacheHits      = prometheus.NewDesc("pgrst_jwt_cache_hits_total", "The total number of JWT cache hits.", nil, nil)
	descCacheEvictions = prometheus.NewDesc("pgrst_jwt_cache_evictions_total", "The total number of JWT cache evictions.", nil, nil)
	descCacheExpired   = prometheus.NewDesc("pgjwt_jwt_cache_expired_removals_total", "JWT cache entries removed because their token expired (not evictions).", nil, nil)
	descCacheEntries   = prometheus.NewDesc("pgjwt_jwt_cache_entries", "Tokens in the JWT cache.", nil, nil)
	descRequests       = prometheus.NewDesc("pgjwt_jwt_requests_total", "Requests authenticated by the middleware, by outcome: accepted (a valid token), anonymous (no token, db-anon-role), or the PostgREST error code.", []string{"outcome"}, nil)
	descKeyRefreshes   = prometheus.NewDesc("pgjwt_jwt_key_refreshes_total", "Reloads of the verification key set, by result.", []string{"result"}, nil)
	descLogins         = prometheus.NewDesc("pgjwt_logins_total", "Logins by outcome: success, invalid_credentials (unknown user or wrong password, not told apart), error.", []string{"outcome"}, nil)
	descQueueDepth     = prometheus.NewDesc("pgjwt_hash_queue_depth", "Calls waiting for a password hashing slot.", nil, nil)
	descInFlight       = prometheus.NewDesc("pgjwt_hash_in_flight", "Password hashing slots in use.", nil, nil)
	descQueueFull      = prometheus.NewDesc("pgjwt_hash_queue_full_total", "Calls refused because the hashing queue was full (503).", nil, nil)
	descWaits          = prometheus.NewDesc("pgjwt_hash_waits_total", "Calls that waited for a hashing slot.", nil, nil)
	descWaitSeconds    = prometheus.NewDesc("pgjwt_hash_wait_seconds_total", "Total time calls waited for a hashing slot.", nil, nil)
	descHashOps        = prometheus.NewDesc("pgjwt_hash_operations_total", "Operations that held a hashing slot (verifications, sign-ups, password changes).", nil, nil)
	descHashSeconds    = prometheus.NewDesc("pgjwt_hash_seconds_total", "Total time hashing slots were held.", nil, nil)
)

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCacheRequests, descCacheHits, descCacheEvictions, descCacheExpired,
		descCacheEntries, descRequests, descKeyRefreshes, descLogins, descQueueDepth, descInFlight, descQueueFull,
		descWaits, descWaitSeconds, descHashOps, descHashSeconds} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	a := c.auth.Stats()
	counter(descCacheRequests, float64(a.CacheRequests))
	counter(descCacheHits, float64(a.CacheHits))
	counter(descCacheEvictions, float64(a.CacheEvictions))
	counter(descCacheExpired, float64(a.CacheExpiredRemovals))
	gauge(descCacheEntries, float64(a.CacheEntries))
	counter(descRequests, float64(a.Accepted), "accepted")
	counter(descRequests, float64(a.Anonymous), "anonymous")
	for code, n := range a.Rejected {
		counter(descRequests, float64(n), code)
	}
	counter(descKeyRefreshes, float64(a.KeyRefreshes), "ok")
	counter(descKeyRefreshes, float64(a.KeyRefreshFailures), "error")

	s := c.svc.Stats()
	counter(descLogins, float64(s.LoginSuccesses), "success")
	counter(descLogins, float64(s.LoginInvalidCredentials), "invalid_credentials")
	counter(descLogins, float64(s.LoginErrors), "error")
	gauge(descQueueDepth, float64(s.HashQueueDepth))
	gauge(descInFlight, float64(s.HashInFlight))
	counter(descQueueFull, float64(s.HashQueueFull))
	counter(descWaits, float64(s.HashWaits))
	counter(descWaitSeconds, s.HashWaitTime.Seconds())
	counter(descHashOps, float64(s.HashOps))
	counter(descHashSeconds, s.HashTime.Seconds())
}

// metricsHandler serves the collector in the Prometheus text format, on a
// registry of its own (no process or Go runtime metrics: add
// collectors.NewGoCollector() and collectors.NewProcessCollector(…) to it if
// you want them).
func metricsHandler(svc *auth.Service, a *postgrest.Authenticator) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{svc: svc, auth: a})
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
