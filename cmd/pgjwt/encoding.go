package main

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// dbEncoding is the --encoding flag: the encoding of the database whose
// results to reproduce. pgcrypto hashes, and HMACs with, the bytes of text in
// the database encoding, so "sécret" is a different key in a LATIN1 database
// than in a UTF8 one. Command-line and stdin text is taken as UTF-8 (what a
// UTF8 client sends) and converted as PostgreSQL converts a client's text.
// The zero value passes bytes through unchanged, which is a UTF8 database for
// UTF-8 input and lets any other bytes through as they are.
type dbEncoding string

const (
	encodingRaw    dbEncoding = ""
	encodingUTF8   dbEncoding = "UTF8"
	encodingLatin1 dbEncoding = "LATIN1"
)

func (d *dbEncoding) String() string { return string(*d) }

func (d *dbEncoding) Set(s string) error {
	switch strings.ToUpper(strings.ReplaceAll(s, "-", "")) {
	case "UTF8":
		*d = encodingUTF8
	case "LATIN1", "ISO88591":
		*d = encodingLatin1
	default:
		return fmt.Errorf("unsupported database encoding %q (UTF8 or LATIN1)", s)
	}
	return nil
}

// Conversion errors, as PostgreSQL raises them for a client's UTF-8 text.
var (
	errBadUTF8      = sqlerr.New("pgjwt", "22021", `invalid byte sequence for encoding "UTF8"`)
	errNoEquivalent = sqlerr.New("pgjwt", "22P05", `character has no equivalent in encoding "LATIN1"`)
)

// toDatabase converts s, UTF-8 from the user, into the database encoding.
func (d dbEncoding) toDatabase(s string) (string, error) {
	if d == encodingRaw {
		return s, nil
	}
	if err := checkUTF8(s); err != nil {
		return "", err
	}
	if d == encodingUTF8 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i, r := range s {
		if r > 0xFF {
			n := utf8.RuneLen(r)
			return "", errNoEquivalent.With(fmt.Sprintf(
				`character with byte sequence %s in encoding "UTF8" has no equivalent in encoding "LATIN1"`, hexBytes([]byte(s[i:i+n]))))
		}
		b = append(b, byte(r))
	}
	return string(b), nil
}

// fromDatabase converts text in the database encoding back to UTF-8, as the
// server does for a UTF8 client. Bytes that are not valid in a UTF8 database
// (crypt() can echo such salt bytes) pass through unchanged, as they do there.
func (d dbEncoding) fromDatabase(s string) string {
	if d != encodingLatin1 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// errorFromDatabase converts the text of a PostgreSQL error raised on data in
// the database encoding (e.g. the salt character crypt() quotes) to UTF-8,
// as the server does when it sends the error to a UTF8 client.
func (d dbEncoding) errorFromDatabase(err error) error {
	var pe *sqlerr.Error
	if d != encodingLatin1 || !errors.As(err, &pe) {
		return err
	}
	converted := pe.With(d.fromDatabase(pe.Message))
	converted.Detail, converted.Hint = d.fromDatabase(pe.Detail), d.fromDatabase(pe.Hint)
	return converted
}

// checkUTF8 validates s as PostgreSQL validates UTF-8 text from a client:
// the message lists the bytes of the first bad sequence, as many as its lead
// byte announces (at most what is left), and a NUL byte is never valid.
func checkUTF8(s string) error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if s[i] != 0 && (r != utf8.RuneError || size > 1) {
			i += size
			continue
		}
		n := min(utf8SeqLen(s[i]), len(s)-i)
		return errBadUTF8.With(`invalid byte sequence for encoding "UTF8": ` + hexBytes([]byte(s[i:i+n])))
	}
	return nil
}

// utf8SeqLen is the length PostgreSQL's pg_utf_mblen gives a lead byte.
func utf8SeqLen(b byte) int {
	switch {
	case b&0x80 == 0:
		return 1
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	default:
		return 1
	}
}

func hexBytes(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("0x%02x", c)
	}
	return strings.Join(parts, " ")
}
