package auth

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// dbEncoding is a PostgreSQL encoding name the login half can reproduce.
type dbEncoding string

const (
	encUTF8   dbEncoding = "UTF8"
	encLatin1 dbEncoding = "LATIN1"
)

// textCodec reproduces what happens to text between a Go string and the
// database: the server checks a parameter in the client encoding, then
// converts it to the server encoding. The login half needs this for the
// one value it never sends, the password (and the secret), so that crypt()
// and hmac() see the very bytes the SQL login() would see; and it needs the
// UTF-8 form of email and role, as sign() converts the payload to UTF-8.
//
// Supported: client and server encoding equal (UTF8 or LATIN1, bytes pass
// unchanged), and a UTF8 client on a LATIN1 server.
type textCodec struct{ client, server dbEncoding }

var utf8Codec = textCodec{encUTF8, encUTF8}

func newTextCodec(client, server string) (textCodec, bool) {
	c := textCodec{dbEncoding(client), dbEncoding(server)}
	switch c {
	case utf8Codec, textCodec{encLatin1, encLatin1}, textCodec{encUTF8, encLatin1}:
		return c, true
	}
	return textCodec{}, false
}

// toServer returns s as the database holds it, or the error the server
// raises when s arrives as a query parameter: 22021 for a NUL byte or a
// sequence invalid in the client encoding, then 22P05 for a character the
// server encoding lacks.
func (c textCodec) toServer(s string) (string, error) {
	if c.client == encLatin1 {
		// Every byte is a LATIN1 character, except NUL.
		if i := strings.IndexByte(s, 0); i >= 0 {
			return "", ErrInvalidEncoding.With(`invalid byte sequence for encoding "LATIN1": 0x00`)
		}
		return s, nil
	}
	if err := checkClientText(s); err != nil {
		return "", err
	}
	if c.server != encLatin1 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		if r > 0xff {
			n := utf8.RuneLen(r)
			return "", ErrUntranslatable.With(fmt.Sprintf(
				`character with byte sequence %s in encoding "UTF8" has no equivalent in encoding "LATIN1"`,
				hexBytes(s[i:i+n])))
		}
		b.WriteByte(byte(r))
	}
	return b.String(), nil
}

// toUTF8 returns client-encoded text (valid in the client encoding) as UTF-8.
func (c textCodec) toUTF8(s string) string {
	if c.client != encLatin1 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// checkClientText is the server's check of a UTF-8 parameter: the first NUL
// byte or invalid sequence is reported with the bytes of the character the
// lead byte announces (as many as are left), e.g. "0xe2 0x28 0xa1".
func checkClientText(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0 {
			return ErrInvalidEncoding.With(`invalid byte sequence for encoding "UTF8": 0x00`)
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			l := min(utf8LeadLen(c), len(s)-i)
			return ErrInvalidEncoding.With(`invalid byte sequence for encoding "UTF8": ` + hexBytes(s[i:i+l]))
		}
		i += n
	}
	return nil
}

// utf8LeadLen is PostgreSQL's pg_utf_mblen: the sequence length a lead
// byte announces, 1 for bytes that cannot lead.
func utf8LeadLen(c byte) int {
	switch {
	case c&0xe0 == 0xc0:
		return 2
	case c&0xf0 == 0xe0:
		return 3
	case c&0xf8 == 0xf0:
		return 4
	}
	return 1
}

func hexBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "0x%02x", s[i])
	}
	return b.String()
}

// clipName is PostgreSQL's text → name cast: text of 64 bytes or more is cut
// to at most 63 bytes at a character boundary, silently.
func clipName(s string) string {
	const maxName = 63 // NAMEDATALEN - 1
	if len(s) <= maxName {
		return s
	}
	// Bug-compatible: the users.role column is of type name, so PostgreSQL
	// truncates a long role without a word, and the trigger then checks the
	// truncated role. Storing anything else would split the two stores.
	n := maxName
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
