package pgtext

import (
	"strings"
	"testing"
)

// BenchmarkCheckUTF8 measures the word-at-a-time scan against the simple
// reference on a JWT-sized payload (mostly ASCII, a few accented letters).
func BenchmarkCheckUTF8(b *testing.B) {
	payload := []byte(`{"role":"web_user","email":"zoë@example.com","exp":1700000000,"name":"` +
		strings.Repeat("Jürgen Müller ", 8) + `"}`)
	var fast, ref float64
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			if CheckUTF8(payload, errTest) != nil {
				b.Fatal("rejected")
			}
		}
		fast = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("reference", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			if _, bad := referenceInvalid(payload); bad {
				b.Fatal("rejected")
			}
		}
		ref = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if fast > 0 {
		b.ReportMetric(ref/fast, "x-faster-than-reference")
	}
}
