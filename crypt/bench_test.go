package crypt

import (
	"fmt"
	"testing"

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

// benchLoop runs fn b.N times and reports, next to ns/op, Go's CPU time per
// call (cpu-ns/op) and, for every live major that has the algorithm,
// pgcrypto's own wall and CPU time per crypt() call measured in the same run
// (dsPGNsPerOp in des_bench_test.go: a server-side loop minus the empty
// loop) and the ratios go/pgNN and go/pgNN-cpu (below 1: Go is faster). On
// this shared machine the CPU ratio is the steadier one.
func benchLoop(b *testing.B, setting string, minMajor int, fn func()) {
	clusters := pgtest.Clusters(b) // start the servers before timing
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := pgtest.SelfCPU()
	for b.Loop() {
		fn()
	}
	goCPU := float64((pgtest.SelfCPU() - cpu0).Nanoseconds()) / float64(b.N)
	b.StopTimer()
	goNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(goCPU, "cpu-ns/op")
	for _, c := range clusters {
		if c.Major < minMajor {
			continue
		}
		pg := dsPGNsPerOp(b, c, benchPassword, setting)
		b.ReportMetric(pg.wall, fmt.Sprintf("pg%d-ns/op", c.Major))
		b.ReportMetric(goNs/pg.wall, fmt.Sprintf("go/pg%d", c.Major))
		b.ReportMetric(pg.cpu, fmt.Sprintf("pg%d-cpu-ns/op", c.Major))
		b.ReportMetric(goCPU/pg.cpu, fmt.Sprintf("go/pg%d-cpu", c.Major))
	}
}

// BenchmarkCrypt times Crypt per algorithm and reports the ratio to the live
// pgcrypto in the same run.
func BenchmarkCrypt(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			v := ForVersion(max(bc.minMajor, 15))
			want, err := v.Crypt(benchPassword, bc.setting)
			if err != nil {
				b.Fatal(err)
			}
			benchLoop(b, bc.setting, bc.minMajor, func() {
				if got, _ := v.Crypt(benchPassword, bc.setting); got != want {
					b.Fatal("unstable result")
				}
			})
		})
	}
}

// BenchmarkXCryptoBcrypt is golang.org/x/crypto/bcrypt verifying the same
// hashes, for reference.
func BenchmarkXCryptoBcrypt(b *testing.B) {
	for _, bc := range benchCases[:2] {
		b.Run(bc.name, func(b *testing.B) {
			hash, err := Crypt(benchPassword, bc.setting)
			if err != nil {
				b.Fatal(err)
			}
			benchLoop(b, bc.setting, 13, func() {
				if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(benchPassword)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
