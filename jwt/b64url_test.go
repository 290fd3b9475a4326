package jwt

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
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

// checkDecodeSymbols compares decodeSymbols, with both tables, with
// encoding/base64 (which skips CR and LF, so those are left out).
func checkDecodeSymbols(t *testing.T, s string) {
	t.Helper()
	if strings.ContainsAny(s, "\r\n") || len(s)%4 == 1 {
		return
	}
	toStd := strings.NewReplacer("-", "+", "_", "/")
	for _, c := range []struct {
		name  string
		table *[256]uint8
		text  string
		enc   *base64.Encoding
	}{
		{"url", &urlValue, s, base64.RawURLEncoding},
		// base64Value takes both alphabets, mixed.
		{"both", &base64Value, toStd.Replace(s), base64.RawStdEncoding},
	} {
		want, err := c.enc.DecodeString(c.text)
		out := make([]byte, decodedLen(len(s)), decodedLen(len(s))+8)
		out = append(out, "guard"...)
		ok := decodeSymbols(out[:decodedLen(len(s))], s, c.table)
		if ok != (err == nil) {
			t.Fatalf("%s: decodeSymbols(%q) ok %v, encoding/base64: %v", c.name, s, ok, err)
		}
		if !ok {
			continue
		}
		if !bytes.Equal(out, append(want, "guard"...)) {
			t.Fatalf("%s: decodeSymbols(%q) = %x, want %x", c.name, s, out, want)
		}
	}
}

func TestDecodeSymbols(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	const extra = "+/=. *\x00\xff\x80é"
	for n := 0; n < 150; n++ {
		for range 20 {
			b := make([]byte, n)
			for i := range b {
				b[i] = urlAlphabet[r.IntN(64)]
				if r.IntN(200) == 0 {
					b[i] = extra[r.IntN(len(extra))]
				}
			}
			checkDecodeSymbols(t, string(b))
		}
	}
}

func FuzzDecodeSymbols(f *testing.F) {
	f.Add(benchToken)
	f.Add("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9")
	f.Add("QR+/-_Q")
	f.Fuzz(checkDecodeSymbols)
}

func BenchmarkURLDecode(b *testing.B) {
	src := URLEncode([]byte(benchPayload))
	buf := make([]byte, 0, 200)
	b.Run("own", func(b *testing.B) {
		for b.Loop() {
			buf, _ = decodePlain(buf[:0], src)
		}
	})
	b.Run("encoding-base64", func(b *testing.B) {
		for b.Loop() {
			buf, _ = base64.RawURLEncoding.AppendDecode(buf[:0], []byte(src))
		}
	})
}
