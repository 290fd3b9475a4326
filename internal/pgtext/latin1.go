package pgtext

import (
	"strings"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// UTF8ToLatin1 converts s, UTF-8 that has passed CheckUTF8, to LATIN1 as
// PostgreSQL converts a UTF8 client's text for a LATIN1 database. The first
// character above U+00FF fails with an instance of kind and
// NoEquivalentMessage. (A byte that is not valid UTF-8, which s should not
// hold, fails the same way, quoted alone.)
func UTF8ToLatin1(s string, kind *sqlerr.Error) (string, error) {
	i := asciiPrefix(s)
	if i == len(s) {
		return s, nil
	}
	var out strings.Builder
	out.Grow(len(s))
	out.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r > 0xff {
			return "", kind.With(NoEquivalentMessage(s[i:i+n], UTF8, Latin1))
		}
		out.WriteByte(byte(r))
		i += n
	}
	return out.String(), nil
}

// Latin1ToUTF8 converts LATIN1 text to UTF-8, as PostgreSQL does for a UTF8
// client of a LATIN1 database; every byte is a character, so it cannot fail.
func Latin1ToUTF8(s string) string {
	i := asciiPrefix(s)
	if i == len(s) {
		return s
	}
	var out strings.Builder
	out.Grow(i + 2*(len(s)-i))
	out.WriteString(s[:i])
	for ; i < len(s); i++ {
		out.WriteRune(rune(s[i]))
	}
	return out.String()
}

// asciiPrefix is the length of the leading run of bytes below 0x80, which
// read the same in UTF-8 and LATIN1.
func asciiPrefix(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i
		}
	}
	return len(s)
}
