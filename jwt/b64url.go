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
