package jwt

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// plainWord must agree with the byte table on every word, and the lowest
// byte specialBytes flags must be the first special one.
func TestPlainWord(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	n := 500000
	if testing.Short() {
		n = 50000
	}
	for i := 0; i < n; i++ {
		var b [8]byte
		for k := range b {
			b[k] = byte(r.UintN(256))
			if r.IntN(3) > 0 {
				b[k] = byte(0x20 + r.UintN(0x60))
			}
		}
		want, first := true, 8
		for k, c := range b {
			if !plainStringByte[c] && want {
				want, first = false, k
			}
		}
		x := binary.LittleEndian.Uint64(b[:])
		if got := plainWord(x); got != want {
			t.Fatalf("plainWord(% x) = %v", b, got)
		}
		if got := bits.TrailingZeros64(specialBytes(x)) / 8; got != first {
			t.Fatalf("specialBytes(% x) flags byte %d first, want %d", b, got, first)
		}
	}
}

func TestHeaderConstants(t *testing.T) {
	for alg := algHS256; alg <= algHS512; alg++ {
		if got := URLEncode([]byte(headerJSON[alg])); got != headerB64[alg] {
			t.Errorf("%s: constant %s, encoding %s", headerJSON[alg], headerB64[alg], got)
		}
	}
}
