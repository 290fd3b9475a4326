package jwt

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// checkSplitToken compares splitToken with strings.Cut.
func checkSplitToken(t *testing.T, token string) {
	t.Helper()
	s1, s2, s3, count := splitToken(token)
	seg := [3]string{s1, s2, s3}
	seg1, rest, has2 := strings.Cut(token, ".")
	seg2, rest, has3 := strings.Cut(rest, ".")
	seg3, _, _ := strings.Cut(rest, ".")
	wantCount := 1
	if has2 {
		wantCount++
	}
	if has3 {
		wantCount++
	}
	if count != wantCount || seg[0] != seg1 || count >= 2 && seg[1] != seg2 || count == 3 && seg[2] != seg3 {
		t.Fatalf("splitToken(%q) = %q, %d; want %q %q %q, %d", token, seg, count, seg1, seg2, seg3, wantCount)
	}
}

func TestSplitToken(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	atoms := []string{".", ".", "a", "eyJ", "QUJD", "\x00", "\x01", "\x7f", "\x80", "é", "\xff", "-_", "........"}
	for range 50000 {
		var b strings.Builder
		for n := r.IntN(12); n > 0; n-- {
			b.WriteString(pick(r, atoms))
		}
		checkSplitToken(t, b.String())
	}
	checkSplitToken(t, benchToken)
	checkSplitToken(t, benchToken+".x.y")
}

func FuzzSplitToken(f *testing.F) {
	f.Add(benchToken)
	f.Add("a.b.c.d.e")
	f.Add("..\x00.é")
	f.Fuzz(checkSplitToken)
}
