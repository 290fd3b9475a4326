package jwt

import "github.com/pgjwt-go/pgjwt/internal/pgtext"

// Supported PostgreSQL majors. ForVersion maps anything below MinMajor to
// MinMajor and anything above MaxMajor to MaxMajor.
const (
	MinMajor = 13
	MaxMajor = 18
)

// Version is pgjwt's functions as they behave on one PostgreSQL major; make
// one with ForVersion. The zero value behaves like PostgreSQL 18 in a UTF8
// database, as the package-level functions do. A Version is a plain value,
// safe for concurrent use.
//
// The majors differ only in one error message: an invalid symbol in
// url_decode (and so in verify) is `invalid symbol "é" found while decoding
// base64 sequence` on 14+, and `invalid symbol "\xc3" while decoding base64
// sequence` on 13, which quotes one byte (in a UTF8 database the raw lead
// byte of a multi-byte character). Verdicts, decoded bytes and SQLSTATEs are
// the same on every major.
type Version struct {
	major  int
	latin1 bool
}

// Option configures a Version.
type Option func(*Version)

// WithServerEncoding names the database's server encoding: "UTF8" (the
// default) or "LATIN1"; any other name is treated as UTF8. It changes only
// how 13's message quotes a non-ASCII symbol: in a LATIN1 database the one
// byte 13 quotes is the whole character, which a UTF8 client receives as
// its UTF-8 form. The text given to URLDecode and VerifyAt stays UTF-8.
func WithServerEncoding(name string) Option {
	return func(v *Version) { v.latin1 = name == pgtext.Latin1 }
}

// ForVersion returns pgjwt as PostgreSQL major runs it. Majors below 13
// behave as 13, above 18 as 18.
func ForVersion(major int, opts ...Option) Version {
	v := Version{major: min(max(major, MinMajor), MaxMajor)}
	for _, opt := range opts {
		opt(&v)
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

// latest is the newest major, which the package-level functions follow.
var latest = Version{}
