package auth

import (
	"context"

	"github.com/pgjwt-go/pgjwt/crypt"
)

// User is one row of basic_auth.users.
type User struct {
	Email string // the primary key, as stored
	Hash  string // the stored crypt() hash of the password
	Role  string // the database role the user's tokens carry
}

// Store keeps users as basic_auth.users does. Both implementations, PGStore
// (the table itself) and MemStore (the same rules in Go), return the same
// errors for the same inputs, with the same message, detail and hint:
// ErrDuplicateEmail, ErrUnknownRole, ErrCheckViolation, ErrInvalidEncoding,
// ErrUserNotFound. No error repeats the password or its hash.
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
