package jwt

import (
	"encoding/binary"
	"strings"
	"unsafe"
)

// checkText reports the error PostgreSQL raises when b is to become a text
// value of a UTF8 database: the first sequence that is not valid UTF-8, or a
// NUL byte, which no PostgreSQL text can hold. The message lists the bytes of
// the offending sequence as PostgreSQL's report_invalid_encoding does: as
// many as the lead byte announces, cut at the end of the input.
func checkText(s string) error {
	return checkBytes(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// checkBytes is checkText for bytes.
func checkBytes(b []byte) error {
	for i := 0; i < len(b); {
		// Eight plain ASCII bytes (no high bit, no NUL) at a time.
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			if (x|(x-0x0101010101010101))&0x8080808080808080 != 0 {
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
		n := utf8Len(c)
		if n > len(b)-i || c == 0 || !utf8Legal(b[i:i+n]) {
			return invalidEncoding(b[i:min(i+n, len(b))])
		}
		i += n
	}
	return nil
}

// utf8Len is the length PostgreSQL's pg_utf_mblen announces for a lead byte
// (1 for bytes that cannot start a sequence).
func utf8Len(c byte) int {
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

// utf8Legal reports whether s, of the length its lead byte announces, is a
// well-formed UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF).
func utf8Legal[T ~string | ~[]byte](s T) bool {
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

func invalidEncoding[T ~string | ~[]byte](seq T) error {
	const hex = "0123456789abcdef"
	var sb strings.Builder
	sb.WriteString(`invalid byte sequence for encoding "UTF8": `)
	for i := 0; i < len(seq); i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString("0x")
		sb.WriteByte(hex[seq[i]>>4])
		sb.WriteByte(hex[seq[i]&15])
	}
	return ErrInvalidEncoding.With(sb.String())
}

// checkNoNUL rejects a NUL byte in a value of any database encoding (a
// secret may hold LATIN1 bytes, so it is not checked as UTF-8).
func checkNoNUL(s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return ErrInvalidEncoding.With(`invalid byte sequence for encoding "UTF8": 0x00`)
	}
	return nil
}
