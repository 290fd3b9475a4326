package pgtext

import (
	"encoding/binary"
	"strings"
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

// checkUTF8 is CheckUTF8 without type parameters. Callers inline CheckUTF8
// as one call to it: measured in jwt.Verify, that beats inlining the check
// and its error path into the caller.
func checkUTF8(b []byte, kind *sqlerr.Error) error {
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
// rejects, or len(b) when there is none. It runs on the hot paths of
// jwt.Sign and jwt.Verify (tokens and payloads are mostly ASCII), hence the
// word-at-a-time scan: eight plain ASCII bytes per step. (A second,
// sixteen-byte step measured slower on text with a non-ASCII letter every
// few bytes, and no faster on tokens.)
func invalidAt(b []byte) int {
	// A word holds a byte with the high bit set or a zero byte exactly when
	// (x | (x - ones)) & highs != 0: a zero byte borrows into its own high
	// bit. A borrow past a zero byte can flag more, which only sends the
	// scan to the byte-by-byte path a little early.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i := 0; i < len(b); {
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			if (x|(x-ones))&highs != 0 {
				break
			}
			i += 8
		}
		if i == len(b) {
			break
		}
		c := b[i]
		if c != 0 && c < 0x80 {
			i++
			continue
		}
		n := LeadLen(c)
		if n > len(b)-i || c == 0 || !legal(b[i:i+n]) {
			return i
		}
		i += n
	}
	return len(b)
}

// legal reports whether s, of the length its lead byte announces, is a
// well-formed UTF-8 sequence (no overlongs, no surrogates, at most
// U+10FFFF), as PostgreSQL's pg_utf8_islegal judges it.
func legal(s []byte) bool {
	lo, hi := byte(0x80), byte(0xbf)
	switch len(s) {
	case 1:
		return s[0] < 0x80
	case 2:
		if s[0] < 0xc2 {
			return false
		}
	case 3:
		switch s[0] {
		case 0xe0:
			lo = 0xa0
		case 0xed:
			hi = 0x9f
		}
	case 4:
		switch {
		case s[0] == 0xf0:
			lo = 0x90
		case s[0] == 0xf4:
			hi = 0x8f
		case s[0] > 0xf4:
			return false
		}
	}
	if s[1] < lo || s[1] > hi {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < 0x80 || s[i] > 0xbf {
			return false
		}
	}
	return true
}
