package crypt

import (
	"strconv"
	"strings"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// Errors of ImportHash. PostgreSQL has no such check (crypt() silently
// treats an unknown hash as a DES setting), so the codes are the nearest
// standard ones and the messages are this package's.
var (
	// ErrUnsupportedHash: a hash format pgcrypto's crypt() can never
	// check (argon2, scrypt, yescrypt, pbkdf2, "$2$", …; sha-crypt before
	// PostgreSQL 18). The DETAIL names the format. Such users need a
	// password reset, or to be migrated at login by the system that can
	// still check their hashes (22023).
	ErrUnsupportedHash = sqlerr.New("crypt", "22023", "hash format not supported by pgcrypto")
	// ErrMalformedHash: the prefix names a format crypt() knows, but the
	// text is not a complete hash of it, so no password would ever match
	// (22023). The DETAIL says what is wrong.
	ErrMalformedHash = sqlerr.New("crypt", "22023", "malformed password hash")
)

// ImportHash is Version.ImportHash on PostgreSQL 18.
func ImportHash(hash string) (string, error) { return latest.ImportHash(hash) }

// ImportHash prepares a password hash made by another system for storage
// where pgcrypto's crypt() will check it (basic_auth.users), or fails with
// ErrUnsupportedHash or ErrMalformedHash when crypt() could never verify it.
// It never hashes anything, so a hostile cost costs nothing here.
//
//   - bcrypt "$2b$" and "$2y$" (OpenBSD, PHP, Python, most libraries) are
//     rewritten to "$2a$": the algorithm is the same, but crypt() would
//     take the other prefixes for traditional DES settings and never
//     match. "$2a$" and "$2x$" stay. The last character of the salt and of
//     the checksum, which carry fewer than six bits, are written as
//     pgcrypto writes them (other libraries ignore the unused bits too).
//     Caveat: a "$2a$" hash from a library with Openwall's 2011
//     countermeasure (crypt_blowfish ≥ 1.1, PHP ≥ 5.3.7) does not verify
//     in pgcrypto for the rare passwords with bytes ≥ 0x80 that the
//     countermeasure changes; "$2b$"/"$2y$" have no such difference.
//   - md5-crypt "$1$", traditional DES (13 characters), extended DES
//     ("_", 20 characters) and, from PostgreSQL 18, sha256crypt "$5$" and
//     sha512crypt "$6$" are returned unchanged once their shape is checked.
//     sha-crypt rounds must be written as PostgreSQL writes them (1000 to
//     999999999, no sign or leading zero) and the salt limited to
//     [./0-9A-Za-z], as PostgreSQL 18 requires.
//   - "$2$", "$argon2…", "$7$"/"$scrypt$", "$y$"/"$gy$" (yescrypt),
//     "$pbkdf2…", "$sha1$", "$md5…" (Sun), "$3$" (NT hash), "{SCHEME}…"
//     (LDAP), Django's "algorithm$…", PostgreSQL's own "md5…"/"SCRAM-…"
//     role passwords and anything else unknown are ErrUnsupportedHash.
func (v Version) ImportHash(hash string) (string, error) {
	if err := v.enc.checkText(hash, ""); err != nil {
		return "", err
	}
	switch {
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		return importBcrypt(hash, "$2a$")
	case strings.HasPrefix(hash, "$2x$"):
		return importBcrypt(hash, "$2x$")
	case strings.HasPrefix(hash, "$1$"):
		return importMD5(hash)
	case strings.HasPrefix(hash, "$5$"), strings.HasPrefix(hash, "$6$"):
		if v.Major() < shaCryptMajor {
			return "", ErrUnsupportedHash.WithDetail("sha-crypt hashes (\"" + hash[:3] + "\") are checked by crypt() only from PostgreSQL 18; PostgreSQL " +
				strconv.Itoa(v.Major()) + " takes them for traditional DES settings.")
		}
		return importSHA(hash)
	case strings.HasPrefix(hash, "_"):
		return importXDES(hash)
	case !strings.HasPrefix(hash, "$") && len(hash) == 13 && inCryptAlphabet(hash):
		return hash, nil // traditional DES: two salt characters, eleven of checksum
	}
	return "", ErrUnsupportedHash.WithDetail(describeForeign(hash) + " cannot be checked by pgcrypto's crypt().")
}

// describeForeign names a format crypt() does not know, without quoting
// more of the hash than its prefix.
func describeForeign(hash string) string {
	lower := strings.ToLower(hash)
	for _, f := range []struct{ prefix, name string }{
		{"$2$", `The original bcrypt "$2$" format`},
		{"$argon2", "An argon2 hash"},
		{"$7$", `A scrypt hash ("$7$")`},
		{"$scrypt$", "A scrypt hash"},
		{"$y$", "A yescrypt hash"},
		{"$gy$", "A gost-yescrypt hash"},
		{"$pbkdf2", "A PBKDF2 hash"},
		{"$sha1$", "A sha1crypt hash"},
		{"$md5", "A Sun md5-crypt hash"},
		{"$3$", "An NT hash"},
		{"$bcrypt-sha256$", "A bcrypt-sha256 hash"},
		{"scram-sha-256$", "A PostgreSQL SCRAM-SHA-256 verifier"},
		{"pbkdf2_", "A Django PBKDF2 hash"},
		{"argon2", "A Django argon2 hash"},
		{"bcrypt$", "A Django bcrypt hash (strip \"bcrypt$\" and import the rest if it is plain bcrypt)"},
		{"{", "An LDAP-style {SCHEME} hash"},
	} {
		if strings.HasPrefix(lower, f.prefix) {
			return f.name
		}
	}
	if len(hash) == 35 && strings.HasPrefix(hash, "md5") && isHex(hash[3:]) {
		return "A PostgreSQL md5 role password"
	}
	if strings.HasPrefix(hash, "$") {
		end := strings.IndexByte(hash[1:], '$')
		if end >= 0 && end <= 16 {
			return "A hash of unknown format \"" + hash[:end+2] + "\""
		}
	}
	return "A hash of unknown format"
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func inCryptAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isCryptAlphabet(s[i]) {
			return false
		}
	}
	return true
}

// importBcrypt checks "$2?$NN$" + 22 salt + 31 checksum characters and
// writes it with prefix and pgcrypto's canonical last characters.
func importBcrypt(hash, prefix string) (string, error) {
	if len(hash) != bcryptHashLen {
		return "", ErrMalformedHash.WithDetail("A bcrypt hash has " + strconv.Itoa(bcryptHashLen) + " characters; this one has " + strconv.Itoa(len(hash)) + ".")
	}
	if _, ok := bcryptCost(hash); !ok {
		return "", ErrMalformedHash.WithDetail("The bcrypt cost must be two digits from 04 to 31, followed by \"$\".")
	}
	for i := 7; i < len(hash); i++ {
		if bcryptIndex[hash[i]] < 0 {
			return "", ErrMalformedHash.WithDetail("A bcrypt salt and checksum use only the characters ./A-Za-z0-9.")
		}
	}
	out := []byte(prefix + hash[4:])
	// The 22nd salt character holds 2 bits, the 31st checksum one 4.
	out[bcryptSettingLen-1] = bcryptAlphabet[bcryptIndex[out[bcryptSettingLen-1]]&0x30]
	out[bcryptHashLen-1] = bcryptAlphabet[bcryptIndex[out[bcryptHashLen-1]]&0x3c]
	return string(out), nil
}

// importMD5 checks "$1$" + up to 8 salt bytes + "$" + 22 characters.
func importMD5(hash string) (string, error) {
	rest := hash[3:]
	i := strings.IndexByte(rest, '$')
	if i < 0 || i > 8 || len(rest)-i-1 != 22 || !inCryptAlphabet(rest[i+1:]) {
		return "", ErrMalformedHash.WithDetail("An md5-crypt hash is \"$1$\", a salt of at most 8 characters, \"$\" and 22 characters of ./0-9A-Za-z.")
	}
	return hash, nil
}

// importXDES checks "_" + 4 count + 4 salt + 11 checksum characters with a
// count crypt() accepts (not 0).
func importXDES(hash string) (string, error) {
	if len(hash) != 20 || !inCryptAlphabet(hash[1:]) {
		return "", ErrMalformedHash.WithDetail("An extended-DES hash is \"_\" and 19 characters of ./0-9A-Za-z.")
	}
	if hash[1:5] == "...." {
		return "", ErrMalformedHash.WithDetail("An extended-DES hash with an iteration count of 0 never verifies.")
	}
	return hash, nil
}

// importSHA checks "$5$"/"$6$" [+ "rounds=N$"] + salt + "$" + checksum as
// PostgreSQL 18 writes them, so that crypt(pw, hash) reproduces hash.
func importSHA(hash string) (string, error) {
	digest := 43
	if hash[1] == '6' {
		digest = 86
	}
	bad := func(why string) (string, error) {
		return "", ErrMalformedHash.WithDetail("A sha-crypt hash " + why + ".")
	}
	rest := hash[3:]
	if strings.HasPrefix(rest, "rounds=") {
		end := strings.IndexByte(rest, '$')
		if end < 0 {
			return bad("needs \"$\" after rounds=")
		}
		n := rest[len("rounds="):end]
		r, err := strconv.Atoi(n)
		if err != nil || n[0] < '1' || n[0] > '9' || r < 1000 || r > 999999999 {
			return bad("has rounds=1000 to 999999999, written without sign or leading zero")
		}
		rest = rest[end+1:]
	}
	i := strings.IndexByte(rest, '$')
	switch {
	case i < 0:
		return bad("has \"$\" between salt and checksum")
	case i == 0 || i > 16 || !inCryptAlphabet(rest[:i]):
		// An empty salt ("$5$$…") does not verify against itself in
		// PostgreSQL 18: the second "$" is hashed but not printed.
		return bad("has a salt of 1 to 16 characters of ./0-9A-Za-z")
	case len(rest)-i-1 != digest || !inCryptAlphabet(rest[i+1:]):
		return bad("of this kind ends in " + strconv.Itoa(digest) + " characters of ./0-9A-Za-z")
	}
	return hash, nil
}
