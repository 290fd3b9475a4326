package crypt

import (
	"fmt"
	"sort"
	"testing"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// BenchmarkBcryptInterleaved compares, per bcrypt cost, the single core
// (Verify, one hash per op) with the 2-way and 3-way cores (VerifyBatch of
// two and of three checks of that cost, two and three hashes per op). Each
// reports hashes/s (wall time) and hashes/cpu-s (this process's CPU time:
// per core, with -cpu 1). The pair and the triple add, measured by
// alternating them with single hashes in the same run (median of
// per-round CPU-time ratios, so that a load change hits both alike):
//
//   - x-single-throughput: hashes per CPU second of the group over those of
//     the single core (2 or 3 would be perfect interleaving);
//   - x-single-latency: time of one group over time of one hash alone, the
//     latency each check of a group sees relative to Verify.
func BenchmarkBcryptInterleaved(b *testing.B) {
	for _, cost := range []int{6, 10} {
		var hashes [maxWays]string
		for i := range hashes {
			set := fmt.Sprintf("$2a$%02d$%s", cost, []string{"RQiOJ.3ELirrXwxIZY8q0O", "abcdefghijklmnopqrstuu", "0123456789ABCDEFGHIJKO"}[i])
			pw := benchPassword
			if i > 0 {
				pw = "wrong " + pw
			}
			var err error
			if hashes[i], err = Crypt(pw, set); err != nil {
				b.Fatal(err)
			}
		}
		single := func() {
			if ok, err := Verify(benchPassword, hashes[0]); !ok || err != nil {
				b.Fatal("single: ", ok, err)
			}
		}
		// The first check is right, the others wrong (a login's two
		// outcomes).
		group := func(k int) func() {
			checks := make([]Check, k)
			return func() {
				for i := range checks {
					checks[i] = Check{Password: benchPassword, Hash: hashes[i]}
				}
				VerifyBatch(checks)
				for i, c := range checks {
					if c.OK != (i == 0) || c.Err != nil {
						b.Fatal("group: ", checks)
					}
				}
			}
		}
		b.Run(fmt.Sprintf("cost%d/single", cost), func(b *testing.B) { hashLoop(b, 1, single) })
		for k, name := range []string{2: "pair", 3: "triple"} {
			if k < 2 {
				continue
			}
			b.Run(fmt.Sprintf("cost%d/%s", cost, name), func(b *testing.B) {
				hashLoop(b, k, group(k))
				rounds := 31
				if cost > 6 {
					rounds = 9
				}
				thr, lat := groupRatios(rounds, k, single, group(k))
				b.ReportMetric(thr, "x-single-throughput")
				b.ReportMetric(lat, "x-single-latency")
			})
		}
	}
}

// hashLoop runs fn, which computes n hashes, b.N times and reports hashes
// per second of wall time and of CPU time.
func hashLoop(b *testing.B, n int, fn func()) {
	b.ReportAllocs()
	cpu0 := pgtest.SelfCPU()
	for b.Loop() {
		fn()
	}
	cpu := pgtest.SelfCPU() - cpu0
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "hashes/s")
	b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "hashes/cpu-s")
}

// groupRatios alternates k single hashes with one group of k, rounds
// times, and returns the medians of the per-round ratios of CPU time:
// throughput (k singles over one group) and latency (one group over one
// single).
func groupRatios(rounds, k int, single, group func()) (throughput, latency float64) {
	var thr, lat []float64
	for range rounds {
		t0 := pgtest.SelfCPU()
		for range k {
			single()
		}
		t1 := pgtest.SelfCPU()
		group()
		t2 := pgtest.SelfCPU()
		s, g := float64(t1-t0)/float64(k), float64(t2-t1)
		thr = append(thr, float64(k)*s/g)
		lat = append(lat, g/s)
	}
	return median(thr), median(lat)
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}
