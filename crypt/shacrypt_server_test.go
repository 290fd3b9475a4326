package crypt

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/stretchr/testify/require"
)

// Differential tests of shaCrypt against PostgreSQL 18's pgcrypto.

// dsRoundsValues are the texts put after "rounds=": boundaries, clamping on
// both sides, strtol's white space, signs and saturation, the 32-bit cast,
// and things that are not numbers at all.
var dsRoundsValues = []string{
	"", "0", "1", "999", "1000", "1001", "1234", "5000", "01000", "0001000", "+1000", "+2000",
	" 1000", "\t1500", "\n1000", " +1000", " -5", "-5", "-0", "-1", "-1000", "-", "+", " ", "  ",
	"1000x", "1e3", "0x10", "1.5", "１０００", "1000 ", "00", "000000000000000000001000",
	"4294968296", "4294967295", "4294967296", "4294967297", "2147483647", "2147483648", "-2147483648",
	"-2147483649", "999999999", "1000000000", "99999999999999999999", "-99999999999999999999",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709552616",
	"18446744073709551615", "3000000000", "8589934592", "8589935592",
	"\v1000", "\f1000", "\r1000", "\u00a01000", "\u00851000", "\x1c1000", " \t 1000", "+-1000", "--1000", "+ 1000",
}

// shaSetting generates a "$5$"/"$6$" setting: optional rounds= (often odd),
// then a salt part mixing the alphabet, '$', invalid and 8-bit characters,
// sometimes a stray "$5$", "$6$" or "rounds=", sometimes a hash part.
func (g dsGen) shaSetting() string {
	var b strings.Builder
	b.WriteString([]string{"$5$", "$6$"}[g.n(2)])
	switch k := g.n(10); {
	case k < 5:
		b.WriteString("rounds=")
		switch j := g.n(10); {
		case j < 5:
			b.WriteString(dsRoundsValues[g.n(len(dsRoundsValues))])
		case j < 8:
			b.WriteString([]string{"1000", "1001", "1100", "1999", "2000"}[g.n(5)])
		default:
			var d strings.Builder
			for range 1 + g.n(22) {
				d.WriteByte(byte('0' + g.n(10)))
			}
			b.WriteString(d.String())
		}
		if g.n(8) != 0 {
			b.WriteByte('$')
		} else if g.n(2) == 0 {
			b.WriteString(g.char())
		}
	case k == 5:
		b.WriteString([]string{"Rounds=1000$", "rounds", "round=1000$", "rounds:1000$", "ROUNDS=1000$", "rounds=1000"}[g.n(6)])
	}
	// Salt part.
	if g.n(5) == 0 {
		b.WriteString(strings.Repeat("$", 1+g.n(4)))
	}
	n := []int{0, 1, 2, 8, 15, 16, 17, 20}[g.n(8)]
	for range n {
		switch k := g.n(40); {
		case k < 34:
			b.WriteByte(cryptAlphabet[g.n(64)])
		case k < 36:
			b.WriteByte('$')
		default:
			b.WriteString(g.char())
		}
	}
	if g.n(12) == 0 {
		b.WriteString([]string{"$5$", "$6$", "rounds=", "$5", "rounds"}[g.n(5)])
	}
	if g.n(3) == 0 {
		b.WriteByte('$')
		for range g.n(40) {
			b.WriteByte(cryptAlphabet[g.n(64)])
		}
	}
	return b.String()
}

// Rounds above dsHashRounds are not hashed by the test (seconds each); from
// dsParseOnlyRounds on, a case compares only the parse (notices, errors)
// and checks that the server accepted the setting and was still hashing
// when a 150 ms statement_timeout fired. Values in between are skipped.
const (
	dsHashRounds      = 200000
	dsParseOnlyRounds = 20000000
)

// dsCheapPassword keeps a case fast: sha-crypt's setup is quadratic in the
// password length (PostgreSQL's too).
func (g dsGen) shaPassword() string {
	if g.n(20) == 0 {
		return strings.Repeat("long password ", 20+g.n(60))
	}
	return g.password()
}

func TestShaCryptMatchesServer(t *testing.T) {
	seed := dsSeed(t)
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		if db.Cluster.Major < 18 {
			t.Skip("sha-crypt exists from PostgreSQL 18 on (earlier majors hash $5$/$6$ as DES)")
		}
		s := newDsSession(t, db)
		enc := encodingNamed(db.Encoding)
		g := dsGen{r: rand.New(rand.NewPCG(seed, 618)), latin1: s.latin1}
		type cas struct{ pw, setting string }
		var cases []cas
		for _, v := range loadDesShaVectors(t) {
			if v.Algo == "sha" && (s.latin1 || utf8.ValidString(v.Password+v.Setting)) {
				cases = append(cases, cas{v.Password, v.Setting})
			}
		}
		// The 16-byte salt window around a multibyte character.
		for _, st := range []string{"$5$abcdefghijklmnoä", "$5$abcdefghijklmnopä", "$5$abcdefghijklmn€", "$6$$$$$$$$$$$$$$$$ä", "$6$$$$$$$$$$$$$$$ä"} {
			cases = append(cases, cas{"pw", st})
		}
		// Every rounds value, with both magics, once.
		for _, r := range dsRoundsValues {
			cases = append(cases, cas{"pw", "$5$rounds=" + r + "$salt"}, cas{"pw", "$6$rounds=" + r + "$salt"})
		}
		n := 1200
		if s.latin1 {
			n = 400 // the parser is encoding-blind but for error messages
		}
		for range dsScale(n) {
			cases = append(cases, cas{g.shaPassword(), g.shaSetting()})
		}
		failures, parseOnly, skipped, kinds := 0, 0, 0, dsKinds{}
		for _, c := range cases {
			var notices []Notice
			collect := func(n Notice) { notices = append(notices, n) }
			parsed, perr := parseShaSetting([]byte(c.setting), collect, enc)
			var got, want dsOutcome
			if perr == nil && parsed.rounds > dsHashRounds && parsed.rounds < dsParseOnlyRounds {
				skipped++
				continue
			}
			if perr == nil && parsed.rounds >= dsParseOnlyRounds {
				// Too slow to hash here: compare the notices, and that the
				// server accepted the setting and started hashing.
				parseOnly++
				got = dsOutcome{notices: notices, code: "57014", message: "canceling statement due to statement timeout"}
				want = s.crypt(c.pw, c.setting, 150*time.Millisecond)
			} else {
				notices = nil
				res, err := shaCrypt([]byte(c.pw), []byte(c.setting), collect, enc)
				got = goOutcomeOf(res, notices, err)
				want = s.crypt(c.pw, c.setting, 0)
			}
			kinds.add(want)
			if !got.equal(want) {
				t.Errorf("crypt(%q, %q): server %v, Go %v", c.pw, c.setting, want, got)
				if failures++; failures > 10 {
					t.Fatal("too many failures")
				}
			}
		}
		t.Logf("%d sha-crypt cases compared (%d by parse and notices only), %d skipped as too slow: %v", len(cases)-skipped, parseOnly, skipped, kinds)
	})
}

// TestShaCryptSaltCharMatchesServer: the invalid-salt-character message,
// through the public API told the database encoding, is the server's byte
// for byte: random non-ASCII bytes, and sequences that look like UTF-8
// characters (a lead byte and continuation bytes, complete or cut), at
// every place in the 16-byte salt window and at the end of the setting.
func TestShaCryptSaltCharMatchesServer(t *testing.T) {
	seed := dsSeed(t)
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		if db.Cluster.Major < 18 {
			t.Skip("sha-crypt exists from PostgreSQL 18 on (earlier majors hash $5$/$6$ as DES)")
		}
		s := newDsSession(t, db)
		v := ForVersion(db.Cluster.Major, WithEncoding(db.Encoding))
		r := rand.New(rand.NewPCG(seed, 1812))
		cont := func() byte { return byte(0x80 + r.IntN(64)) }
		// bad returns a non-ASCII sequence valid in the database encoding.
		bad := func() string {
			if !s.latin1 {
				return dsMultibyte[r.IntN(len(dsMultibyte))]
			}
			switch r.IntN(6) {
			case 0:
				return string([]byte{byte(0x80 + r.IntN(128))})
			case 1:
				return string([]byte{byte(0xc2 + r.IntN(30)), cont()})
			case 2:
				return string([]byte{byte(0xe0 + r.IntN(16)), cont(), cont()})
			case 3:
				return string([]byte{byte(0xf0 + r.IntN(8)), cont(), cont(), cont()})
			case 4:
				return string([]byte{byte(0xe0 + r.IntN(32)), cont()}) // cut short
			default:
				b := make([]byte, 1+r.IntN(5))
				for i := range b {
					b[i] = byte(0x80 + r.IntN(128))
				}
				return string(b)
			}
		}
		var settings []string
		for _, st := range []string{"$5$\xc0", "$5$\xc0\xc0", "$6$ab\xf0\x9f\x98\x80", "$5$\xe2\x82", "$5$$\xff\xfe"} {
			if s.latin1 || utf8.ValidString(st) {
				settings = append(settings, st)
			}
		}
		for range dsScale(600) {
			var b strings.Builder
			b.WriteString([]string{"$5$", "$6$", "$5$rounds=1000$", "$6$$"}[r.IntN(4)])
			for range r.IntN(17) {
				b.WriteByte(cryptAlphabet[r.IntN(64)])
			}
			b.WriteString(bad())
			switch r.IntN(3) {
			case 0:
				b.WriteString(bad())
			case 1:
				b.WriteString("$abc")
			}
			settings = append(settings, b.String())
		}
		kinds := dsKinds{}
		for _, st := range settings {
			res, err := v.Crypt("pw", st)
			var got dsOutcome
			if err != nil {
				got = goOutcomeOf(nil, nil, err)
			} else {
				got = goOutcomeOf([]byte(res), nil, nil)
			}
			want := s.crypt("pw", st, 0)
			kinds.add(want)
			require.True(t, got.equal(want), "crypt(pw, %q): server %v, Go %v", st, want, got)
		}
		t.Logf("%d settings compared: %v", len(settings), kinds)
	})
}
