package crypt

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// FuzzCrypt: any bytes as password and setting, on 15 and 18. Crypt must
// not panic, must be deterministic, must reject NUL, and a result must verify
// against itself (pgcrypto's `hash = crypt(pw, hash)`), except for the
// PostgreSQL 18 sha-crypt quirk where leading '$' in the salt is skipped in
// the output but hashed.
func FuzzCrypt(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Password, v.Setting)
	}
	f.Fuzz(func(t *testing.T, password, setting string) {
		if expensive(setting) {
			t.Skip("cost too high for fuzzing")
		}
		for _, v := range []Version{ForVersion(15), ForVersion(18)} {
			res, err := v.Crypt(password, setting)
			again, err2 := v.Crypt(password, setting)
			if res != again || (err == nil) != (err2 == nil) {
				t.Fatalf("pg%d: not deterministic: %q/%v vs %q/%v", v.Major(), res, err, again, err2)
			}
			hasNUL := strings.IndexByte(password+setting, 0) >= 0
			if hasNUL != errors.Is(err, ErrInvalidEncoding) {
				t.Fatalf("pg%d: NUL %v but err %v", v.Major(), hasNUL, err)
			}
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("pg%d: foreign error type %T", v.Major(), err)
				}
				continue
			}
			if len(res) > 123 {
				t.Fatalf("pg%d: result of %d bytes exceeds pgcrypto's buffer", v.Major(), len(res))
			}
			// PostgreSQL 18 skips leading '$' of a sha-crypt salt but hashes
			// them, so "$5$$abc" and even an empty salt ("$5$$<hash>") do
			// not verify against their own result there either.
			shaLeadingDollar := v.Major() >= shaCryptMajor && (strings.HasPrefix(setting, "$5$") || strings.HasPrefix(setting, "$6$")) &&
				(strings.Contains(setting, "$$") || strings.Contains(res, "$$"))
			if ok, err := v.Verify(password, res); (!ok || err != nil) && !shaLeadingDollar {
				t.Fatalf("pg%d: crypt(%q, %q) = %q does not verify: %v %v", v.Major(), password, setting, res, ok, err)
			}
		}
	})
}

// shaRoundsLimit is the highest sha-crypt count the tests hash in bulk;
// the race detector makes SHA-2 about ten times slower.
var shaRoundsLimit = map[bool]uint64{false: 10000, true: 1000}[pgtest.RaceEnabled]

// expensive reports settings that would take long to hash: bcrypt cost
// above 6, extended DES counts above 2^14, sha-crypt rounds above
// shaRoundsLimit (no "rounds=" means 5000).
func expensive(setting string) bool {
	switch {
	case strings.HasPrefix(setting, "$2a$") || strings.HasPrefix(setting, "$2x$"):
		return len(setting) >= 6 && (setting[4] != '0' || setting[5] > '6')
	case strings.HasPrefix(setting, "_"):
		if len(setting) < 5 {
			return false
		}
		count := 0
		for i := 4; i >= 1; i-- {
			// An invalid character counts as 0 in xDES; as 63 here, to err
			// on the side of "expensive".
			count = count<<6 | strings.IndexByte(cryptAlphabet, setting[i])&0x3f
		}
		return count > 1<<14
	case strings.HasPrefix(setting, "$5$rounds=") || strings.HasPrefix(setting, "$6$rounds="):
		digits := strings.TrimLeft(setting[len("$5$rounds="):], " \t\n\v\f\r+-0")
		end := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' })
		if end < 0 {
			end = len(digits)
		}
		n, err := strconv.ParseUint(digits[:end], 10, 64)
		return err != nil || n > shaRoundsLimit
	case strings.HasPrefix(setting, "$5$") || strings.HasPrefix(setting, "$6$"):
		return 5000 > shaRoundsLimit
	}
	return false
}
