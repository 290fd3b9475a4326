package pgjson

import (
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way PostgreSQL's escape_json
// writes text: the five short escapes \b \f \n \r \t, \" and \\, every other
// byte below 0x20 as \u00xx (lower-case hex), and everything else verbatim:
// '/', '<', '>', '&', DEL, U+2028 and U+2029 are not escaped (encoding/json
// escapes some of them, so its output differs).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscape appends the escape of c, which is '"', '\\' or below 0x20.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// appendText is checkText and appendString in one pass over s.
func appendText(dst []byte, s string) ([]byte, error) {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' {
			i++
			continue
		}
		if c >= utf8.RuneSelf || c == 0 {
			if r, size := utf8.DecodeRuneInString(s[i:]); c != 0 && (r != utf8.RuneError || size > 1) {
				i += size
				continue
			}
			return dst, checkText(s[i:])
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), nil
}

// checkText reports whether s could be the value of a text datum in a UTF8
// database: valid UTF-8 without NUL bytes. The error names the offending
// bytes as PostgreSQL's "invalid byte sequence" message does.
func checkText(s string) error { return pgtext.CheckUTF8(s, ErrInvalidEncoding) }
