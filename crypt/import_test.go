package crypt

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// importPassword is the password of every importVectors hash.
const importPassword = "correct horse"

// importVectors were made by libxcrypt (Python 3.11's crypt module), an
// implementation independent of this package, with importPassword; want is
// what ImportHash must store.
var importVectors = []struct {
	name, hash, want string
	since            int // first major whose crypt() checks it
}{
	{"bcrypt $2b$", "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2", "$2a$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2", MinMajor},
	{"bcrypt $2y$", "$2y$07$0123456789ABCDEFGHIJKuLVtanNr3TFjX.d/h8yeq.zjmal0iray", "$2a$07$0123456789ABCDEFGHIJKuLVtanNr3TFjX.d/h8yeq.zjmal0iray", MinMajor},
	// The libxcrypt hash below with its last salt character "." changed to
	// "C", which differs only in bits bcrypt ignores:
	// ImportHash writes it as pgcrypto would.
	{"bcrypt $2b$ salt bits", "$2b$04$CCCCCCCCCCCCCCCCCCCCCC.o66Ba.o65rt06KXeSpKWfObOB7QJIe", "$2a$04$CCCCCCCCCCCCCCCCCCCCC..o66Ba.o65rt06KXeSpKWfObOB7QJIe", MinMajor},
	{"md5-crypt", "$1$saltsalt$NuzA7WTAelpl95xgBGWN60", "$1$saltsalt$NuzA7WTAelpl95xgBGWN60", MinMajor},
	{"des", "abhfCpXqd4GrI", "abhfCpXqd4GrI", MinMajor},
	{"xdes", "_J9..saltGomPeRUt8OA", "_J9..saltGomPeRUt8OA", MinMajor},
	{"sha256crypt", "$5$rounds=1000$abcdefghijklmnop$sMH/aXVPoABuMIam8Brfej2trWzGTpr5d2WuYZNwEmA", "$5$rounds=1000$abcdefghijklmnop$sMH/aXVPoABuMIam8Brfej2trWzGTpr5d2WuYZNwEmA", 18},
	{"sha512crypt", "$6$rounds=1000$abcdefghijklmnop$K9ViLilDpRy6xLunKXsaoeGhKInKdDtpCLyoTSCkDcguT34R9cMK08/eq3hGwOWWgyYCTwWqVmKpFAHjf73Mv/", "$6$rounds=1000$abcdefghijklmnop$K9ViLilDpRy6xLunKXsaoeGhKInKdDtpCLyoTSCkDcguT34R9cMK08/eq3hGwOWWgyYCTwWqVmKpFAHjf73Mv/", 18},
}

func TestImportHash(t *testing.T) {
	for _, major := range []int{15, 18} {
		v := ForVersion(major)
		for _, tc := range importVectors {
			got, err := v.ImportHash(tc.hash)
			if major < tc.since {
				assert.ErrorIs(t, err, ErrUnsupportedHash, "%s on %d", tc.name, major)
				continue
			}
			require.NoError(t, err, tc.name)
			assert.Equal(t, tc.want, got, tc.name)
			ok, err := v.Verify(importPassword, got)
			require.NoError(t, err)
			assert.True(t, ok, "%s verifies after import on %d", tc.name, major)
			ok, _ = v.Verify("wrong horse", got)
			assert.False(t, ok, tc.name)
		}
	}
	// Without the rewrite, crypt() takes "$2b$" for DES and never matches.
	ok, err := Verify(importPassword, importVectors[0].hash)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestImportHashRefuses(t *testing.T) {
	for _, tc := range []struct {
		hash    string
		want    error
		details string
	}{
		{"$2$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2", ErrUnsupportedHash, `"$2$"`},
		{"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", ErrUnsupportedHash, "argon2"},
		{"$7$CU..../....abcdefgh$zsdaqwx89mPOv8.UAUJOC7yCeca1WUSV.qqzsN2U1JA", ErrUnsupportedHash, "scrypt"},
		{"$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA", ErrUnsupportedHash, "scrypt"},
		{"$y$j9T$abcdefghijklmnop$0Hi8KsZH/hAMRN9Bam6ce3nmi5QAIz3R/KeaXG/c7p9", ErrUnsupportedHash, "yescrypt"},
		{"$pbkdf2-sha256$29000$c2FsdA$aGFzaA", ErrUnsupportedHash, "PBKDF2"},
		{"pbkdf2_sha256$600000$salt$aGFzaA==", ErrUnsupportedHash, "Django"},
		{"{SSHA}aGFzaHNhbHQ=", ErrUnsupportedHash, "LDAP"},
		{"md5" + strings.Repeat("0123456789abcdef", 2), ErrUnsupportedHash, "md5 role password"},
		{"SCRAM-SHA-256$4096:c2FsdA==$a:b", ErrUnsupportedHash, "SCRAM"},
		{"$9$whatever$x", ErrUnsupportedHash, `"$9$"`},
		{"plaintext password", ErrUnsupportedHash, "unknown format"},
		{"", ErrUnsupportedHash, "unknown format"},
		{"$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy", ErrMalformedHash, "60 characters"},
		{"$2b$03$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2", ErrMalformedHash, "cost"},
		{"$2y$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy!", ErrMalformedHash, "characters"},
		{"$1$saltsaltX$NuzA7WTAelpl95xgBGWN60", ErrMalformedHash, "md5-crypt"},
		{"$1$saltsalt$NuzA7WTAelpl95xgBGWN6", ErrMalformedHash, "md5-crypt"},
		{"_....saltGomPeRUt8OA", ErrMalformedHash, "count of 0"},
		{"_J9..saltGomPeRUt8O", ErrMalformedHash, "extended-DES"},
		{"$5$rounds=999$abcdefghijklmnop$sMH/aXVPoABuMIam8Brfej2trWzGTpr5d2WuYZNwEmA", ErrMalformedHash, "rounds"},
		{"$5$rounds=01000$abcdefghijklmnop$sMH/aXVPoABuMIam8Brfej2trWzGTpr5d2WuYZNwEmA", ErrMalformedHash, "rounds"},
		{"$5$$sMH/aXVPoABuMIam8Brfej2trWzGTpr5d2WuYZNwEmA", ErrMalformedHash, "salt"},
		{"$6$abc$short", ErrMalformedHash, "86 characters"},
		{"abhfCpXqd4Gr!", ErrUnsupportedHash, "unknown format"},
	} {
		_, err := ImportHash(tc.hash)
		require.Error(t, err, tc.hash)
		assert.ErrorIs(t, err, tc.want, tc.hash)
		var e *Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, "22023", e.SQLState())
		assert.Contains(t, e.Detail, tc.details, tc.hash)
	}
	_, err := ImportHash("$2b$05$abc\x00")
	assert.ErrorIs(t, err, ErrInvalidEncoding)
}

// TestImportHashLive: the server's crypt() checks every imported hash (and
// the unconverted "$2b$"/"$2y$" ones fail there, as ImportHash says).
func TestImportHashLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		v := ForVersion(c.Major)
		matches := func(pw, hash string) bool {
			var ok bool
			err := c.UTF8.Pool.QueryRow(ctx, "SELECT crypt($1::text, $2::text) = $2::text", pw, hash).Scan(&ok)
			require.NoError(t, err)
			return ok
		}
		for _, tc := range importVectors {
			got, err := v.ImportHash(tc.hash)
			if c.Major < tc.since {
				require.ErrorIs(t, err, ErrUnsupportedHash)
				assert.False(t, matches(importPassword, tc.hash), "%s must indeed fail on %s", tc.name, c)
				continue
			}
			require.NoError(t, err)
			assert.True(t, matches(importPassword, got), "%s on %s", tc.name, c)
			assert.False(t, matches("wrong horse", got), "%s on %s", tc.name, c)
			if got != tc.hash {
				assert.False(t, matches(importPassword, tc.hash), "%s unconverted on %s", tc.name, c)
			}
		}
	})
}

// TestImportHashRefusalsLive: the well-formed hashes ImportHash refuses
// because crypt() could never verify them are indeed unverifiable on the
// server: crypt() refuses the setting outright, or, built from the
// server's own output for such a setting (the checksum crypt() computes for
// the password), the hash still gives crypt(pw, hash) <> hash there.
func TestImportHashRefusalsLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		serverCrypt := func(pw, setting string) (string, error) {
			var out string
			err := c.UTF8.Pool.QueryRow(ctx, "SELECT crypt($1::text, $2::text)", pw, setting).Scan(&out)
			return out, err
		}
		for _, r := range []struct {
			setting  string
			since    int
			checksum int // characters after the setting; 0: after the last "$"
		}{
			{"_....salt", 13, 11},
			{"$5$$", 18, 0},
			{"$5$rounds=01000$abcdefghijklmnop$", 18, 0},
			{"$5$rounds=999$abcdefghijklmnop$", 18, 0},
			{"$6$rounds=0999$abcdefghijklmnop$", 18, 0},
		} {
			if c.Major < r.since {
				continue
			}
			out, err := serverCrypt(importPassword, r.setting)
			var h string
			switch {
			case err != nil:
				// No hash of this kind comes out of crypt(): any checksum.
				h = r.setting + strings.Repeat("A", r.checksum)
			case r.checksum > 0:
				h = r.setting + out[len(out)-r.checksum:]
			default:
				h = r.setting + out[strings.LastIndexByte(out, '$')+1:]
			}
			_, importErr := ForVersion(c.Major).ImportHash(h)
			require.ErrorIs(t, importErr, ErrMalformedHash, "%s", h)
			again, err := serverCrypt(importPassword, h)
			if err == nil {
				assert.NotEqual(t, h, again, "%s verifies on %s after all", h, c)
			}
			t.Logf("%s: crypt() %v", h, err)
		}
	})
}
