package crypt

import (
	"fmt"
	"sort"
	"testing"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// BenchmarkBcryptPair compares, per bcrypt cost, the single core (Verify,
// one hash per op) with the 2-way core (VerifyBatch of two checks of that
// cost, two hashes per op). Each reports hashes/s (wall time) and
// hashes/cpu-s (this process's CPU time: per core, with -cpu 1). The pair
// benchmark adds, measured by alternating the two in the same run (median
// of per-round CPU-time ratios, so that a load change hits both alike):
//
//   - x-single-throughput: hashes per CPU second of the pair over those of
//     the single core (2 would be perfect interleaving);
//   - x-single-latency: time of one pair over time of one hash alone, the
//     latency each check of a pair sees relative to Verify.
func BenchmarkBcryptPair(b *testing.B) {
	for _, cost := range []int{6, 10} {
		setA := fmt.Sprintf("$2a$%02d$RQiOJ.3ELirrXwxIZY8q0O", cost)
		setB := fmt.Sprintf("$2a$%02d$abcdefghijklmnopqrstuu", cost)
		hashA, err := Crypt(benchPassword, setA)
		if err != nil {
			b.Fatal(err)
		}
		hashB, err := Crypt("wrong "+benchPassword, setB)
		if err != nil {
			b.Fatal(err)
		}
		single := func() {
			if ok, err := Verify(benchPassword, hashA); !ok || err != nil {
				b.Fatal("single: ", ok, err)
			}
		}
		// The first check is right, the second wrong (a login's two
		// outcomes).
		var checks [2]Check
		pair := func() {
			checks[0] = Check{Password: benchPassword, Hash: hashA}
			checks[1] = Check{Password: benchPassword, Hash: hashB}
			VerifyBatch(checks[:])
			if !checks[0].OK || checks[1].OK || checks[0].Err != nil || checks[1].Err != nil {
				b.Fatal("pair: ", checks)
			}
		}
		b.Run(fmt.Sprintf("cost%d/single", cost), func(b *testing.B) { hashLoop(b, 1, single) })
		b.Run(fmt.Sprintf("cost%d/pair", cost), func(b *testing.B) {
			hashLoop(b, 2, pair)
			rounds := 31
			if cost > 6 {
				rounds = 9
			}
			thr, lat := pairRatios(rounds, single, pair)
			b.ReportMetric(thr, "x-single-throughput")
			b.ReportMetric(lat, "x-single-latency")
		})
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

// pairRatios alternates two single hashes with one pair, rounds times,
// and returns the medians of the per-round ratios of CPU time: throughput
// (two singles over one pair) and latency (one pair over one single).
func pairRatios(rounds int, single, pair func()) (throughput, latency float64) {
	var thr, lat []float64
	for range rounds {
		t0 := pgtest.SelfCPU()
		single()
		single()
		t1 := pgtest.SelfCPU()
		pair()
		t2 := pgtest.SelfCPU()
		s, p := float64(t1-t0)/2, float64(t2-t1)
		thr = append(thr, 2*s/p)
		lat = append(lat, p/s)
	}
	return median(thr), median(lat)
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}
