package jwt

import "strings"

// splitToken cuts token at its first three dots into the segments
// VerifyAt reads, as three strings.Cut would: seg1, then seg2 when count >= 2
// and seg3 when count == 3 (later segments are ignored). The results travel
// in registers, not through an array in memory.
//
// plain is true when token has no byte >= 0x80 and no NUL: it is then text a
// UTF8 database holds without the full check (false just means "run
// checkText"). Tokens are ASCII, and this branch-free test of eight bytes
// per step costs less than the verifier's general loop.
func splitToken(token string) (seg1, seg2, seg3 string, count int, plain bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var odd uint64 // bit 7 of a byte set: maybe >= 0x80 or NUL
	rest := token
	for ; len(rest) >= 16; rest = rest[16:] {
		x, y := le64(rest), le64(rest[8:])
		odd |= x | (x - ones) | y | (y - ones)
	}
	for ; len(rest) >= 8; rest = rest[8:] {
		x := le64(rest)
		odd |= x | (x - ones)
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c == 0 || c >= 0x80 {
			odd |= highs
		}
	}
	plain = odd&highs == 0
	i := strings.IndexByte(token, '.')
	if i < 0 {
		return token, "", "", 1, plain
	}
	seg1, rest = token[:i], token[i+1:]
	if i = strings.IndexByte(rest, '.'); i < 0 {
		return seg1, rest, "", 2, plain
	}
	seg2, rest = rest[:i], rest[i+1:]
	if i = strings.IndexByte(rest, '.'); i >= 0 {
		rest = rest[:i]
	}
	return seg1, seg2, rest, 3, plain
}

// le64 reads the first eight bytes of s as a little-endian word (one load).
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
