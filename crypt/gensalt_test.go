package crypt

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

var saltTypeNames = []string{
	"des", "DES", "Des", "md5", "MD5", "mD5", "xdes", "XDES", "xDeS", "bf", "BF", "bF",
	"sha256crypt", "SHA256CRYPT", "Sha256Crypt", "sha512crypt", "SHA512crypt",
	"", " bf", "bf ", "b f", "blowfish", "bcrypt", "sha256", "sha512", "sha-256crypt", "md5crypt", "des ", "unknown",
	"ſha256crypt", "xdeſ", "\u212aDES", "bf\t",
}

var saltRounds = []int{
	math.MinInt32, -1000, -1, 0, 1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 30, 31, 32, 100, 724, 725, 726, 727,
	999, 1000, 1001, 1002, 5000, 9999, 1 << 20, 16777214, 16777215, 16777216, 16777217,
	999999998, 999999999, 1000000000, math.MaxInt32,
}

// saltFormat is the exact shape of a gen_salt result for a type and count.
func saltFormat(typ string, rounds int) *regexp.Regexp {
	const c = `[./0-9A-Za-z]`
	switch strings.ToLower(typ) {
	case "des":
		return regexp.MustCompile(`^` + c + `{2}$`)
	case "md5":
		return regexp.MustCompile(`^\$1\$` + c + `{8}$`)
	case "xdes":
		if rounds == 0 {
			rounds = 725
		}
		count := string(appendCrypt64(nil, uint32(rounds), 4))
		return regexp.MustCompile(`^_` + regexp.QuoteMeta(count) + c + `{4}$`)
	case "bf":
		if rounds == 0 {
			rounds = 6
		}
		return regexp.MustCompile(fmt.Sprintf(`^\$2a\$%02d\$[./A-Za-z0-9]{21}[.Oeu]$`, rounds))
	case "sha256crypt", "sha512crypt":
		if rounds == 0 {
			rounds = 5000
		}
		magic := "5"
		if strings.Contains(typ, "512") {
			magic = "6"
		}
		return regexp.MustCompile(fmt.Sprintf(`^\$%s\$rounds=%d\$`, magic, rounds) + c + `{16}$`)
	}
	return nil
}

// cheapToHash reports whether crypt() with a salt of this type and count
// is fast enough to try on both sides.
func cheapToHash(typ string, rounds int) bool {
	switch strings.ToLower(typ) {
	case "bf":
		return rounds <= 6
	case "xdes":
		return rounds <= 10000
	case "sha256crypt", "sha512crypt":
		return rounds <= 10000
	}
	return true
}

// TestGenSaltMatchesServer: every type name × every count, on each major:
// same verdict (or same error), same format, and each side's salt hashes
// the same on both sides.
func TestGenSaltMatchesServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		s := newServerSession(t, c.UTF8)
		v := ForVersion(c.Major)
		var hashPairs [][2]string
		var hashWho []string
		checked := 0
		for _, typ := range saltTypeNames {
			for _, rounds := range append([]*int{nil}, intPtrs(saltRounds)...) {
				var got outcome
				var want outcome
				if rounds == nil {
					got = goOutcome(func(func(Notice)) (string, error) { return v.GenSalt(typ) })
					want = s.genSalt(typ, nil)
				} else {
					r32 := int32(*rounds)
					got = goOutcome(func(func(Notice)) (string, error) { return v.GenSaltRounds(typ, *rounds) })
					want = s.genSalt(typ, &r32)
				}
				checked++
				call := fmt.Sprintf("gen_salt(%q", typ)
				n := 0
				if rounds != nil {
					n = *rounds
					call += fmt.Sprintf(", %d", n)
				}
				call += ")"
				if (got.code == "") != (want.code == "") || got.code != want.code || got.msg != want.msg {
					t.Errorf("%s: go %s, pg %s", call, got, want)
					continue
				}
				if got.code != "" {
					continue
				}
				re := saltFormat(typ, n)
				if !re.MatchString(got.res) || !re.MatchString(want.res) {
					t.Errorf("%s: go %q, pg %q, want both to match %s", call, got.res, want.res, re)
				}
				if cheapToHash(typ, n) {
					for _, salt := range []string{got.res, want.res} {
						hashPairs = append(hashPairs, [2]string{"password", salt})
						hashWho = append(hashWho, call)
					}
				}
			}
		}
		// Both sides' salts are accepted by both crypt()s, with equal results.
		server := s.crypt(hashPairs)
		for i, p := range hashPairs {
			got := goOutcome(func(func(Notice)) (string, error) { return v.Crypt(p[0], p[1]) })
			if got.String() != server[i].String() || got.code != "" {
				t.Errorf("%s gave %q: crypt go %s, pg %s", hashWho[i], p[1], got, server[i])
			}
		}
		t.Logf("%d gen_salt calls, %d salts hashed on both sides", checked, len(hashPairs))
	})
}

func intPtrs(xs []int) []*int {
	ps := make([]*int, len(xs))
	for i := range xs {
		ps[i] = &xs[i]
	}
	return ps
}

// TestGenSaltReproducible pins the encoding of the random bytes, using
// WithRand.
func TestGenSaltReproducible(t *testing.T) {
	// Expected values computed independently (Python) from the spec's
	// description of each encoding.
	seq := make([]byte, 16)
	for i := range seq {
		seq[i] = byte(i*17 + 1) // 01 12 23 34 …
	}
	for _, tc := range []struct {
		typ    string
		rounds int
		want   string
	}{
		{"des", 0, "/G"},             // 0x01&63=1, 0x12&63=18
		{"md5", 1000, "$1$/6l6oIYJ"}, // 0x231201, 0x564534, little-endian
		{"xdes", 0, "_J9../6l6"},     // 725 → J9.., then 0x231201
		{"xdes", 16777215, "_zzzz/6l6"},
		{"bf", 4, "$2a$04$.PGhLCTUX1gHkos6xb5t.."}, // bcrypt alphabet, MSB first
		{"sha256crypt", 0, "$5$rounds=5000$/GXo3Kbs7OfwBSj."},
		{"sha512crypt", 1000, "$6$rounds=1000$/GXo3Kbs7OfwBSj."},
	} {
		v := ForVersion(18, WithRand(bytes.NewReader(seq)))
		got, err := v.GenSaltRounds(tc.typ, tc.rounds)
		if err != nil || got != tc.want {
			t.Errorf("GenSaltRounds(%q, %d) = %q, %v; want %q", tc.typ, tc.rounds, got, err, tc.want)
		}
	}
}

func TestGenSaltErrors(t *testing.T) {
	failing := ForVersion(18, WithRand(iotest.ErrReader(errors.New("no entropy"))))
	if _, err := failing.GenSalt("bf"); !errors.Is(err, ErrRandom) {
		t.Errorf("failing reader: %v, want ErrRandom", err)
	}
	if _, err := ForVersion(18, WithRand(bytes.NewReader([]byte{1}))).GenSalt("md5"); !errors.Is(err, ErrRandom) {
		t.Errorf("short reader: %v, want ErrRandom", err)
	}
	if _, err := GenSalt("b\x00f"); !errors.Is(err, ErrInvalidEncoding) {
		t.Errorf("NUL in type: %v, want ErrInvalidEncoding", err)
	}
	if _, err := ForVersion(17).GenSalt("sha256crypt"); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("sha256crypt on 17: %v, want ErrUnknownAlgorithm", err)
	}
	if _, err := GenSaltRounds("bf", 3); !errors.Is(err, ErrIncorrectRounds) {
		t.Errorf("bf 3: %v, want ErrIncorrectRounds", err)
	}
	if _, err := GenSaltRounds("des", 1<<40); !errors.Is(err, ErrIncorrectRounds) {
		t.Errorf("des 2^40: %v, want ErrIncorrectRounds", err)
	}
}
