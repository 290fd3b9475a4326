package crypt

import (
	"github.com/pgjwt-go/pgjwt/internal/pgtext"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// Error is the type of every error this package returns. It carries
// PostgreSQL's SQLSTATE (SQLState method, as pgconn.PgError has) and its
// message text verbatim (the Message field; Error() prefixes the function
// name). Use errors.Is with the sentinels below.
type Error = sqlerr.Error

// Errors of crypt(), with the SQLSTATE and message pgcrypto raises.
var (
	// ErrInvalidSalt: the setting is too short or malformed for the algorithm
	// its prefix selects (22023 "invalid salt").
	ErrInvalidSalt = sqlerr.New("crypt", "22023", "invalid salt")
	// ErrReturnedNull: the algorithm produced no result, e.g. for a "$2$"
	// setting or an extended-DES count of 0 (39000 "crypt(3) returned NULL").
	ErrReturnedNull = sqlerr.New("crypt", "39000", "crypt(3) returned NULL")
	// ErrSaltOptions: PostgreSQL 18 sha-crypt "rounds=" not ended by "$"
	// (42601 "could not parse salt options").
	ErrSaltOptions = sqlerr.New("crypt", "42601", "could not parse salt options")
	// ErrBogusMagic: PostgreSQL 18 sha-crypt salt containing "$5$" or "$6$"
	// again (XX000 "bogus magic byte found in salt string").
	ErrBogusMagic = sqlerr.New("crypt", "XX000", "bogus magic byte found in salt string")
	// ErrInvalidRoundsOption: PostgreSQL 18 sha-crypt salt containing a second
	// "rounds=" (XX000 "invalid rounds option specified in salt string").
	ErrInvalidRoundsOption = sqlerr.New("crypt", "XX000", "invalid rounds option specified in salt string")
	// ErrInvalidSaltChar: PostgreSQL 18 sha-crypt salt character outside
	// [./0-9A-Za-z]; the instance's message names the character as the
	// database encoding (WithEncoding) cuts it: in UTF8 the bytes its first
	// byte announces, in LATIN1 one byte
	// (22023 `invalid character in salt string: "<c>"`).
	ErrInvalidSaltChar = sqlerr.New("crypt", "22023", "invalid character in salt string")
	// ErrInvalidEncoding: the password, setting or gen_salt type contains a
	// NUL byte, which PostgreSQL text cannot hold, so no pgcrypto call could
	// ever see it. pgcrypto has no such error; this is the error (SQLSTATE
	// 22021) the server raises when a client sends a NUL inside a text
	// value, as a UTF8 database words it: instances read
	// `invalid byte sequence for encoding "UTF8": 0x00` (with
	// WithEncoding("LATIN1"), "LATIN1", as a LATIN1 client of a LATIN1
	// database is told). It is the same
	// condition as jwt's, pgjson's and auth's ErrInvalidEncoding, and
	// errors.Is matches across them.
	ErrInvalidEncoding = sqlerr.New("crypt", "22021", `invalid byte sequence for encoding "UTF8"`)
)

// The instances of ErrInvalidEncoding crypt returns: a NUL byte in a UTF8
// database, and in a LATIN1 one (WithEncoding).
var (
	errNULByte       = ErrInvalidEncoding.With(pgtext.InvalidSequenceMessage(pgtext.UTF8, "\x00"))
	errNULByteLatin1 = ErrInvalidEncoding.With(pgtext.InvalidSequenceMessage(pgtext.Latin1, "\x00"))
)

// ErrUnsupportedEncoding: WithEncoding was given an encoding other than
// UTF8 and LATIN1. pgcrypto has no such error (SQLSTATE 22023, invalid
// parameter value); crypt refuses rather than word its messages for the
// wrong encoding.
var ErrUnsupportedEncoding = sqlerr.New("crypt", "22023", "unsupported database encoding")

// Errors of gen_salt(), with the SQLSTATE and message pgcrypto raises.
var (
	// ErrUnknownAlgorithm: the type name is none of des, xdes, md5, bf
	// (and, from PostgreSQL 18, sha256crypt, sha512crypt).
	ErrUnknownAlgorithm = sqlerr.New("crypt", "22023", "gen_salt: Unknown salt algorithm")
	// ErrIncorrectRounds: the iteration count is out of the type's range.
	ErrIncorrectRounds = sqlerr.New("crypt", "22023", "gen_salt: Incorrect number of rounds")
	// ErrRandom: the random source failed.
	ErrRandom = sqlerr.New("crypt", "22023", "gen_salt: Failed to generate strong random bits")
)
