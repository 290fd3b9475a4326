package crypt

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// Micro-benchmarks of desCrypt, xdesCrypt and shaCrypt themselves (no
// dispatch), each reporting pgcrypto's time for the same call, measured in
// the same run, and the ratio go/pgNN (below 1: Go is faster).
// BenchmarkCrypt in bench_test.go covers the public API.

var dsBenchCases = []struct {
	name, password, setting string
	minMajor                int
	fn                      func(key, setting []byte) ([]byte, error)
}{
	{"des", "password", "ab", 13, desCrypt},
	{"des-long-password", "correct horse battery staple", "ab", 13, desCrypt},
	{"xdes725", "password", "_J9..salt", 13, xdesCrypt},
	{"xdes725-long-password", "correct horse battery staple", "_J9..salt", 13, xdesCrypt},
	{"xdes1", "password", "_/...salt", 13, xdesCrypt},
	{"sha256crypt5000", "password", "$5$rounds=5000$abcdefghijklmnop", 18, shaCryptNoNotice},
	{"sha512crypt5000", "password", "$6$rounds=5000$abcdefghijklmnop", 18, shaCryptNoNotice},
	{"sha512crypt5000-long-password", "correct horse battery staple", "$6$rounds=5000$abcdefghijklmnop", 18, shaCryptNoNotice},
}

func shaCryptNoNotice(key, setting []byte) ([]byte, error) { return shaCrypt(key, setting, nil) }

var dsPGTimes sync.Map // "major password setting" → float64 ns per call

// dsPGNsPerOp is pgcrypto's own time per crypt() call: a server-side loop of
// n calls minus the same loop without crypt(), divided by n. The subquery
// with OFFSET 0 keeps the planner from folding crypt() of constants.
func dsPGNsPerOp(b *testing.B, c *pgtest.Cluster, password, setting string) float64 {
	key := fmt.Sprintf("%d %s %s", c.Major, password, setting)
	if v, ok := dsPGTimes.Load(key); ok {
		return v.(float64)
	}
	const loop = `select count(%s) from (select $1::text as p, $2::text as s from generate_series(1, $3) offset 0) t`
	run := func(expr string, n int) time.Duration {
		start := time.Now()
		var cnt int64
		if err := c.UTF8.Pool.QueryRow(context.Background(), fmt.Sprintf(loop, expr), password, setting, n).Scan(&cnt); err != nil {
			b.Fatalf("pg%d: %v", c.Major, err)
		}
		return time.Since(start)
	}
	for n := 1; ; {
		d := run("crypt(t.p, t.s)", n)
		if d > 500*time.Millisecond || n >= 1<<22 {
			v := float64((d - run("t.p || t.s", n)).Nanoseconds()) / float64(n)
			dsPGTimes.Store(key, v)
			return v
		}
		if d < time.Millisecond {
			n *= 10
		} else {
			n = int(float64(n)*float64(600*time.Millisecond)/float64(d)) + 1
		}
	}
}

func BenchmarkDESFamily(b *testing.B) {
	for _, bc := range dsBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			clusters := pgtest.Clusters(b) // start the servers before timing
			key, setting := []byte(bc.password), []byte(bc.setting)
			want, err := bc.fn(key, setting)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if got, _ := bc.fn(key, setting); string(got) != string(want) {
					b.Fatal("unstable result")
				}
			}
			b.StopTimer()
			goNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			for _, c := range clusters {
				if c.Major < bc.minMajor {
					continue
				}
				pg := dsPGNsPerOp(b, c, bc.password, bc.setting)
				b.ReportMetric(pg, fmt.Sprintf("pg%d-ns/op", c.Major))
				b.ReportMetric(goNs/pg, fmt.Sprintf("go/pg%d", c.Major))
			}
		})
	}
}
