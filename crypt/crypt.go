package crypt

import (
	"crypto/rand"
	"crypto/subtle"
	"io"
	"strings"
)

// Supported PostgreSQL majors. ForVersion maps anything below MinMajor to
// MinMajor and anything above MaxMajor to MaxMajor.
const (
	MinMajor = 13
	MaxMajor = 18
)

// shaCryptMajor is the first major whose pgcrypto knows "$5$"/"$6$" and the
// sha256crypt/sha512crypt gen_salt types.
const shaCryptMajor = 18

// Version is pgcrypto's crypt() and gen_salt() as one PostgreSQL major
// ships them; make one with ForVersion. The zero value behaves like
// PostgreSQL 18 in a UTF8 database with crypto/rand, as the package-level
// functions do. A Version is immutable and safe for concurrent use (if its
// random reader and notice function are).
type Version struct {
	major  int
	rand   io.Reader
	notice func(Notice)
	enc    dbEncoding
}

// Option configures a Version.
type Option func(*Version)

// WithRand makes gen_salt read its random bytes from r instead of
// crypto/rand. Use it only for reproducible salts in tests and examples: a
// predictable salt weakens every hash made with it.
func WithRand(r io.Reader) Option {
	return func(v *Version) { v.rand = r }
}

// WithNotices makes crypt() report the NOTICEs PostgreSQL would send (in
// PostgreSQL 18, a sha-crypt "rounds=" value clamped into 1000..999999999).
// fn is called synchronously, before Crypt or Verify returns. Without this
// option notices are dropped, as a SQL client that ignores them would.
func WithNotices(fn func(Notice)) Option {
	return func(v *Version) { v.notice = fn }
}

// WithEncoding tells crypt the database's encoding (server_encoding, as
// PostgreSQL spells it: "UTF8" or "LATIN1"), so that error messages quoting
// input are the server's byte for byte; hashes do not depend on it. In a
// LATIN1 database an invalid sha-crypt salt character is quoted as its one
// byte (a UTF8 database quotes the whole character its first byte
// announces), and a NUL byte is reported as invalid for "LATIN1". The
// messages are in the database encoding, as crypt()'s arguments and results
// are; a client in another encoding receives them converted. The default is
// UTF8. Any other name makes every function of the Version fail with
// ErrUnsupportedEncoding, rather than word messages for the wrong encoding.
func WithEncoding(name string) Option {
	return func(v *Version) { v.enc = encodingNamed(name) }
}

// ForVersion returns crypt() and gen_salt() as PostgreSQL major behaves:
// 13–17 are identical; 18 adds sha256crypt/sha512crypt ("$5$", "$6$"),
// which 13–17 hash as traditional DES. Majors below 13 behave as 13, above
// 18 as 18.
func ForVersion(major int, opts ...Option) Version {
	major = min(max(major, MinMajor), MaxMajor)
	v := Version{major: major, rand: rand.Reader}
	for _, opt := range opts {
		opt(&v)
	}
	if v.rand == nil {
		v.rand = rand.Reader
	}
	return v
}

// Major returns the PostgreSQL major this Version behaves like.
func (v Version) Major() int {
	if v.major == 0 {
		return MaxMajor
	}
	return v.major
}

func (v Version) random() io.Reader {
	if v.rand == nil {
		return rand.Reader
	}
	return v.rand
}

var latest = ForVersion(MaxMajor)

// Crypt is pgcrypto's crypt(password, setting) of the newest supported
// PostgreSQL major (18). See Version.Crypt.
func Crypt(password, setting string) (string, error) { return latest.Crypt(password, setting) }

// GenSalt is pgcrypto's gen_salt(type) of PostgreSQL 18, with salt bytes
// from crypto/rand. See Version.GenSalt.
func GenSalt(typ string) (string, error) { return latest.GenSalt(typ) }

// GenSaltRounds is pgcrypto's gen_salt(type, iter_count) of PostgreSQL 18.
// See Version.GenSaltRounds.
func GenSaltRounds(typ string, rounds int) (string, error) {
	return latest.GenSaltRounds(typ, rounds)
}

// Verify reports whether password hashes to hash, as PostgreSQL 18's
// `hash = crypt(password, hash)` would. See Version.Verify.
func Verify(password, hash string) (bool, error) { return latest.Verify(password, hash) }

// VerifyBatch is Verify for every check, as PostgreSQL 18 would check it,
// with bcrypt checks of the same cost computed two or three together. See
// Version.VerifyBatch.
func VerifyBatch(checks []Check) { latest.VerifyBatch(checks) }

// Crypt returns what `SELECT crypt(password, setting)` returns on this
// PostgreSQL major: the algorithm is chosen by the setting's prefix ("$2a$",
// "$2x$" bcrypt; "$1$" md5-crypt; "$5$"/"$6$" sha-crypt in 18; "_"
// extended DES; anything else traditional DES), and the result is a byte
// string that, like PostgreSQL's, need not be valid UTF-8.
//
// Both arguments are raw bytes, as pgcrypto sees a text value in the
// database encoding. A NUL byte, which PostgreSQL text cannot hold, is
// rejected with ErrInvalidEncoding.
func (v Version) Crypt(password, setting string) (string, error) {
	if err := v.enc.checkText(password, setting); err != nil {
		return "", err
	}
	out, err := v.crypt(password, setting)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// Verify recomputes crypt(password, hash) and compares the result with hash
// in constant time. It returns an error only when hash is unusable as a
// setting (the error crypt() would raise); a wrong password is (false,
// nil). A password containing NUL is (false, nil): PostgreSQL can never
// have hashed one. Like PostgreSQL, Verify treats "$2b$"/"$2y$" hashes as
// traditional DES settings, so they never match.
func (v Version) Verify(password, hash string) (bool, error) {
	password, never, err := v.verifyArgs(password, hash)
	if err != nil {
		return false, err
	}
	out, err := v.crypt(password, hash)
	if err != nil {
		return false, err
	}
	return verdict(out, hash, never), nil
}

// verifyArgs is Verify's check of its arguments: a hash with NUL is
// ErrInvalidEncoding; a password with NUL is replaced by "" and can never match.
func (v Version) verifyArgs(password, hash string) (pw string, never bool, err error) {
	if err := v.enc.checkText(hash, ""); err != nil {
		return "", false, err
	}
	if strings.IndexByte(password, 0) >= 0 {
		// Still hash (an empty password) so that an unusable hash is
		// reported and the time taken does not tell the two cases apart.
		return "", true, nil
	}
	return password, false, nil
}

// verdict compares crypt()'s output with the stored hash in constant time.
func verdict(out []byte, hash string, never bool) bool {
	return subtle.ConstantTimeCompare(out, []byte(hash)) == 1 && !never
}

// crypt is px_crypt's dispatch: the first prefix in this order that the
// setting starts with (byte-exact, case-sensitive) picks the algorithm.
func (v Version) crypt(password, setting string) ([]byte, error) {
	if signBug, ok := bcryptVariant(setting); ok { // "$2a$", "$2x$"
		return bcryptCrypt(password, setting, signBug)
	}
	switch {
	case strings.HasPrefix(setting, "$2$"):
		// pgcrypto lists "$2$" with no handler: it always yields NULL.
		return nil, ErrReturnedNull
	case strings.HasPrefix(setting, "$1$"):
		return md5Crypt(password, setting), nil
	case v.Major() >= shaCryptMajor && (strings.HasPrefix(setting, "$5$") || strings.HasPrefix(setting, "$6$")):
		return shaCrypt([]byte(password), []byte(setting), v.notice, v.enc)
	case strings.HasPrefix(setting, "_"):
		return xdesCrypt([]byte(password), []byte(setting))
	default:
		// The catch-all: "$2b$", "$2y$", "$7$", and in 13–17 "$5$"/"$6$",
		// silently become traditional DES with the first two bytes as salt.
		return desCrypt([]byte(password), []byte(setting))
	}
}
