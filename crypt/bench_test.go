package crypt

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// benchCases are the settings the benchmarks hash "password" with: one per
// algorithm, at the costs the targets name.
var benchCases = []struct {
	name, setting string
	minMajor      int
}{
	{"bcrypt6", "$2a$06$RQiOJ.3ELirrXwxIZY8q0O", 13},
	{"bcrypt10", "$2a$10$RQiOJ.3ELirrXwxIZY8q0O", 13},
	{"md5", "$1$saltsalt", 13},
	{"des", "ab", 13},
	{"xdes725", "_J9..salt", 13},
	{"sha256crypt5000", "$5$rounds=5000$abcdefghijklmnop", 18},
	{"sha512crypt5000", "$6$rounds=5000$abcdefghijklmnop", 18},
}

const benchPassword = "password"

// pgNsPerOp measures, once per (cluster, setting), pgcrypto's own time per
// crypt() call: a server-side loop over n calls, minus the same loop without
// crypt, divided by n, so neither the network nor the loop is counted.
var pgTimes sync.Map // key string → float64

func pgNsPerOp(b *testing.B, c *pgtest.Cluster, setting string) float64 {
	key := fmt.Sprintf("%d %s", c.Major, setting)
	if v, ok := pgTimes.Load(key); ok {
		return v.(float64)
	}
	ctx := context.Background()
	// OFFSET 0 keeps the subquery from being flattened, so the planner
	// cannot fold crypt() of two constants into one call.
	const loop = `select count(%s) from (select $1::text as p, $2::text as s from generate_series(1, $3) offset 0) t`
	run := func(expr string, n int) time.Duration {
		start := time.Now()
		var cnt int64
		if err := c.UTF8.Pool.QueryRow(ctx, fmt.Sprintf(loop, expr), benchPassword, setting, n).Scan(&cnt); err != nil {
			b.Fatalf("pg%d: %v", c.Major, err)
		}
		return time.Since(start)
	}
	// Grow n until the loop takes ~0.5 s.
	n := 1
	for {
		d := run("crypt(t.p, t.s)", n)
		if d > 500*time.Millisecond || n >= 1<<22 {
			base := run("t.p || t.s", n)
			v := float64((d - base).Nanoseconds()) / float64(n)
			pgTimes.Store(key, v)
			return v
		}
		if d < time.Millisecond {
			n *= 10
		} else {
			n = int(float64(n)*float64(600*time.Millisecond)/float64(d)) + 1
		}
	}
}

// reportVsPG adds pgNN-ns/op and go/pgNN (the ratio of Go's time to
// pgcrypto's, lower is faster) for every live major that has the algorithm.
func reportVsPG(b *testing.B, setting string, minMajor int) {
	goNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	for _, c := range pgtest.Clusters(b) {
		if c.Major < minMajor {
			continue
		}
		pg := pgNsPerOp(b, c, setting)
		b.ReportMetric(pg, fmt.Sprintf("pg%d-ns/op", c.Major))
		b.ReportMetric(goNs/pg, fmt.Sprintf("go/pg%d", c.Major))
	}
}

// BenchmarkCrypt times Crypt per algorithm and reports the ratio to the live
// pgcrypto in the same run.
func BenchmarkCrypt(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			pgtest.Clusters(b) // start the servers before timing
			v := ForVersion(max(bc.minMajor, 15))
			want, err := v.Crypt(benchPassword, bc.setting)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if got, _ := v.Crypt(benchPassword, bc.setting); got != want {
					b.Fatal("unstable result")
				}
			}
			b.StopTimer()
			reportVsPG(b, bc.setting, bc.minMajor)
		})
	}
}

// BenchmarkXCryptoBcrypt is golang.org/x/crypto/bcrypt verifying the same
// hashes, for reference.
func BenchmarkXCryptoBcrypt(b *testing.B) {
	for _, bc := range benchCases[:2] {
		b.Run(bc.name, func(b *testing.B) {
			pgtest.Clusters(b)
			hash, err := Crypt(benchPassword, bc.setting)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(benchPassword)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportVsPG(b, bc.setting, 13)
		})
	}
}
