package postgrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// benchToken is a typical login token: role, email and a far exp.
func benchToken(tb testing.TB) string {
	return hs256(tb, `{"role":"web_user","email":"alice@example.com","exp":4102444800}`)
}

// okHandler is the "bare" application handler.
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(200)
	_, _ = io.WriteString(w, "ok")
})

// nullWriter is a ResponseWriter that keeps nothing, so that benchmarks
// measure the handler chain and not httptest.ResponseRecorder.
type nullWriter struct {
	h    http.Header
	code int
}

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nullWriter) WriteHeader(code int)        { w.code = code }

// naiveMiddleware is what one would write with golang-jwt alone: parse with
// MapClaims, HS256 only, 30 s leeway, iat checked, role from "role" (no
// PostgREST error bodies, no anon fallback subtleties, no cache).
func naiveMiddleware(secret []byte) func(http.Handler) http.Handler {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithLeeway(30*time.Second), jwt.WithIssuedAt())
	keyFunc := func(*jwt.Token) (any, error) { return secret, nil }
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				http.Error(w, "no token", 401)
				return
			}
			claims := jwt.MapClaims{}
			if _, err := parser.ParseWithClaims(tok, claims, keyFunc); err != nil {
				http.Error(w, err.Error(), 401)
				return
			}
			role, _ := claims["role"].(string)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, &Identity{role: role})))
		})
	}
}

func benchServe(b *testing.B, h http.Handler, token string) {
	req := httptest.NewRequest("GET", "/items", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := &nullWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.code = 0
		h.ServeHTTP(w, req)
		if w.code != 200 {
			b.Fatalf("status %d", w.code)
		}
	}
}

// BenchmarkMiddleware measures, in one run, the bare handler, a naive
// golang-jwt middleware, and this middleware with a cache hit and without
// cache (HS256 verified every time). "overhead-ns/op" is ns/op minus the bare
// handler's, "x-naive" the ratio to the naive middleware, both from the same
// run (so run them together: -bench 'Middleware$').
func BenchmarkMiddleware(b *testing.B) {
	token := benchToken(b)
	mk := func(opts ...Option) http.Handler {
		a, err := NewAuthenticator(append([]Option{WithJWTSecret(specSecret), WithAnonRole("anon")}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		return a.Middleware(okHandler)
	}
	cases := []struct {
		name string
		h    http.Handler
	}{
		{"bare", okHandler},
		{"naive_golang-jwt", naiveMiddleware([]byte(specSecret))(okHandler)},
		{"cached", mk()},
		{"uncached_HS256", mk(WithJWTCacheMaxEntries(0))},
	}
	var bareNs, naiveNs float64
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			benchServe(b, c.h, token)
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			switch c.name {
			case "bare":
				bareNs = ns
			case "naive_golang-jwt":
				naiveNs = ns
			default:
				b.ReportMetric(ns/naiveNs, "x-naive")
			}
			b.ReportMetric(ns-bareNs, "overhead-ns/op")
		})
	}
}

// TestLoad is the bounded loopback load test (PGJWT_LOADTEST=1): 64
// concurrent keep-alive connections against the bare handler and against the
// middleware (cache on, one token per connection), 30 s each, interleaved in
// 5 s slices so both see the same machine load. It requires 0 errors and the
// middleware's throughput at ≥ 90% of the bare handler's, and logs p50/p99.
func TestLoad(t *testing.T) {
	if os.Getenv("PGJWT_LOADTEST") != "1" {
		t.Skip("set PGJWT_LOADTEST=1 to run the 60 s loopback load test")
	}
	const conns, slice, slices_ = 64, 5 * time.Second, 6
	a, err := NewAuthenticator(WithJWTSecret(specSecret), WithAnonRole("anon"))
	if err != nil {
		t.Fatal(err)
	}
	bare := httptest.NewServer(okHandler)
	defer bare.Close()
	mw := httptest.NewServer(a.Middleware(okHandler))
	defer mw.Close()
	tokens := make([]string, conns)
	for i := range tokens {
		tokens[i] = hs256(t, fmt.Sprintf(`{"role":"web_user","email":"user%d@example.com","exp":4102444800}`, i))
	}
	type result struct {
		n, errs int64
		lat     []time.Duration
		dur     time.Duration
	}
	run := func(url string, res *result) {
		tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		deadline := time.Now().Add(slice)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var n, errs atomic.Int64
		for i := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lat := make([]time.Duration, 0, 1<<16)
				for time.Now().Before(deadline) {
					req, _ := http.NewRequest("GET", url+"/items", nil)
					req.Header.Set("Authorization", "Bearer "+tokens[i])
					start := time.Now()
					resp, err := client.Do(req)
					if err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if err == nil && resp.StatusCode != 200 {
							err = errors.New(resp.Status)
						}
					}
					lat = append(lat, time.Since(start))
					if err != nil {
						errs.Add(1)
						continue
					}
					n.Add(1)
				}
				mu.Lock()
				res.lat = append(res.lat, lat...)
				mu.Unlock()
			}()
		}
		start := time.Now()
		wg.Wait()
		res.dur += time.Since(start)
		res.n += n.Load()
		res.errs += errs.Load()
	}
	var rb, rm result
	for range slices_ {
		run(bare.URL, &rb)
		run(mw.URL, &rm)
	}
	pct := func(l []time.Duration, p float64) time.Duration {
		slices.Sort(l)
		return l[int(float64(len(l)-1)*p)]
	}
	rps := func(r result) float64 { return float64(r.n) / r.dur.Seconds() }
	t.Logf("bare:       %d req in %v, %.0f req/s, errors %d, p50 %v, p99 %v", rb.n, rb.dur.Round(time.Millisecond), rps(rb), rb.errs, pct(rb.lat, .5), pct(rb.lat, .99))
	t.Logf("middleware: %d req in %v, %.0f req/s, errors %d, p50 %v, p99 %v", rm.n, rm.dur.Round(time.Millisecond), rps(rm), rm.errs, pct(rm.lat, .5), pct(rm.lat, .99))
	ratio := rps(rm) / rps(rb)
	t.Logf("throughput ratio middleware/bare: %.3f", ratio)
	if rb.errs+rm.errs != 0 {
		t.Errorf("errors: bare %d, middleware %d", rb.errs, rm.errs)
	}
	if ratio < 0.90 {
		t.Errorf("middleware throughput %.1f%% of bare, want ≥ 90%%", 100*ratio)
	}
}
