package pgtext

import (
	"strings"
	"testing"
)

// BenchmarkCheckUTF8 runs CheckUTF8 (plain-ASCII scan, then utf8.Valid) and
// the simple reference side by side on a JWT (all ASCII) and on a payload
// with a non-ASCII letter every few bytes, where the ASCII scan is wasted.
func BenchmarkCheckUTF8(b *testing.B) {
	inputs := []struct{ name, text string }{
		{"token", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoid2VidXNlciIsImVtYWlsIjoiZm9vQGJhci5jb20iLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLW9mLWEtcGxhdXNpYmxlLWxlbmd0aC0xMjM0NTY3"},
		{"mixed", `{"role":"web_user","email":"zoë@example.com","name":"` + strings.Repeat("Jürgen Müller ", 8) + `"}`},
	}
	for _, in := range inputs {
		text := []byte(in.text)
		b.Run(in.name+"/fast", func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if CheckUTF8(text, errTest) != nil {
					b.Fatal("rejected")
				}
			}
		})
		b.Run(in.name+"/reference", func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, bad := referenceInvalid(text); bad {
					b.Fatal("rejected")
				}
			}
		})
	}
}
