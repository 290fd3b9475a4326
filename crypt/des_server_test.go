package crypt

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// Differential tests of desCrypt and xdesCrypt against the live pgcrypto.
// The helpers here are shared with shacrypt_server_test.go.

// dsSession is one dedicated connection to a test database that records the
// server's NOTICEs per statement. In a LATIN1 database the connection also
// uses LATIN1 as client encoding, so that passwords, settings, results and
// messages travel as the raw bytes pgcrypto sees.
type dsSession struct {
	t       testing.TB
	conn    *pgx.Conn
	latin1  bool
	notices []Notice
}

func newDsSession(t testing.TB, db *pgtest.DB) *dsSession {
	t.Helper()
	cfg, err := pgx.ParseConfig(db.ConnString)
	if err != nil {
		t.Fatal(err)
	}
	s := &dsSession{t: t, latin1: db.Encoding == "LATIN1"}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		s.notices = append(s.notices, Notice{Code: n.Code, Message: n.Message})
	}
	if s.latin1 {
		cfg.RuntimeParams["client_encoding"] = "LATIN1"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s.conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.conn.Close(context.Background()) })
	return s
}

// dsOutcome is what one crypt() call gave: a result, or an error's SQLSTATE
// and message, plus the notices raised on the way.
type dsOutcome struct {
	result  []byte
	code    string
	message string
	notices []Notice
}

func (o dsOutcome) String() string {
	var b strings.Builder
	for _, n := range o.notices {
		fmt.Fprintf(&b, "NOTICE %s %q; ", n.Code, n.Message)
	}
	if o.code != "" {
		fmt.Fprintf(&b, "ERROR %s %q", o.code, o.message)
	} else {
		fmt.Fprintf(&b, "%q", o.result)
	}
	return b.String()
}

func (o dsOutcome) equal(p dsOutcome) bool {
	if o.code != p.code || o.message != p.message || string(o.result) != string(p.result) || len(o.notices) != len(p.notices) {
		return false
	}
	for i := range o.notices {
		if o.notices[i] != p.notices[i] {
			return false
		}
	}
	return true
}

// crypt runs crypt(password, setting) on the server. timeout, if not zero,
// is the statement_timeout for this one call.
func (s *dsSession) crypt(password, setting string, timeout time.Duration) dsOutcome {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if timeout > 0 {
		if _, err := s.conn.Exec(ctx, "select set_config('statement_timeout', $1, false)", strconv.FormatInt(timeout.Milliseconds(), 10)); err != nil {
			s.t.Fatal(err)
		}
		defer func() {
			if _, err := s.conn.Exec(ctx, "reset statement_timeout"); err != nil {
				s.t.Fatal(err)
			}
		}()
	}
	s.notices = nil
	var res []byte
	err := s.conn.QueryRow(ctx, "select crypt($1, $2)", password, setting).Scan(&res)
	o := dsOutcome{result: res, notices: s.notices}
	if err != nil {
		var pg *pgconn.PgError
		if !errors.As(err, &pg) {
			s.t.Fatalf("crypt(%q, %q): %v", password, setting, err)
		}
		o.result, o.code, o.message = nil, pg.Code, pg.Message
	}
	return o
}

// dsKinds counts server outcomes by kind, to show what a run covered.
type dsKinds map[string]int

func (k dsKinds) add(o dsOutcome) {
	if len(o.notices) > 0 {
		k["notice"]++
	}
	if o.code == "" {
		k["result"]++
	} else {
		msg, _, _ := strings.Cut(o.message, ":")
		k[o.code+" "+msg]++
	}
}

// goOutcomeOf turns a result of this package into a dsOutcome.
func goOutcomeOf(res []byte, notices []Notice, err error) dsOutcome {
	o := dsOutcome{result: res, notices: notices}
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			o.code, o.message = e.Code, e.Message
		} else {
			o.code, o.message = "Go", err.Error()
		}
		o.result = nil
	}
	return o
}

// dsSeed is the seed of the generated cases: PGJWT_DESSHA_SEED, or the clock
// (logged, so a failure can be replayed).
func dsSeed(t testing.TB) uint64 {
	if s := os.Getenv("PGJWT_DESSHA_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (replay with PGJWT_DESSHA_SEED=%d)", seed, seed)
	return seed
}

// dsGen generates passwords and settings. In latin1 mode "8-bit" means any
// byte 0x80..0xFF; otherwise a multibyte UTF-8 character, so that every
// string is valid in the database encoding.
type dsGen struct {
	r      *rand.Rand
	latin1 bool
}

var dsMultibyte = []string{"ä", "Ä", "é", "ß", "ё", "€", "日", "😀", "\u00a0", "\u0301"}

func (g dsGen) n(k int) int { return g.r.IntN(k) }

// high returns one non-ASCII character of the database encoding.
func (g dsGen) high() string {
	if g.latin1 {
		return string([]byte{byte(0x80 + g.n(128))})
	}
	return dsMultibyte[g.n(len(dsMultibyte))]
}

// char returns one character: mostly from the crypt alphabet, else ASCII
// punctuation, controls, or 8-bit.
func (g dsGen) char() string {
	switch k := g.n(20); {
	case k < 13:
		return string(cryptAlphabet[g.n(64)])
	case k < 16:
		const punct = "!\"#%&'()*+,-:;<=>?@[\\]^`{|}~ $_"
		return string(punct[g.n(len(punct))])
	case k < 17:
		return string([]byte{byte(1 + g.n(31))})
	default:
		return g.high()
	}
}

func (g dsGen) chars(n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(g.char())
	}
	return b.String()
}

// password: empty, short, 8-ish, long; ASCII or with 8-bit characters.
func (g dsGen) password() string {
	var n int
	switch k := g.n(10); {
	case k == 0:
		return ""
	case k < 4:
		n = 1 + g.n(7)
	case k < 7:
		n = 7 + g.n(4)
	case k < 9:
		n = 11 + g.n(30)
	default:
		n = 41 + g.n(260)
	}
	var b strings.Builder
	for range n {
		if g.n(6) == 0 {
			b.WriteString(g.high())
		} else {
			b.WriteByte(byte(' ' + g.n(95)))
		}
	}
	return b.String()
}

// desSetting returns a setting that pgcrypto of major sends to traditional
// DES (the catch-all), including too short ones.
func (g dsGen) desSetting(major int) string {
	for {
		var s string
		switch k := g.n(12); {
		case k == 0:
			s = []string{"", "a", ".", "$", g.high()}[g.n(5)]
		case k == 1:
			// Prefixes of other algorithms that are still DES.
			s = []string{"$2b$", "$2y$", "$2A$", "$3$", "$7$", "$y$", "$argon2id$", "$5$", "$6$", "$1", "$5", "$2", "$2x", "_"}[g.n(14)] + g.chars(g.n(25))
		default:
			s = g.chars(2 + g.n(6))
		}
		if dsDispatchesToDES(s, major) {
			return s
		}
	}
}

// dsDispatchesToDES reports whether pgcrypto's prefix table ends at the DES
// catch-all for s.
func dsDispatchesToDES(s string, major int) bool {
	for _, p := range []string{"$2a$", "$2x$", "$2$", "$1$", "_"} {
		if strings.HasPrefix(s, p) {
			return false
		}
	}
	if major >= 18 && (strings.HasPrefix(s, "$5$") || strings.HasPrefix(s, "$6$")) {
		return false
	}
	return true
}

// xdesSetting returns "_" + count + salt (+ extra), with counts kept small
// (at most about 800 passes) so that thousands of cases stay fast; also too
// short settings and zero counts.
func (g dsGen) xdesSetting() string {
	var b strings.Builder
	b.WriteByte('_')
	switch k := g.n(12); {
	case k == 0: // too short: under 9 bytes, so no multibyte characters
		for range g.n(8) {
			b.WriteByte(cryptAlphabet[g.n(64)])
		}
		return b.String()
	case k == 1: // count 0 (alphabet '.' or characters that count as 0)
		for range 4 {
			b.WriteString([]string{".", "!", "*", g.high()}[g.n(4)])
		}
	default:
		// One-byte count characters only: a multibyte one would move the
		// digits to higher count positions (millions of passes).
		if g.n(3) == 0 {
			b.WriteByte("!*~ .{"[g.n(6)])
		} else {
			b.WriteByte(cryptAlphabet[g.n(64)])
		}
		b.WriteByte(".0123456789"[g.n(11)])
		b.WriteString([]string{"..", ".!", "!.", "**", "[["}[g.n(5)])
	}
	b.WriteString(g.chars(4))
	if g.n(4) == 0 {
		b.WriteString(g.chars(1 + g.n(10)))
	}
	return b.String()
}

// dsEdgePasswords: bytes 0x80 (shifted to a zero key byte: the FreeSec
// CVE-2012-2143 case) and lengths around the 8-byte folding boundary.
var dsEdgePasswords = []string{
	"\u0080", "\u0080\u0080\u0080\u0080", "a\u0080b", "ab\u0080cd\u0080efgh\u0080ij", "\u0080\u0080\u0080\u0080\u0080\u0080\u0080\u0080\u0080",
	"1234567", "12345678", "123456789", "123456789012345", "1234567890123456", "12345678901234567",
	"\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff", "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f",
}

// dsScale trims case counts for -short and keeps -race runs quick.
func dsScale(n int) int {
	if pgtest.Trimmed() {
		return max(n/5, 20)
	}
	return n
}

func TestDESMatchesServer(t *testing.T) {
	seed := dsSeed(t)
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		s := newDsSession(t, db)
		g := dsGen{r: rand.New(rand.NewPCG(seed, uint64(db.Cluster.Major))), latin1: s.latin1}
		type cas struct{ pw, setting string }
		var cases []cas
		for _, v := range loadDesShaVectors(t) {
			if v.Algo == "des" && (s.latin1 || utf8.ValidString(v.Password+v.Setting)) && dsDispatchesToDES(v.Setting, db.Cluster.Major) {
				cases = append(cases, cas{v.Password, v.Setting})
			}
		}
		for _, pw := range dsEdgePasswords {
			cases = append(cases, cas{pw, "ab"}, cas{pw, "x\u00e4"})
		}
		for range dsScale(1500) {
			cases = append(cases, cas{g.password(), g.desSetting(db.Cluster.Major)})
		}
		failures, kinds := 0, dsKinds{}
		for _, c := range cases {
			want := s.crypt(c.pw, c.setting, 0)
			res, err := desCrypt([]byte(c.pw), []byte(c.setting))
			got := goOutcomeOf(res, nil, err)
			kinds.add(want)
			if !got.equal(want) {
				t.Errorf("crypt(%q, %q): server %v, Go %v", c.pw, c.setting, want, got)
				if failures++; failures > 10 {
					t.Fatal("too many failures")
				}
			}
		}
		t.Logf("%d DES cases compared: %v", len(cases), kinds)
	})
}

func TestXDESMatchesServer(t *testing.T) {
	seed := dsSeed(t)
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		s := newDsSession(t, db)
		g := dsGen{r: rand.New(rand.NewPCG(seed, uint64(db.Cluster.Major)+100)), latin1: s.latin1}
		type cas struct{ pw, setting string }
		var cases []cas
		for _, v := range loadDesShaVectors(t) {
			if v.Algo == "xdes" && !v.Slow && (s.latin1 || utf8.ValidString(v.Password+v.Setting)) {
				cases = append(cases, cas{v.Password, v.Setting})
			}
		}
		for _, pw := range dsEdgePasswords {
			cases = append(cases, cas{pw, "_J9..salt"}, cas{pw, "_/...\u00e4\u00e4"})
		}
		for range dsScale(1000) {
			cases = append(cases, cas{g.password(), g.xdesSetting()})
		}
		failures, kinds := 0, dsKinds{}
		for _, c := range cases {
			want := s.crypt(c.pw, c.setting, 0)
			res, err := xdesCrypt([]byte(c.pw), []byte(c.setting))
			got := goOutcomeOf(res, nil, err)
			kinds.add(want)
			if !got.equal(want) {
				t.Errorf("crypt(%q, %q): server %v, Go %v", c.pw, c.setting, want, got)
				if failures++; failures > 10 {
					t.Fatal("too many failures")
				}
			}
		}
		t.Logf("%d xDES cases compared: %v", len(cases), kinds)
	})
}
