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
// the same run, and the ratio go/pgNN (below 1: Go is faster), both in wall
// time and in CPU time (go/pgNN-cpu; steadier on a loaded machine).
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

func shaCryptNoNotice(key, setting []byte) ([]byte, error) {
	return shaCrypt(key, setting, nil, dbEncoding{})
}

var dsPGTimes sync.Map // "major password setting" → dsPGTime

type dsPGTime struct{ wall, cpu float64 } // ns per crypt() call

// dsPGNsPerOp is pgcrypto's own time per crypt() call: a server-side loop of
// n calls minus the same loop without crypt(), divided by n; both as wall
// time and as the backend's CPU time (/proc/<pid>/schedstat), since the
// machine is shared and wall time also counts waiting for a CPU. The
// subquery with OFFSET 0 keeps the planner from folding crypt() of
// constants.
func dsPGNsPerOp(b *testing.B, c *pgtest.Cluster, password, setting string) dsPGTime {
	key := fmt.Sprintf("%d %s %s", c.Major, password, setting)
	if v, ok := dsPGTimes.Load(key); ok {
		return v.(dsPGTime)
	}
	ctx := context.Background()
	conn, err := c.UTF8.Pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	var pid int
	if err := conn.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
		b.Fatal(err)
	}
	const loop = `select count(%s) from (select $1::text as p, $2::text as s from generate_series(1, $3) offset 0) t`
	run := func(expr string, n int) (wall, cpu time.Duration) {
		start, cpu0 := time.Now(), pgtest.BackendCPU(pid)
		var cnt int64
		if err := conn.QueryRow(ctx, fmt.Sprintf(loop, expr), password, setting, n).Scan(&cnt); err != nil {
			b.Fatalf("pg%d: %v", c.Major, err)
		}
		wall = time.Since(start)
		if cpu1 := pgtest.BackendCPU(pid); cpu0 >= 0 && cpu1 >= 0 {
			cpu = cpu1 - cpu0
		}
		return wall, cpu
	}
	for n := 1; ; {
		d, cpu := run("crypt(t.p, t.s)", n)
		if d > 500*time.Millisecond || n >= 1<<22 {
			bw, bc := run("t.p || t.s", n)
			v := dsPGTime{float64((d - bw).Nanoseconds()) / float64(n), float64((cpu - bc).Nanoseconds()) / float64(n)}
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
			cpu0 := pgtest.SelfCPU()
			for b.Loop() {
				if got, _ := bc.fn(key, setting); string(got) != string(want) {
					b.Fatal("unstable result")
				}
			}
			goCPU := float64((pgtest.SelfCPU() - cpu0).Nanoseconds()) / float64(b.N)
			b.StopTimer()
			goNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(goCPU, "cpu-ns/op")
			for _, c := range clusters {
				if c.Major < bc.minMajor {
					continue
				}
				pg := dsPGNsPerOp(b, c, bc.password, bc.setting)
				b.ReportMetric(pg.wall, fmt.Sprintf("pg%d-ns/op", c.Major))
				b.ReportMetric(goNs/pg.wall, fmt.Sprintf("go/pg%d", c.Major))
				if pg.cpu > 0 {
					b.ReportMetric(pg.cpu, fmt.Sprintf("pg%d-cpu-ns/op", c.Major))
					b.ReportMetric(goCPU/pg.cpu, fmt.Sprintf("go/pg%d-cpu", c.Major))
				}
			}
		})
	}
}
