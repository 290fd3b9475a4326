package keyedhmac

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"strings"
	"sync"
	"testing"

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

func BenchmarkSum(b *testing.B) {
	m := New(sha256.New, []byte("0123456789abcdef0123456789abcdef"))
	data := make([]byte, 117)
	var out [MaxSize]byte
	b.ReportAllocs()
	for b.Loop() {
		m.Sum(&out, data)
	}
}
