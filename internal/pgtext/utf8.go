package pgtext

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// Encoding names as PostgreSQL spells them in its messages.
const (
	UTF8   = "UTF8"
	Latin1 = "LATIN1"
)

// LeadLen is the length of the UTF-8 sequence that lead byte c announces, as
// PostgreSQL's pg_utf_mblen computes it: 1 for ASCII and for bytes that
// cannot lead a sequence (continuation bytes, 0xf8–0xff), 4 for 0xf5–0xf7
// although no such sequence is legal.
func LeadLen(c byte) int {
	switch {
	case c&0x80 == 0:
		return 1
	case c&0xe0 == 0xc0:
		return 2
	case c&0xf0 == 0xe0:
		return 3
	case c&0xf8 == 0xf0:
		return 4
	}
	return 1
}

// InvalidUTF8 returns the first sequence of s that PostgreSQL's UTF8
// verifier rejects, as its message quotes it: as many bytes as the lead
// byte announces, cut at the end of s. A NUL byte is invalid. bad is false
// when s is text a UTF8 database can hold.
func InvalidUTF8[T ~string | ~[]byte](s T) (seq T, bad bool) {
	i := invalidAt(bytesOf(s))
	if i == len(s) {
		return s[i:], false
	}
	return s[i:min(i+LeadLen(s[i]), len(s))], true
}

// CheckUTF8 is InvalidUTF8 as an error: nil, or an instance of kind with
// PostgreSQL's "invalid byte sequence" message.
func CheckUTF8[T ~string | ~[]byte](s T, kind *sqlerr.Error) error {
	return checkUTF8(bytesOf(s), kind)
}

// checkUTF8 is CheckUTF8 without type parameters, so that CheckUTF8 inlines
// into its callers as one call to it. Plain ASCII, the usual case (tokens,
// most payloads), is answered within that call; other text goes on to
// invalidAt.
func checkUTF8(b []byte, kind *sqlerr.Error) error {
	if plainASCII(b) {
		return nil
	}
	if i := invalidAt(b); i < len(b) {
		return kind.With(InvalidSequenceMessage(UTF8, b[i:min(i+LeadLen(b[i]), len(b))]))
	}
	return nil
}

// CheckNoNUL is the verification every encoding shares: no NUL byte. It is
// the whole check for a single-byte encoding such as LATIN1, where every
// other byte is a character. The error is an instance of kind with the
// message PostgreSQL gives for encoding.
func CheckNoNUL(s, encoding string, kind *sqlerr.Error) error {
	if strings.IndexByte(s, 0) >= 0 {
		return kind.With(InvalidSequenceMessage(encoding, "\x00"))
	}
	return nil
}

// bytesOf views s as bytes without copying; the bytes are only read.
func bytesOf[T ~string | ~[]byte](s T) []byte {
	// Both a string and a slice header start with the data pointer and the
	// length, so a string header can be read from either (the conversion
	// strings.Builder made for years).
	str := *(*string)(unsafe.Pointer(&s))
	return unsafe.Slice(unsafe.StringData(str), len(str))
}

// invalidAt returns the offset of the first sequence in b that PostgreSQL
// rejects, or len(b) when there is none. PostgreSQL's pg_utf8_islegal and
// Go's decoder reject the same sequences (overlongs, surrogates, values
// above U+10FFFF, stray continuation and 0xf5–0xff bytes); NUL is rejected
// on top. utf8.Valid, which skips ASCII a word at a time, answers the usual
// case; the loop only locates the offending byte.
func invalidAt(b []byte) int {
	if utf8.Valid(b) {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return i
		}
		return len(b)
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return i
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// plainASCII reports whether b holds neither a byte >= 0x80 nor a NUL, the
// common case (tokens, most payloads), with no branch per word: the words
// are ORed together and tested once. Text that fails it pays this pass on
// top of invalidAt's loop, about one cycle per sixteen bytes. Small enough
// to inline into checkUTF8.
func plainASCII(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var odd uint64 // bit 7 of a byte set: maybe >= 0x80 or NUL
	for ; len(b) >= 16; b = b[16:] {
		x, y := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		odd |= x | (x - ones) | y | (y - ones)
	}
	for _, c := range b { // at most 15 left
		if c == 0 || c >= 0x80 {
			return false
		}
	}
	return odd&highs == 0
}
