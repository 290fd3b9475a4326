package jwt

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// encodeURL must write what encoding/base64 writes, for every length.
func TestAppendURLEncode(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for n := 0; n < 200; n++ {
		for range 20 {
			src := make([]byte, n)
			for i := range src {
				src[i] = byte(r.UintN(256))
			}
			checkURLEncode(t, []byte("prefix."), src)
		}
	}
}

func checkURLEncode(t *testing.T, prefix, src []byte) {
	t.Helper()
	want := base64.RawURLEncoding.AppendEncode(bytes.Clone(prefix), src)
	if got := appendURLEncode(bytes.Clone(prefix), src); !bytes.Equal(got, want) {
		t.Fatalf("appendURLEncode(%x) = %q, want %q", src, got, want)
	}
	if n := encodedLen(len(src)); n != base64.RawURLEncoding.EncodedLen(len(src)) {
		t.Fatalf("encodedLen(%d) = %d", len(src), n)
	}
	// Exactly sized output: no write past it.
	out := make([]byte, encodedLen(len(src)), encodedLen(len(src))+8)
	out = append(out, "guard"...)
	encodeURL(out[:encodedLen(len(src))], src)
	if !bytes.Equal(out, append(want[len(prefix):len(want):len(want)], "guard"...)) {
		t.Fatalf("encodeURL(%x) wrote %q", src, out)
	}
}

func FuzzAppendURLEncode(f *testing.F) {
	f.Add([]byte(""), []byte(benchPayload))
	f.Add([]byte("x"), []byte{0xff, 0xfe, 0xfd, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, prefix, src []byte) { checkURLEncode(t, prefix, src) })
}

func BenchmarkURLEncode(b *testing.B) {
	src := []byte(benchPayload)
	buf := make([]byte, 0, 200)
	b.Run("own", func(b *testing.B) {
		for b.Loop() {
			buf = appendURLEncode(buf[:0], src)
		}
	})
	b.Run("encoding-base64", func(b *testing.B) {
		for b.Loop() {
			buf = base64.RawURLEncoding.AppendEncode(buf[:0], src)
		}
	})
}
