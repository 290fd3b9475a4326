package crypt

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShaCryptVectors(t *testing.T) {
	for _, v := range loadDesShaVectors(t) {
		if v.Algo != "sha" {
			continue
		}
		if why := skipVector(&v); why != "" {
			t.Logf("skip %q %q: %s", v.Password, v.Setting, why)
			continue
		}
		res, notices, err := v.run()
		v.check(t, res, notices, err)
	}
}

// TestStrtolInt32 pins the C strtol + 32-bit cast emulation.
func TestStrtolInt32(t *testing.T) {
	for _, c := range []struct {
		in  string
		v   int32
		end int
	}{
		{"", 0, 0}, {"$", 0, 0}, {" $", 0, 0}, {"+$", 0, 0}, {"-", 0, 0}, {"x1", 0, 0},
		{"0", 0, 1}, {"1000$", 1000, 4}, {"01000$", 1000, 5}, {"+2000$", 2000, 5},
		{" \t\n\v\f\r2000$", 2000, 10}, {"-5$", -5, 2}, {"-0", 0, 2},
		{"4294968296$", 1000, 10}, {"2147483648", -2147483648, 10}, {"3000000000", -1294967296, 10},
		{"9223372036854775807", -1, 19}, {"9223372036854775808", -1, 19},
		{"99999999999999999999$", -1, 20}, {"-9223372036854775808", 0, 20},
		{"-99999999999999999999$", 0, 21}, {"-9223372036854775807", 1, 20},
		{"12a", 12, 2}, {"1 2", 1, 1},
		{"18446744073709552616$", -1, 20}, {"81786836937856768669", -1, 20}, {"-18446744073709552616", 0, 21},
		{"9223372036854775806", -2, 19}, {"-9223372036854775809", 0, 20},
	} {
		v, end := strtolInt32([]byte(c.in))
		if v != c.v || end != c.end {
			t.Errorf("strtolInt32(%q) = %d, %d; want %d, %d", c.in, v, end, c.v, c.end)
		}
	}
}

// TestShaCryptParse checks the parser's view of odd settings.
func TestShaCryptParse(t *testing.T) {
	for _, c := range []struct {
		setting, salt, raw string
		rounds             int
		custom             bool
	}{
		{"$5$", "", "", 5000, false},
		{"$5$abc$def", "abc", "abc", 5000, false},
		{"$6$$abc", "abc", "$ab", 5000, false},
		{"$6$$$abc", "abc", "$$a", 5000, false},
		{"$5$rounds=1000$$", "", "", 1000, true},
		{"$5$rounds=77$x", "x", "x", 1000, true},
		{"$5$abcdefghijklmnopqrst", "abcdefghijklmnop", "abcdefghijklmnop", 5000, false},
		{"$5$$$$$$$$$$$$$$$$$abc", "", "", 5000, false},
		{"$5$$$$$$$$$$$$$$$$abc", "a", "$", 5000, false},
		{"$5$abcdefghijklmnop\xff", "abcdefghijklmnop", "abcdefghijklmnop", 5000, false},
	} {
		s, err := parseShaSetting([]byte(c.setting), nil, dbEncoding{})
		if err != nil || string(s.salt) != c.salt || string(s.raw) != c.raw || s.rounds != c.rounds || s.custom != c.custom {
			t.Errorf("parseShaSetting(%q) = salt %q raw %q rounds %d custom %v, %v; want %q %q %d %v",
				c.setting, s.salt, s.raw, s.rounds, s.custom, err, c.salt, c.raw, c.rounds, c.custom)
		}
	}
}

// TestShaCryptInvalidCharMessage: the message names the whole UTF-8
// character (as a UTF8 database does), cut at the end of the setting.
func TestShaCryptInvalidCharMessage(t *testing.T) {
	for setting, char := range map[string]string{
		"$5$ab€x":      "€",
		"$5$a😀":        "😀",
		"$5$a\xe2\x82": "\xe2\x82",
		"$5$a\x80b":    "\x80",
		"$5$a\x01":     "\x01",
		"$6$a\xc3":     "\xc3",
	} {
		_, err := shaCrypt([]byte("pw"), []byte(setting), nil, dbEncoding{})
		want := `invalid character in salt string: "` + char + `"`
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalidSaltChar) || e.Message != want || e.Code != "22023" {
			t.Errorf("shaCrypt(%q) error %v; want %q", setting, err, want)
		}
	}
}

// TestShaCryptInvalidCharMessageLatin1: in a LATIN1 database every byte is
// a character, so the message quotes one byte.
func TestShaCryptInvalidCharMessageLatin1(t *testing.T) {
	v := ForVersion(18, WithEncoding("LATIN1"))
	for setting, char := range map[string]string{
		"$5$ab\xc0\xc0x":       "\xc0",
		"$5$a\xf0\x9f\x98\x80": "\xf0",
		"$5$a\xe2\x82":         "\xe2",
		"$5$a\x80b":            "\x80",
		"$5$a\x01":             "\x01",
		"$6$a\xc3":             "\xc3",
	} {
		_, err := v.Crypt("pw", setting)
		var e *Error
		require.ErrorAs(t, err, &e, setting)
		assert.ErrorIs(t, err, ErrInvalidSaltChar, setting)
		assert.Equal(t, `invalid character in salt string: "`+char+`"`, e.Message, setting)
		assert.Equal(t, "22023", e.Code, setting)
	}
	// Hashes do not depend on the encoding.
	for _, setting := range []string{"$5$saltsalt", "$6$rounds=1000$salt$", "_J9..salt", "ab", "$1$s\xff$", "$2a$04$abcdefghijklmnopqrstuu"} {
		want, werr := ForVersion(18).Crypt("p\xe4ss", setting)
		got, gerr := v.Crypt("p\xe4ss", setting)
		assert.Equal(t, want, got, setting)
		assert.Equal(t, werr, gerr, setting)
	}
}

// TestWithEncodingNUL: a NUL byte is reported for the database encoding.
func TestWithEncodingNUL(t *testing.T) {
	const latin1 = `invalid byte sequence for encoding "LATIN1": 0x00`
	v := ForVersion(18, WithEncoding("LATIN1"))
	_, err1 := v.Crypt("a\x00", "ab")
	_, err2 := v.Verify("a", "a\x00")
	_, err3 := v.GenSalt("b\x00f")
	_, err4 := v.ImportHash("a\x00")
	checks := []Check{{Password: "x", Hash: "a\x00"}}
	v.VerifyBatch(checks)
	for _, err := range []error{err1, err2, err3, err4, checks[0].Err} {
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.ErrorIs(t, err, ErrInvalidEncoding)
		assert.Equal(t, latin1, e.Message)
		assert.Equal(t, "22021", e.Code)
	}
	_, err := ForVersion(18, WithEncoding("UTF8")).Crypt("a\x00", "ab")
	assert.EqualError(t, err, `crypt: invalid byte sequence for encoding "UTF8": 0x00`)
}

// TestWithEncodingUnsupported: an encoding crypt cannot reproduce fails
// every call, NUL byte or not, instead of giving UTF8's messages.
func TestWithEncodingUnsupported(t *testing.T) {
	for _, name := range []string{"EUC_JP", "utf8", "latin1", "", "SQL_ASCII"} {
		v := ForVersion(18, WithEncoding(name))
		_, err1 := v.Crypt("pw", "ab")
		_, err2 := v.Verify("pw", "$1$salt$")
		_, err3 := v.GenSalt("bf")
		_, err4 := v.ImportHash("$2a$04$abcdefghijklmnopqrstuu")
		checks := []Check{{Password: "pw", Hash: "$2a$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01"}}
		v.VerifyBatch(checks)
		// Also with a NUL byte, whose message would name the wrong encoding.
		_, err5 := v.Crypt("p\x00w", "ab")
		_, err6 := v.Verify("pw", "ab\x00")
		_, err7 := v.GenSalt("b\x00f")
		_, err8 := v.ImportHash("$2a$04$\x00")
		for _, err := range []error{err1, err2, err3, err4, checks[0].Err, err5, err6, err7, err8} {
			require.ErrorIs(t, err, ErrUnsupportedEncoding, name)
			assert.Contains(t, err.Error(), `"`+name+`"`)
		}
	}
}

// TestShaCryptLongPassword: no length limit, and long passwords (past the
// stack buffer) hash like libxcrypt's reference behaviour would: at least
// deterministic and distinct.
func TestShaCryptLongPassword(t *testing.T) {
	pw := bytes.Repeat([]byte("0123456789"), 60)
	a, err := shaCrypt(pw, []byte("$6$rounds=1000$abc"), nil, dbEncoding{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := shaCrypt(pw[:599], []byte("$6$rounds=1000$abc"), nil, dbEncoding{})
	c, _ := shaCrypt(pw, []byte("$6$rounds=1000$abc"), nil, dbEncoding{})
	if bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatalf("long password: %q %q %q", a, b, c)
	}
}

// FuzzShaCryptSetting: the parser never panics, every error is one of
// pgcrypto's, and an accepted setting gives a well-formed result. Hashing is
// skipped for expensive round counts.
func FuzzShaCryptSetting(f *testing.F) {
	for _, v := range loadDesShaVectors(f) {
		if v.Algo == "sha" {
			f.Add([]byte(v.Password), []byte(v.Setting))
		}
	}
	f.Fuzz(func(t *testing.T, pw, setting []byte) {
		if len(setting) < 3 || setting[0] != '$' || (setting[1] != '5' && setting[1] != '6') || setting[2] != '$' {
			setting = append([]byte("$5$"), setting...)
		}
		var notices []Notice
		s, err := parseShaSetting(setting, func(n Notice) { notices = append(notices, n) }, dbEncoding{})
		if len(notices) > 1 || (len(notices) == 1 && notices[0].Code != "22003") {
			t.Fatalf("%q: notices %q", setting, notices)
		}
		if err != nil {
			for _, e := range []error{ErrSaltOptions, ErrBogusMagic, ErrInvalidRoundsOption, ErrInvalidSaltChar} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("%q: unexpected error %v", setting, err)
		}
		if s.rounds < shaRoundsMin || s.rounds > shaRoundsMax || len(s.salt) > shaSaltMax || len(s.raw) != len(s.salt) {
			t.Fatalf("%q: parsed %+v", setting, s)
		}
		for _, c := range s.salt {
			if !isCryptAlphabet(c) {
				t.Fatalf("%q: salt %q", setting, s.salt)
			}
		}
		if s.rounds > 5000 || len(pw) > 200 {
			return
		}
		res, err := shaCrypt(pw, setting, nil, dbEncoding{})
		if err != nil {
			t.Fatalf("%q: parse ok but shaCrypt failed: %v", setting, err)
		}
		head, body, ok := bytes.Cut(res[3:], []byte("$"))
		if s.custom {
			head, body, ok = bytes.Cut(body, []byte("$"))
		}
		n := map[byte]int{'5': 43, '6': 86}[setting[1]]
		if !ok || !bytes.Equal(head, s.salt) || len(body) != n || strings.Trim(string(body), cryptAlphabet) != "" {
			t.Fatalf("%q: malformed result %q", setting, res)
		}
	})
}

// TestShaRawMatchesSum: the in-place padding path gives the standard
// SHA-256/SHA-512 digest for every message length around the block
// boundaries, and the vectors hold with the fallback path too.
func TestShaRawMatchesSum(t *testing.T) {
	if !shaRawFast256 || !shaRawFast512 {
		t.Logf("fast path disabled by the start-up check (256: %v, 512: %v)", shaRawFast256, shaRawFast512)
	}
	for _, fast := range []func() hash.Hash{sha256.New, sha512.New} {
		r := new(shaRaw)
		r.init(fast(), true)
		buf := make([]byte, 0, 300+2*shaMaxBlock)
		for n := 0; n <= 300; n++ {
			m := buf[:n]
			for i := range m {
				m[i] = byte(i*7 + n)
			}
			var got [64]byte
			r.sum(got[:r.size], m)
			var want []byte
			if r.size == sha256.Size {
				d := sha256.Sum256(m)
				want = d[:]
			} else {
				d := sha512.Sum512(m)
				want = d[:]
			}
			if !bytes.Equal(got[:r.size], want) {
				t.Fatalf("size %d, message length %d: %x, want %x", r.size, n, got[:r.size], want)
			}
		}
	}
	defer func(a, b bool) { shaRawFast256, shaRawFast512 = a, b }(shaRawFast256, shaRawFast512)
	shaRawFast256, shaRawFast512 = false, false
	for _, v := range loadDesShaVectors(t) {
		if v.Algo == "sha" && skipVector(&v) == "" {
			res, notices, err := v.run()
			v.check(t, res, notices, err)
		}
	}
}
