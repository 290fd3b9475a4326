package crypt

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The differential test: thousands of generated (password, setting) pairs,
// every algorithm and prefix, valid and invalid, hashed by the live
// PostgreSQL and by ForVersion(major); results must be equal byte for byte,
// errors equal in SQLSTATE and message, notices equal.

// caseGen generates crypt() inputs from a seeded source, so that a failing
// run can be repeated with PGJWT_CRYPT_SEED.
type caseGen struct{ r *rand.Rand }

const (
	saltChars   = cryptAlphabet
	bcryptChars = bcryptAlphabet
)

func (g caseGen) n(k int) int        { return g.r.IntN(k) }
func (g caseGen) pick(s string) byte { return s[g.r.IntN(len(s))] }
func (g caseGen) chars(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = g.pick(set)
	}
	return string(b)
}

// anyByte is a byte other than NUL (PostgreSQL text cannot hold NUL).
func (g caseGen) anyByte() byte { return byte(1 + g.r.IntN(255)) }

func (g caseGen) anyBytes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = g.anyByte()
	}
	return string(b)
}

var multibyte = []string{"ä", "Ä", "ё", "ß", "€", "日本", "😀", "\u00a0", "ǅ", "\u0301"}

// password returns passwords of every kind: empty, ASCII, boundary lengths
// around bcrypt's 72 bytes and DES's 8, 511 bytes, multibyte UTF-8, and raw
// 8-bit bytes (which only a LATIN1 database can receive).
func (g caseGen) password() string {
	switch g.n(10) {
	case 0:
		return ""
	case 1:
		return g.chars(" !#$%&()*+,-./0123456789:;<=>?@ABCZabcz[]^_`{|}~", []int{1, 7, 8, 9, 16, 71, 72, 73, 100, 511}[g.n(10)])
	case 2, 3:
		var b strings.Builder
		for b.Len() < 1+g.n(80) {
			if g.n(3) == 0 {
				b.WriteString(multibyte[g.n(len(multibyte))])
			} else {
				b.WriteByte(g.pick(saltChars))
			}
		}
		return b.String()
	case 4, 5:
		return g.anyBytes([]int{1, 2, 3, 8, 9, 20, 71, 72, 73, 200}[g.n(10)])
	case 6:
		// High bytes and 0xFF in every position of a bcrypt key word.
		return g.chars("\x80\xa3\xff\x01aA", 1+g.n(12))
	default:
		return g.chars(saltChars+" !?", g.n(30))
	}
}

func (g caseGen) cost(lo, hi int) string { return fmt.Sprintf("%02d", lo+g.n(hi-lo+1)) }

func (g caseGen) bcryptSetting() string {
	prefix := []string{"$2a$", "$2x$"}[g.n(2)]
	cost := g.cost(4, 5)
	salt := g.chars(bcryptChars, 22)
	switch g.n(14) {
	case 0: // bad cost
		cost = []string{"00", "03", "32", "40", "99", "6$", "0a", " 4", "+4", "-4", "3A", "1", ""}[g.n(13)]
	case 1: // too short
		return (prefix + cost + "$" + salt)[:g.n(29)]
	case 2: // a byte outside the bcrypt alphabet somewhere in the salt
		i := g.n(22)
		salt = salt[:i] + string([]byte{"!*-$_~ \x7f\x80\xc3\xff"[g.n(11)]}) + salt[i+1:]
	case 3: // trailing bytes are ignored
		salt += g.anyBytes(1 + g.n(20))
	case 4: // missing '$' after the cost
		return prefix + cost + g.chars("x.a", 1) + salt
	}
	return prefix + cost + "$" + salt
}

func (g caseGen) md5Setting() string {
	switch g.n(5) {
	case 0:
		return "$1$" + g.anyBytes(g.n(14))
	case 1:
		return "$1$" + g.chars(saltChars+"$", g.n(14))
	case 2:
		return "$1$" + g.chars(saltChars, g.n(9)) + "$" + g.chars(saltChars, g.n(22))
	default:
		return "$1$" + g.chars(saltChars, g.n(12))
	}
}

func (g caseGen) desSetting() string {
	switch g.n(6) {
	case 0:
		return g.anyBytes(g.n(4)) // includes the invalid 0- and 1-byte salts
	case 1:
		return multibyte[g.n(len(multibyte))] + g.chars(saltChars, g.n(3))
	case 2:
		return g.chars("!:[{~`'\" ", 2)
	default:
		return g.chars(saltChars, 2+g.n(12))
	}
}

func (g caseGen) xdesSetting() string {
	// Keep the count below 64^2 so that hashing stays cheap: the last two
	// count characters are '.', or invalid (which count as 0 as well).
	count := g.chars(saltChars, 2) + g.chars("..!", 2)
	switch g.n(8) {
	case 0:
		return ("_" + count + g.chars(saltChars, 4))[:g.n(9)]
	case 1:
		count = g.chars(".!~", 4) // count 0: crypt(3) returned NULL
	case 2:
		count = g.chars(saltChars+"!ä", 2) + ".."
	}
	salt := g.chars(saltChars, 4)
	if g.n(4) == 0 {
		salt = g.anyBytes(4)
	}
	return "_" + count + salt + g.anyBytes(g.n(3))
}

// shaSetting: in 18 sha-crypt, in 13–17 the DES catch-all. Rounds stay at
// or near the 1000 minimum so that the many cases stay fast.
func (g caseGen) shaSetting() string {
	magic := []string{"$5$", "$6$"}[g.n(2)]
	rounds := ""
	switch g.n(8) {
	case 0, 1:
		rounds = "rounds=" + strconv.Itoa(1000+g.n(200)) + "$"
	case 2:
		rounds = "rounds=" + []string{"", "0", "-5", "999", "10", "01000", "+1100", " 1200", "4294968296", "99999999999999999999", "-1"}[g.n(11)] + "$"
	case 3:
		rounds = "rounds=" + []string{"1000", "1000x", "abc", "1000 ", ""}[g.n(5)] // not ended by '$'
		if g.n(2) == 0 {
			rounds += g.chars(saltChars, 3)
		}
	case 4:
		rounds = []string{"ROUNDS=1000$", "rounds=1000$rounds=1000$", "$", "$$", "rounds"}[g.n(5)]
	}
	salt := g.chars(saltChars, g.n(20))
	switch g.n(8) {
	case 0: // a byte outside the salt alphabet
		i := g.n(len(salt) + 1)
		bad := []string{"*", " ", "-", "=", "ä", "€", "\xff", "\x80", "~"}[g.n(9)]
		salt = salt[:i] + bad + salt[i:]
	case 1: // hash part, possibly with another magic or rounds=
		salt += "$" + []string{g.chars(saltChars, 43), "5$x", "6$", "rounds=", "$5$", "$6$abc", "abc$5$"}[g.n(7)]
	}
	if rounds == "" && salt == "" && g.n(2) == 0 {
		return magic[:2+g.n(2)] // "$5" and "$5$"
	}
	return magic + rounds + salt
}

// prefixSetting: neighbours of every prefix, which must fall to DES (or to
// "$2$" → NULL), and random short strings.
func (g caseGen) prefixSetting() string {
	prefixes := []string{"$2b$", "$2y$", "$2A$", "$2X$", "$2$", "$2", "$1", "$3$", "$7$", "$y$", "$argon2id$", "$", "$$", "$5", "$6", "$5$", "$6$", "$4$", "_", "__", "$1$"}
	p := prefixes[g.n(len(prefixes))]
	switch g.n(3) {
	case 0:
		return p
	case 1:
		return p + g.chars(bcryptChars, 2) + "$" + g.chars(bcryptChars, 22)
	default:
		return p + g.anyBytes(g.n(10))
	}
}

type cryptCase struct{ password, setting string }

// genCases returns n cases of each kind, plus the vectors' inputs.
func genCases(t testing.TB, seed uint64, scale int) []cryptCase {
	g := caseGen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	var cs []cryptCase
	add := func(n int, setting func() string) {
		for range n * scale / 4 {
			st := setting()
			for expensive(st) { // e.g. "_" and random bytes: a count up to 2^24
				st = setting()
			}
			cs = append(cs, cryptCase{g.password(), st})
		}
	}
	add(120, g.bcryptSetting)
	add(400, g.md5Setting)
	add(600, g.desSetting)
	add(300, g.xdesSetting)
	add(400, g.shaSetting)
	add(400, g.prefixSetting)
	for _, v := range loadVectors(t) {
		if !strings.Contains(v.Setting, "rounds=77777") && !strings.Contains(v.Setting, "rounds=123456") {
			cs = append(cs, cryptCase{v.Password, v.Setting})
		}
	}
	return cs
}

// testSeed is PGJWT_CRYPT_SEED if set, else the current time; it is logged.
func testSeed(t testing.TB) uint64 {
	if s := os.Getenv("PGJWT_CRYPT_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PGJWT_CRYPT_SEED: %v", err)
		}
		return v
	}
	return uint64(time.Now().UnixNano())
}

func TestCryptMatchesServer(t *testing.T) {
	seed := testSeed(t)
	// scale 1 is ~700 cases per database, 2 (the default) ~1200;
	// PGJWT_CRYPT_SCALE raises it for a longer hunt.
	scale := 2
	if pgtest.Trimmed() {
		scale = 1
	}
	if s := os.Getenv("PGJWT_CRYPT_SCALE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("PGJWT_CRYPT_SCALE=%q", s)
		}
		scale = n
	}
	cases := genCases(t, seed, scale)
	t.Logf("seed %d (PGJWT_CRYPT_SEED), %d generated cases per database", seed, len(cases))
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		s := newServerSession(t, db)
		v := ForVersion(db.Cluster.Major, WithEncoding(db.Encoding))
		var pairs [][2]string
		for i, c := range cases {
			if !db.Cluster.Full() && i%3 != 0 {
				continue // a third on the majors other than 15 and 18
			}
			if s.sendable(c.password) && s.sendable(c.setting) {
				pairs = append(pairs, [2]string{c.password, c.setting})
			}
		}
		server := s.crypt(pairs)
		var checks [][2]string       // (password, hash) for the Verify round
		failures := map[string]int{} // per algorithm
		for i, p := range pairs {
			got := goOutcome(func(notice func(Notice)) (string, error) {
				return ForVersion(v.Major(), WithNotices(notice), WithEncoding(db.Encoding)).Crypt(p[0], p[1])
			})
			if !sameOutcome(got, server[i]) {
				algo := algorithmOf(p[1], v.Major())
				failures[algo]++
				if failures[algo] <= 8 {
					t.Errorf("%s: crypt(%s, %s)\n  go: %s\n  pg: %s", algo, quoteBytes(p[0]), quoteBytes(p[1]), got, server[i])
				}
			}
			if server[i].code == "" {
				checks = append(checks, [2]string{p[0], server[i].res})
			}
		}
		if len(failures) > 0 {
			t.Fatalf("cases differing per algorithm %v, of %d (seed %d)", failures, len(pairs), seed)
		}

		// Verify(password, hash) must say what `hash = crypt(password, hash)`
		// says on the server, for the right password and a wrong one.
		var vpairs [][2]string
		for i, c := range checks {
			if !s.sendable(c[1]) {
				continue // a hash this database cannot receive back as text
			}
			pw := c[0]
			if i%2 == 1 {
				pw += "x"
			}
			vpairs = append(vpairs, [2]string{pw, c[1]})
		}
		again := s.crypt(vpairs)
		for i, p := range vpairs {
			want := again[i].code == "" && again[i].res == p[1]
			ok, err := v.Verify(p[0], p[1])
			if err != nil && again[i].code == "" {
				t.Errorf("Verify(%s, %s): %v; server hashed it", quoteBytes(p[0]), quoteBytes(p[1]), err)
			} else if ok != want {
				t.Errorf("Verify(%s, %s) = %v, server says %v", quoteBytes(p[0]), quoteBytes(p[1]), ok, want)
			}
		}
		t.Logf("%d crypt() cases and %d Verify cases equal", len(pairs), len(vpairs))
	})
}

// TestVectorsOnServer proves the data file itself: every vector of the
// live majors is what the server says.
func TestVectorsOnServer(t *testing.T) {
	vs := loadVectors(t)
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		s := newServerSession(t, db)
		var pairs [][2]string
		var picked []vector
		for _, v := range vs {
			m := db.Cluster.Major
			// A message naming a non-ASCII character names it in the
			// database encoding: such vectors are UTF8 ones.
			utf8Only := v.Error != nil && !isASCII(v.Error.Message)
			if m >= v.lo && m <= v.hi && s.sendable(v.Password) && s.sendable(v.Setting) && !(utf8Only && s.latin1()) {
				pairs = append(pairs, [2]string{v.Password, v.Setting})
				picked = append(picked, v)
			}
		}
		for i, o := range s.crypt(pairs) {
			v := picked[i]
			want := outcome{res: v.Result}
			if v.Error != nil {
				want = outcome{code: v.Error.Code, msg: v.Error.Message}
			}
			if v.Notice != nil {
				want.notices = []Notice{{Code: v.Notice.Code, Message: v.Notice.Message}}
			}
			if o.String() != want.String() {
				t.Errorf("crypt(%s, %s): server %s, vector %s", quoteBytes(v.Password), quoteBytes(v.Setting), o, want)
			}
		}
		t.Logf("%d vectors checked", len(pairs))
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// algorithmOf names the algorithm the dispatch picks, for failure reports.
func algorithmOf(setting string, major int) string {
	for _, p := range []struct {
		prefix, name string
		since        int
	}{
		{"$2a$", "bcrypt", 0}, {"$2x$", "bcrypt-2x", 0}, {"$2$", "null", 0}, {"$1$", "md5", 0},
		{"$5$", "sha256crypt", shaCryptMajor}, {"$6$", "sha512crypt", shaCryptMajor}, {"_", "xdes", 0},
	} {
		if strings.HasPrefix(setting, p.prefix) && major >= p.since {
			return p.name
		}
	}
	return "des"
}

// TestNULMatchesServer: a NUL byte is refused with the error the server
// gives a client that sends one in a text value, the client encoding being
// the database's (as crypt's arguments are in the database encoding).
func TestNULMatchesServer(t *testing.T) {
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		want := newDsSession(t, db).crypt("a\x00b", "ab", 0)
		require.NotEmpty(t, want.code, "server: %v", want)
		v := ForVersion(db.Cluster.Major, WithEncoding(db.Encoding))
		for _, call := range []func() (string, error){
			func() (string, error) { return v.Crypt("a\x00b", "ab") },
			func() (string, error) { return v.Crypt("ab", "a\x00b") },
			func() (string, error) { return v.GenSalt("b\x00f") },
			func() (string, error) { return v.ImportHash("$1$a\x00b") },
			func() (string, error) { _, err := v.Verify("ab", "a\x00b"); return "", err },
		} {
			_, err := call()
			got := goOutcomeOf(nil, nil, err)
			assert.True(t, got.equal(want) && errors.Is(err, ErrInvalidEncoding), "go %v, pg %v", got, want)
		}
	})
}

// sameOutcome compares Go's outcome with the server's: they must be equal
// byte for byte, messages included (Go is told the database encoding).
func sameOutcome(got, want outcome) bool { return got.String() == want.String() }
