package keyedhmac

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSumMatchesHMAC: every size, keys shorter and longer than a block,
// empty data, from more goroutines than there are keyed copies (so fresh
// ones are keyed too); the caller's key may change afterwards.
func TestSumMatchesHMAC(t *testing.T) {
	for _, h := range []func() hash.Hash{sha256.New, sha512.New384, sha512.New} {
		for _, keyLen := range []int{0, 1, 32, 64, 65, 200} {
			key := []byte(strings.Repeat("k", keyLen))
			m := New(h, key)
			for i := range key {
				key[i] = 'x' // the MAC keeps its own copy
			}
			orig := []byte(strings.Repeat("k", keyLen))
			var wg sync.WaitGroup
			for g := range 4 * slots {
				wg.Go(func() {
					for n := range 40 {
						data := []byte(strings.Repeat(fmt.Sprint(g), n))
						ref := hmac.New(h, orig)
						ref.Write(data)
						want := ref.Sum(nil)
						var out [MaxSize]byte
						assert.Equal(t, want, m.Sum(&out, data))
						assert.True(t, m.Equal(data, want))
						assert.True(t, m.EqualString(string(data), want))
						bad := append([]byte(nil), want...)
						bad[len(bad)-1] ^= 1
						assert.False(t, m.Equal(data, bad))
						assert.False(t, m.Equal(data, want[:len(want)-1]))
					}
				})
			}
			wg.Wait()
			require.Equal(t, h().Size(), m.Size())
		}
	}
}

// TestNoKeyInPrint: no verb shows key bytes, also through a struct.
func TestNoKeyInPrint(t *testing.T) {
	const secret = "reallyreallyreallyreallysecretkey"
	m := New(sha256.New, []byte(secret))
	type holder struct{ m *MAC }
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{m, holder{m}, []*MAC{m}} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, secret, verb)
			assert.NotContains(t, out, fmt.Sprintf("%x", secret), verb)
		}
	}
	assert.Equal(t, "keyedhmac.MAC{256-bit, key [REDACTED]}", m.String())
}

// BenchmarkSum is MAC.Sum of a typical JWT signing input (117 bytes)
// against a crypto/hmac keyed in advance and used by one goroutine (Reset,
// Write, Sum): x-hmac, the median over 31 alternated batches of the
// per-batch time ratio, is what taking and giving back a keyed copy costs.
func BenchmarkSum(b *testing.B) {
	key := []byte("0123456789abcdef0123456789abcdef")
	m := New(sha256.New, key)
	data := make([]byte, 117)
	var out [MaxSize]byte
	sum := func() { m.Sum(&out, data) }
	h := hmac.New(sha256.New, key)
	bare := func() {
		h.Reset()
		h.Write(data)
		h.Sum(out[:0])
	}
	b.ReportAllocs()
	for b.Loop() {
		sum()
	}
	b.StopTimer()
	b.ReportMetric(ratio(sum, bare), "x-hmac")
}

// ratio times op and base alternately in batches of 1000, 31 rounds, and
// returns the median of the per-round time ratios.
func ratio(op, base func()) float64 {
	timeBatch := func(f func()) time.Duration {
		start := time.Now()
		for range 1000 {
			f()
		}
		return time.Since(start)
	}
	var rs []float64
	for range 31 {
		a := timeBatch(op)
		rs = append(rs, float64(a)/float64(timeBatch(base)))
	}
	slices.Sort(rs)
	return rs[len(rs)/2]
}
