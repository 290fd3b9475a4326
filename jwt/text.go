package jwt

import "github.com/pgjwt-go/pgjwt/internal/pgtext"

// checkText reports the error PostgreSQL raises when s is to become a text
// value of a UTF8 database: the first sequence that is not valid UTF-8, or a
// NUL byte, which no PostgreSQL text can hold (see pgtext.InvalidUTF8).
func checkText(s string) error { return pgtext.CheckUTF8(s, ErrInvalidEncoding) }

// checkBytes is checkText for bytes.
func checkBytes(b []byte) error { return pgtext.CheckUTF8(b, ErrInvalidEncoding) }

// checkNoNUL rejects a NUL byte in a value of any database encoding (a
// secret may hold LATIN1 bytes, so it is not checked as UTF-8). The message
// names UTF8, the encoding of the database the oracle runs in.
func checkNoNUL(s string) error { return pgtext.CheckNoNUL(s, pgtext.UTF8, ErrInvalidEncoding) }
