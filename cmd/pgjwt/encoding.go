package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pgjwt-go/pgjwt/internal/pgtext"
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
	if err := pgtext.CheckUTF8(s, errBadUTF8); err != nil {
		return "", err
	}
	if d == encodingUTF8 {
		return s, nil
	}
	return pgtext.UTF8ToLatin1(s, errNoEquivalent)
}

// fromDatabase converts text in the database encoding back to UTF-8, as the
// server does for a UTF8 client. Bytes that are not valid in a UTF8 database
// (crypt() can echo such salt bytes) pass through unchanged, as they do there.
func (d dbEncoding) fromDatabase(s string) string {
	if d != encodingLatin1 {
		return s
	}
	return pgtext.Latin1ToUTF8(s)
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
