package jwt

import (
	"encoding/binary"
	"slices"
)

// Unpadded base64url (RFC 4648 §5) on the hot paths of Sign and Verify.
// encoding/base64 handles every alphabet and padding through one generic
// loop with a byte table; a token needs only one alphabet, and both sides
// know the exact output size, so these write straight into it.

const urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// urlPairs maps 12 bits to their two characters (first one in the high
// byte): three input bytes cost two lookups instead of four.
var urlPairs = func() (t [4096]uint16) {
	for i := range t {
		t[i] = uint16(urlAlphabet[i>>6])<<8 | uint16(urlAlphabet[i&63])
	}
	return t
}()

// encodedLen is the length of the unpadded base64url text of n bytes.
func encodedLen(n int) int { return n/3*4 + (n%3*8+5)/6 }

// appendURLEncode appends the unpadded base64url text of src to dst, which
// is grown at most once.
func appendURLEncode(dst, src []byte) []byte {
	n, m := len(dst), encodedLen(len(src))
	dst = slices.Grow(dst, m)[:n+m]
	encodeURL(dst[n:], src)
	return dst
}

// encodeURL writes the text of src into out, of exactly encodedLen(len(src))
// bytes.
func encodeURL(out, src []byte) {
	// Six bytes become eight characters, read and written as one word each,
	// while both sides have a full word left.
	for len(src) >= 8 && len(out) >= 8 {
		v := binary.BigEndian.Uint64(src) >> 16
		binary.BigEndian.PutUint64(out, uint64(urlPairs[v>>36])<<48|uint64(urlPairs[v>>24&0xfff])<<32|
			uint64(urlPairs[v>>12&0xfff])<<16|uint64(urlPairs[v&0xfff]))
		src, out = src[6:], out[8:]
	}
	for len(src) >= 3 && len(out) >= 4 {
		v := uint(src[0])<<16 | uint(src[1])<<8 | uint(src[2])
		binary.BigEndian.PutUint32(out, uint32(urlPairs[v>>12])<<16|uint32(urlPairs[v&0xfff]))
		src, out = src[3:], out[4:]
	}
	switch len(src) {
	case 1:
		p := urlPairs[uint(src[0])<<4]
		out[0], out[1] = byte(p>>8), byte(p)
	case 2:
		v := uint(src[0])<<8 | uint(src[1])
		p := urlPairs[v>>4]
		out[0], out[1], out[2] = byte(p>>8), byte(p), urlAlphabet[v<<2&63]
	}
}

// noSymbol marks a byte that is no symbol in a decoding table.
const noSymbol = 0xff

// urlValue maps a base64url symbol to its value, any other byte to noSymbol.
var urlValue = func() (t [256]uint8) {
	for i := range t {
		t[i] = noSymbol
	}
	for i := 0; i < len(urlAlphabet); i++ {
		t[urlAlphabet[i]] = uint8(i)
	}
	return t
}()

// decodedLen is the number of bytes len symbols (len%4 != 1) decode to.
func decodedLen(n int) int { return n * 6 / 8 }

// decodeSymbols decodes s, symbols of table with len(s)%4 != 1, into out of
// exactly decodedLen(len(s)) bytes; the unused low bits of the last symbol
// are ignored. ok is false when s holds a byte that is no symbol (out then
// holds garbage).
func decodeSymbols(out []byte, s string, table *[256]uint8) (ok bool) {
	// Eight symbols become six bytes, written as one word, while the
	// output has a full word left. An invalid byte sets bit 7 of bad.
	var bad uint8
	for len(s) >= 8 && len(out) >= 8 {
		a, b, c, d := table[s[0]], table[s[1]], table[s[2]], table[s[3]]
		e, f, g, h := table[s[4]], table[s[5]], table[s[6]], table[s[7]]
		bad |= a | b | c | d | e | f | g | h
		binary.BigEndian.PutUint64(out, uint64(a)<<58|uint64(b)<<52|uint64(c)<<46|uint64(d)<<40|
			uint64(e)<<34|uint64(f)<<28|uint64(g)<<22|uint64(h)<<16)
		s, out = s[8:], out[6:]
	}
	for len(s) >= 4 && len(out) >= 3 {
		a, b, c, d := table[s[0]], table[s[1]], table[s[2]], table[s[3]]
		bad |= a | b | c | d
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		out[0], out[1], out[2] = byte(v>>16), byte(v>>8), byte(v)
		s, out = s[4:], out[3:]
	}
	switch len(s) {
	case 2:
		a, b := table[s[0]], table[s[1]]
		bad |= a | b
		out[0] = a<<2 | b>>4
	case 3:
		a, b, c := table[s[0]], table[s[1]], table[s[2]]
		bad |= a | b | c
		out[0], out[1] = a<<2|b>>4, b<<4|c>>2
	}
	return bad&0x80 == 0
}
