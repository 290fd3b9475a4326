package jwt

import "strings"

// splitToken cuts token at its first three dots into the segments
// VerifyAt reads, as three strings.Cut would: seg1, then seg2 when count >= 2
// and seg3 when count == 3 (later segments are ignored). The results travel
// in registers, not through an array in memory.
func splitToken(token string) (seg1, seg2, seg3 string, count int) {
	i := strings.IndexByte(token, '.')
	if i < 0 {
		return token, "", "", 1
	}
	seg1, rest := token[:i], token[i+1:]
	if i = strings.IndexByte(rest, '.'); i < 0 {
		return seg1, rest, "", 2
	}
	seg2, rest = rest[:i], rest[i+1:]
	if i = strings.IndexByte(rest, '.'); i >= 0 {
		rest = rest[:i]
	}
	return seg1, seg2, rest, 3
}
