// Package crypt is pgcrypto's crypt() and gen_salt() in pure Go: for the
// same input it returns the same bytes, accepts and rejects the same
// settings, and fails with the same SQLSTATE and message as PostgreSQL 13–18.
// Hashes made by either side verify on the other.
//
// # Safe use
//
// To store a password, make a fresh bcrypt setting and hash with it:
//
//	salt, err := crypt.GenSalt("bf") // "$2a$06$" + 22 random characters
//	hash, err := crypt.Crypt(password, salt)
//
// Prefer bf (bcrypt), with a cost your login rate allows
// (GenSaltRounds("bf", 10) or more); md5, des and xdes exist for old hashes
// only. To check a password, use Verify:
//
//	ok, err := crypt.Verify(password, hash)
//
// Verify recomputes the hash and compares in constant time; an error means
// the stored hash itself is unusable. Do not compare Crypt's result with
// == or bytes.Equal yourself: that leaks timing, and it is the same
// `hash = crypt(pw, hash)` test done less carefully.
//
// The cost is written in the hash, and neither PostgreSQL nor this package
// caps it: one call with "$2a$31$…" takes more than a day, with
// "$6$rounds=999999999$…" minutes, with "_zzzz…" seconds. Hash and verify
// only settings you made or trust, and bound concurrent hashing (a login
// endpoint is a CPU-exhaustion target).
//
// A server with several checks waiting at once can hand them to
// VerifyBatch: each check gets Verify's result, and two or three bcrypt
// checks of the same cost are computed together (two in about 1.1 times the
// time of one, three in about 1.3 times), so a core verifies about twice
// as many per second. It helps only under load; see VerifyBatch.
//
// # What PostgreSQL does, and so this package does
//
//   - The setting's prefix picks the algorithm, case-sensitively: "$2a$"
//     bcrypt, "$2x$" bcrypt with the historical sign-extension bug, "$1$"
//     md5-crypt, "$5$"/"$6$" sha256crypt/sha512crypt (PostgreSQL 18 only),
//     "_" extended DES, "$2$" always fails (ErrReturnedNull), and anything
//     else is traditional DES with the first two bytes as salt.
//   - So "$2b$" and "$2y$" hashes from OpenBSD, PHP and most bcrypt
//     libraries are NOT bcrypt to PostgreSQL: crypt() returns a
//     13-character DES string and Verify reports false, without an error.
//     Rewrite such hashes to "$2a$" (the algorithm is the same) before
//     storing them where pgcrypto will check them.
//     golang.org/x/crypto/bcrypt writes "$2a$" and is compatible as it is.
//   - pgcrypto's "$2a$" is the correct algorithm without Openwall's later
//     "safety" change, and cuts passwords at 72 bytes silently.
//   - Traditional DES uses only the first 8 bytes of the password and drops
//     the high bit of each; results of DES and md5-crypt may echo salt bytes
//     that are not valid UTF-8. Strings here are byte strings.
//   - A NUL byte cannot occur in PostgreSQL text; Crypt and GenSalt refuse it
//     (ErrInvalidEncoding) instead of truncating, and Verify reports false for such a
//     password.
//
// # PostgreSQL majors
//
// The package-level functions behave like PostgreSQL 18. ForVersion(major)
// gives the behaviour of another major: in 13–17, "$5$"/"$6$" settings are
// traditional DES (silently) and gen_salt knows no sha256crypt/sha512crypt.
// Use the major of the server whose hashes you share. The setting
// pgcrypto.builtin_crypto_enabled (18) and OpenSSL FIPS mode are not
// modelled: this is PostgreSQL with the defaults.
//
// # Notices and randomness
//
// Where PostgreSQL 18 only raises a NOTICE (a sha-crypt rounds= value
// clamped into 1000..999999999), Crypt returns the result; pass
// WithNotices to ForVersion to receive the notices. gen_salt reads
// crypto/rand; WithRand substitutes a reader for reproducible salts in
// tests.
//
// Errors are *Error values (see package internal/sqlerr): SQLState()
// returns the code, Error() ends with PostgreSQL's exact message, and
// errors.Is matches the exported sentinels. Messages that depend on the
// database encoding (sha-crypt's invalid salt character, quoted as one
// character of it; a NUL byte's "invalid byte sequence for encoding") are
// worded as a UTF8 database words them; for a LATIN1 database pass
// WithEncoding("LATIN1") to ForVersion.
package crypt
