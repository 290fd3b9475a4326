package auth

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/crypt"
)

// User is one row of basic_auth.users.
type User struct {
	Email string // the primary key, as stored
	Hash  string // the stored crypt() hash of the password
	Role  string // the database role the user's tokens carry
}

// MaxEmailLength is the most characters the email of a new user may have;
// both stores refuse longer ones with ErrEmailTooLong, as if the column were
// varchar(512). The table itself has no limit, but its primary key's btree
// index takes at most 2692 bytes of a key the server cannot compress (an
// index row is at most a third of an 8 kB page), so a random email of 700
// four-byte characters fails there with a raw 54000 while a repetitive one
// of 200,000 bytes goes in. 512 characters are at most 2048 bytes in UTF-8
// (512 in a LATIN1 database): they always fit, and are twice what SMTP can
// deliver to (254 octets). Longer emails inserted in SQL still log in,
// change passwords and are deleted.
const MaxEmailLength = 512

// Store keeps users as basic_auth.users does. Both implementations, PGStore
// (the table itself) and MemStore (the same rules in Go), return the same
// errors for the same inputs, with the same message, detail and hint:
// ErrDuplicateEmail, ErrUnknownRole, ErrCheckViolation, ErrInvalidEncoding,
// ErrEmailTooLong, ErrUserNotFound. No error repeats the password or its
// hash.
//
// A Store hashes passwords itself, as the table's trigger does: on insert,
// and on an update only when the new text differs from the stored hash.
// Verifying passwords is the Service's job.
type Store interface {
	// CreateUser inserts a user; the store hashes pass.
	CreateUser(ctx context.Context, email, pass, role string) error
	// SetPassword replaces a user's password (hashing it unless it equals
	// the stored hash, as the trigger does).
	SetPassword(ctx context.Context, email, pass string) error
	// DeleteUser removes a user.
	DeleteUser(ctx context.Context, email string) error
	// LookupUser returns the user with this email, or ErrUserNotFound.
	LookupUser(ctx context.Context, email string) (User, error)
}

// storeEncoding is implemented by stores whose text is not UTF-8 on both
// sides: the Service converts passwords and the secret as the database
// would before crypt() and hmac() see them.
type storeEncoding interface {
	textCodec() textCodec
}

// storeCrypt is implemented by stores that know which PostgreSQL major's
// crypt() made their hashes.
type storeCrypt interface {
	cryptVersion() crypt.Version
}

// checkEmailLength refuses the email of a new user with more than
// MaxEmailLength characters; bytesAreChars is for a LATIN1 client, where
// each byte is one. The text must be valid in its encoding.
func checkEmailLength(email string, bytesAreChars bool) error {
	if len(email) <= MaxEmailLength {
		return nil // no more characters than bytes
	}
	n := len(email)
	if !bytesAreChars {
		n = utf8.RuneCountInString(email)
	}
	if n <= MaxEmailLength {
		return nil
	}
	return ErrEmailTooLong.WithDetail(fmt.Sprintf("The email has %d characters; at most %d are allowed.", n, MaxEmailLength))
}
