package auth

import (
	"errors"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/crypt"
	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// dbEncoding is a PostgreSQL encoding name this package can reproduce.
type dbEncoding string

const (
	encUTF8   dbEncoding = "UTF8"
	encLatin1 dbEncoding = "LATIN1"
)

// textCodec reproduces what happens to text between a Go string and the
// database: the server checks a parameter in the client encoding, then
// converts it to the server encoding. This package needs it for the
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
		if err := pgtext.CheckNoNUL(s, pgtext.Latin1, ErrInvalidEncoding); err != nil {
			return "", err
		}
		return s, nil
	}
	if err := checkClientText(s); err != nil {
		return "", err
	}
	if c.server != encLatin1 {
		return s, nil
	}
	return pgtext.UTF8ToLatin1(s, ErrUntranslatable)
}

// serverLen is the length in bytes of s (valid client text) as the
// database holds it: octet_length in the SQL. Only a UTF8 client of a
// LATIN1 server changes it, one byte per character.
func (c textCodec) serverLen(s string) int {
	if c.client == encUTF8 && c.server == encLatin1 {
		return utf8.RuneCountInString(s)
	}
	return len(s)
}

// toUTF8 returns client-encoded text (valid in the client encoding) as UTF-8.
func (c textCodec) toUTF8(s string) string {
	if c.client != encLatin1 {
		return s
	}
	return pgtext.Latin1ToUTF8(s)
}

// fromClient returns text the server sent (so valid in the client
// encoding, and in the server encoding once converted back) as the server
// holds it: a stored hash as crypt() in the SQL login() sees it.
func (c textCodec) fromClient(s string) string {
	if c.client != encUTF8 || c.server != encLatin1 {
		return s
	}
	if out, err := pgtext.UTF8ToLatin1(s, ErrUntranslatable); err == nil {
		return out
	}
	return s // not from a LATIN1 server after all; crypt judges it as is
}

// cryptErrorToClient converts the message of crypt's error, worded in the
// server encoding, to the client encoding, as the server converts the
// messages it sends: a LATIN1 byte quoted in a sha-crypt salt error reaches
// a UTF8 client as its UTF-8 character.
func (c textCodec) cryptErrorToClient(err error) error {
	var e *crypt.Error
	if c.client != encUTF8 || c.server != encLatin1 || !errors.As(err, &e) {
		return err
	}
	if msg := pgtext.Latin1ToUTF8(e.Message); msg != e.Message {
		return e.With(msg)
	}
	return err
}

// checkClientText is the server's check of a UTF-8 parameter: the first NUL
// byte or invalid sequence is reported with the bytes of the character the
// lead byte announces (as many as are left), e.g. "0xe2 0x28 0xa1".
func checkClientText(s string) error { return pgtext.CheckUTF8(s, ErrInvalidEncoding) }

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
