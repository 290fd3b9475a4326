package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// benchUsers is how many users the benchmarks log in, round robin.
const benchUsers = 16

// benchLoginDB is a database with the schema and benchUsers users created
// through SQL (bcrypt cost 6, gen_salt('bf')'s).
func benchLoginDB(b *testing.B, c *pgtest.Cluster) (*loginDB, *Service) {
	b.Helper()
	l := newLoginDB(b, c, "UTF8")
	ctx := testCtx(b)
	for i := range benchUsers {
		if _, err := l.Pool.Exec(ctx, "INSERT INTO basic_auth.users VALUES ($1, $2, $3)",
			fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("password %d", i), l.WebUser); err != nil {
			b.Fatal(err)
		}
	}
	store, err := NewPGStore(ctx, l.Pool)
	if err != nil {
		b.Fatal(err)
	}
	svc, err := NewService(store, testSecret)
	if err != nil {
		b.Fatal(err)
	}
	return l, svc
}

// runWorkers performs n calls of fn spread over workers goroutines and
// returns the wall time.
func runWorkers(b *testing.B, n, workers int, fn func(i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Pointer[error]
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		b.Fatal(*p)
	}
	return time.Since(start)
}

// BenchmarkLoginThroughput compares successful logins per second of the Go
// Service on the PostgreSQL store (one SELECT, bcrypt in Go) with the SQL
// login() called through pgx (bcrypt and signing in the database), with
// the same users and pool. The machine is shared and its load comes in
// bursts, so the two are not run one after the other: benchWorkers workers
// each alternate a Go login and an SQL login, timing every call, so that
// both see the same load at the same moments. Throughput is workers / mean
// latency. Reported: go-logins/s, sql-logins/s and go/sql (the issue's
// target is at least 1.1).
func BenchmarkLoginThroughput(b *testing.B) {
	workers := benchWorkers()
	for _, c := range pgtest.Clusters(b) {
		b.Run(c.String(), func(b *testing.B) {
			l, svc := benchLoginDB(b, c)
			ctx := context.Background()
			goLogin := func(k int) error {
				_, err := svc.Login(ctx, fmt.Sprintf("user%d@example.com", k), fmt.Sprintf("password %d", k))
				return err
			}
			sqlLogin := func(k int) error {
				var token string
				return l.Pool.QueryRow(ctx, "SELECT (public.login($1, $2)).token",
					fmt.Sprintf("user%d@example.com", k), fmt.Sprintf("password %d", k)).Scan(&token)
			}
			var goNs, sqlNs, goN, sqlN atomic.Int64
			call := func(i int) error {
				k := i % benchUsers
				// Even calls start with Go, odd ones with SQL, so that
				// neither always runs second.
				first, second := goLogin, sqlLogin
				fNs, sNs, fN, sN := &goNs, &sqlNs, &goN, &sqlN
				if i%2 == 1 {
					first, second, fNs, sNs, fN, sN = sqlLogin, goLogin, &sqlNs, &goNs, &sqlN, &goN
				}
				start := time.Now()
				if err := first(k); err != nil {
					return err
				}
				mid := time.Now()
				if err := second(k); err != nil {
					return err
				}
				fNs.Add(int64(mid.Sub(start)))
				sNs.Add(int64(time.Since(mid)))
				fN.Add(1)
				sN.Add(1)
				return nil
			}
			runWorkers(b, 2*workers, workers, call) // warm the pool and both paths
			goNs.Store(0)
			sqlNs.Store(0)
			goN.Store(0)
			sqlN.Store(0)
			b.ResetTimer()
			runWorkers(b, b.N, workers, call)
			goRate := float64(workers) * float64(goN.Load()) / (float64(goNs.Load()) / 1e9)
			sqlRate := float64(workers) * float64(sqlN.Load()) / (float64(sqlNs.Load()) / 1e9)
			b.ReportMetric(goRate, "go-logins/s")
			b.ReportMetric(sqlRate, "sql-logins/s")
			b.ReportMetric(goRate/sqlRate, "go/sql")
		})
	}
}

// BenchmarkLoginTimingUnknownVsWrong measures, one login at a time,
// failed logins of an unknown email and of a known email with a wrong
// password, alternating, and reports both medians and their ratio
// (unknown/wrong; the issue asks for medians within 5%, a ratio in
// 0.95…1.05), and the median of the per-iteration ratios. On the PostgreSQL store both do one SELECT (which finds a row
// or none) and one bcrypt of cost 6; on the in-memory store only the
// bcrypt.
func BenchmarkLoginTimingUnknownVsWrong(b *testing.B) {
	measure := func(b *testing.B, svc *Service) {
		ctx := context.Background()
		var unknown, wrong []time.Duration
		try := func(email, pass string, into *[]time.Duration) {
			start := time.Now()
			_, err := svc.Login(ctx, email, pass)
			*into = append(*into, time.Since(start))
			if !errors.Is(err, ErrInvalidPassword) {
				b.Fatalf("%s: %v", email, err)
			}
		}
		b.ResetTimer()
		for i := range b.N {
			k := i % benchUsers
			if i%2 == 0 {
				try(fmt.Sprintf("nobody%d@example.com", k), "password", &unknown)
				try(fmt.Sprintf("user%d@example.com", k), "wrong password", &wrong)
			} else {
				try(fmt.Sprintf("user%d@example.com", k), "wrong password", &wrong)
				try(fmt.Sprintf("nobody%d@example.com", k), "password", &unknown)
			}
		}
		mu, mw := median(unknown), median(wrong)
		b.ReportMetric(float64(mu.Nanoseconds()), "unknown-median-ns")
		b.ReportMetric(float64(mw.Nanoseconds()), "wrong-median-ns")
		b.ReportMetric(float64(mu)/float64(mw), "unknown/wrong")
		// The machine's load drifts; the two calls of one iteration ran
		// back to back, so the median of their ratios is steadier.
		ratios := make([]time.Duration, len(unknown))
		for i := range unknown {
			ratios[i] = time.Duration(float64(unknown[i]) / float64(wrong[i]) * 1e6)
		}
		b.ReportMetric(float64(median(ratios))/1e6, "pair-median-unknown/wrong")
	}
	b.Run("MemStore", func(b *testing.B) {
		store := NewMemStore("web")
		svc, err := NewService(store, testSecret)
		if err != nil {
			b.Fatal(err)
		}
		for i := range benchUsers {
			if err := svc.SignUp(context.Background(), fmt.Sprintf("user%d@example.com", i), "password", "web"); err != nil {
				b.Fatal(err)
			}
		}
		measure(b, svc)
	})
	for _, c := range pgtest.Clusters(b) {
		b.Run("PGStore/"+c.String(), func(b *testing.B) {
			_, svc := benchLoginDB(b, c)
			measure(b, svc)
		})
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchWorkers is the number of concurrent logins for both paths:
// GOMAXPROCS, so that Go's hashing and the database's get as many threads,
// unless PGJWT_BENCH_WORKERS says otherwise.
func benchWorkers() int {
	if n, err := strconv.Atoi(os.Getenv("PGJWT_BENCH_WORKERS")); err == nil && n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// BenchmarkLoginThroughputPhases is the plain comparison: benchWorkers
// workers run only Go logins, then only SQL logins, alternating eight times.
// On a shared, loaded machine it mostly measures how the kernel shares the
// CPUs: every PostgreSQL backend starts its own session (setsid), so with
// Linux's autogroup scheduling (enabled here) each backend gets a CPU share
// of its own, while all threads of the benchmark process share one. Under
// other load, N busy backends thus get up to N times the CPU of N busy Go
// goroutines. BenchmarkLoginThroughput interleaves the two kinds of login
// so that both compete at the same moments; both are reported.
func BenchmarkLoginThroughputPhases(b *testing.B) {
	workers := benchWorkers()
	for _, c := range pgtest.Clusters(b) {
		b.Run(c.String(), func(b *testing.B) {
			l, svc := benchLoginDB(b, c)
			ctx := context.Background()
			goLogin := func(i int) error {
				k := i % benchUsers
				_, err := svc.Login(ctx, fmt.Sprintf("user%d@example.com", k), fmt.Sprintf("password %d", k))
				return err
			}
			sqlLogin := func(i int) error {
				k := i % benchUsers
				var token string
				return l.Pool.QueryRow(ctx, "SELECT (public.login($1, $2)).token",
					fmt.Sprintf("user%d@example.com", k), fmt.Sprintf("password %d", k)).Scan(&token)
			}
			runWorkers(b, workers, workers, goLogin)
			runWorkers(b, workers, workers, sqlLogin)
			b.ResetTimer()
			var goTime, sqlTime time.Duration
			n := 0
			chunk := max(b.N/8, 1)
			for done := 0; done < b.N; done += chunk {
				m := min(chunk, b.N-done)
				goTime += runWorkers(b, m, workers, goLogin)
				sqlTime += runWorkers(b, m, workers, sqlLogin)
				n += m
			}
			goRate, sqlRate := float64(n)/goTime.Seconds(), float64(n)/sqlTime.Seconds()
			b.ReportMetric(goRate, "go-logins/s")
			b.ReportMetric(sqlRate, "sql-logins/s")
			b.ReportMetric(goRate/sqlRate, "go/sql")
		})
	}
}
