package auth

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// Errors of the users-and-login half. Each carries the SQLSTATE and, where
// PostgreSQL raises the same condition for the basic_auth.users table, its
// message byte for byte; both stores return them, so callers can branch with
// errors.Is whichever store is behind the Service. Instances carry the exact
// text of the case (the role name, the constraint name) and match the
// sentinel under errors.Is.
var (
	// ErrDuplicateEmail: the email is already taken (unique_violation on the
	// primary key). Detail says "Key (email)=(…) already exists.".
	ErrDuplicateEmail = sqlerr.New("auth", "23505", `duplicate key value violates unique constraint "users_pkey"`)

	// ErrUnknownRole: the user's role is not a database role (the
	// constraint trigger's foreign_key_violation); instances read
	// "unknown database role: <role>".
	ErrUnknownRole = sqlerr.New("auth", "23503", "unknown database role: ")

	// ErrCheckViolation: a check constraint of the users table failed; in
	// practice users_email_check, as the password is checked after hashing
	// and the role after its truncation to a name. Instances name the
	// constraint as PostgreSQL does.
	ErrCheckViolation = sqlerr.New("auth", "23514", `new row for relation "users" violates check constraint "users_email_check"`)

	// ErrInvalidPassword: wrong password or unknown email, deliberately one
	// error with one message, as the SQL login() raises it.
	ErrInvalidPassword = sqlerr.New("auth", "28P01", "invalid user or password")

	// ErrUserNotFound: SetPassword or DeleteUser named an email that has no
	// row. PostgreSQL's UPDATE/DELETE just report 0 rows; this error and its
	// SQLSTATE (P0002, no_data_found) are the Go API's own.
	ErrUserNotFound = sqlerr.New("auth", "P0002", "user not found")

	// ErrInvalidEncoding: text that PostgreSQL would refuse at the door (a
	// NUL byte or invalid UTF-8), with the server's message naming the bad
	// bytes.
	ErrInvalidEncoding = sqlerr.New("auth", "22021", `invalid byte sequence for encoding "UTF8"`)

	// ErrUntranslatable: a character the database encoding (LATIN1) cannot
	// hold, with the server's message.
	ErrUntranslatable = sqlerr.New("auth", "22P05", "character has no equivalent in the database encoding")

	// ErrNoSecret: PGStore.Secret found no setting app.jwt_secret in the
	// session, the very error (undefined_object) the SQL login() raises
	// then. A setting that exists but is empty is no error here (login()
	// signs with it); NewService refuses it as ErrShortSecret.
	ErrNoSecret = sqlerr.New("auth", "42704", `unrecognized configuration parameter "app.jwt_secret"`)

	// ErrHashQueueFull: every hashing slot is busy and WithHashQueue calls
	// already wait for one, so this one is refused at once (the login
	// handler answers 503 with Retry-After). The SQLSTATE is 53000
	// (insufficient_resources), PostgreSQL's code for lacking the resources
	// to take on work, rather than 53300 (too_many_connections): the
	// resource is CPU time, not a connection, and a PGStore can meet a real
	// 53300 from the server, which must not be mistaken for this. The
	// message is the Go API's own; PostgreSQL has none for the case.
	ErrHashQueueFull = sqlerr.New("auth", "53000", "too many requests waiting for password hashing")
)

// ErrShortSecret: a plain HMAC secret under 32 bytes, which NewService and
// NewAuthenticator refuse, as PostgREST (v13+) refuses to start with one.
// Both count bytes: NewService those of the secret as given (UTF-8 for a
// UTF8 client), the middleware those of jwt-secret after any base64
// decoding, as PostgREST does, whose own message ("The JWT secret must be at
// least 32 characters long.") says characters. Sixteen two-byte characters
// are enough. JWKs have no minimum.
var ErrShortSecret = errors.New("the JWT secret must be at least 32 bytes long")

// unknownRole returns the 23503 error the constraint trigger raises.
func unknownRole(role string) error {
	return ErrUnknownRole.With("unknown database role: " + role)
}

// duplicateEmail returns the 23505 error with PostgreSQL's DETAIL line.
func duplicateEmail(email string) error {
	e := ErrDuplicateEmail.With(ErrDuplicateEmail.Message)
	e.Detail = "Key (email)=(" + email + ") already exists."
	return e
}

// checkViolation returns the 23514 error for one users constraint.
func checkViolation(constraint string) error {
	return ErrCheckViolation.With(`new row for relation "users" violates check constraint "` + constraint + `"`)
}

// fromServer maps the server's errors for the users table to this package's
// sentinels (keeping the server's message, detail and hint verbatim), so
// that errors.Is works alike for both stores. Anything else is returned as
// is; a *pgconn.PgError still answers SQLState().
func fromServer(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	var kind *sqlerr.Error
	switch {
	case pg.Code == "23505" && pg.ConstraintName == "users_pkey":
		kind = ErrDuplicateEmail
	case pg.Code == "23503" && strings.HasPrefix(pg.Message, "unknown database role: "):
		kind = ErrUnknownRole
	case pg.Code == "23514" && pg.TableName == "users":
		kind = ErrCheckViolation
	case pg.Code == "28P01":
		kind = ErrInvalidPassword
	case pg.Code == "22021":
		kind = ErrInvalidEncoding
	case pg.Code == "22P05":
		kind = ErrUntranslatable
	default:
		return err
	}
	e := kind.With(pg.Message)
	e.Detail, e.Hint = pg.Detail, pg.Hint
	return e
}
