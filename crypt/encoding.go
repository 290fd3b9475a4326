package crypt

import (
	"strings"

	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// dbEncoding is what crypt needs of the database encoding: how long the
// character at a byte is, and how the server names the encoding in
// messages. The zero value is UTF8.
type dbEncoding struct {
	latin1 bool
	err    error // WithEncoding was given a name crypt cannot reproduce
}

func encodingNamed(name string) dbEncoding {
	switch name {
	case pgtext.UTF8:
		return dbEncoding{}
	case pgtext.Latin1:
		return dbEncoding{latin1: true}
	}
	return dbEncoding{err: ErrUnsupportedEncoding.With(ErrUnsupportedEncoding.Message + ` "` + name +
		`" (crypt knows UTF8 and LATIN1)`)}
}

// charLen is the length the server gives the character starting at s[0]
// (pg_mblen): one byte in LATIN1; in UTF8 what the first byte announces,
// whatever follows. It is capped at len(s), as the message stops at the
// end of the text.
func (e dbEncoding) charLen(s []byte) int {
	if e.latin1 {
		return 1
	}
	return min(pgtext.LeadLen(s[0]), len(s))
}

// nulByte is the server's error for text with a NUL byte, sent by a client
// in the database encoding.
// checkText is the check every function makes of its text arguments, in
// this order: an encoding WithEncoding refused, then a NUL byte, which
// PostgreSQL text cannot hold.
func (e dbEncoding) checkText(a, b string) error {
	if e.err != nil {
		return e.err
	}
	if strings.IndexByte(a, 0) >= 0 || strings.IndexByte(b, 0) >= 0 {
		return e.nulByte()
	}
	return nil
}

func (e dbEncoding) nulByte() error {
	if e.latin1 {
		return errNULByteLatin1
	}
	return errNULByte
}
