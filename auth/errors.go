package auth

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// Error is the type of this package's errors with a SQLSTATE: the
// sentinels below and their instances, which carry PostgreSQL's SQLSTATE
// (SQLState method, as pgconn.PgError has), its message text verbatim (the
// Message field; Error() prefixes "auth: ") and the DETAIL or HINT line
// where PostgreSQL gives one. Use errors.Is with the sentinels, errors.As
// with *Error to read the fields. A server error PGStore does not map to a
// sentinel comes back as a *pgconn.PgError, without the parts that could
// repeat a password (see the stores); configuration errors are plain.
type Error = sqlerr.Error

// Errors of the stores and the Service. Each carries the SQLSTATE and, where
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

	// ErrEmailTooLong: a new user's email has more than MaxEmailLength
	// characters. Both stores refuse it right after the text's encoding is
	// checked, with the very error PostgreSQL gives for a varchar(512)
	// column (string_data_right_truncation); the Detail gives the length.
	ErrEmailTooLong = sqlerr.New("auth", "22001", "value too long for type character varying("+
		strconv.Itoa(MaxEmailLength)+")")

	// ErrSchemaNotInstalled: NewPGStore found the users table missing,
	// incomplete or unusable. Instances carry the SQLSTATE and message of
	// what is missing, in PostgreSQL's words where it has some: 42P01
	// relation "basic_auth.users" does not exist, 42809 not a table, 42703
	// a column missing, 42804 a column not of a string type, 42704 a
	// trigger missing (encrypt_pass, which hashes passwords, or
	// ensure_user_role_exists), 55000 one disabled. InstallSchema creates
	// all of it.
	ErrSchemaNotInstalled = sqlerr.New("auth", "42P01", `relation "basic_auth.users" does not exist`)

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

	// ErrPasswordTooLong: a password longer than WithMaxPasswordLength
	// bytes (default DefaultMaxPasswordLength), refused before any hashing.
	// The SQL takes any length, but the work of md5-crypt and sha-crypt
	// grows with it (one sha512crypt of a 64 KiB password takes about 20 s),
	// so one request could hold a hashing slot for seconds. The SQLSTATE is
	// PostgreSQL's for a value over a declared length
	// (string_data_right_truncation); the message is the Go API's own.
	ErrPasswordTooLong = sqlerr.New("auth", "22001", "password is too long")
)

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
// sentinels, so that errors.Is works alike for both stores, and keeps of
// every error only what cannot repeat the row or the parameters:
// PostgreSQL's DETAIL "Failing row contains (…)" holds the password hash,
// the error context (Where) holds the statement of a trigger that failed
// and, with log_parameter_max_length_on_error set, the parameters, the
// plain password among them; INTERNAL QUERY holds a trigger's query. So the
// sentinels keep the server's message and hint only, a duplicate email the
// DETAIL "Key (email)=(…) already exists." built from the caller's email
// (as MemStore does), and any other *pgconn.PgError comes back as a copy
// without Detail, Where and InternalQuery (its SQLState(), message, hint
// and object names intact). The messages and hints of PostgreSQL's own
// errors on this table carry no values; those of triggers added to it are
// passed on as they are.
func fromServer(err error, email string) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	var kind *sqlerr.Error
	switch {
	case pg.Code == "23505" && pg.ConstraintName == "users_pkey":
		return duplicateEmail(email)
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
		c := *pg
		c.Detail, c.Where, c.InternalQuery, c.InternalPosition = "", "", "", 0
		return &c
	}
	e := kind.With(pg.Message)
	e.Hint = pg.Hint
	return e
}

// ErrShortSecret: NewService was given a secret under 32 bytes (as given:
// UTF-8 for a UTF8 client), which PostgREST would refuse to start with. It
// is [postgrest.ErrShortSecret] itself, the middleware's error for a short
// jwt-secret, so errors.Is matches under either name.
var ErrShortSecret = postgrest.ErrShortSecret
